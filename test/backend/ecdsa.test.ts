// Native ECDSA against node:crypto: key handles, signatures both ways, nonce single use, strict DER, points, disposal.
import { ExecutionContext } from 'ava'
import {
  ECDH,
  createECDH,
  createHash,
  createSign,
  createVerify,
  generateKeyPairSync,
  KeyObject,
  randomBytes,
} from 'node:crypto'
import { NativeCryptoAddon, SigningKeyHandle } from '../../lib/backend/native-types'
import { privateKeyFromParts } from '../../lib/materials/signature-keys'
import { compressPoint, publicKeyFromPoint } from '../../lib/materials/ec-points'
import { SignatureSpec } from '../../lib/core/suites'
import { A, nativeOnly, suite } from './backends'

/** The uncompressed point of an EC public key, from its SPKI DER (the point ends it). Not from its JWK: on Node 20 a JWK export of a generateKeyPairSync key can deadlock (see test/materials/signing-key-deadlock.test). */
function spkiPoint(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ type: 'spki', format: 'der' })
  const size = publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? 32 : 48
  return der.subarray(der.length - (1 + 2 * size))
}

const CURVES = [
  {
    bits: 256 as const,
    spec: suite(A.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256).signature as SignatureSpec,
    suiteId: 0x0214,
    openssl: 'prime256v1',
    hash: 'sha256',
    size: 32,
  },
  {
    bits: 384 as const,
    spec: suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384).signature as SignatureSpec,
    suiteId: 0x0578,
    openssl: 'secp384r1',
    hash: 'sha384',
    size: 48,
  },
]

function generate(addon: NativeCryptoAddon, bits: 256 | 384, count: number): Promise<SigningKeyHandle[]> {
  return new Promise((resolve, reject) =>
    addon.generateSigningKeys(bits, count, (error, handles) => (error ? reject(error) : resolve(handles ?? []))),
  )
}

function exported(addon: NativeCryptoAddon, handle: SigningKeyHandle, size: number): { d: Buffer; point: Buffer } {
  const d = Buffer.alloc(size)
  const point = Buffer.alloc(1 + 2 * size)
  addon.exportSigningKey(handle, d, point)
  return { d, point }
}

function signDigest(addon: NativeCryptoAddon, handle: SigningKeyHandle, digest: Buffer): Buffer {
  const out = Buffer.alloc(110, 0xee)
  return out.subarray(0, addon.signDigest(handle, digest, out))
}

function codeOf(t: ExecutionContext, fn: () => unknown): string | undefined {
  return (t.throws(fn) as (Error & { code?: string }) | undefined)?.code
}

/** r from a DER ECDSA-Sig-Value (SEQUENCE { INTEGER r, INTEGER s }). */
function rOf(der: Buffer): Buffer {
  const header = der[1] === 0x81 ? 3 : 2
  const length = der[header + 1] as number
  return der.subarray(header + 2, header + 2 + length)
}

/** Blocks this thread for `ms` without ever returning to the event loop (no callbacks, no timers). */
function blockThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

for (const c of CURVES) {
  nativeOnly(
    `P-${c.bits}: the stock fills from the thread pool while this thread never returns to its event loop, and its keys are sound`,
    (t, addon) => {
      // The first take finds the stock empty or not, and starts the pool work either way.
      const first = addon.takeSigningKey(c.bits)
      const taken: SigningKeyHandle[] = first ? [first] : []
      // Pool work hands its keys to the stock itself: a stock filled by JS callbacks would stay
      // empty here, since this thread runs no callback until the test returns.
      for (let round = 0; round < 40 && taken.length < 6; round++) {
        blockThread(50)
        const handle = addon.takeSigningKey(c.bits)
        if (handle) taken.push(handle)
      }
      t.true(taken.length >= 6, `${taken.length} keys from the stock`)
      const publics = new Set<string>()
      const digest = createHash(c.hash).update('stocked').digest()
      for (const handle of taken) {
        const { d, point } = exported(addon, handle, c.size)
        const ecdh = createECDH(c.openssl)
        ecdh.setPrivateKey(d)
        t.deepEqual(ecdh.getPublicKey(), point, 'the public point belongs to the scalar')
        publics.add(point.toString('hex'))
        t.true(
          createVerify(c.hash)
            .update('stocked')
            .verify(
              { key: publicKeyFromPoint(c.spec.curve, point), dsaEncoding: 'der' },
              signDigest(addon, handle, digest),
            ),
        )
        addon.disposeSigningKey(handle)
      }
      t.is(publics.size, taken.length, 'no key handed out twice')
    },
  )
}

