// RSA PKCS#1 v1.5 messages without node's --security-revert flag, on the native backend and (where its OpenSSL rejects implicitly) the JS one: ours and the official SDK's open; every bad EDK fails as a wrong key would.
import test from 'ava'
import { KeyObject, constants, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto'
import * as official from '@aws-crypto/client-node'
import { AuthenticationError, KeyringError } from '../../lib/core/errors'
import {
  AlgorithmSuiteIdentifier,
  CommitmentPolicy,
  EncryptedDataKey,
  EsdkClient,
  KeyringNode,
  NodeDecryptionMaterial,
  NodeEncryptionMaterial,
  RawRsaKeyringNode,
  buildClient,
} from '../../lib/index'
import { nativeBackend } from '../backend/backends'
import { nodeRejectsPkcs1Implicitly } from '../runtime/openssl'

const SECURITY_REVERT = '--security-revert=CVE-2023-46809'
const NAMESPACE = 'legacy-rsa'
const NAME = 'rsa-pkcs1'

interface Pair {
  readonly bits: number
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  readonly privatePem: string
  readonly publicPem: string
}

function pair(bits: number): Pair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits })
  return {
    bits,
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

const PAIRS: readonly Pair[] = [2048, 3072, 4096].map(pair)
const MAIN = PAIRS[0] as Pair
const OTHER = pair(2048)

function ourKeyring(p: Pair, allowPkcs1Decrypt = true): RawRsaKeyringNode {
  return new RawRsaKeyringNode({
    keyName: NAME,
    keyNamespace: NAMESPACE,
    rsaKey: { privateKey: p.privatePem, publicKey: p.publicPem },
    padding: constants.RSA_PKCS1_PADDING,
    allowPkcs1Decrypt,
  })
}

/** Writes one EDK under the RSA keyring's namespace and name, made from the data key by `make` (to build bad ones). */
class HandMadeEdkKeyring extends KeyringNode {
  constructor(private readonly make: (dataKey: Buffer) => Buffer) {
    super()
  }

  protected async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    if (!material.hasUnencryptedDataKey) material.generateUnencryptedDataKey()
    const wrapped = this.make(material.getUnencryptedDataKey())
    return material.addEncryptedDataKey(
      new EncryptedDataKey({ providerId: NAMESPACE, providerInfo: NAME, encryptedDataKey: wrapped }),
    )
  }

  protected async _onDecrypt(material: NodeDecryptionMaterial): Promise<NodeDecryptionMaterial> {
    return material
  }
}

function pkcs1(publicKey: KeyObject, data: Uint8Array): Buffer {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, data)
}

const SUITES = [
  AlgorithmSuiteIdentifier.ALG_AES128_GCM_IV12_TAG16,
  AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256,
  AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
  AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
  AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
] as const

function isCommitting(id: number): boolean {
  return id === 0x0478 || id === 0x0578
}

const hex = (id: number): string => `0x${id.toString(16).padStart(4, '0')}`
const context = { purpose: 'pkcs1 test', ünïcode: 'välue' }

const nativeTest = nativeBackend ? test : test.skip
/** The backends that unwrap with implicit rejection here: native always, JS where node:crypto's OpenSSL does it (3.2+). */
const IMPLICIT: readonly ('js' | 'native')[] = nodeRejectsPkcs1Implicitly() ? ['native', 'js'] : ['native']
const implicitTest = (backend: 'js' | 'native'): typeof test.skip => (backend === 'native' ? nativeTest : test)
const client = (backend: 'js' | 'native'): EsdkClient =>
  buildClient({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT, backend })
const encryptor = (id: number): EsdkClient =>
  buildClient({
    commitmentPolicy: isCommitting(id)
      ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
      : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
    backend: 'js',
  })

test(`this process runs without the revert flag, and node:crypto ${nodeRejectsPkcs1Implicitly() ? 'rejects PKCS#1 v1.5 implicitly' : 'refuses PKCS#1 v1.5 decryption'} in it (OpenSSL ${process.versions.openssl})`, (t) => {
  t.false(process.execArgv.includes(SECURITY_REVERT))
  t.false((process.env.NODE_OPTIONS ?? '').includes('security-revert'))
  const wrapped = pkcs1(MAIN.publicKey, randomBytes(32))
  const decrypt = (c: Buffer): Buffer =>
    privateDecrypt({ key: MAIN.privateKey, padding: constants.RSA_PKCS1_PADDING }, c)
  if (!nodeRejectsPkcs1Implicitly()) {
    t.throws(() => decrypt(wrapped), { code: 'ERR_INVALID_ARG_VALUE' })
    return
  }
  t.is(decrypt(wrapped).length, 32)
  // A broken ciphertext is no error: it decrypts to a substitute, the same one each time.
  const broken = flipAt(Buffer.from(wrapped), 7)
  t.deepEqual(decrypt(broken), decrypt(broken))
})

