// Raw RSA keyring: constructor checks, OAEP wrap/unwrap, provider info, the PKCS#1 v1.5 decrypt opt-in (node:crypto or a backend's unwrap), and public-only keyrings.
import test from 'ava'
import { KeyObject, constants, createPrivateKey, generateKeyPairSync, privateDecrypt } from 'node:crypto'
import { InvalidArgumentError, KeyringError } from '../../lib/core/errors'
import { AlgorithmSuite, findSuite } from '../../lib/core/suites'
import { EncryptedDataKey } from '../../lib/format/header'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { nodeKeyringCrypto } from '../../lib/materials/node-keyring-crypto'
import { OaepHash, RawRsaKeyringNode, RawRsaKeyringNodeInput } from '../../lib/materials/raw-rsa-keyring'
import { RsaPkcs1Unwrap } from '../../lib/materials/rsa-pkcs1'
import { nodePkcs1Behaviour } from '../../lib/materials/node-rsa-pkcs1'
import { nodeRejectsPkcs1Implicitly } from '../runtime/openssl'

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const PEM_PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString()
const PEM_PRIVATE = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()

function keyring(overrides: Partial<RawRsaKeyringNodeInput> = {}): RawRsaKeyringNode {
  return new RawRsaKeyringNode({
    keyName: 'rsa-key',
    keyNamespace: 'rsa-namespace',
    rsaKey: { publicKey: PEM_PUBLIC, privateKey: PEM_PRIVATE },
    ...overrides,
  })
}

function suite(id = 0x0478): AlgorithmSuite {
  const s = findSuite(id)
  if (!s) throw new Error('suite')
  return s
}

async function wrap(k: RawRsaKeyringNode, s = suite()): Promise<{ dataKey: Buffer; edk: EncryptedDataKey }> {
  const m = new NodeEncryptionMaterial(s, { any: 'context' })
  await k.onEncrypt(m)
  const edk = m.encryptedDataKeys[0]
  if (!edk) throw new Error('no EDK')
  return { dataKey: Buffer.from(m.getUnencryptedDataKey()), edk }
}

test('constructor: reserved namespace, missing keys, bad padding or hash, non-RSA keys are refused', (t) => {
  t.throws(() => keyring({ keyNamespace: 'aws-kms' }), { instanceOf: InvalidArgumentError })
  t.throws(() => keyring({ keyNamespace: 'aws-kms-rsa' }), { instanceOf: InvalidArgumentError })
  t.throws(() => keyring({ keyName: '' }), { instanceOf: InvalidArgumentError })
  t.throws(() => keyring({ rsaKey: {} }), { instanceOf: InvalidArgumentError })
  t.throws(() => keyring({ padding: constants.RSA_NO_PADDING }), { instanceOf: InvalidArgumentError })
  t.throws(() => keyring({ oaepHash: 'md5' as OaepHash }), { instanceOf: InvalidArgumentError })
  t.throws(() => keyring({ rsaKey: { publicKey: 'not a key' } }), { instanceOf: InvalidArgumentError })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  t.throws(() => keyring({ rsaKey: { publicKey: ec.publicKey } }), { instanceOf: InvalidArgumentError })
})

for (const oaepHash of ['sha1', 'sha256', 'sha384', 'sha512'] as const) {
  test(`OAEP-${oaepHash}: wrap/unwrap round trip; provider info is the key name; plain node:crypto unwraps it`, async (t) => {
    const k = keyring({ oaepHash })
    const { dataKey, edk } = await wrap(k)
    t.is(edk.providerId, 'rsa-namespace')
    t.is(edk.providerInfo, 'rsa-key')
    t.deepEqual(Buffer.from(edk.rawInfo), Buffer.from('rsa-key'))
    t.is(edk.encryptedDataKey.length, 256)
    const independent = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
      edk.encryptedDataKey,
    )
    t.deepEqual(independent, dataKey)
    const m = await k.onDecrypt(new NodeDecryptionMaterial(suite(), {}), [edk])
    t.deepEqual(m.getUnencryptedDataKey(), dataKey)
  })
}

test('the default OAEP hash is SHA-1, as in the official SDK', async (t) => {
  const { dataKey, edk } = await wrap(keyring())
  t.deepEqual(
    privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      edk.encryptedDataKey,
    ),
    dataKey,
  )
})

