// Keyring interop in both directions: raw AES (128/192/256, both context orders), raw RSA OAEP (sha1..sha512) and an AES+RSA multi-keyring.
import test, { type ExecutionContext } from 'ava'
import {
  type AesBits,
  type KeyringPair,
  OAEP_HASHES,
  type OaepHash,
  SIDES,
  type Side,
  type SuiteName,
  aesPair,
  decryptWith,
  direction,
  encryptWith,
  generateRsaPem,
  hex4,
  multiPair,
  other,
  plaintextOf,
  rsaPair,
  suiteByName,
  withoutPublicKey,
} from './helpers'

const RSA = generateRsaPem()

/** localeCompare order and UTF-8 byte order disagree on these keys, so the wrapping AAD differs. */
const ORDER_CONTEXT: Readonly<Record<string, string>> = { a: '1', B: '2', é: '3', '\u{1F600}': '4', Z: '5' }

test('precondition: the order-sensitive context sorts differently by localeCompare and by UTF-8 bytes', (t) => {
  const keys = Object.keys(ORDER_CONTEXT)
  const locale = [...keys].sort((x, y) => x.localeCompare(y))
  const utf8 = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')))
  t.notDeepEqual(locale, utf8)
})

async function crossAndCheck(
  t: ExecutionContext,
  keyrings: KeyringPair,
  from: Side,
  suite: SuiteName,
  context: Readonly<Record<string, string>>,
  expectedProviders: readonly string[],
): Promise<void> {
  const { policy } = suiteByName(suite)
  const plaintext = plaintextOf(777, context === ORDER_CONTEXT ? 7 : 3)
  const encrypted = await encryptWith(from, keyrings, plaintext, { suite, context })
  const decrypted = await decryptWith(other(from), keyrings, encrypted.ciphertext, policy)
  t.true(decrypted.plaintext.equals(plaintext))
  t.deepEqual(withoutPublicKey(decrypted.header.encryptionContext), { ...context })
  t.deepEqual(
    decrypted.header.encryptedDataKeys.map((e) => e.providerId),
    [...expectedProviders],
  )
}

// ------------------------------------------------------------------ raw AES

/** How one side's AES keyring is configured; undefined utf8Sorting means that SDK's default. */
interface AesEnd {
  readonly side: Side
  readonly utf8Sorting: boolean | undefined
}

function describeEnd(end: AesEnd): string {
  const order =
    end.utf8Sorting === undefined
      ? end.side === 'ours'
        ? 'default=UTF-8'
        : 'default=localeCompare'
      : `utf8Sorting:${end.utf8Sorting}`
  return `${end.side}(${order})`
}

const AES_SUITES: readonly SuiteName[] = [
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY',
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384',
]

/** writer → reader pairs that must interoperate on an order-sensitive context. */
const AES_COMPATIBLE: ReadonlyArray<readonly [AesEnd, AesEnd]> = [
  [
    { side: 'ours', utf8Sorting: undefined },
    { side: 'official', utf8Sorting: true },
  ],
  [
    { side: 'official', utf8Sorting: true },
    { side: 'ours', utf8Sorting: undefined },
  ],
  [
    { side: 'ours', utf8Sorting: false },
    { side: 'official', utf8Sorting: undefined },
  ],
  [
    { side: 'official', utf8Sorting: undefined },
    { side: 'ours', utf8Sorting: undefined },
  ],
  [
    { side: 'official', utf8Sorting: undefined },
    { side: 'ours', utf8Sorting: false },
  ],
  [
    { side: 'official', utf8Sorting: true },
    { side: 'ours', utf8Sorting: false },
  ],
]

/** Controls: the official keyring tries one order only, so these must fail, proving the orders differ on the wire. */
const AES_INCOMPATIBLE: ReadonlyArray<readonly [AesEnd, AesEnd]> = [
  [
    { side: 'ours', utf8Sorting: undefined },
    { side: 'official', utf8Sorting: undefined },
  ],
  [
    { side: 'ours', utf8Sorting: false },
    { side: 'official', utf8Sorting: true },
  ],
]

function aesKeyringsFor(bits: AesBits, writer: AesEnd, reader: AesEnd): KeyringPair {
  const sorting = (side: Side): boolean | undefined => (writer.side === side ? writer.utf8Sorting : reader.utf8Sorting)
  return aesPair({ bits, oursUtf8Sorting: sorting('ours'), officialUtf8Sorting: sorting('official') })
}

const aesOrderMacro = test.macro({
  async exec(t, bits: AesBits, suite: SuiteName, writer: AesEnd, reader: AesEnd, compatible: boolean) {
    const keyrings = aesKeyringsFor(bits, writer, reader)
    if (compatible) {
      await crossAndCheck(t, keyrings, writer.side, suite, ORDER_CONTEXT, ['interop-aes'])
      return
    }
    const { policy } = suiteByName(suite)
    const { ciphertext } = await encryptWith(writer.side, keyrings, plaintextOf(10), { suite, context: ORDER_CONTEXT })
    await t.throwsAsync(decryptWith(reader.side, keyrings, ciphertext, policy))
  },
  title: (_p, bits: AesBits, suite: SuiteName, writer: AesEnd, reader: AesEnd, compatible: boolean) =>
    `raw AES-${bits} ${hex4(suiteByName(suite).id)} order-sensitive context: ${describeEnd(writer)} → ${describeEnd(reader)} ${compatible ? 'opens' : 'is refused (control)'}`,
})

