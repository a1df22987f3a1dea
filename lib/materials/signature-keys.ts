// ECDSA keys for signed suites: the signing-key provider contract, node:crypto key pairs, and the verification key's two forms.
import { KeyObject, createECDH, createPrivateKey } from 'node:crypto'
import { InvalidArgumentError, MalformedMessageError } from '../core/errors'
import { isRandomSourceOverridden, randomFill } from '../core/random'
import { SignatureSpec } from '../core/suites'
import { allocSecret } from '../core/secret-bytes'
import { OPENSSL_CURVE, SPKI_PREFIX, compressPoint, decompressPoint, publicKeyFromPoint } from './ec-points'

/** A signed message's private key and the public half the header carries. */
export interface SigningKey {
  readonly privateKey: KeyObject
  /** SEC1 compressed public point, as written to `aws-crypto-public-key`. */
  readonly publicKeyCompressed: Buffer
}

/** Group orders (SEC 2 / FIPS 186-4 D.1.2), big-endian, for drawing private scalars below them. */
const ORDER = {
  'P-256': Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex'),
  'P-384': Buffer.from(
    'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
    'hex',
  ),
} as const

/*
 * DER around raw scalars and points, so KeyObjects are made without a JWK: node:crypto's JWK
 * import re-checks an EC key with a full scalar multiplication (about a millisecond on P-384).
 * SEC1 ECPrivateKey ::= SEQUENCE { 1, OCTET STRING d, [0] curve OID, [1] BIT STRING 04‖x‖y }.
 */
const SEC1 = {
  'P-256': {
    head: Buffer.from('307702010104' + '20', 'hex'),
    mid: Buffer.from('a00a06082a8648ce3d030107' + 'a144034200', 'hex'),
  },
  'P-384': {
    head: Buffer.from('3081a402010104' + '30', 'hex'),
    mid: Buffer.from('a00706052b81040022' + 'a164036200', 'hex'),
  },
} as const

/**
 * Where a CMM gets the signing key of each signed message. The session passes its backend's
 * provider in the encryption request (materials never import a backend); without one, keys come
 * from node:crypto.
 */
export interface SigningKeyProvider {
  /**
   * A key pair for one message: never handed out twice. Synchronous (both providers make or take a
   * key on the calling thread), so a CMM can answer a signed suite without a promise.
   */
  acquire(spec: SignatureSpec): SigningKey
}

/**
 * Frees a signing key's native memory now (the addon cleanses the private scalar) instead of at
 * garbage collection; a node:crypto key has nothing to free. Only for a key no one else holds and
 * no backend call still uses: the session calls it once its message is sealed.
 */
export function disposeSigningKey(key: SigningKey | undefined): void {
  const disposable = key as (SigningKey & { dispose?: () => void }) | undefined
  if (disposable && typeof disposable.dispose === 'function') disposable.dispose()
}

/** The optional field of an encryption request that carries the session's provider. */
export interface SigningKeySource {
  readonly signingKeys?: SigningKeyProvider
}

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
  // Not generateKeyPairSync: on Node 20, exporting the public half of a key it made can deadlock
  // the thread for good when a garbage collection lands inside the export (the finished key
  // generation job's finaliser takes the mutex the export holds; see test/materials/signing-key-
  // generation). ECDH makes the same key pair with no job object, and hands over the public point.
  const ecdh = createECDH(OPENSSL_CURVE[spec.curve])
  const point = ecdh.generateKeys()
  const d = ecdh.getPrivateKey()
  const scalar = padScalar(spec, d)
  try {
    return { privateKey: privateKeyFromParts(spec, scalar, point), publicKeyCompressed: compressPoint(point) }
  } finally {
    d.fill(0)
    scalar.fill(0)
  }
}

/** getPrivateKey() drops leading zero bytes; the SEC1 encoding wants the scalar at full width. */
function padScalar(spec: SignatureSpec, d: Buffer): Buffer {
  const size = spec.publicKeyLength - 1
  if (d.length === size) return d
  const padded = allocSecret(size)
  d.copy(padded, size - d.length)
  return padded
}

/** node:crypto key generation on the calling thread: the JS backend's provider and the default. */
export const nodeSigningKeys: SigningKeyProvider = Object.freeze({ acquire: generateSigningKey })

/**
 * A private scalar d with 1 <= d < n from lib/core/random, by rejection sampling (FIPS 186-4
 * B.4.2): for these curves a draw is rejected with probability below 2^-32.
 */
export function drawPrivateScalar(spec: SignatureSpec): Buffer {
  const order = ORDER[spec.curve]
  const d = allocSecret(order.length)
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
  return { privateKey: privateKeyFromParts(spec, d, point), publicKeyCompressed: compressPoint(point) }
}

