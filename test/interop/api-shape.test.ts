// Drop-in proof: one script written against the @aws-crypto/client-node API runs unchanged on either module and observes identical results.
import test from 'ava'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import {
  type PolicyName,
  type SuiteName,
  hex4,
  messageLayout,
  official,
  ours,
  plaintextOf,
  PUBLIC_KEY_CONTEXT_KEY,
} from './helpers'

/** What an application sees of a message header, through either module. */
interface HeaderShape {
  readonly suiteId: number
  readonly frameLength: number
  readonly encryptionContext: Readonly<Record<string, string>>
  readonly encryptedDataKeys: ReadonlyArray<{ readonly providerId: string; readonly providerInfo: string }>
}

interface EncryptOp<S> {
  suiteId?: S
  encryptionContext?: Record<string, string>
  frameLength?: number
  /** How a string plaintext is decoded to bytes (official: Buffer.from(plaintext, encoding)). */
  encoding?: BufferEncoding
}

interface ClientShape<K, C, S> {
  encrypt(
    cmm: K | C,
    plaintext: Buffer | Uint8Array | string | Readable,
    op?: EncryptOp<S>,
  ): Promise<{ result: Buffer; messageHeader: HeaderShape }>
  decrypt(
    cmm: K | C,
    ciphertext: Buffer | Uint8Array | string | Readable,
    options?: { maxBodySize?: number; encoding?: BufferEncoding },
  ): Promise<{ plaintext: Buffer; messageHeader: HeaderShape }>
}

/** The slice of the official module's public surface this script uses; P, S, W, K, C are each module's own types. */
interface EsdkModule<P, S, W, K, C> {
  readonly CommitmentPolicy: Readonly<Record<PolicyName | 'REQUIRE_ENCRYPT_ALLOW_DECRYPT', P>>
  readonly AlgorithmSuiteIdentifier: Readonly<Record<SuiteName, S>>
  readonly RawAesWrappingSuiteIdentifier: { readonly AES256_GCM_IV12_TAG16_NO_PADDING: W }
  readonly RawAesKeyringNode: new (input: {
    keyName: string
    keyNamespace: string
    unencryptedMasterKey: Uint8Array
    wrappingSuite: W
    utf8Sorting?: boolean
  }) => K
  readonly MultiKeyringNode: new (input: { generator?: K; children?: K[] }) => K
  readonly NodeDefaultCryptographicMaterialsManager: new (keyring: K) => C
  buildClient(options: P | { commitmentPolicy: P; maxEncryptedDataKeys: number | false }): ClientShape<K, C, S>
}

// These two assignments are the compile-time half of the proof: both modules have the shape.
const OFFICIAL: EsdkModule<
  official.CommitmentPolicy,
  official.AlgorithmSuiteIdentifier,
  official.WrappingSuiteIdentifier,
  official.KeyringNode,
  official.NodeDefaultCryptographicMaterialsManager
> = official
const OURS: EsdkModule<
  ours.CommitmentPolicy,
  ours.AlgorithmSuiteIdentifier,
  ours.RawAesWrappingSuiteIdentifier,
  ours.KeyringNode,
  ours.NodeDefaultCryptographicMaterialsManager
> = ours

type ModuleName = 'ours' | 'official'

interface Case {
  readonly title: string
  readonly policy: PolicyName
  readonly suite?: SuiteName
  readonly frameLength?: number
  readonly context?: Readonly<Record<string, string>>
  /** Readable: the plaintext, and on decrypt the ciphertext, arrive as a stream in uneven chunks. */
  readonly plaintext: 'Buffer' | 'Uint8Array' | 'string' | 'Readable'
  readonly materials: 'keyring' | 'CMM'
  /** 2 = a multi-keyring of two AES keyrings, so the message carries two EDKs. */
  readonly edks: 1 | 2
}

