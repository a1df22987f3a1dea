// SEC1 compressed points for P-256 and P-384: encode/decode against node:crypto's ECDH.convertKey, and refusal of invalid points.
import test from 'ava'
import { ECDH, createECDH, createSign, createVerify, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto'
import { InvalidArgumentError, MalformedMessageError } from '../../lib/core/errors'
import { SignatureSpec, findSuite } from '../../lib/core/suites'
import {
  compressPublicKey,
  decodeVerificationKey,
  generateSigningKey,
  partsOfPrivateKey,
  privateKeyFromParts,
} from '../../lib/materials/signature-keys'

const CURVES = [
  { spec: findSuite(0x0214)?.signature, openssl: 'prime256v1', size: 32 },
  { spec: findSuite(0x0378)?.signature, openssl: 'secp384r1', size: 48 },
] as const

function specOf(c: (typeof CURVES)[number]): SignatureSpec {
  if (!c.spec) throw new Error('suite without signature')
  return c.spec
}

/** The uncompressed point of an EC public key, from its SPKI DER (the point ends it). Not from its JWK: on Node 20 a JWK export of a generateKeyPairSync key can deadlock (see signing-key-deadlock.test). */
function spkiPoint(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ type: 'spki', format: 'der' })
  const size = publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? 32 : 48
  return der.subarray(der.length - (1 + 2 * size))
}

for (const c of CURVES) {
  test(`${c.openssl}: compressPublicKey equals node:crypto's compressed encoding, for both parities`, (t) => {
    const spec = specOf(c)
    const parities = new Set<number>()
    for (let i = 0; i < 24; i++) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: spec.curve })
      const expected = ECDH.convertKey(spkiPoint(publicKey), c.openssl, undefined, undefined, 'compressed') as Buffer
      const ours = compressPublicKey(publicKey, spec)
      t.deepEqual(ours, expected)
      t.is(ours.length, 1 + c.size)
      parities.add(ours[0] ?? 0)
    }
    t.deepEqual([...parities].sort(), [2, 3], 'both 02 and 03 prefixes were exercised')
  })

  test(`${c.openssl}: decodeVerificationKey inverts the compression`, (t) => {
    const spec = specOf(c)
    for (let i = 0; i < 8; i++) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: spec.curve })
      const compressed = ECDH.convertKey(spkiPoint(publicKey), c.openssl, undefined, undefined, 'compressed') as Buffer
      const decoded = decodeVerificationKey(compressed.toString('base64'), spec)
      t.deepEqual(decoded.export({ type: 'spki', format: 'der' }), publicKey.export({ type: 'spki', format: 'der' }))
    }
  })

  test(`${c.openssl}: a generated signing key verifies through its compressed public key`, (t) => {
    const spec = specOf(c)
    const key = generateSigningKey(spec)
    t.is(key.privateKey.asymmetricKeyDetails?.namedCurve, c.openssl)
    const message = Buffer.from('signed bytes')
    const signature = createSign(spec.hash).update(message).sign({ key: key.privateKey, dsaEncoding: 'der' })
    const verificationKey = decodeVerificationKey(key.publicKeyCompressed.toString('base64'), spec)
    t.true(createVerify(spec.hash).update(message).verify({ key: verificationKey, dsaEncoding: 'der' }, signature))
  })

  test(`${c.openssl}: invalid points are refused with MalformedMessageError`, (t) => {
    const spec = specOf(c)
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: spec.curve })
    const good = ECDH.convertKey(spkiPoint(publicKey), c.openssl, undefined, undefined, 'compressed') as Buffer
    // An x with no point on the curve, found with node:crypto as the judge.
    let offCurve: Buffer | undefined
    for (let i = 0; i < 200 && !offCurve; i++) {
      const candidate = Buffer.concat([Buffer.from([2]), randomBytes(c.size)])
      try {
        ECDH.convertKey(candidate, c.openssl, undefined, undefined, 'uncompressed')
      } catch {
        offCurve = candidate
      }
    }
    if (!offCurve) return t.fail('no off-curve x found')
    const bad: Array<[string, Buffer]> = [
      ['x not on the curve', offCurve],
      ['x ≥ p', Buffer.concat([Buffer.from([2]), Buffer.alloc(c.size, 0xff)])],
      ['uncompressed form', spkiPoint(publicKey)],
      ['prefix 04 at compressed length', Buffer.concat([Buffer.from([4]), good.subarray(1)])],
      ['prefix 00', Buffer.concat([Buffer.from([0]), good.subarray(1)])],
      ['one byte short', good.subarray(0, good.length - 1)],
      ['one byte long', Buffer.concat([good, Buffer.from([0])])],
      ['empty', Buffer.alloc(0)],
    ]
    for (const [what, bytes] of bad) {
      t.throws(() => decodeVerificationKey(bytes.toString('base64'), spec), { instanceOf: MalformedMessageError }, what)
    }
  })
}

test('a point of the other curve is refused', (t) => {
  const p256 = specOf(CURVES[0])
  const p384 = specOf(CURVES[1])
  const k256 = generateSigningKey(p256).publicKeyCompressed.toString('base64')
  const k384 = generateSigningKey(p384).publicKeyCompressed.toString('base64')
  t.throws(() => decodeVerificationKey(k256, p384), { instanceOf: MalformedMessageError })
  t.throws(() => decodeVerificationKey(k384, p256), { instanceOf: MalformedMessageError })
  t.throws(() => compressPublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, p384), {
    instanceOf: MalformedMessageError,
  })
})

test('partsOfPrivateKey reads scalar and point from SEC1 DER, and refuses other curves and key types', (t) => {
  for (const c of CURVES) {
    const spec = specOf(c)
    for (let i = 0; i < 4; i++) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: spec.curve })
      const { d, point } = partsOfPrivateKey(spec, privateKey)
      t.is(d.length, c.size)
      const ecdh = createECDH(c.openssl)
      ecdh.setPrivateKey(d)
      t.deepEqual(point, ecdh.getPublicKey(), 'the point belongs to the scalar')
      t.deepEqual(
        privateKeyFromParts(spec, d, point).export({ format: 'der', type: 'pkcs8' }),
        privateKey.export({ format: 'der', type: 'pkcs8' }),
      )
    }
  }
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const p384 = specOf(CURVES[1])
  t.throws(() => partsOfPrivateKey(p384, p256.privateKey), { instanceOf: InvalidArgumentError })
  t.throws(() => partsOfPrivateKey(specOf(CURVES[0]), p256.publicKey), { instanceOf: InvalidArgumentError })
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
  t.throws(() => partsOfPrivateKey(p384, rsa.privateKey), { instanceOf: InvalidArgumentError })
})