test('an OAEP hash mismatch fails with a KeyringError', async (t) => {
  const { edk } = await wrap(keyring({ oaepHash: 'sha256' }))
  await t.throwsAsync(keyring({ oaepHash: 'sha1' }).onDecrypt(new NodeDecryptionMaterial(suite(), {}), [edk]), {
    instanceOf: KeyringError,
  })
})

test('PKCS#1 v1.5 decryption is refused without allowPkcs1Decrypt, and the error says how to opt in', async (t) => {
  const k = keyring({ padding: constants.RSA_PKCS1_PADDING })
  const { edk } = await wrap(k)
  const err = await t.throwsAsync(k.onDecrypt(new NodeDecryptionMaterial(suite(), {}), [edk]), {
    instanceOf: KeyringError,
  })
  t.is(err?.code, 'KEYRING')
  t.regex(err?.message ?? '', /allowPkcs1Decrypt/)
})

test('with allowPkcs1Decrypt the keyring unwraps where node:crypto rejects implicitly (OpenSSL 3.2+), else says why this Node.js refused', async (t) => {
  const k = keyring({ padding: constants.RSA_PKCS1_PADDING, allowPkcs1Decrypt: true })
  const { dataKey, edk } = await wrap(k)
  t.is(
    nodePkcs1Behaviour(createPrivateKey(PEM_PRIVATE)),
    nodeRejectsPkcs1Implicitly() ? 'implicit' : 'refused',
    `OpenSSL ${process.versions.openssl}`,
  )
  if (nodeRejectsPkcs1Implicitly()) {
    const m = await k.onDecrypt(new NodeDecryptionMaterial(suite(), {}), [edk])
    t.deepEqual(m.getUnencryptedDataKey(), dataKey)
    return
  }
  const e = await t.throwsAsync(k.onDecrypt(new NodeDecryptionMaterial(suite(), {}), [edk]), {
    instanceOf: KeyringError,
  })
  const text = JSON.stringify(e?.causes.map((c) => (c instanceof Error ? c.message : String(c))))
  t.regex(text, /CVE-2023-46809/)
})

test('a public-only keyring encrypts, and on decrypt returns the materials without a key and without error', async (t) => {
  const publicOnly = keyring({ rsaKey: { publicKey: PEM_PUBLIC } })
  const { dataKey, edk } = await wrap(publicOnly)
  const m = await publicOnly.onDecrypt(new NodeDecryptionMaterial(suite(), {}), [edk])
  t.false(m.hasUnencryptedDataKey)
  // The EDK it wrote is a real one.
  t.deepEqual(
    (await keyring().onDecrypt(new NodeDecryptionMaterial(suite(), {}), [edk])).getUnencryptedDataKey(),
    dataKey,
  )
})

test('a private-only keyring derives the public key and can encrypt', async (t) => {
  const k = keyring({ rsaKey: { privateKey: PEM_PRIVATE } })
  const { dataKey, edk } = await wrap(k)
  t.deepEqual((await k.onDecrypt(new NodeDecryptionMaterial(suite(), {}), [edk])).getUnencryptedDataKey(), dataKey)
})

test('EDKs of another namespace or key name are ignored', async (t) => {
  const { edk } = await wrap(keyring())
  const k = keyring({ keyName: 'other' })
  t.false((await k.onDecrypt(new NodeDecryptionMaterial(suite(), {}), [edk])).hasUnencryptedDataKey)
  const ns = keyring({ keyNamespace: 'other' })
  t.false((await ns.onDecrypt(new NodeDecryptionMaterial(suite(), {}), [edk])).hasUnencryptedDataKey)
})

test('an unwrapped key of the wrong length for the suite is refused', async (t) => {
  const { edk } = await wrap(keyring(), suite(0x0114)) // 16-byte data key
  await t.throwsAsync(keyring().onDecrypt(new NodeDecryptionMaterial(suite(0x0478), {}), [edk]), {
    instanceOf: KeyringError,
  })
})