/** Everything observable about an encrypt or decrypt, minus what is random by design. */
interface Observation {
  readonly refused: boolean
  readonly suiteId?: string
  readonly frameLength?: number
  readonly context?: Readonly<Record<string, string>>
  readonly providers?: readonly string[]
  /** Header + body length: equal across implementations (only the DER signature length varies). */
  readonly signedLength?: number
  readonly plaintextSha256?: string
}

interface DecryptLimits {
  readonly maxEncryptedDataKeys?: number | false
  readonly maxBodySize?: number
}

interface BoundModule {
  encrypt(c: Case, maxEncryptedDataKeys?: number | false): Promise<{ ciphertext?: Buffer; observed: Observation }>
  decrypt(c: Case, ciphertext: Buffer, limits?: DecryptLimits): Promise<Observation>
  /** encrypt(materials, text, { encoding }): the message bytes. */
  encryptEncoded(c: Case, text: string, encoding: BufferEncoding): Promise<Buffer>
  /** decrypt(materials, text, { encoding }) of a message given as an encoded string. */
  decryptEncoded(c: Case, text: string, encoding: BufferEncoding): Promise<Observation>
}

const KEY_A = Buffer.alloc(32, 0xa1)
const KEY_B = Buffer.alloc(32, 0xb2)

function plaintextBytes(c: Case): Buffer {
  return plaintextOf(2500, c.title.length)
}

/** The plaintext as this case hands it to encrypt; a fresh stream on every call. */
function inputFor(c: Case): Buffer | Uint8Array | string | Readable {
  const bytes = plaintextBytes(c)
  switch (c.plaintext) {
    case 'string':
      return `ünïcødé plaintext ✓ ${bytes.toString('base64')}`
    case 'Uint8Array':
      return new Uint8Array(bytes)
    case 'Readable':
      return chunked(bytes)
    case 'Buffer':
      return bytes
  }
}

/** What the decrypted plaintext must hash to. */
function expectedSha256(c: Case): string {
  return sha256(
    c.plaintext === 'string' ? `ünïcødé plaintext ✓ ${plaintextBytes(c).toString('base64')}` : plaintextBytes(c),
  )
}

function chunked(bytes: Buffer): Readable {
  const cuts = [0, 1, 77, Math.floor(bytes.length / 2), bytes.length].filter((n) => n <= bytes.length)
  return Readable.from(cuts.slice(1).map((end, i) => bytes.subarray(cuts[i] ?? 0, end)))
}

function sha256(data: Buffer | Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex')
}

function observeHeader(h: HeaderShape): Observation {
  const context = Object.fromEntries(
    Object.entries(h.encryptionContext).map(([k, v]) => [k, k === PUBLIC_KEY_CONTEXT_KEY ? '<verification key>' : v]),
  )
  return {
    refused: false,
    suiteId: hex4(h.suiteId),
    frameLength: h.frameLength,
    context,
    providers: h.encryptedDataKeys.map((e) => `${e.providerId}/${e.providerInfo.slice(0, 'key-a'.length)}`),
  }
}

