// NIST prime curves as the keyrings and signatures use them: names, SEC1 point encodings, SubjectPublicKeyInfo DER, and public-key validation.
import { ECDH, KeyObject, createPublicKey } from 'node:crypto'
import { InvalidArgumentError } from '../core/errors'

export type EcCurve = 'P-256' | 'P-384' | 'P-521'

export const EC_CURVES: readonly EcCurve[] = ['P-256', 'P-384', 'P-521']

/** OpenSSL's names, what node:crypto's ECDH and KeyObject details use. */
export const OPENSSL_CURVE: Readonly<Record<EcCurve, string>> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
}

/** Bytes of a field element (and of an ECDH shared secret, its x-coordinate). */
export const FIELD_BYTES: Readonly<Record<EcCurve, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 }

/** SubjectPublicKeyInfo ::= SEQUENCE { SEQUENCE { id-ecPublicKey, curve OID }, BIT STRING 04 ‖ x ‖ y }: everything before the point. */
export const SPKI_PREFIX: Readonly<Record<EcCurve, Buffer>> = {
  'P-256': Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'),
  'P-384': Buffer.from('3076301006072a8648ce3d020106052b81040022036200', 'hex'),
  'P-521': Buffer.from('30819b301006072a8648ce3d020106052b8104002303818600', 'hex'),
}

/** SEC1 uncompressed point length: 04 ‖ x ‖ y. */
export function uncompressedLength(curve: EcCurve): number {
  return 1 + 2 * FIELD_BYTES[curve]
}

/** SEC1 compressed point length: parity byte ‖ x. */
export function compressedLength(curve: EcCurve): number {
  return 1 + FIELD_BYTES[curve]
}

/** SEC1 compressed form of an uncompressed point 04 ‖ x ‖ y: parity byte ‖ x. */
export function compressPoint(uncompressed: Uint8Array): Buffer {
  const size = (uncompressed.length - 1) / 2
  const out = Buffer.alloc(1 + size)
  out[0] = 0x02 | ((uncompressed[uncompressed.length - 1] as number) & 1)
  out.set(uncompressed.subarray(1, 1 + size), 1)
  return out
}

/**
 * The uncompressed point of a compressed one, or undefined when the bytes are not a point on the
 * curve. OpenSSL solves for y and checks the point while converting; a compressed encoding cannot
 * name the point at infinity, so a success is a valid public key.
 */
export function decompressPoint(curve: EcCurve, compressed: Uint8Array): Buffer | undefined {
  if (compressed.length !== compressedLength(curve) || (compressed[0] !== 0x02 && compressed[0] !== 0x03))
    return undefined
  try {
    return ECDH.convertKey(compressed, OPENSSL_CURVE[curve], undefined, undefined, 'uncompressed') as Buffer
  } catch {
    return undefined
  }
}

/**
 * Whether `point` is an uncompressed point on the curve (framework/raw-ecdh-keyring.md
 * "Initialization": on the curve and not the point at infinity, which has no uncompressed form).
 * OpenSSL refuses coordinates out of range or off the curve while decoding.
 */
export function isValidUncompressedPoint(curve: EcCurve, point: Uint8Array): boolean {
  if (point.length !== uncompressedLength(curve) || point[0] !== 0x04) return false
  try {
    ECDH.convertKey(point, OPENSSL_CURVE[curve], undefined, undefined, 'compressed')
    return true
  } catch {
    return false
  }
}

/** The SubjectPublicKeyInfo DER of an uncompressed point already checked on the curve. */
export function spkiOfPoint(curve: EcCurve, uncompressed: Uint8Array): Buffer {
  return Buffer.concat([SPKI_PREFIX[curve], uncompressed])
}

/** A public KeyObject from an uncompressed point already checked on the curve. */
export function publicKeyFromPoint(curve: EcCurve, uncompressed: Uint8Array): KeyObject {
  return createPublicKey({ key: spkiOfPoint(curve, uncompressed), format: 'der', type: 'spki' })
}

/** The curve of an EC KeyObject (public or private), or undefined for any other key or curve. */
export function curveOfKey(key: KeyObject): EcCurve | undefined {
  if (key.asymmetricKeyType !== 'ec') return undefined
  const named = key.asymmetricKeyDetails?.namedCurve
  return EC_CURVES.find((c) => OPENSSL_CURVE[c] === named)
}

/**
 * The uncompressed point of an EC public KeyObject on `curve`, from its SPKI DER (never its JWK: a
 * JWK export of a generateKeyPair key can deadlock Node 20; see signature-keys.ts).
 */
export function pointOfPublicKey(curve: EcCurve, key: KeyObject): Buffer {
  if (key.type !== 'public' || curveOfKey(key) !== curve) throw new InvalidArgumentError(`not a ${curve} public key`)
  const der = key.export({ type: 'spki', format: 'der' })
  const prefix = SPKI_PREFIX[curve]
  if (der.length !== prefix.length + uncompressedLength(curve) || !der.subarray(0, prefix.length).equals(prefix)) {
    throw new InvalidArgumentError(`not a ${curve} public key in named-curve form`)
  }
  return Buffer.from(der.subarray(prefix.length))
}

/**
 * Reads a DER SubjectPublicKeyInfo (any encoding OpenSSL accepts, compressed points included) as
 * an uncompressed point on `curve`, refusing anything else: another curve, another key type, a
 * point off the curve (OpenSSL checks while decoding).
 */
export function pointOfSpki(curve: EcCurve, der: Uint8Array): Buffer {
  let key: KeyObject
  try {
    key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' })
  } catch (e) {
    throw new InvalidArgumentError(`not a DER SubjectPublicKeyInfo EC public key: ${(e as Error).message}`)
  }
  const point = pointOfPublicKey(curve, key)
  if (!isValidUncompressedPoint(curve, point)) throw new InvalidArgumentError(`not a valid ${curve} public key`)
  return point
}
