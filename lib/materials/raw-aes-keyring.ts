// Raw AES keyring: wraps data keys with a caller-held AES-GCM key (framework/raw-aes-keyring.md "Structure", "Operation").
import { InvalidArgumentError, KeyringError, needs } from '../core/errors'
import { randomPublicBytes } from '../core/random'
import { AlgorithmSuiteIdentifier } from '../core/suites'
import {
  ContextOrder,
  EncryptionContext,
  serializeContextEntries,
  serializedContextEntries,
} from '../format/encryption-context'
import { EncryptedDataKey } from '../format/header'
import { KeyringNode, isReservedNamespace } from './keyring'
import type { KeyringCrypto } from './keyring-crypto'
import { NodeDecryptionMaterial, NodeEncryptionMaterial, ensureDataKey } from './materials'
import { allocSecret } from '../core/secret-bytes'

export enum RawAesWrappingSuiteIdentifier {
  AES128_GCM_IV12_TAG16_NO_PADDING = AlgorithmSuiteIdentifier.ALG_AES128_GCM_IV12_TAG16,
  AES192_GCM_IV12_TAG16_NO_PADDING = AlgorithmSuiteIdentifier.ALG_AES192_GCM_IV12_TAG16,
  AES256_GCM_IV12_TAG16_NO_PADDING = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16,
}

/** The AES variant follows the wrapping key's length (the port's AES-GCM picks it from the key). */
const WRAPPING: Record<number, { keyLength: number }> = {
  [RawAesWrappingSuiteIdentifier.AES128_GCM_IV12_TAG16_NO_PADDING]: { keyLength: 16 },
  [RawAesWrappingSuiteIdentifier.AES192_GCM_IV12_TAG16_NO_PADDING]: { keyLength: 24 },
  [RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING]: { keyLength: 32 },
}

const IV_LENGTH = 12
const TAG_LENGTH = 16
const TAG_BITS = 128

export interface RawAesKeyringNodeInput {
  keyName: string
  keyNamespace: string
  unencryptedMasterKey: Uint8Array
  wrappingSuite: RawAesWrappingSuiteIdentifier
  /**
   * Order of the context used as wrapping AAD. Default true (UTF-8 byte order, what every other
   * ESDK writes); false writes the official JS SDK's legacy localeCompare order. Decrypt accepts both.
   */
  utf8Sorting?: boolean
}

export class RawAesKeyringNode extends KeyringNode {
  readonly keyName: string
  readonly keyNamespace: string
  private readonly wrappingKey: Buffer
  private readonly writeOrder: ContextOrder
  private readonly keyNameBytes: Buffer

