// ECDSA key pairs for signed suites and SEC1 compressed-point encoding of their public keys, over node:crypto KeyObjects.
import { ECDH, KeyObject, createECDH, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { MalformedMessageError } from '../core/errors'
import { isRandomSourceOverridden, randomFill } from '../core/random'
import { SignatureSpec } from '../core/suites'
import { SigningKey } from './materials'

const OPENSSL_CURVE = { 'P-256': 'prime256v1', 'P-384': 'secp384r1' } as const

/** Group orders (SEC 2 / FIPS 186-4 D.1.2), big-endian, for drawing private scalars below them. */
const ORDER = {
  'P-256': Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex'),
  'P-384': Buffer.from('ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973', 'hex'),
} as const

/*
 * DER around a raw private scalar and public point, so a KeyObject can be made without a JWK
 * (node:crypto's JWK import re-checks the key with a full scalar multiplication).
 * SEC1 ECPrivateKey ::= SEQUENCE { 1, OCTET STRING d, [0] curve OID, [1] BIT STRING 04‖x‖y }.
 */
const SEC1 = {
  'P-256': { head: Buffer.from('307702010104' + '20', 'hex'), mid: Buffer.from('a00a06082a8648ce3d030107' + 'a144034200', 'hex') },
  'P-384': { head: Buffer.from('3081a402010104' + '30', 'hex'), mid: Buffer.from('a00706052b81040022' + 'a164036200', 'hex') },
} as const

/** A fresh key pair from OpenSSL; under the test random source, one derived from that source instead. */
export function generateSigningKey(spec: SignatureSpec): SigningKey {
  if (isRandomSourceOverridden()) {
    const d = drawPrivateScalar(spec)
    try {
      return signingKeyFromScalar(spec, d)
    } finally {
      d.fill(0)
    }
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: spec.curve })
  return { privateKey, publicKeyCompressed: compressPublicKey(publicKey, spec) }
}

/**
 * A private scalar d with 1 <= d < n from lib/core/random, by rejection sampling (FIPS 186-4
 * B.4.2): for these curves a draw is rejected with probability below 2^-32.
 */
export function drawPrivateScalar(spec: SignatureSpec): Buffer {
  const order = ORDER[spec.curve]
  const d = Buffer.alloc(order.length)
  for (;;) {
    randomFill(d)
    if (d.some((b) => b !== 0) && Buffer.compare(d, order) < 0) return d
  }
}

/** The key pair for a given private scalar (big-endian, curve-sized). */
export function signingKeyFromScalar(spec: SignatureSpec, d: Buffer): SigningKey {
  const ecdh = createECDH(OPENSSL_CURVE[spec.curve])
  ecdh.setPrivateKey(d)
  const point = ecdh.getPublicKey()
  const { head, mid } = SEC1[spec.curve]
  const der = Buffer.concat([head, d, mid, point])
  try {
    return {
      privateKey: createPrivateKey({ key: der, format: 'der', type: 'sec1' }),
      publicKeyCompressed: compressPoint(point),
    }
  } finally {
    der.fill(0)
  }
}

/** SEC1 compressed form of an uncompressed point 04 ‖ x ‖ y: parity byte ‖ x. */
export function compressPoint(uncompressed: Uint8Array): Buffer {
  const size = (uncompressed.length - 1) / 2
  const out = Buffer.alloc(1 + size)
  out[0] = 0x02 | ((uncompressed[uncompressed.length - 1] as number) & 1)
  out.set(uncompressed.subarray(1, 1 + size), 1)
  return out
}

/** SEC1 compressed form of a public key: parity byte ‖ x. */
export function compressPublicKey(publicKey: KeyObject, spec: SignatureSpec): Buffer {
  const jwk = publicKey.export({ format: 'jwk' })
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string' || jwk.crv !== spec.curve) {
    throw new MalformedMessageError('not a public key on the suite curve')
  }
  const x = Buffer.from(jwk.x, 'base64url')
  const y = Buffer.from(jwk.y, 'base64url')
  const out = Buffer.alloc(spec.publicKeyLength)
  out[0] = 0x02 | ((y[y.length - 1] as number) & 1)
  x.copy(out, out.length - x.length)
  return out
}

/**
 * Decodes the `aws-crypto-public-key` value. OpenSSL checks that the point is on the curve while
 * decompressing, so an invalid point is refused here rather than at verification.
 */
export function decodeVerificationKey(base64: string, spec: SignatureSpec): KeyObject {
  const compressed = Buffer.from(base64, 'base64')
  if (compressed.length !== spec.publicKeyLength || (compressed[0] !== 0x02 && compressed[0] !== 0x03)) {
    throw new MalformedMessageError('aws-crypto-public-key is not a compressed point on the suite curve')
  }
  let uncompressed: Buffer
  try {
    uncompressed = ECDH.convertKey(compressed, OPENSSL_CURVE[spec.curve], undefined, undefined, 'uncompressed') as Buffer
  } catch {
    throw new MalformedMessageError('aws-crypto-public-key is not a point on the suite curve')
  }
  const coordinateLength = (spec.publicKeyLength - 1)
  return createPublicKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: spec.curve,
      x: uncompressed.subarray(1, 1 + coordinateLength).toString('base64url'),
      y: uncompressed.subarray(1 + coordinateLength).toString('base64url'),
    },
  })
}
