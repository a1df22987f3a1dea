// ECDSA key pairs for signed suites and SEC1 compressed-point encoding of their public keys, over node:crypto KeyObjects.
import { ECDH, KeyObject, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { MalformedMessageError } from '../core/errors'
import { SignatureSpec } from '../core/suites'
import { SigningKey } from './materials'

const OPENSSL_CURVE = { 'P-256': 'prime256v1', 'P-384': 'secp384r1' } as const

export function generateSigningKey(spec: SignatureSpec): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: spec.curve })
  return { privateKey, publicKeyCompressed: compressPublicKey(publicKey, spec) }
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
