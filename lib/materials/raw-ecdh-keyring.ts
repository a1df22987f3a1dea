// Raw ECDH keyring: data keys wrapped under keys derived from an ECDH agreement with caller-held EC keys (framework/raw-ecdh-keyring.md, key-agreement-schemas.md).
import { KeyObject, createPrivateKey, createPublicKey, timingSafeEqual } from 'node:crypto'
import { InvalidArgumentError, KeyringError, needs } from '../core/errors'
import { randomPublicBytes } from '../core/random'
import { wipe } from '../core/wipe'
import { serializedContextEntries } from '../format/encryption-context'
import { EncryptedDataKey } from '../format/header'
import {
  EcCurve,
  compressPoint,
  compressedLength,
  curveOfKey,
  decompressPoint,
  isValidUncompressedPoint,
  pointOfPublicKey,
  pointOfSpki,
} from './ec-points'
import { KeyringNode } from './keyring'
import type { KeyringCrypto } from './keyring-crypto'
import { NodeDecryptionMaterial, NodeEncryptionMaterial, ensureDataKey } from './materials'

/** The curve specifications of framework/raw-ecdh-keyring.md, with the MPL's names (SM2 is not offered). */
export enum EcdhCurveSpec {
  ECC_NIST_P256 = 'ECC_NIST_P256',
  ECC_NIST_P384 = 'ECC_NIST_P384',
  ECC_NIST_P521 = 'ECC_NIST_P521',
}

/** A private key as the spec has it (PEM PKCS#8, as a string or its bytes), or a node:crypto KeyObject. */
export type EcdhPrivateKeyInput = string | Uint8Array | KeyObject
/** A public key as the spec has it (DER SubjectPublicKeyInfo), or a node:crypto KeyObject. */
export type EcdhPublicKeyInput = Uint8Array | KeyObject

/** The three raw key agreement schemas (key-agreement-schemas.md), one property naming the one in use, as the MPL's union. */
export type RawEcdhKeyAgreementScheme =
  | { readonly EphemeralPrivateKeyToStaticPublicKey: { readonly recipientPublicKey: EcdhPublicKeyInput } }
  | { readonly PublicKeyDiscovery: { readonly recipientStaticPrivateKey: EcdhPrivateKeyInput } }
  | {
      readonly RawPrivateKeyToStaticPublicKey: {
        readonly senderStaticPrivateKey: EcdhPrivateKeyInput
        readonly recipientPublicKey: EcdhPublicKeyInput
      }
    }

export type RawEcdhKeyAgreementSchemeName =
  'EphemeralPrivateKeyToStaticPublicKey' | 'PublicKeyDiscovery' | 'RawPrivateKeyToStaticPublicKey'

export interface RawEcdhKeyringNodeInput {
  readonly keyAgreementScheme: RawEcdhKeyAgreementScheme
  readonly curveSpec: EcdhCurveSpec | `${EcdhCurveSpec}`
}

export const RAW_ECDH_PROVIDER_ID = 'raw-ecdh'
/** EDKs of the AWS KMS ECDH keyring have the same layout; a raw keyring holding the private key may open them. */
export const KMS_ECDH_PROVIDER_ID = 'aws-kms-ecdh'

const CURVES: Readonly<Record<EcdhCurveSpec, { curve: EcCurve; name: string }>> = {
  [EcdhCurveSpec.ECC_NIST_P256]: { curve: 'P-256', name: 'p256' },
  [EcdhCurveSpec.ECC_NIST_P384]: { curve: 'P-384', name: 'p384' },
  [EcdhCurveSpec.ECC_NIST_P521]: { curve: 'P-521', name: 'p521' },
}

/** The keyring version in the key provider information, and in FixedInfo. */
const KEYRING_VERSION = 0x01
const SALT_LENGTH = 32
const COMMITMENT_LENGTH = 32
const TAG_LENGTH = 16
/** raw-ecdh-keyring.md "Data Key Wrapping": a zeroed 12-byte IV (each wrapping key is used once: its salt is fresh). */
const ZERO_IV = Buffer.alloc(12)
const KDF_LABEL = Buffer.from('ecdh-key-derivation', 'utf8')
const KDF_PRF = Buffer.from('HMAC_SHA384', 'utf8')
const NUL = Buffer.from([0])
const VERSION_FIELD = Buffer.from([0x00, KEYRING_VERSION, 0x00])