/** The script, written once against the official API and run on whichever module it is handed. */
function bind<P, S, W, K, C>(mod: EsdkModule<P, S, W, K, C>): BoundModule {
  const aes = (keyName: string, key: Buffer): K =>
    new mod.RawAesKeyringNode({
      keyName,
      keyNamespace: 'api-shape',
      unencryptedMasterKey: new Uint8Array(key),
      wrappingSuite: mod.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
      utf8Sorting: true,
    })
  const materials = (c: Case): K | C => {
    const keyring =
      c.edks === 2
        ? new mod.MultiKeyringNode({ generator: aes('key-a', KEY_A), children: [aes('key-b', KEY_B)] })
        : aes('key-a', KEY_A)
    return c.materials === 'CMM' ? new mod.NodeDefaultCryptographicMaterialsManager(keyring) : keyring
  }
  const client = (c: Case, maxEncryptedDataKeys: number | false | undefined): ClientShape<K, C, S> =>
    maxEncryptedDataKeys === undefined
      ? mod.buildClient(mod.CommitmentPolicy[c.policy])
      : mod.buildClient({ commitmentPolicy: mod.CommitmentPolicy[c.policy], maxEncryptedDataKeys })

  return {
    async encrypt(c, maxEncryptedDataKeys) {
      // Destructured, as applications commonly do: the methods must not depend on `this`.
      const { encrypt } = client(c, maxEncryptedDataKeys)
      const op: EncryptOp<S> = {}
      if (c.context) op.encryptionContext = { ...c.context }
      if (c.suite) op.suiteId = mod.AlgorithmSuiteIdentifier[c.suite]
      if (c.frameLength !== undefined) op.frameLength = c.frameLength
      let out: { result: Buffer; messageHeader: HeaderShape }
      try {
        out = await encrypt(materials(c), inputFor(c), op)
      } catch {
        return { observed: { refused: true } }
      }
      const { result, messageHeader } = out
      return {
        ciphertext: result,
        observed: { ...observeHeader(messageHeader), signedLength: messageLayout(result).bodyEnd },
      }
    },
    async decrypt(c, ciphertext, limits = {}) {
      const { decrypt } = client(c, limits.maxEncryptedDataKeys)
      const input = c.plaintext === 'Readable' ? chunked(ciphertext) : ciphertext
      try {
        const { plaintext, messageHeader } =
          limits.maxBodySize === undefined
            ? await decrypt(materials(c), input)
            : await decrypt(materials(c), input, { maxBodySize: limits.maxBodySize })
        return { ...observeHeader(messageHeader), plaintextSha256: sha256(plaintext) }
      } catch {
        return { refused: true }
      }
    },
    async encryptEncoded(c, text, encoding) {
      const { encrypt } = client(c, undefined)
      return (await encrypt(materials(c), text, { encoding })).result
    },
    async decryptEncoded(c, text, encoding) {
      const { decrypt } = client(c, undefined)
      try {
        const { plaintext, messageHeader } = await decrypt(materials(c), text, { encoding })
        return { ...observeHeader(messageHeader), plaintextSha256: sha256(plaintext) }
      } catch {
        return { refused: true }
      }
    },
  }
}

const MODULES: Readonly<Record<ModuleName, BoundModule>> = { ours: bind(OURS), official: bind(OFFICIAL) }

const CASES: readonly Case[] = [
  {
    title: 'keyring, 0x0578, context, frameLength 256, Buffer',
    policy: 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT',
    suite: 'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384',
    frameLength: 256,
    context: { tenant: 'acme', é: 'accent', '\u{1F600}': 'emoji', Z: 'upper' },
    plaintext: 'Buffer',
    materials: 'keyring',
    edks: 1,
  },
  {
    title: 'CMM instead of keyring, 0x0478, Buffer',
    policy: 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT',
    suite: 'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY',
    frameLength: 1000,
    context: { via: 'cmm' },
    plaintext: 'Buffer',
    materials: 'CMM',
    edks: 1,
  },
  {
    title: 'CMM, FORBID policy, 0x0214, Uint8Array',
    policy: 'FORBID_ENCRYPT_ALLOW_DECRYPT',
    suite: 'ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256',
    frameLength: 512,
    context: { policy: 'forbid' },
    plaintext: 'Uint8Array',
    materials: 'CMM',
    edks: 1,
  },
  {
    title: 'keyring, FORBID policy, 0x0014, no context',
    policy: 'FORBID_ENCRYPT_ALLOW_DECRYPT',
    suite: 'ALG_AES128_GCM_IV12_TAG16',
    frameLength: 4096,
    plaintext: 'Buffer',
    materials: 'keyring',
    edks: 1,
  },
  {
    title: 'string plaintext, default suite and frame length',
    policy: 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT',
    plaintext: 'string',
    materials: 'keyring',
    edks: 1,
  },
  {
    title: 'default suite under FORBID, CMM',
    policy: 'FORBID_ENCRYPT_ALLOW_DECRYPT',
    plaintext: 'Buffer',
    materials: 'CMM',
    edks: 1,
  },
  {
    title: 'Readable streams in, 0x0478, frameLength 100',
    policy: 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT',
    suite: 'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY',
    frameLength: 100,
    context: { input: 'stream' },
    plaintext: 'Readable',
    materials: 'keyring',
    edks: 1,
  },
  {
    title: 'multi-keyring, two EDKs, 0x0178',
    policy: 'FORBID_ENCRYPT_ALLOW_DECRYPT',
    suite: 'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256',
    frameLength: 300,
    context: { edks: 'two' },
    plaintext: 'Buffer',
    materials: 'keyring',
    edks: 2,
  },
]