for (const bits of [128, 192, 256] as const) {
  for (const suite of AES_SUITES) {
    for (const [writer, reader] of AES_COMPATIBLE) test(aesOrderMacro, bits, suite, writer, reader, true)
    for (const [writer, reader] of AES_INCOMPATIBLE) test(aesOrderMacro, bits, suite, writer, reader, false)
  }
}

for (const from of SIDES) {
  test(`raw AES with non-ASCII key name and namespace: ${direction(from, other(from))}`, async (t) => {
    const keyrings = aesPair({ keyName: 'ключ-🔑-鍵', keyNamespace: 'espace-clé', officialUtf8Sorting: true })
    await crossAndCheck(t, keyrings, from, 'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY', { k: 'v' }, [
      'espace-clé',
    ])
  })
}

// ------------------------------------------------------------------ raw RSA

const RSA_SUITES: readonly SuiteName[] = [
  'ALG_AES128_GCM_IV12_TAG16',
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384',
]

const rsaMacro = test.macro({
  async exec(t, hash: OaepHash, suite: SuiteName, from: Side) {
    await crossAndCheck(t, rsaPair(RSA, hash), from, suite, { keyring: `rsa-${hash}` }, ['interop-rsa'])
  },
  title: (_p, hash: OaepHash, suite: SuiteName, from: Side) =>
    `raw RSA OAEP-${hash} ${hex4(suiteByName(suite).id)}: ${direction(from, other(from))}`,
})

for (const hash of OAEP_HASHES) {
  for (const suite of RSA_SUITES) {
    for (const from of SIDES) test(rsaMacro, hash, suite, from)
  }
}

for (const hash of OAEP_HASHES) {
  for (const from of SIDES) {
    test(`raw RSA OAEP-${hash}: public-key-only ${from} encrypts, private-key-only ${other(from)} decrypts`, async (t) => {
      const encryptor = rsaPair(RSA, hash, { keys: 'public' })
      const decryptor = rsaPair(RSA, hash, { keys: 'private' })
      const plaintext = plaintextOf(300)
      const { ciphertext } = await encryptWith(from, encryptor, plaintext)
      const decrypted = await decryptWith(other(from), decryptor, ciphertext)
      t.true(decrypted.plaintext.equals(plaintext))
    })
  }
}

// Control: the OAEP hash really is applied on both sides (same key name, different hash → refused).
for (const [from, writeHash, readHash] of [
  ['ours', 'sha256', 'sha1'],
  ['official', 'sha512', 'sha384'],
] as const) {
  test(`raw RSA control: OAEP-${writeHash} written by ${from} is refused by ${other(from)} configured for OAEP-${readHash}`, async (t) => {
    const writer = rsaPair(RSA, writeHash, { keyName: 'rsa-shared' })
    const reader = rsaPair(RSA, readHash, { keyName: 'rsa-shared' })
    const { ciphertext } = await encryptWith(from, writer, plaintextOf(10))
    await t.throwsAsync(decryptWith(other(from), reader, ciphertext))
  })
}

// ------------------------------------------------------------------ multi-keyring

const multiAes = aesPair({ officialUtf8Sorting: true })
const multiRsa = rsaPair(RSA, 'sha256')
const multi = multiPair(multiAes, [multiRsa])
const DECRYPTORS: ReadonlyArray<readonly [string, KeyringPair]> = [
  ['the AES keyring alone', multiAes],
  ['the RSA keyring alone', multiRsa],
  ['the multi-keyring', multi],
]

const multiMacro = test.macro({
  async exec(t, suite: SuiteName, from: Side, decryptor: KeyringPair) {
    const { policy } = suiteByName(suite)
    const plaintext = plaintextOf(2000, 11)
    const encrypted = await encryptWith(from, multi, plaintext, { suite, context: ORDER_CONTEXT })
    t.deepEqual(
      encrypted.header.encryptedDataKeys.map((e) => e.providerId),
      ['interop-aes', 'interop-rsa'],
      'generator EDK first, then the child',
    )
    const decrypted = await decryptWith(other(from), decryptor, encrypted.ciphertext, policy)
    t.true(decrypted.plaintext.equals(plaintext))
    t.deepEqual(
      decrypted.header.encryptedDataKeys.map((e) => [
        e.providerId,
        e.providerId === 'interop-rsa' ? e.providerInfo : '',
      ]),
      [
        ['interop-aes', ''],
        ['interop-rsa', 'rsa-oaep-sha256'],
      ],
    )
    t.deepEqual(withoutPublicKey(decrypted.header.encryptionContext), { ...ORDER_CONTEXT })
  },
  title: (_p, suite: SuiteName, from: Side, decryptor: KeyringPair) => {
    const label = DECRYPTORS.find(([, k]) => k === decryptor)?.[0] ?? '?'
    return `multi-keyring (AES generator + RSA child) ${hex4(suiteByName(suite).id)}: ${from} encrypts, ${other(from)} decrypts with ${label}`
  },
})

for (const suite of [
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256',
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384',
] as const) {
  for (const from of SIDES) {
    for (const [, decryptor] of DECRYPTORS) test(multiMacro, suite, from, decryptor)
  }
}