/** The ECDH parameters shared with the AWS KMS ECDH keyring: how FixedInfo, provider info and the EDK ciphertext are laid out. */
export class EcdhWireFormat {
  private readonly curveName: Buffer
  constructor(
    readonly curve: EcCurve,
    curveName: string,
  ) {
    this.curveName = Buffer.from(curveName, 'utf8')
  }

  /**
   * FixedInfo (key-agreement-schemas.md "Key Derivation"): "ecdh-key-derivation" 00 curve 00
   * "HMAC_SHA384" 00 sender ‖ recipient 00 version 00 context, the public keys compressed. `senderAt`
   * is where the sender's key starts, for an ephemeral key written in place.
   */
  fixedInfo(sender: Uint8Array, recipient: Uint8Array, context: Uint8Array): { fixedInfo: Buffer; senderAt: number } {
    const head = [KDF_LABEL, NUL, this.curveName, NUL, KDF_PRF, NUL]
    const senderAt = head.reduce((n, b) => n + b.length, 0)
    return { fixedInfo: Buffer.concat([...head, sender, recipient, VERSION_FIELD, context]), senderAt }
  }

  /** raw-ecdh-keyring.md "Key Provider Information": version ‖ uint32 length ‖ recipient ‖ uint32 length ‖ sender. */
  providerInfo(sender: Uint8Array, recipient: Uint8Array): Buffer {
    const out = Buffer.alloc(1 + 4 + recipient.length + 4 + sender.length)
    let o = out.writeUInt8(KEYRING_VERSION, 0)
    o = out.writeUInt32BE(recipient.length, o)
    o += Buffer.from(recipient.buffer, recipient.byteOffset, recipient.length).copy(out, o)
    o = out.writeUInt32BE(sender.length, o)
    Buffer.from(sender.buffer, sender.byteOffset, sender.length).copy(out, o)
    return out
  }

  /** The two compressed keys of a provider information on this curve, or undefined when it is not one (then the EDK is not ours). */
  parseProviderInfo(info: Uint8Array): { recipient: Buffer; sender: Buffer } | undefined {
    const size = compressedLength(this.curve)
    if (info.length !== 1 + 4 + size + 4 + size || info[0] !== KEYRING_VERSION) return undefined
    const bytes = Buffer.from(info.buffer, info.byteOffset, info.length)
    if (bytes.readUInt32BE(1) !== size || bytes.readUInt32BE(5 + size) !== size) return undefined
    return { recipient: bytes.subarray(5, 5 + size), sender: bytes.subarray(9 + size) }
  }

  /** raw-ecdh-keyring.md "Ciphertext": salt ‖ commitment key ‖ encrypted key ‖ tag, for a data key of `keyLength` bytes. */
  parseCiphertext(
    ciphertext: Uint8Array,
    keyLength: number,
  ): { salt: Uint8Array; commitment: Uint8Array; sealed: Uint8Array } | undefined {
    if (ciphertext.length !== SALT_LENGTH + COMMITMENT_LENGTH + keyLength + TAG_LENGTH) return undefined
    return {
      salt: ciphertext.subarray(0, SALT_LENGTH),
      commitment: ciphertext.subarray(SALT_LENGTH, SALT_LENGTH + COMMITMENT_LENGTH),
      sealed: ciphertext.subarray(SALT_LENGTH + COMMITMENT_LENGTH),
    }
  }

  /**
   * Wraps `dataKey` under the 64 bytes of keying material (commitment key ‖ wrapping key) derived
   * for this EDK: AES-256-GCM, zero IV, AAD = FixedInfo. Returns the EDK ciphertext.
   */
  wrap(
    crypto: KeyringCrypto,
    keyingMaterial: Buffer,
    salt: Uint8Array,
    fixedInfo: Uint8Array,
    dataKey: Uint8Array,
  ): Buffer {
    const sealed = crypto.aesGcmSeal(keyingMaterial.subarray(COMMITMENT_LENGTH), ZERO_IV, fixedInfo, dataKey)
    return Buffer.concat([salt, keyingMaterial.subarray(0, COMMITMENT_LENGTH), sealed])
  }

