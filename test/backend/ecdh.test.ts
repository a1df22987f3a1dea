// ECDH and the counter-mode KDF through each backend's keyring-crypto port: identical bytes, an independent reference, refused bad points and keys.
import test from 'ava'
import { createECDH, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto'
import { kdfCounterMode as officialKdf } from '@aws-crypto/kdf-ctr-mode-node'
import {
  EC_CURVES,
  EcCurve,
  OPENSSL_CURVE,
  compressedLength,
  decompressPoint,
  pointOfPublicKey,
  publicKeyFromPoint,
} from '../../lib/materials/ec-points'
import { BACKENDS, eachBackend, nativeOnly, offsetCopy } from './backends'

function keyPair(curve: EcCurve) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: OPENSSL_CURVE[curve] })
  return { privateKey, point: pointOfPublicKey(curve, publicKey) }
}

/** What the derivation must give, computed without the port: node:crypto ECDH and the official KDF. */
function reference(z: Buffer, fixedInfo: Uint8Array, salt: Uint8Array): Buffer {
  return Buffer.from(
    officialKdf({
      digestAlgorithm: 'sha384',
      ikm: z,
      nonce: Buffer.from(salt),
      purpose: Buffer.from(fixedInfo),
      expectedLength: 64,
    }),
  )
}

function compressedPoint(curve: EcCurve): Buffer {
  const ecdh = createECDH(OPENSSL_CURVE[curve])
  ecdh.generateKeys()
  return ecdh.getPublicKey(null, 'compressed')
}

/** A point with a valid x and a wrong y: off the curve. */
function offCurve(point: Buffer): Buffer {
  const bad = Buffer.from(point)
  bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1
  return bad
}

for (const curve of EC_CURVES) {
  eachBackend(
    `${curve}: static-key ECDH + KDF equals node:crypto ECDH and the official KDF, with views at odd offsets`,
    (t, backend) => {
      const sender = keyPair(curve)
      const recipient = keyPair(curve)
      const salt = randomBytes(32)
      const fixedInfo = randomBytes(150)
      const out = backend.keyringCrypto.ecdhDeriveKeyingMaterial({
        curve,
        privateKey: sender.privateKey,
        peerPoint: offsetCopy(recipient.point).view,
        salt: offsetCopy(salt).view,
        fixedInfo: offsetCopy(fixedInfo).view,
      })
      const z = diffieHellman({ privateKey: sender.privateKey, publicKey: publicKeyFromPoint(curve, recipient.point) })
      t.is(z.length, curve === 'P-521' ? 66 : curve === 'P-384' ? 48 : 32, 'Z at full field width')
      t.deepEqual(out, reference(z, fixedInfo, salt))
      t.is(out.buffer.byteLength, 64, 'an unpooled buffer of its own')
      // The other side of the agreement derives the same keys.
      t.deepEqual(
        backend.keyringCrypto.ecdhDeriveKeyingMaterial({
          curve,
          privateKey: recipient.privateKey,
          peerPoint: sender.point,
          salt,
          fixedInfo,
        }),
        out,
      )
    },
  )

  eachBackend(
    `${curve}: an ephemeral key writes its compressed public key into FixedInfo before deriving, and the recipient agrees`,
    (t, backend) => {
      const recipient = keyPair(curve)
      const salt = randomBytes(32)
      const size = compressedLength(curve)
      const fixedInfo = Buffer.concat([Buffer.from('prefix\0'), Buffer.alloc(size), Buffer.from('\0suffix')])
      const view = fixedInfo.subarray(7, 7 + size)
      const out = backend.keyringCrypto.ecdhDeriveKeyingMaterial({
        curve,
        privateKey: 'ephemeral',
        ephemeralPublicKeyOut: view,
        peerPoint: recipient.point,
        salt,
        fixedInfo,
      })
      const ephemeral = decompressPoint(curve, view)
      if (!ephemeral) return t.fail('the ephemeral public key is not a point on the curve')
      const z = diffieHellman({ privateKey: recipient.privateKey, publicKey: publicKeyFromPoint(curve, ephemeral) })
      t.deepEqual(out, reference(z, fixedInfo, salt), 'derived over the FixedInfo that holds the ephemeral key')
      t.is(fixedInfo.subarray(0, 7).toString(), 'prefix\0')
      t.is(fixedInfo.subarray(7 + size).toString(), '\0suffix')
      const again = Buffer.from(fixedInfo)
      backend.keyringCrypto.ecdhDeriveKeyingMaterial({
        curve,
        privateKey: 'ephemeral',
        ephemeralPublicKeyOut: again.subarray(7, 7 + size),
        peerPoint: recipient.point,
        salt,
        fixedInfo: again,
      })
      t.notDeepEqual(again, fixedInfo, 'a fresh key pair per call')
    },
  )

  eachBackend(
    `${curve}: peer points off the curve, at the wrong length or compressed are refused; so is a key on another curve`,
    (t, backend) => {
      const sender = keyPair(curve)
      const recipient = keyPair(curve)
      const base = { curve, salt: randomBytes(32), fixedInfo: Buffer.from('f') }
      const size = compressedLength(curve)
      for (const [why, peerPoint] of [
        ['off the curve', offCurve(recipient.point)],
        ['truncated', recipient.point.subarray(1)],
        ['compressed', compressedPoint(curve)],
        ['all zero', Buffer.concat([Buffer.from([4]), Buffer.alloc(recipient.point.length - 1)])],
      ] as const) {
        t.throws(
          () => backend.keyringCrypto.ecdhDeriveKeyingMaterial({ ...base, privateKey: sender.privateKey, peerPoint }),
          { code: 'INVALID_ARGUMENT' },
          `static: ${why}`,
        )
        t.throws(
          () =>
            backend.keyringCrypto.ecdhDeriveKeyingMaterial({
              ...base,
              privateKey: 'ephemeral',
              ephemeralPublicKeyOut: Buffer.alloc(size),
              peerPoint,
            }),
          { code: 'INVALID_ARGUMENT' },
          `ephemeral: ${why}`,
        )
      }
      const other = keyPair(curve === 'P-256' ? 'P-384' : 'P-256')
      t.throws(
        () =>
          backend.keyringCrypto.ecdhDeriveKeyingMaterial({
            ...base,
            privateKey: other.privateKey,
            peerPoint: recipient.point,
          }),
        { code: 'INVALID_ARGUMENT' },
      )
    },
  )
}