  constructor(input: RawAesKeyringNodeInput) {
    super()
    const { keyName, keyNamespace, unencryptedMasterKey, wrappingSuite, utf8Sorting } = input
    needs(
      typeof keyName === 'string' && keyName && typeof keyNamespace === 'string' && keyNamespace,
      'keyName and keyNamespace are required',
    )
    if (isReservedNamespace(keyNamespace))
      throw new InvalidArgumentError('a raw keyring namespace must not start with "aws-kms"')
    const wrapping = WRAPPING[wrappingSuite]
    needs(wrapping, 'wrappingSuite must be a RawAesWrappingSuiteIdentifier')
    needs(
      unencryptedMasterKey instanceof Uint8Array && unencryptedMasterKey.length === wrapping.keyLength,
      `unencryptedMasterKey must be ${wrapping.keyLength} bytes for this wrappingSuite`,
    )
    this.keyName = keyName
    this.keyNamespace = keyNamespace
    // Our own copy: the caller may reuse or wipe theirs.
    this.wrappingKey = allocSecret(unencryptedMasterKey.length)
    this.wrappingKey.set(unencryptedMasterKey)
    this.writeOrder = utf8Sorting === false ? 'locale' : 'utf8'
    this.keyNameBytes = Buffer.from(keyName, 'utf8')
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

  // No I/O: the session can skip the promise hops. A subclass that overrides the async method
  // has its own idea of wrapping, so it gets the async path.
  protected override _onEncryptSync(material: NodeEncryptionMaterial): NodeEncryptionMaterial | undefined {
    return this._onEncrypt === RawAesKeyringNode.prototype._onEncrypt ? this.wrap(material) : undefined
  }

  protected override _onDecryptSync(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): NodeDecryptionMaterial | undefined {
    return this._onDecrypt === RawAesKeyringNode.prototype._onDecrypt ? this.unwrap(material, edks) : undefined
  }

  private wrap(material: NodeEncryptionMaterial): NodeEncryptionMaterial {
    ensureDataKey(material)
    const iv = randomPublicBytes(IV_LENGTH)
    // UTF-8 order is shared with the header, which serializes the same context.
    const aad =
      this.writeOrder === 'utf8'
        ? serializedContextEntries(material.encryptionContext)
        : serializeContextEntries(material.encryptionContext, this.writeOrder)
    const wrapped = material.keyringCrypto.aesGcmSeal(this.wrappingKey, iv, aad, material.getUnencryptedDataKey())
    const info = Buffer.allocUnsafe(this.keyNameBytes.length + 8 + IV_LENGTH)
    let o = this.keyNameBytes.copy(info, 0)
    o = info.writeUInt32BE(TAG_BITS, o)
    o = info.writeUInt32BE(IV_LENGTH, o)
    iv.copy(info, o)
    return material.addEncryptedDataKey(
      new EncryptedDataKey({
        providerId: this.keyNamespace,
        providerInfo: info.toString('utf8'),
        rawInfo: info,
        encryptedDataKey: wrapped,
      }),
    )
  }

  private unwrap(material: NodeDecryptionMaterial, edks: readonly EncryptedDataKey[]): NodeDecryptionMaterial {
    const orders = this.aadCandidates(material.encryptionContext)
    const errors: unknown[] = []
    for (const edk of edks) {
      const iv = this.ivIfOurs(edk, material.suite.keyLengthBytes)
      if (!iv) continue
      for (const aad of orders) {
        const key = this.tryUnwrap(material.keyringCrypto, edk.encryptedDataKey, iv, aad, errors)
        // aesGcmOpen returns an unpooled buffer of our own: the material takes it as is.
        if (key) return material.adoptUnencryptedDataKey(key)
      }
    }
    if (errors.length > 0)
      throw new KeyringError(
        `raw AES keyring ${this.keyNamespace}/${this.keyName} could not unwrap any data key`,
        errors,
      )
    return material
  }

  /**
   * The AADs to try: our write order first, then the other order if it differs
   * (framework/raw-aes-keyring.md "OnDecrypt"; the official JS keyring's default localeCompare order).
   */
  private aadCandidates(context: EncryptionContext): Uint8Array[] {
    // UTF-8 order is usually already known: the header's own bytes (format/header).
    const first =
      this.writeOrder === 'utf8' ? serializedContextEntries(context) : serializeContextEntries(context, this.writeOrder)
    // Fewer than two pairs have one order only.
    if (Object.keys(context).length < 2) return [first]
    const second = serializeContextEntries(context, this.writeOrder === 'utf8' ? 'locale' : 'utf8')
    return Buffer.compare(first, second) === 0 ? [first] : [first, second]
  }

  /**
   * Provider info must be exactly key name ‖ uint32 128 ‖ uint32 12 ‖ IV for this keyring to try
   * the EDK. Read in place: the IV view is used at once, synchronously, and the bytes are public.
   */
  private ivIfOurs(edk: EncryptedDataKey, dataKeyLength: number): Uint8Array | undefined {
    if (edk.providerId !== this.keyNamespace) return undefined
    if (edk.encryptedDataKey.length !== dataKeyLength + TAG_LENGTH) return undefined
    const info = edk.rawInfo
    const name = this.keyNameBytes
    const n = name.length
    if (info.length !== n + 8 + IV_LENGTH) return undefined
    for (let i = 0; i < n; i++) if (info[i] !== name[i]) return undefined
    if (readUint32(info, n) !== TAG_BITS || readUint32(info, n + 4) !== IV_LENGTH) return undefined
    return info.subarray(n + 8)
  }

  private tryUnwrap(
    crypto: KeyringCrypto,
    wrapped: Uint8Array,
    iv: Uint8Array,
    aad: Uint8Array,
    errors: unknown[],
  ): Buffer | undefined {
    const key = crypto.aesGcmOpen(this.wrappingKey, iv, aad, wrapped)
    if (key instanceof Error) {
      errors.push(key)
      return undefined
    }
    return key
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) * 0x1000000 +
    (((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number))
  )
}