  /**
   * The data key of an EDK given its derived keying material: the commitment key is compared in
   * constant time first (raw-ecdh-keyring.md "OnDecrypt"), then the key unwrapped. An Error when either fails.
   */
  unwrap(
    crypto: KeyringCrypto,
    keyingMaterial: Buffer,
    commitment: Uint8Array,
    sealed: Uint8Array,
    fixedInfo: Uint8Array,
  ): Buffer | Error {
    if (!timingSafeEqual(keyingMaterial.subarray(0, COMMITMENT_LENGTH), commitment))
      return new KeyringError('Commitment keys do not match')
    return crypto.aesGcmOpen(keyingMaterial.subarray(COMMITMENT_LENGTH), ZERO_IV, fixedInfo, sealed)
  }
}

/** The curve spec's parameters, refusing anything else (raw-ecdh-keyring.md "Curve Specification"). */
export function ecdhCurveOf(curveSpec: unknown): { curve: EcCurve; name: string } {
  const found = typeof curveSpec === 'string' ? CURVES[curveSpec as EcdhCurveSpec] : undefined
  needs(found, `curveSpec must be one of ${Object.keys(CURVES).join(', ')}`)
  return found
}

/** A private key on `curve` from PEM (PKCS#8 per the spec; node:crypto reads SEC1 too) or a KeyObject. */
export function ecdhPrivateKey(curve: EcCurve, input: EcdhPrivateKeyInput, what: string): KeyObject {
  let key: KeyObject
  if (input instanceof KeyObject) {
    key = input
  } else {
    needs(typeof input === 'string' || input instanceof Uint8Array, `${what} must be a PEM private key or a KeyObject`)
    try {
      key = createPrivateKey({ key: typeof input === 'string' ? input : Buffer.from(input), format: 'pem' })
    } catch (e) {
      throw new InvalidArgumentError(`${what} is not a PEM-encoded private key: ${(e as Error).message}`)
    }
  }
  needs(key.type === 'private' && curveOfKey(key) === curve, `${what} must be an EC private key on ${curve}`)
  return key
}

/** The uncompressed point of a public key on `curve` from DER SubjectPublicKeyInfo or a KeyObject, checked on the curve. */
export function ecdhPublicPoint(curve: EcCurve, input: EcdhPublicKeyInput, what: string): Buffer {
  try {
    if (input instanceof KeyObject) {
      const point = pointOfPublicKey(curve, input.type === 'private' ? createPublicKey(input) : input)
      if (!isValidUncompressedPoint(curve, point)) throw new InvalidArgumentError(`not a valid ${curve} public key`)
      return point
    }
    needs(input instanceof Uint8Array, `${what} must be a DER SubjectPublicKeyInfo or a KeyObject`)
    return pointOfSpki(curve, input)
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw new InvalidArgumentError(`${what}: ${e.message}`)
    throw e
  }
}

/** The public point of a private key (its public half, which PKCS#8 keys carry or node:crypto computes). */
function publicPointOf(curve: EcCurve, key: KeyObject): Buffer {
  return pointOfPublicKey(curve, createPublicKey(key))
}

function schemeOf(input: RawEcdhKeyAgreementScheme): RawEcdhKeyAgreementSchemeName {
  needs(typeof input === 'object' && input !== null, 'keyAgreementScheme is required')
  const names = Object.keys(input).filter(
    (k): k is RawEcdhKeyAgreementSchemeName =>
      k === 'EphemeralPrivateKeyToStaticPublicKey' ||
      k === 'PublicKeyDiscovery' ||
      k === 'RawPrivateKeyToStaticPublicKey',
  )
  needs(
    names.length === 1 && Object.keys(input).length === 1,
    'keyAgreementScheme must name exactly one of EphemeralPrivateKeyToStaticPublicKey, PublicKeyDiscovery, RawPrivateKeyToStaticPublicKey',
  )
  return names[0] as RawEcdhKeyAgreementSchemeName
}

export class RawEcdhKeyringNode extends KeyringNode {
  readonly curveSpec: EcdhCurveSpec
  readonly keyAgreementScheme: RawEcdhKeyAgreementSchemeName
  private readonly wire: EcdhWireFormat
  /** The local static private key: the sender's (RawPrivateKeyToStaticPublicKey) or the recipient's (PublicKeyDiscovery). */
  private readonly privateKey: KeyObject | undefined
  /** Uncompressed, for the agreement; compressed, as provider info and FixedInfo carry them. */
  private readonly recipientPoint: Buffer
  private readonly recipientCompressed: Buffer
  private readonly senderPoint: Buffer | undefined
  private readonly senderCompressed: Buffer | undefined