test('both backends derive the same bytes for the same inputs (static keys, every curve)', (t) => {
  const available = BACKENDS.filter((b) => b.backend)
  for (const curve of EC_CURVES) {
    const sender = keyPair(curve)
    const recipient = keyPair(curve)
    const input = {
      curve,
      privateKey: sender.privateKey,
      peerPoint: recipient.point,
      salt: randomBytes(32),
      fixedInfo: randomBytes(40),
    }
    const outputs = available.map((b) => b.backend?.keyringCrypto.ecdhDeriveKeyingMaterial(input).toString('hex'))
    t.is(new Set(outputs).size, 1, curve)
  }
})

eachBackend(
  'kdfCounterMode through the port equals the official KDF (SHA-256 and SHA-384; 32 and 64 bytes) and refuses bad bounds',
  (t, backend) => {
    for (const hash of ['sha256', 'sha384'] as const) {
      for (const length of [32, 64] as const) {
        const ikm = randomBytes(32)
        const context = randomBytes(16)
        const label = Buffer.from('aws-kms-hierarchy')
        t.deepEqual(
          backend.keyringCrypto.kdfCounterMode({ hash, ikm: offsetCopy(ikm).view, label, context, length }),
          Buffer.from(
            officialKdf({ digestAlgorithm: hash, ikm, nonce: context, purpose: label, expectedLength: length }),
          ),
        )
      }
    }
    t.deepEqual(
      backend.keyringCrypto.kdfCounterMode({
        hash: 'sha256',
        ikm: Buffer.alloc(66, 1),
        label: Buffer.alloc(0),
        context: Buffer.alloc(32, 2),
        length: 32,
      }),
      Buffer.from(
        officialKdf({
          digestAlgorithm: 'sha256',
          ikm: Buffer.alloc(66, 1),
          nonce: Buffer.alloc(32, 2),
          purpose: Buffer.alloc(0),
          expectedLength: 32,
        }),
      ),
      'a key longer than the SHA-256 block is hashed first',
    )
    t.throws(
      () =>
        backend.keyringCrypto.kdfCounterMode({
          hash: 'sha256',
          ikm: randomBytes(20),
          label: Buffer.alloc(0),
          context: randomBytes(16),
          length: 32,
        }),
      { code: 'INVALID_ARGUMENT' },
    )
  },
)