nativeOnly('takeSigningKey refuses curves other than P-256 and P-384', (t, addon) => {
  t.is(
    codeOf(t, () => addon.takeSigningKey(521 as 384)),
    'ERR_ESDK_NATIVE_ARG_RANGE',
  )
  t.is(
    codeOf(t, () => addon.takeSigningKey('384' as unknown as 384)),
    'ERR_ESDK_NATIVE_ARG_RANGE',
  )
})

for (const c of CURVES) {
  nativeOnly(
    `P-${c.bits}: thread-pool keys are distinct, their public keys match their scalars, and node:crypto verifies their signatures`,
    async (t, addon) => {
      const handles = await generate(addon, c.bits, 5)
      t.is(handles.length, 5)
      const publics = new Set<string>()
      const message = randomBytes(300)
      const digest = createHash(c.hash).update(message).digest()
      for (const handle of handles) {
        const compressed = Buffer.alloc(c.size + 1)
        addon.signingKeyPublicKey(handle, compressed)
        publics.add(compressed.toString('hex'))
        const { d, point } = exported(addon, handle, c.size)
        const ecdh = ECDH.convertKey(point, c.openssl, undefined, undefined, 'compressed') as Buffer
        t.deepEqual(compressed, ecdh)
        t.deepEqual(compressPoint(point), compressed)
        const signature = signDigest(addon, handle, digest)
        t.true(
          createVerify(c.hash)
            .update(message)
            .verify({ key: publicKeyFromPoint(c.spec.curve, point), dsaEncoding: 'der' }, signature),
        )
        // And the private half is the real one: node:crypto signs with it, native verifies.
        const nodeSignature = createSign(c.hash)
          .update(message)
          .sign({ key: privateKeyFromParts(c.spec, d, point), dsaEncoding: 'der' })
        t.true(addon.verifyMessage(c.suiteId, point, message, nodeSignature))
        t.true(addon.verifyMessage(c.suiteId, compressed, message, nodeSignature), 'compressed points verify too')
      }
      t.is(publics.size, 5)
    },
  )

  nativeOnly(
    `P-${c.bits}: the precomputed nonce signs once; a reused key draws a fresh nonce every time`,
    async (t, addon) => {
      const [handle] = await generate(addon, c.bits, 1)
      if (!handle) return t.fail()
      const { point } = exported(addon, handle, c.size)
      const digest = createHash(c.hash).update('same message').digest()
      const signatures = [0, 1, 2, 3].map(() => signDigest(addon, handle, digest))
      const rs = new Set(signatures.map((s) => rOf(s).toString('hex')))
      t.is(rs.size, signatures.length, 'every signature has its own r')
      for (const s of signatures)
        t.true(
          createVerify(c.hash)
            .update('same message')
            .verify({ key: publicKeyFromPoint(c.spec.curve, point), dsaEncoding: 'der' }, s),
        )
    },
  )

  nativeOnly(
    `P-${c.bits}: a key from a scalar has node:crypto's public key, and importing it with its point changes nothing`,
    (t, addon) => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: c.spec.curve })
      const jwk = privateKey.export({ format: 'jwk' })
      const d = Buffer.from(jwk.d ?? '', 'base64url')
      const point = Buffer.concat([
        Buffer.from([4]),
        Buffer.from(jwk.x ?? '', 'base64url'),
        Buffer.from(jwk.y ?? '', 'base64url'),
      ])
      const computed = addon.signingKeyFromScalar(c.bits, d)
      const imported = addon.signingKeyFromScalar(c.bits, d, point)
      for (const handle of [computed, imported]) {
        t.deepEqual(exported(addon, handle, c.size).point, point)
        const digest = createHash(c.hash).update('x').digest()
        t.true(
          createVerify(c.hash)
            .update('x')
            .verify({ key: publicKey, dsaEncoding: 'der' }, signDigest(addon, handle, digest)),
        )
      }
    },
  )

  nativeOnly(`P-${c.bits}: scalars outside [1, n) and wrong sizes are refused`, (t, addon) => {
    t.is(
      codeOf(t, () => addon.signingKeyFromScalar(c.bits, Buffer.alloc(c.size))),
      'ERR_ESDK_NATIVE_KEY_LENGTH',
    )
    t.is(
      codeOf(t, () => addon.signingKeyFromScalar(c.bits, Buffer.alloc(c.size, 0xff))),
      'ERR_ESDK_NATIVE_KEY_LENGTH',
    )
    t.is(
      codeOf(t, () => addon.signingKeyFromScalar(c.bits, Buffer.alloc(c.size - 1, 1))),
      'ERR_ESDK_NATIVE_KEY_LENGTH',
    )
    t.is(
      codeOf(t, () => addon.signingKeyFromScalar(c.bits, Buffer.alloc(c.size, 1), Buffer.alloc(1 + 2 * c.size, 7))),
      'ERR_ESDK_NATIVE_POINT',
    )
  })

  nativeOnly(
    `P-${c.bits}: verification refuses every flipped byte, trailing bytes, non-minimal DER and points off the curve`,
    (t, addon) => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: c.spec.curve })
      const point = spkiPoint(publicKey)
      const message = randomBytes(100)
      const der = createSign(c.hash).update(message).sign({ key: privateKey, dsaEncoding: 'der' })
      t.true(addon.verifyMessage(c.suiteId, point, message, der))
      for (let i = 0; i < der.length; i++) {
        const bad = Buffer.from(der)
        bad[i] = (bad[i] as number) ^ 0x01
        t.false(addon.verifyMessage(c.suiteId, point, message, bad), `signature byte ${i}`)
      }
      for (let i = 0; i < message.length; i += 9) {
        const bad = Buffer.from(message)
        bad[i] = (bad[i] as number) ^ 0x80
        t.false(addon.verifyMessage(c.suiteId, point, bad, der), `message byte ${i}`)
      }
      t.false(addon.verifyMessage(c.suiteId, point, message, Buffer.concat([der, Buffer.from([0])])), 'trailing byte')
      // The same SEQUENCE with a long-form length: valid BER, not DER.
      const longForm = Buffer.concat([Buffer.from([0x30, 0x81, der[1] as number]), der.subarray(2)])
      t.false(addon.verifyMessage(c.suiteId, point, message, longForm), 'non-minimal length')
      const offCurve = Buffer.from(point)
      offCurve[offCurve.length - 1] = (offCurve[offCurve.length - 1] as number) ^ 1
      t.false(addon.verifyMessage(c.suiteId, offCurve, message, der), 'point off the curve')
      t.false(addon.verifyMessage(c.suiteId, Buffer.alloc(0), message, der), 'no point')
      t.false(addon.verifyMessage(c.suiteId, point, message, Buffer.alloc(0)), 'no signature')
    },
  )

  nativeOnly(
    `P-${c.bits}: verifyMessageAsync agrees with the synchronous check, from the thread pool`,
    async (t, addon) => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: c.spec.curve })
      const point = spkiPoint(publicKey)
      const message = randomBytes(5000)
      const der = createSign(c.hash).update(message).sign({ key: privateKey, dsaEncoding: 'der' })
      const verify = (signature: Buffer): Promise<boolean> =>
        new Promise((resolve, reject) =>
          addon.verifyMessageAsync(c.suiteId, point, message, signature, (e, ok) =>
            e ? reject(e) : resolve(ok === true),
          ),
        )
      const flipped = Buffer.from(der)
      flipped[10] = (flipped[10] as number) ^ 4
      t.deepEqual(await Promise.all([verify(der), verify(flipped), verify(der)]), [true, false, true])
    },
  )

  nativeOnly(`P-${c.bits}: decompressPoint matches ECDH.convertKey and refuses non-points`, (t, addon) => {
    for (let i = 0; i < 8; i++) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: c.spec.curve })
      const point = spkiPoint(publicKey)
      const out = Buffer.alloc(point.length)
      t.true(addon.decompressPoint(c.bits, compressPoint(point), out))
      t.deepEqual(out, point)
    }
    const out = Buffer.alloc(1 + 2 * c.size)
    t.false(
      addon.decompressPoint(c.bits, Buffer.concat([Buffer.from([2]), Buffer.alloc(c.size, 0xff)]), out),
      'x beyond the field',
    )
    t.false(
      addon.decompressPoint(c.bits, Buffer.concat([Buffer.from([4]), Buffer.alloc(c.size, 1)]), out),
      'wrong prefix',
    )
    t.false(addon.decompressPoint(c.bits, Buffer.alloc(3, 2), out), 'wrong length')
  })
}