const PAIRS: ReadonlyArray<readonly [ModuleName, ModuleName]> = [
  ['ours', 'ours'],
  ['ours', 'official'],
  ['official', 'ours'],
]

/** The whole observable run (encrypt with one module, decrypt with another). */
async function observe(
  c: Case,
  encryptor: ModuleName,
  decryptor: ModuleName,
): Promise<{ encrypt: Observation; decrypt: Observation }> {
  const { ciphertext, observed } = await MODULES[encryptor].encrypt(c)
  if (!ciphertext) throw new Error(`${encryptor} refused to encrypt case "${c.title}"`)
  return { encrypt: observed, decrypt: await MODULES[decryptor].decrypt(c, ciphertext) }
}

for (const c of CASES) {
  for (const [encryptor, decryptor] of PAIRS) {
    test(`same script, ${c.title}: encrypt via ${encryptor}, decrypt via ${decryptor} = official-only run`, async (t) => {
      const reference = await observe(c, 'official', 'official')
      const actual = await observe(c, encryptor, decryptor)
      t.false(reference.decrypt.refused, 'the official module opens its own message')
      t.is(reference.decrypt.plaintextSha256, expectedSha256(c), 'and gets the plaintext back')
      t.deepEqual(actual, reference)
    })
  }
}

// maxEncryptedDataKeys: 1 must refuse a two-EDK message on decrypt, and refuse to write one on encrypt, in both modules.
const TWO_EDKS = CASES.find((c) => c.edks === 2)
if (!TWO_EDKS) throw new Error('no two-EDK case')

for (const [encryptor, decryptor] of [...PAIRS, ['official', 'official'] as const]) {
  test(`buildClient({commitmentPolicy, maxEncryptedDataKeys: 1}) refuses a 2-EDK message: written by ${encryptor}, read by ${decryptor}`, async (t) => {
    const { ciphertext } = await MODULES[encryptor].encrypt(TWO_EDKS)
    if (!ciphertext) return t.fail('encrypt without a limit must succeed')
    t.deepEqual(await MODULES[decryptor].decrypt(TWO_EDKS, ciphertext, { maxEncryptedDataKeys: 1 }), { refused: true })
    const allowed = await MODULES[decryptor].decrypt(TWO_EDKS, ciphertext, { maxEncryptedDataKeys: 2 })
    t.false(allowed.refused, 'maxEncryptedDataKeys: 2 opens it')
    t.is(allowed.providers?.length, 2)
  })
}

for (const name of ['ours', 'official'] as const) {
  test(`buildClient({commitmentPolicy, maxEncryptedDataKeys: 1}) refuses to encrypt with two EDKs: ${name}`, async (t) => {
    t.deepEqual((await MODULES[name].encrypt(TWO_EDKS, 1)).observed, { refused: true })
  })
}