  constructor(input: RawEcdhKeyringNodeInput) {
    super()
    needs(typeof input === 'object' && input !== null, 'RawEcdhKeyringNode needs { keyAgreementScheme, curveSpec }')
    const { curve, name } = ecdhCurveOf(input.curveSpec)
    this.curveSpec = input.curveSpec as EcdhCurveSpec
    this.keyAgreementScheme = schemeOf(input.keyAgreementScheme)
    this.wire = new EcdhWireFormat(curve, name)
    const scheme = input.keyAgreementScheme
    // raw-ecdh-keyring.md "Initialization": every key on the configured curve, public keys on it and not infinity.
    if ('EphemeralPrivateKeyToStaticPublicKey' in scheme) {
      this.privateKey = undefined
      this.recipientPoint = ecdhPublicPoint(
        curve,
        scheme.EphemeralPrivateKeyToStaticPublicKey.recipientPublicKey,
        'recipientPublicKey',
      )
    } else if ('PublicKeyDiscovery' in scheme) {
      this.privateKey = ecdhPrivateKey(
        curve,
        scheme.PublicKeyDiscovery.recipientStaticPrivateKey,
        'recipientStaticPrivateKey',
      )
      this.recipientPoint = publicPointOf(curve, this.privateKey)
    } else {
      const { senderStaticPrivateKey, recipientPublicKey } = scheme.RawPrivateKeyToStaticPublicKey
      this.privateKey = ecdhPrivateKey(curve, senderStaticPrivateKey, 'senderStaticPrivateKey')
      this.recipientPoint = ecdhPublicPoint(curve, recipientPublicKey, 'recipientPublicKey')
    }
    this.recipientCompressed = compressPoint(this.recipientPoint)
    this.senderPoint =
      this.keyAgreementScheme === 'RawPrivateKeyToStaticPublicKey'
        ? publicPointOf(curve, this.privateKey as KeyObject)
        : undefined
    this.senderCompressed = this.senderPoint ? compressPoint(this.senderPoint) : undefined
    Object.freeze(this)
  }