nativeOnly('handles: disposal is final and idempotent, and anything but a handle is a TypeError', async (t, addon) => {
  const [handle] = await generate(addon, 256, 1)
  if (!handle) return t.fail()
  const digest = createHash('sha256').update('x').digest()
  t.true(signDigest(addon, handle, digest).length > 0)
  addon.disposeSigningKey(handle)
  addon.disposeSigningKey(handle)
  t.is(
    codeOf(t, () => signDigest(addon, handle, digest)),
    'ERR_ESDK_NATIVE_KEY_DISPOSED',
  )
  t.is(
    codeOf(t, () => addon.signingKeyPublicKey(handle, Buffer.alloc(33))),
    'ERR_ESDK_NATIVE_KEY_DISPOSED',
  )
  for (const forged of [{}, Buffer.alloc(8), null, 1, 'key']) {
    t.is(
      codeOf(t, () => addon.signDigest(forged as unknown as SigningKeyHandle, digest, Buffer.alloc(80))),
      'ERR_ESDK_NATIVE_ARG_TYPE',
    )
    t.is(
      codeOf(t, () => addon.disposeSigningKey(forged as unknown as SigningKeyHandle)),
      'ERR_ESDK_NATIVE_ARG_TYPE',
    )
  }
})

nativeOnly('argument checks: curves, counts, digest and output sizes, callbacks', async (t, addon) => {
  const [handle] = await generate(addon, 384, 1)
  if (!handle) return t.fail()
  t.is(
    codeOf(t, () => addon.generateSigningKeys(521 as 384, 1, () => undefined)),
    'ERR_ESDK_NATIVE_ARG_RANGE',
  )
  t.is(
    codeOf(t, () => addon.generateSigningKeys(384, 0, () => undefined)),
    'ERR_ESDK_NATIVE_ARG_RANGE',
  )
  t.is(
    codeOf(t, () => addon.generateSigningKeys(384, 33, () => undefined)),
    'ERR_ESDK_NATIVE_ARG_RANGE',
  )
  t.is(
    codeOf(t, () => addon.generateSigningKeys(384, 1, 'callback' as unknown as () => void)),
    'ERR_ESDK_NATIVE_ARG_TYPE',
  )
  t.is(
    codeOf(t, () => addon.signDigest(handle, Buffer.alloc(32), Buffer.alloc(104))),
    'ERR_ESDK_NATIVE_DIGEST_LENGTH',
  )
  t.is(
    codeOf(t, () => addon.signDigest(handle, Buffer.alloc(48), Buffer.alloc(103))),
    'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  )
  t.is(
    codeOf(t, () => addon.verifyMessage(0x0478, Buffer.alloc(97), Buffer.alloc(1), Buffer.alloc(8))),
    'ERR_ESDK_NATIVE_SUITE',
  )
  t.is(
    codeOf(t, () => addon.exportSigningKey(handle, Buffer.alloc(32), Buffer.alloc(97))),
    'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  )
})