for (const backend of IMPLICIT) {
  for (const id of SUITES) {
    implicitTest(backend)(
      `[${backend}] ${hex(id)}: our PKCS#1 v1.5 messages decrypt with allowPkcs1Decrypt, no node flag`,
      async (t) => {
        for (const p of PAIRS) {
          const plaintext = randomBytes(1000)
          const { result } = await encryptor(id).encrypt(ourKeyring(p), plaintext, {
            encryptionContext: context,
            suiteId: id,
          })
          const { plaintext: opened, messageHeader } = await client(backend).decrypt(ourKeyring(p), result)
          t.true(opened.equals(plaintext), `${p.bits}-bit`)
          t.is(messageHeader.encryptedDataKeys[0]?.encryptedDataKey.length, p.bits / 8)
        }
      },
    )

    implicitTest(backend)(
      `[${backend}] ${hex(id)}: messages the official SDK wrote with RSA_PKCS1_PADDING decrypt, no node flag`,
      async (t) => {
        const writer = official.buildClient(
          isCommitting(id)
            ? official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
            : official.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
        )
        for (const p of PAIRS) {
          const keyring = new official.RawRsaKeyringNode({
            keyName: NAME,
            keyNamespace: NAMESPACE,
            rsaKey: { publicKey: p.publicPem },
            padding: constants.RSA_PKCS1_PADDING,
          })
          const plaintext = randomBytes(5000)
          const { result } = await writer.encrypt(keyring, plaintext, {
            encryptionContext: context,
            suiteId: id as unknown as official.AlgorithmSuiteIdentifier,
            frameLength: 1024,
          })
          const { plaintext: opened } = await client(backend).decrypt(ourKeyring(p), result)
          t.true(opened.equals(plaintext), `${p.bits}-bit`)
        }
      },
    )
  }
}

// Where node:crypto cannot reject implicitly (OpenSSL 3.0), the JS backend must not decrypt PKCS#1 v1.5 at all.
;(nodeRejectsPkcs1Implicitly() ? test.skip : test)(
  '[js] on OpenSSL 3.0 the JS backend keeps the node:crypto path: without the flag it refuses, and says how to get past it',
  async (t) => {
    const { result } = await encryptor(0x0478).encrypt(ourKeyring(MAIN), randomBytes(100), { suiteId: 0x0478 })
    const err = await t.throwsAsync(client('js').decrypt(ourKeyring(MAIN), result), { instanceOf: KeyringError })
    const causes = JSON.stringify(err?.causes.map((c) => (c instanceof Error ? c.message : String(c))))
    t.regex(causes, /CVE-2023-46809/)
    t.regex(causes, /native backend/)
  },
)

nativeTest(
  '[native] allowPkcs1Decrypt false still refuses, with the opt-in named, before touching the EDK',
  async (t) => {
    const { result } = await encryptor(0x0478).encrypt(ourKeyring(MAIN), randomBytes(100), { suiteId: 0x0478 })
    const err = await t.throwsAsync(client('native').decrypt(ourKeyring(MAIN, false), result), {
      instanceOf: KeyringError,
    })
    t.is(err?.code, 'KEYRING')
    t.regex(err?.message ?? '', /allowPkcs1Decrypt/)
  },
)

/** Every way an EDK addressed to the keyring can be bad; none may be told apart from a wrong key. */
const BAD_EDKS: ReadonlyArray<[string, (dataKey: Buffer) => Buffer]> = [
  ['wrapped under another RSA key of the same name', (k) => pkcs1(OTHER.publicKey, k)],
  ['first ciphertext byte flipped', (k) => flipAt(pkcs1(MAIN.publicKey, k), 0)],
  ['middle ciphertext byte flipped', (k) => flipAt(pkcs1(MAIN.publicKey, k), 100)],
  ['last ciphertext byte flipped', (k) => flipAt(pkcs1(MAIN.publicKey, k), 255)],
  ['ciphertext one byte short', (k) => pkcs1(MAIN.publicKey, k).subarray(1)],
  ['ciphertext one byte long', (k) => Buffer.concat([pkcs1(MAIN.publicKey, k), Buffer.alloc(1)])],
  ['empty ciphertext', () => Buffer.alloc(0)],
  ['a 16-byte data key where the suite needs 32', (k) => pkcs1(MAIN.publicKey, k.subarray(0, 16))],
  ['a 33-byte data key where the suite needs 32', (k) => pkcs1(MAIN.publicKey, Buffer.concat([k, Buffer.alloc(1)]))],
  [
    'OAEP padding instead of PKCS#1 v1.5',
    (k) => publicEncrypt({ key: MAIN.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, k),
  ],
]

function flipAt(b: Buffer, i: number): Buffer {
  b[i] = (b[i] as number) ^ 0x01
  return b
}

for (const backend of IMPLICIT)
  for (const id of [
    AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256,
    AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
  ]) {
    implicitTest(backend)(
      `[${backend}] ${hex(id)}: a bad EDK is never an error of its own: every kind fails the message with the one generic authentication error`,
      async (t) => {
        // The control: a good hand-made EDK opens, so the failures below are the EDKs' doing.
        const good = await encryptor(id).encrypt(new HandMadeEdkKeyring((k) => pkcs1(MAIN.publicKey, k)), 'control', {
          suiteId: id,
        })
        t.is((await client(backend).decrypt(ourKeyring(MAIN), good.result)).plaintext.toString(), 'control')
        const seen = new Set<string>()
        for (const [label, make] of BAD_EDKS) {
          const { result } = await encryptor(id).encrypt(new HandMadeEdkKeyring(make), 'secret', { suiteId: id })
          const err = await t.throwsAsync(
            client(backend).decrypt(ourKeyring(MAIN), result),
            { instanceOf: AuthenticationError },
            label,
          )
          t.is(err?.code, 'AUTHENTICATION_FAILED', label)
          t.is(err?.cause, undefined, `${label}: no cause to tell the cases apart`)
          seen.add(`${err?.constructor.name}|${err?.code}|${err?.message}`)
        }
        t.is(seen.size, 1, [...seen].join('\n'))
      },
    )
  }