  protected async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    return this.wrap(material)
  }

  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    return this.unwrap(material, edks)
  }

  // No I/O: the session can skip the promise hops, unless a subclass has its own idea of the async methods.
  protected override _onEncryptSync(material: NodeEncryptionMaterial): NodeEncryptionMaterial | undefined {
    return this._onEncrypt === RawEcdhKeyringNode.prototype._onEncrypt ? this.wrap(material) : undefined
  }

  protected override _onDecryptSync(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): NodeDecryptionMaterial | undefined {
    return this._onDecrypt === RawEcdhKeyringNode.prototype._onDecrypt ? this.unwrap(material, edks) : undefined
  }

  private wrap(material: NodeEncryptionMaterial): NodeEncryptionMaterial {
    if (this.keyAgreementScheme === 'PublicKeyDiscovery')
      throw new KeyringError('PublicKeyDiscovery Key Agreement Scheme is forbidden on encrypt.')
    ensureDataKey(material)
    const crypto = material.keyringCrypto
    const ephemeral = this.keyAgreementScheme === 'EphemeralPrivateKeyToStaticPublicKey'
    const size = compressedLength(this.wire.curve)
    // The ephemeral key's place is filled in by the port before it derives over FixedInfo.
    const sender = ephemeral ? Buffer.alloc(size) : (this.senderCompressed as Buffer)
    const { fixedInfo, senderAt } = this.wire.fixedInfo(
      sender,
      this.recipientCompressed,
      serializedContextEntries(material.encryptionContext),
    )
    const senderView = fixedInfo.subarray(senderAt, senderAt + size)
    const salt = randomPublicBytes(SALT_LENGTH)
    const keyingMaterial = crypto.ecdhDeriveKeyingMaterial({
      curve: this.wire.curve,
      privateKey: ephemeral ? 'ephemeral' : (this.privateKey as KeyObject),
      ephemeralPublicKeyOut: ephemeral ? senderView : undefined,
      peerPoint: this.recipientPoint,
      salt,
      fixedInfo,
    })
    try {
      const ciphertext = this.wire.wrap(crypto, keyingMaterial, salt, fixedInfo, material.getUnencryptedDataKey())
      const info = this.wire.providerInfo(senderView, this.recipientCompressed)
      return material.addEncryptedDataKey(
        new EncryptedDataKey({
          providerId: RAW_ECDH_PROVIDER_ID,
          providerInfo: info.toString('utf8'),
          rawInfo: info,
          encryptedDataKey: ciphertext,
        }),
      )
    } finally {
      wipe(keyingMaterial)
    }
  }

  private unwrap(material: NodeDecryptionMaterial, edks: readonly EncryptedDataKey[]): NodeDecryptionMaterial {
    if (this.keyAgreementScheme === 'EphemeralPrivateKeyToStaticPublicKey') {
      throw new KeyringError('EphemeralPrivateKeyToStaticPublicKey Key Agreement Scheme is forbidden on decrypt.')
    }
    const errors: unknown[] = []
    let context: Uint8Array | undefined
    for (const edk of edks) {
      const ours = this.match(edk)
      if (!ours) continue
      const parts = this.wire.parseCiphertext(edk.encryptedDataKey, material.suite.keyLengthBytes)
      if (!parts) {
        errors.push(new KeyringError('Received EDK Ciphertext of incorrect length.'))
        continue
      }
      const key = this.tryUnwrap(
        material,
        (context ??= serializedContextEntries(material.encryptionContext)),
        ours,
        parts,
        errors,
      )
      if (key) return material.adoptUnencryptedDataKey(key)
    }
    if (errors.length > 0)
      throw new KeyringError('Raw ECDH keyring: no configured key was able to decrypt the data key.', errors)
    return material
  }

  /** raw-ecdh-keyring.md "OnDecrypt": the EDK is ours when its keys are the configured ones (either way round for a static pair). */
  private match(edk: EncryptedDataKey): { sender: Buffer; recipient: Buffer } | undefined {
    if (edk.providerId !== RAW_ECDH_PROVIDER_ID && edk.providerId !== KMS_ECDH_PROVIDER_ID) return undefined
    const keys = this.wire.parseProviderInfo(edk.rawInfo)
    if (!keys) return undefined
    if (this.keyAgreementScheme === 'PublicKeyDiscovery')
      return keys.recipient.equals(this.recipientCompressed) ? keys : undefined
    const sender = this.senderCompressed as Buffer
    const asSent = keys.sender.equals(sender) && keys.recipient.equals(this.recipientCompressed)
    const reversed = keys.sender.equals(this.recipientCompressed) && keys.recipient.equals(sender)
    return asSent || reversed ? keys : undefined
  }

  private tryUnwrap(
    material: NodeDecryptionMaterial,
    context: Uint8Array,
    keys: { sender: Buffer; recipient: Buffer },
    parts: { salt: Uint8Array; commitment: Uint8Array; sealed: Uint8Array },
    errors: unknown[],
  ): Buffer | undefined {
    const curve = this.wire.curve
    const senderPoint = decompressPoint(curve, keys.sender)
    const recipientPoint = decompressPoint(curve, keys.recipient)
    if (!senderPoint || !recipientPoint) {
      errors.push(new KeyringError(`a public key in the EDK is not a point on ${curve}`))
      return undefined
    }
    // Discovery holds the recipient's key and agrees with the sender's; a static pair agrees with
    // whichever stored key is the configured recipient (the other party's).
    const peerPoint =
      this.keyAgreementScheme === 'PublicKeyDiscovery' || !recipientPoint.equals(this.recipientPoint)
        ? senderPoint
        : recipientPoint
    const { fixedInfo } = this.wire.fixedInfo(keys.sender, keys.recipient, context)
    let keyingMaterial: Buffer
    try {
      keyingMaterial = material.keyringCrypto.ecdhDeriveKeyingMaterial({
        curve,
        privateKey: this.privateKey as KeyObject,
        peerPoint,
        salt: parts.salt,
        fixedInfo,
      })
    } catch (e) {
      errors.push(e)
      return undefined
    }
    try {
      const key = this.wire.unwrap(material.keyringCrypto, keyingMaterial, parts.commitment, parts.sealed, fixedInfo)
      if (key instanceof Error) {
        errors.push(key)
        return undefined
      }
      return key
    } finally {
      wipe(keyingMaterial)
    }
  }
}