/** A stand-in for a backend's PKCS#1 v1.5 unwrap that records its calls (the native one is tested in test/backend). */
function recordingUnwrap(result: (wrapped: Uint8Array, keyLength: number) => Buffer): {
  unwrap: RsaPkcs1Unwrap
  calls: Array<{ key: KeyObject; wrapped: Uint8Array; keyLength: number }>
} {
  const calls: Array<{ key: KeyObject; wrapped: Uint8Array; keyLength: number }> = []
  return {
    calls,
    unwrap: {
      unwrap(key: KeyObject, wrapped: Uint8Array, keyLength: number): Buffer {
        calls.push({ key, wrapped, keyLength })
        return result(wrapped, keyLength)
      },
      forget(): void {},
    },
  }
}

function withUnwrap(s: AlgorithmSuite, unwrap: RsaPkcs1Unwrap): NodeDecryptionMaterial {
  const m = new NodeDecryptionMaterial(s, {})
  m.keyringCrypto = { ...nodeKeyringCrypto, rsaPkcs1: unwrap }
  return m
}

test('PKCS#1 v1.5 with a backend unwrap: the first EDK addressed to the keyring goes to it, with the suite key length, and its key is taken as is', async (t) => {
  const k = keyring({ padding: constants.RSA_PKCS1_PADDING, allowPkcs1Decrypt: true })
  const first = (await wrap(k)).edk
  const second = (await wrap(k)).edk
  const foreign = new EncryptedDataKey({
    providerId: 'other',
    providerInfo: 'rsa-key',
    encryptedDataKey: Buffer.alloc(256, 1),
  })
  const returned = Buffer.alloc(32, 0x42)
  const { unwrap, calls } = recordingUnwrap(() => Buffer.from(returned))
  const m = await k.onDecrypt(withUnwrap(suite(0x0478), unwrap), [foreign, first, second])
  t.is(calls.length, 1, 'implicit rejection: the first matching EDK decides')
  t.deepEqual(Buffer.from(calls[0]?.wrapped ?? []), Buffer.from(first.encryptedDataKey))
  t.is(calls[0]?.keyLength, 32)
  t.is(calls[0]?.key.type, 'private')
  t.deepEqual(m.getUnencryptedDataKey(), returned)
  const m16 = await k.onDecrypt(withUnwrap(suite(0x0114), recordingUnwrap((_w, n) => Buffer.alloc(n, 7)).unwrap), [
    first,
  ])
  t.is(m16.getUnencryptedDataKey().length, 16)
})

test('PKCS#1 v1.5 with a backend unwrap: still refused without allowPkcs1Decrypt, and the unwrap is never called', async (t) => {
  const k = keyring({ padding: constants.RSA_PKCS1_PADDING })
  const { edk } = await wrap(k)
  const { unwrap, calls } = recordingUnwrap((_w, n) => Buffer.alloc(n))
  await t.throwsAsync(k.onDecrypt(withUnwrap(suite(), unwrap), [edk]), {
    instanceOf: KeyringError,
    message: /allowPkcs1Decrypt/,
  })
  t.is(calls.length, 0)
})

test('OAEP keyrings never use the backend PKCS#1 v1.5 unwrap; public-only keyrings do not either', async (t) => {
  const { unwrap, calls } = recordingUnwrap((_w, n) => Buffer.alloc(n))
  const oaep = keyring()
  const { dataKey, edk } = await wrap(oaep)
  t.deepEqual((await oaep.onDecrypt(withUnwrap(suite(), unwrap), [edk])).getUnencryptedDataKey(), dataKey)
  const publicOnly = keyring({
    rsaKey: { publicKey: PEM_PUBLIC },
    padding: constants.RSA_PKCS1_PADDING,
    allowPkcs1Decrypt: true,
  })
  t.false((await publicOnly.onDecrypt(withUnwrap(suite(), unwrap), [edk])).hasUnencryptedDataKey)
  t.is(calls.length, 0)
})

test('a backend unwrap that throws (key not importable, disposed) becomes a KeyringError with the cause', async (t) => {
  const k = keyring({ padding: constants.RSA_PKCS1_PADDING, allowPkcs1Decrypt: true })
  const { edk } = await wrap(k)
  const boom = new Error('cannot import')
  const { unwrap } = recordingUnwrap(() => {
    throw boom
  })
  const err = await t.throwsAsync(k.onDecrypt(withUnwrap(suite(), unwrap), [edk]), { instanceOf: KeyringError })
  t.is(err?.causes[0], boom)
})