nativeOnly('ecdh entry points refuse wrong handles, disposed keys, bad sizes and overlapping outputs', (t, addon) => {
  const sender = keyPair('P-256')
  const recipient = keyPair('P-256')
  const der = sender.privateKey.export({ type: 'pkcs8', format: 'der' })
  const handle = addon.ecdhPrivateKeyFromDer(256, der)
  const salt = randomBytes(32)
  const fixedInfo = randomBytes(10)
  t.throws(
    () => addon.ecdhPrivateKeyFromDer(384, der),
    { code: 'ERR_ESDK_NATIVE_ECDH_KEY' },
    'a P-256 key is not a P-384 key',
  )
  t.throws(
    () => addon.ecdhPrivateKeyFromDer(256, Buffer.concat([der, Buffer.from([0])])),
    { code: 'ERR_ESDK_NATIVE_ECDH_KEY' },
    'trailing bytes',
  )
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'der' })
  t.throws(() => addon.ecdhPrivateKeyFromDer(256, rsa), { code: 'ERR_ESDK_NATIVE_ECDH_KEY' }, 'an RSA key')
  t.throws(() => addon.ecdhPrivateKeyFromDer(255 as 256, der), { code: 'ERR_ESDK_NATIVE_ARG_RANGE' })
  const out = Buffer.alloc(64)
  addon.ecdhDeriveKeyingMaterial(256, handle, Buffer.alloc(0), recipient.point, salt, fixedInfo, out)
  t.notDeepEqual(out, Buffer.alloc(64))
  t.throws(
    () =>
      addon.ecdhDeriveKeyingMaterial(384, handle, Buffer.alloc(0), recipient.point, salt, fixedInfo, Buffer.alloc(64)),
    { code: 'ERR_ESDK_NATIVE_ECDH_KEY' },
  )
  t.throws(
    () =>
      addon.ecdhDeriveKeyingMaterial(256, handle, Buffer.alloc(0), recipient.point, salt, fixedInfo, Buffer.alloc(32)),
    { code: 'ERR_ESDK_NATIVE_OUTPUT_LENGTH' },
  )
  t.throws(
    () =>
      addon.ecdhDeriveKeyingMaterial(
        256,
        undefined,
        Buffer.alloc(32),
        recipient.point,
        salt,
        fixedInfo,
        Buffer.alloc(64),
      ),
    { code: 'ERR_ESDK_NATIVE_OUTPUT_LENGTH' },
    'ephemeral view of the wrong size',
  )
  const shared = Buffer.alloc(64 + 10)
  t.throws(
    () =>
      addon.ecdhDeriveKeyingMaterial(
        256,
        handle,
        Buffer.alloc(0),
        recipient.point,
        salt,
        shared.subarray(60),
        shared.subarray(0, 64),
      ),
    { code: 'ERR_ESDK_NATIVE_OVERLAP' },
  )
  const failed = Buffer.alloc(64, 0xee)
  t.throws(
    () =>
      addon.ecdhDeriveKeyingMaterial(256, handle, Buffer.alloc(0), offCurve(recipient.point), salt, fixedInfo, failed),
    { code: 'ERR_ESDK_NATIVE_POINT' },
  )
  t.throws(
    () =>
      addon.ecdhDeriveKeyingMaterial(
        256,
        {} as never,
        Buffer.alloc(0),
        recipient.point,
        salt,
        fixedInfo,
        Buffer.alloc(64),
      ),
    { code: 'ERR_ESDK_NATIVE_ARG_TYPE' },
  )
  addon.disposeEcdhKey(handle)
  addon.disposeEcdhKey(handle)
  t.throws(
    () =>
      addon.ecdhDeriveKeyingMaterial(256, handle, Buffer.alloc(0), recipient.point, salt, fixedInfo, Buffer.alloc(64)),
    { code: 'ERR_ESDK_NATIVE_KEY_DISPOSED' },
  )
  t.throws(
    () => addon.kdfCounterMode(512 as 384, Buffer.alloc(32), Buffer.alloc(0), Buffer.alloc(16), Buffer.alloc(32)),
    { code: 'ERR_ESDK_NATIVE_ARG_RANGE' },
  )
  t.throws(() => addon.kdfCounterMode(256, Buffer.alloc(31), Buffer.alloc(0), Buffer.alloc(16), Buffer.alloc(32)), {
    code: 'ERR_ESDK_NATIVE_KDF_INPUT',
  })
  t.throws(() => addon.kdfCounterMode(256, Buffer.alloc(32), Buffer.alloc(0), Buffer.alloc(16), Buffer.alloc(48)), {
    code: 'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  })
})

nativeOnly(
  'EC key handles left to the garbage collector are finalized (run under ASan: no leak, no double free)',
  async (t, addon) => {
    const der = keyPair('P-384').privateKey.export({ type: 'pkcs8', format: 'der' })
    for (let i = 0; i < 50; i++) addon.ecdhPrivateKeyFromDer(384, der)
    const gc = (globalThis as { gc?: () => void }).gc
    if (gc) gc()
    await new Promise((resolve) => setImmediate(resolve))
    t.pass()
  },
)