test('ours reports the maxEncryptedDataKeys refusal as LIMIT_EXCEEDED', async (t) => {
  const { ciphertext } = await MODULES.official.encrypt(TWO_EDKS)
  if (!ciphertext) return t.fail('official encrypt failed')
  const client = ours.buildClient({
    commitmentPolicy: ours.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
    maxEncryptedDataKeys: 1,
  })
  const keyring = new ours.RawAesKeyringNode({
    keyName: 'key-a',
    keyNamespace: 'api-shape',
    unencryptedMasterKey: new Uint8Array(KEY_A),
    wrappingSuite: ours.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  await t.throwsAsync(client.decrypt(keyring, ciphertext), { code: 'LIMIT_EXCEEDED' })
})

test('enum values are the official ones (policies, suites, wrapping suites)', (t) => {
  for (const p of [
    'FORBID_ENCRYPT_ALLOW_DECRYPT',
    'REQUIRE_ENCRYPT_ALLOW_DECRYPT',
    'REQUIRE_ENCRYPT_REQUIRE_DECRYPT',
  ] as const) {
    t.is(String(ours.CommitmentPolicy[p]), String(official.CommitmentPolicy[p]))
  }
  const suiteNames = Object.keys(official.AlgorithmSuiteIdentifier).filter((k) =>
    Number.isNaN(Number(k)),
  ) as SuiteName[]
  t.is(suiteNames.length, 11)
  for (const s of suiteNames)
    t.is(Number(ours.AlgorithmSuiteIdentifier[s]), Number(official.AlgorithmSuiteIdentifier[s]))
  for (const w of [
    'AES128_GCM_IV12_TAG16_NO_PADDING',
    'AES192_GCM_IV12_TAG16_NO_PADDING',
    'AES256_GCM_IV12_TAG16_NO_PADDING',
  ] as const) {
    t.is(Number(ours.RawAesWrappingSuiteIdentifier[w]), Number(official.RawAesWrappingSuiteIdentifier[w]))
  }
})

// decrypt(cmm, ciphertext, { maxBodySize }): frames of 256 bytes (and a shorter final frame).
function caseTitled(prefix: string): Case {
  const c = CASES.find((x) => x.title.startsWith(prefix))
  if (!c) throw new Error(`no case ${prefix}`)
  return c
}
const FRAMED_256 = caseTitled('keyring, 0x0578')
const SINGLE_FRAME_4096 = caseTitled('keyring, FORBID policy, 0x0014')

for (const [maxBodySize, opens] of [
  [256, true],
  [10_000, true],
  [255, false],
  [100, false],
] as const) {
  test(`decrypt with { maxBodySize: ${maxBodySize} } on 256-byte frames ${opens ? 'opens' : 'is refused'} identically in both modules`, async (t) => {
    const { ciphertext } = await MODULES.official.encrypt(FRAMED_256)
    if (!ciphertext) return t.fail('official encrypt failed')
    const official = await MODULES.official.decrypt(FRAMED_256, ciphertext, { maxBodySize })
    t.is(official.refused, !opens)
    t.deepEqual(await MODULES.ours.decrypt(FRAMED_256, ciphertext, { maxBodySize }), official)
  })
}

// The official SDK treats maxBodySize 0 as "no limit" and checks each frame's actual content length; so do we.
for (const [label, c, maxBodySize] of [
  ['maxBodySize 0 (falsy: no limit in the official SDK)', FRAMED_256, 0],
  ['maxBodySize 3000 on a frameLength-4096 message whose only frame holds 2500 bytes', SINGLE_FRAME_4096, 3000],
] as const) {
  test(`${label}: ours matches the official SDK, which opens it`, async (t) => {
    const { ciphertext } = await MODULES.official.encrypt(c)
    if (!ciphertext) return t.fail('official encrypt failed')
    const official = await MODULES.official.decrypt(c, ciphertext, { maxBodySize })
    t.false(official.refused)
    t.deepEqual(await MODULES.ours.decrypt(c, ciphertext, { maxBodySize }), official)
  })
}

// The official one-shot API decodes string input with the `encoding` option (plaintext on encrypt, ciphertext on decrypt).
const ENCODED = caseTitled('keyring, 0x0578')
const HELLO_HEX = Buffer.from('hello, encoding', 'utf8').toString('hex')

test('baseline: the official module honours { encoding } on encrypt and decrypt', async (t) => {
  const ciphertext = await MODULES.official.encryptEncoded(ENCODED, HELLO_HEX, 'hex')
  t.is((await MODULES.official.decrypt(ENCODED, ciphertext)).plaintextSha256, sha256('hello, encoding'))
  t.is(
    (await MODULES.official.decryptEncoded(ENCODED, ciphertext.toString('base64'), 'base64')).plaintextSha256,
    sha256('hello, encoding'),
  )
})

test('ours encrypt(keyring, hexString, { encoding: "hex" }) encrypts the decoded bytes, as the official SDK does', async (t) => {
  const ciphertext = await MODULES.ours.encryptEncoded(ENCODED, HELLO_HEX, 'hex')
  t.is((await MODULES.official.decrypt(ENCODED, ciphertext)).plaintextSha256, sha256('hello, encoding'))
})

test('ours decrypt(keyring, base64String, { encoding: "base64" }) opens the message, as the official SDK does', async (t) => {
  const ciphertext = await MODULES.official.encryptEncoded(ENCODED, HELLO_HEX, 'hex')
  const official = await MODULES.official.decryptEncoded(ENCODED, ciphertext.toString('base64'), 'base64')
  t.deepEqual(await MODULES.ours.decryptEncoded(ENCODED, ciphertext.toString('base64'), 'base64'), official)
})

// The export list: every name @aws-crypto/client-node exports, ours exports too, as the same kind of value.
const OFFICIAL_EXPORTS = official as unknown as Record<string, unknown>
const OUR_EXPORTS = ours as unknown as Record<string, unknown>

test('every official export exists in ours, as the same kind of value (function, class, object, enum)', (t) => {
  const names = Object.keys(OFFICIAL_EXPORTS)
  t.true(names.length >= 49, 'the official index exports the 49 names of 5.0.2')
  const missing = names.filter((n) => !(n in OUR_EXPORTS))
  t.deepEqual(missing, [])
  // oaepHashSupported is the one exception: the official value is an Error on Node 20 (its probe misreads
  // the error node:crypto throws); ours is the boolean the name promises.
  for (const n of names.filter((n) => n !== 'oaepHashSupported'))
    t.is(typeof OUR_EXPORTS[n], typeof OFFICIAL_EXPORTS[n], n)
  t.is(ours.oaepHashSupported, true)
})

test('the policy exports have the official values: MessageFormat, SignaturePolicy, the suite tables, getCompatibleCommitmentPolicy', (t) => {
  t.deepEqual({ ...ours.MessageFormat }, { ...official.MessageFormat })
  t.deepEqual({ ...ours.SignaturePolicy }, { ...official.SignaturePolicy })
  const table = (x: unknown): string => JSON.stringify(x, Object.keys(x as object).sort())
  for (const p of Object.values(official.CommitmentPolicy)) {
    const theirs = official.CommitmentPolicySuites[p]
    const mine = ours.CommitmentPolicySuites[p as unknown as ours.CommitmentPolicy]
    t.is(table(mine.encryptEnabledSuites), table(theirs.encryptEnabledSuites), `${p} encrypt`)
    t.is(table(mine.decryptEnabledSuites), table(theirs.decryptEnabledSuites), `${p} decrypt`)
    t.is(Number(mine.defaultAlgorithmSuite), Number(theirs.defaultAlgorithmSuite))
  }
  for (const p of Object.values(official.SignaturePolicy)) {
    t.is(
      table(ours.SignaturePolicySuites[p as unknown as ours.SignaturePolicy].decryptEnabledSuites),
      table(official.SignaturePolicySuites[p].decryptEnabledSuites),
      p,
    )
  }
  for (const id of ours.ALL_SUITES.map((s) => s.id)) {
    t.is(
      String(ours.getCompatibleCommitmentPolicy(id)),
      String(official.getCompatibleCommitmentPolicy(id as unknown as official.AlgorithmSuiteIdentifier)),
    )
    // The same refusals with the same words.
    for (const p of Object.values(official.CommitmentPolicy)) {
      const message = (f: () => void): string | undefined => {
        try {
          f()
          return undefined
        } catch (e) {
          return (e as Error).message
        }
      }
      t.is(
        message(() => ours.CommitmentPolicySuites.isEncryptEnabled(p as unknown as ours.CommitmentPolicy, id)),
        message(() =>
          official.CommitmentPolicySuites.isEncryptEnabled(p, id as unknown as official.AlgorithmSuiteIdentifier),
        ),
      )
      t.is(
        message(() => ours.CommitmentPolicySuites.isDecryptEnabled(p as unknown as ours.CommitmentPolicy, id, 'm')),
        message(() =>
          official.CommitmentPolicySuites.isDecryptEnabled(p, id as unknown as official.AlgorithmSuiteIdentifier, 'm'),
        ),
      )
    }
  }
})

test('NodeAlgorithmSuite has the official field values for every suite', (t) => {
  const fields = [
    'id',
    'name',
    'messageFormat',
    'encryption',
    'keyLength',
    'keyLengthBytes',
    'ivLength',
    'tagLength',
    'cacheSafe',
    'kdf',
    'kdfHash',
    'signatureCurve',
    'signatureHash',
    'type',
    'commitment',
    'commitmentHash',
    'suiteDataLength',
    'commitmentLength',
    'saltLengthBytes',
  ] as const
  for (const s of ours.ALL_SUITES) {
    const mine = new ours.NodeAlgorithmSuite(s.id) as unknown as Record<string, unknown>
    const theirs = new official.NodeAlgorithmSuite(
      s.id as unknown as official.AlgorithmSuiteIdentifier,
    ) as unknown as Record<string, unknown>
    for (const f of fields) t.is(mine[f], theirs[f], `0x${s.id.toString(16)} ${f}`)
    t.true(Object.isFrozen(mine))
  }
  t.throws(() => new ours.NodeAlgorithmSuite(0x1234 as ours.AlgorithmSuiteIdentifier))
})

test('the class helpers, needs, NotSupported, unwrapDataKey and oaepHashSupported behave as the official ones', (t) => {
  class A {
    m(): number {
      return 1
    }
  }
  ours.immutableClass(A)
  t.true(Object.isFrozen(A))
  t.throws(() => {
    ;(A.prototype as { m: unknown }).m = () => 2
  })
  class B {}
  ours.frozenClass(B)
  t.is(Object.getPrototypeOf(B.prototype), null)
  const o: { x?: number } = {}
  ours.readOnlyProperty(o, 'x', 3)
  t.throws(() => {
    ;(o as { x: number }).x = 4
  })
  t.throws(() => ours.needs(false, 'why'), { instanceOf: Error, message: 'why' })
  t.is(new ours.NotSupported('nope').message, 'nope')
  t.true(new ours.NotSupported() instanceof ours.EsdkError)
  const key = Buffer.alloc(16, 1)
  t.is(ours.unwrapDataKey(key), key)
  t.true(
    official.oaepHashSupported instanceof Error || official.oaepHashSupported === true,
    'the official probe (see above)',
  )
})

test('buildEncrypt and buildDecrypt split buildClient, and interoperate with the official ones', async (t) => {
  const { encrypt } = ours.buildEncrypt(ours.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const { decrypt } = ours.buildDecrypt({
    commitmentPolicy: ours.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
    maxEncryptedDataKeys: 1,
  })
  t.false('decrypt' in ours.buildEncrypt())
  t.false('encrypt' in ours.buildDecrypt())
  const mine = new ours.RawAesKeyringNode({
    keyName: 'k',
    keyNamespace: 'n',
    unencryptedMasterKey: new Uint8Array(KEY_A),
    wrappingSuite: ours.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  const theirRing = new official.RawAesKeyringNode({
    keyName: 'k',
    keyNamespace: 'n',
    unencryptedMasterKey: new Uint8Array(KEY_A),
    wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  const { result } = await encrypt(mine, 'split')
  t.is(
    (
      await official.buildDecrypt(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT).decrypt(theirRing, result)
    ).plaintext.toString(),
    'split',
  )
  const theirs = await official
    .buildEncrypt(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    .encrypt(theirRing, 'theirs')
  t.is((await decrypt(mine, theirs.result)).plaintext.toString(), 'theirs')
})

test('ours says "maxEncryptedDataKeys exceeded." and "maxBodySize exceeded." where the official SDK does, and the official commitment policy words', async (t) => {
  const { ciphertext } = await MODULES.official.encrypt(TWO_EDKS)
  if (!ciphertext) return t.fail('official encrypt failed')
  const client = ours.buildClient({
    commitmentPolicy: ours.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
    maxEncryptedDataKeys: 1,
  })
  const keyring = new ours.RawAesKeyringNode({
    keyName: 'key-a',
    keyNamespace: 'api-shape',
    unencryptedMasterKey: new Uint8Array(KEY_A),
    wrappingSuite: ours.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  await t.throwsAsync(client.decrypt(keyring, ciphertext), {
    code: 'LIMIT_EXCEEDED',
    message: /^maxEncryptedDataKeys exceeded\./,
  })
  const framed = await MODULES.official.encrypt(FRAMED_256)
  if (!framed.ciphertext) return t.fail('official encrypt failed')
  const aes = new ours.RawAesKeyringNode({
    keyName: 'key-a',
    keyNamespace: 'api-shape',
    unencryptedMasterKey: new Uint8Array(KEY_A),
    wrappingSuite: ours.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    utf8Sorting: true,
  })
  await t.throwsAsync(ours.buildClient().decrypt(aes, framed.ciphertext, { maxBodySize: 100 }), {
    code: 'LIMIT_EXCEEDED',
    message: /^maxBodySize exceeded\./,
  })
  await t.throwsAsync(
    ours.buildClient().encrypt(aes, 'x', { suiteId: ours.AlgorithmSuiteIdentifier.ALG_AES128_GCM_IV12_TAG16 }),
    {
      code: 'COMMITMENT_POLICY',
      message: /^Configuration conflict\. Cannot encrypt due to CommitmentPolicy REQUIRE_ENCRYPT_REQUIRE_DECRYPT/,
    },
  )
})

test('getEncryptHelper / getDecryptionHelper: the official derivation for every suite, the commitment checked, and dispose wipes', (t) => {
  for (const s of ours.ALL_SUITES) {
    const dataKey = Buffer.alloc(s.keyLengthBytes, 7)
    const messageId = Buffer.alloc(s.messageIdLength, 9)
    const iv = Buffer.alloc(12, 3)
    const material = new ours.NodeEncryptionMaterial(s, {}).setUnencryptedDataKey(dataKey)
    const theirMaterial = new official.NodeEncryptionMaterial(
      new official.NodeAlgorithmSuite(s.id as unknown as official.AlgorithmSuiteIdentifier),
      {},
    ).setUnencryptedDataKey(new Uint8Array(dataKey), {
      keyName: 'k',
      keyNamespace: 'n',
      flags: official.KeyringTraceFlag.WRAPPING_KEY_GENERATED_DATA_KEY,
    })
    const mine = ours.getEncryptHelper(material).getCipherInfo(messageId)
    const theirs = official.getEncryptHelper(theirMaterial).getCipherInfo(messageId)
    const seal = (c: { update(b: Buffer): Buffer; final(): Buffer; getAuthTag(): Buffer }): Buffer =>
      Buffer.concat([c.update(Buffer.from('frame')), c.final(), c.getAuthTag()])
    t.deepEqual(seal(mine.getCipher(iv)), seal(theirs.getCipher(iv) as never), `0x${s.id.toString(16)}`)
    t.deepEqual(
      mine.keyCommitment && Buffer.from(mine.keyCommitment),
      theirs.keyCommitment && Buffer.from(theirs.keyCommitment),
    )
    const decryption = new ours.NodeDecryptionMaterial(s, {}).setUnencryptedDataKey(dataKey)
    const helper = ours.getDecryptionHelper(decryption)
    if (s.commitment)
      t.throws(() => helper.getDecipherInfo(messageId, Buffer.alloc(32)), { code: 'AUTHENTICATION_FAILED' })
    t.notThrows(() => helper.getDecipherInfo(messageId, mine.keyCommitment)(iv))
    helper.dispose()
    t.false(decryption.hasUnencryptedDataKey)
  }
})