/** A private KeyObject from its scalar and uncompressed public point (no scalar multiplication). */
export function privateKeyFromParts(spec: SignatureSpec, d: Uint8Array, uncompressed: Uint8Array): KeyObject {
  const { head, mid } = SEC1[spec.curve]
  const der = Buffer.concat([head, d, mid, uncompressed])
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'sec1' })
  } finally {
    der.fill(0)
  }
}

/**
 * The scalar and uncompressed public point of a private KeyObject on `spec`'s curve, read from its
 * SEC1 DER (the layout privateKeyFromParts writes), not its JWK: a JWK export of a key from
 * generateKeyPair(Sync) can deadlock Node 20 (see generateSigningKey). The caller wipes `d`.
 */
export function partsOfPrivateKey(spec: SignatureSpec, key: KeyObject): { d: Buffer; point: Buffer } {
  const { head, mid } = SEC1[spec.curve]
  const size = spec.publicKeyLength - 1
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ec')
    throw new InvalidArgumentError('signing key is not an EC private key')
  const der = key.export({ format: 'der', type: 'sec1' })
  try {
    const pointAt = head.length + size + mid.length
    if (
      der.length !== pointAt + 1 + 2 * size ||
      !der.subarray(0, head.length).equals(head) ||
      !der.subarray(head.length + size, pointAt).equals(mid)
    ) {
      throw new InvalidArgumentError(`signing key is not a ${spec.curve} private key with its public point`)
    }
    return { d: Buffer.from(der.subarray(head.length, head.length + size)), point: Buffer.from(der.subarray(pointAt)) }
  } finally {
    der.fill(0)
  }
}

/**
 * SEC1 compressed form of a public key: parity byte ‖ x. Read from its SPKI DER, not its JWK: a
 * JWK export of a key from generateKeyPair(Sync) can deadlock Node 20 (see generateSigningKey).
 */
export function compressPublicKey(publicKey: KeyObject, spec: SignatureSpec): Buffer {
  const der = publicKey.export({ type: 'spki', format: 'der' })
  const prefix = SPKI_PREFIX[spec.curve]
  if (der.length !== prefix.length + spec.publicKeyLength * 2 - 1 || !der.subarray(0, prefix.length).equals(prefix)) {
    throw new MalformedMessageError('not a public key on the suite curve')
  }
  return compressPoint(der.subarray(prefix.length))
}

/**
 * A signed message's verification key in whichever form was at hand: the uncompressed point the
 * native backend verifies with, or a KeyObject for node:crypto. Each converts to the other only
 * when first asked for.
 */
export class VerificationKey {
  private pointForm: Buffer | undefined
  private keyForm: KeyObject | undefined

  private constructor(
    readonly spec: SignatureSpec,
    point: Buffer | undefined,
    key: KeyObject | undefined,
  ) {
    this.pointForm = point
    this.keyForm = key
  }

  /** From an uncompressed SEC1 point (04 ‖ x ‖ y) that is known to be on the curve. */
  static fromPoint(spec: SignatureSpec, uncompressed: Buffer): VerificationKey {
    return new VerificationKey(spec, uncompressed, undefined)
  }

  static fromKeyObject(spec: SignatureSpec, key: KeyObject): VerificationKey {
    return new VerificationKey(spec, undefined, key)
  }

  /** The uncompressed SEC1 point. */
  get point(): Buffer {
    if (!this.pointForm) {
      const jwk = (this.keyForm as KeyObject).export({ format: 'jwk' })
      this.pointForm = Buffer.concat([
        Buffer.from([4]),
        Buffer.from(jwk.x ?? '', 'base64url'),
        Buffer.from(jwk.y ?? '', 'base64url'),
      ])
    }
    return this.pointForm
  }

  get keyObject(): KeyObject {
    this.keyForm ??= publicKeyFromPoint(this.spec.curve, this.point)
    return this.keyForm
  }
}

/**
 * Decodes the `aws-crypto-public-key` value. OpenSSL checks that the point is on the curve while
 * decompressing, so an invalid point is refused here rather than at verification.
 */
export function decodeVerificationPoint(base64: string, spec: SignatureSpec): VerificationKey {
  const compressed = Buffer.from(base64, 'base64')
  if (compressed.length !== spec.publicKeyLength || (compressed[0] !== 0x02 && compressed[0] !== 0x03)) {
    throw new MalformedMessageError('aws-crypto-public-key is not a compressed point on the suite curve')
  }
  const point = decompressPoint(spec.curve, compressed)
  if (!point) throw new MalformedMessageError('aws-crypto-public-key is not a point on the suite curve')
  return VerificationKey.fromPoint(spec, point)
}

/** decodeVerificationPoint as a node:crypto KeyObject. */
export function decodeVerificationKey(base64: string, spec: SignatureSpec): KeyObject {
  return decodeVerificationPoint(base64, spec).keyObject
}
