// Raw RSA keyring: wraps data keys with a caller-held RSA key, OAEP or (legacy, opt-in to decrypt) PKCS#1 v1.5 (framework/raw-rsa-keyring.md).
import { KeyObject, constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt } from 'node:crypto'
import { InvalidArgumentError, KeyringError, needs } from '../core/errors'
import { EncryptedDataKey } from '../format/header'
import { KeyringNode, isReservedNamespace } from './keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial, ensureDataKey } from './materials'
import { cipherToOwnedBuffer } from '../core/secret-bytes'
import { nodePkcs1Behaviour, nodeRsaPkcs1 } from './node-rsa-pkcs1'
import { RsaPkcs1Unwrap } from './rsa-pkcs1'

export type OaepHash = 'sha1' | 'sha256' | 'sha384' | 'sha512'
type RsaKeyInput = string | Buffer | KeyObject

export interface RawRsaKeyringNodeInput {
  keyName: string
  keyNamespace: string
  rsaKey: { publicKey?: RsaKeyInput; privateKey?: RsaKeyInput }
  /** `constants.RSA_PKCS1_OAEP_PADDING` (default) or `constants.RSA_PKCS1_PADDING`. */
  padding?: number
  /** OAEP (and MGF1) hash; default sha1 as in the official SDK. */
  oaepHash?: OaepHash
  /**
   * PKCS#1 v1.5 decryption is open to Bleichenbacher/Marvin timing attacks (CVE-2023-46809), so a
   * keyring configured with it refuses to decrypt unless the caller sets this.
   */
  allowPkcs1Decrypt?: boolean
}

const OAEP_HASHES: readonly OaepHash[] = ['sha1', 'sha256', 'sha384', 'sha512']

/** The official flag for whether node:crypto honours `oaepHash`: every Node.js this package supports (>= 20.19) does. */
export const oaepHashSupported = true

/** Thrown when a PKCS#1 v1.5 decrypt is attempted without the caller's opt-in. */
export const PKCS1_DISABLED_MESSAGE =
  'RSA PKCS#1 v1.5 decryption is disabled: it is vulnerable to padding-oracle timing attacks (CVE-2023-46809). ' +
  'Pass allowPkcs1Decrypt: true to RawRsaKeyringNode to decrypt legacy messages deliberately.'

export class RawRsaKeyringNode extends KeyringNode {
  readonly keyName: string
  readonly keyNamespace: string
  private readonly publicKey: KeyObject | undefined
  private readonly privateKey: KeyObject | undefined
  private readonly padding: number
  private readonly oaepHash: OaepHash
  private readonly allowPkcs1Decrypt: boolean

  constructor(input: RawRsaKeyringNodeInput) {
    super()
    const {
      keyName,
      keyNamespace,
      rsaKey,
      padding = constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash = 'sha1',
      allowPkcs1Decrypt = false,
    } = input
    needs(
      typeof keyName === 'string' && keyName && typeof keyNamespace === 'string' && keyNamespace,
      'keyName and keyNamespace are required',
    )
    if (isReservedNamespace(keyNamespace))
      throw new InvalidArgumentError('a raw keyring namespace must not start with "aws-kms"')
    needs(rsaKey && (rsaKey.publicKey || rsaKey.privateKey), 'rsaKey needs a publicKey or a privateKey')
    needs(
      padding === constants.RSA_PKCS1_OAEP_PADDING || padding === constants.RSA_PKCS1_PADDING,
      'padding must be RSA_PKCS1_OAEP_PADDING or RSA_PKCS1_PADDING',
    )
    needs(OAEP_HASHES.includes(oaepHash), `oaepHash must be one of ${OAEP_HASHES.join(', ')}`)
    this.keyName = keyName
    this.keyNamespace = keyNamespace
    this.privateKey = rsaKey.privateKey ? toKey(rsaKey.privateKey, 'private') : undefined
    this.publicKey = rsaKey.publicKey
      ? toKey(rsaKey.publicKey, 'public')
      : this.privateKey
        ? createPublicKey(this.privateKey)
        : undefined
    this.padding = padding
    this.oaepHash = oaepHash
    this.allowPkcs1Decrypt = allowPkcs1Decrypt
    Object.freeze(this)
  }

  protected async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    if (!this.publicKey)
      throw new KeyringError(`raw RSA keyring ${this.keyNamespace}/${this.keyName} has no public key to encrypt with`)
    ensureDataKey(material)
    const wrapped = publicEncrypt(this.keyOptions(this.publicKey), material.getUnencryptedDataKey())
    return material.addEncryptedDataKey(
      new EncryptedDataKey({ providerId: this.keyNamespace, providerInfo: this.keyName, encryptedDataKey: wrapped }),
    )
  }

  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    const ours = edks.filter((edk) => edk.providerId === this.keyNamespace && edk.providerInfo === this.keyName)
    // A public-only keyring never matches: it cannot decrypt, and that is not an error.
    if (ours.length === 0 || !this.privateKey) return material
    if (this.padding === constants.RSA_PKCS1_PADDING) {
      if (!this.allowPkcs1Decrypt) throw new KeyringError(PKCS1_DISABLED_MESSAGE)
      // Implicit rejection either way: the backend's unwrap when it has one (native, no node flag
      // needed), else node:crypto's where its OpenSSL rejects implicitly (3.2+: Node 22.20+, 24).
      const pkcs1 =
        material.keyringCrypto.rsaPkcs1 ??
        (nodePkcs1Behaviour(this.privateKey) === 'implicit' ? nodeRsaPkcs1 : undefined)
      if (pkcs1) return this.unwrapPkcs1(pkcs1, this.privateKey, material, ours[0] as EncryptedDataKey)
    }
    const errors: unknown[] = []
    for (const edk of ours) {
      let key: Buffer
      try {
        key = cipherToOwnedBuffer(() => [
          privateDecrypt(this.keyOptions(this.privateKey as KeyObject), edk.encryptedDataKey),
        ])
      } catch (e) {
        errors.push(explainNodeRefusal(e))
        continue
      }
      try {
        if (key.length !== material.suite.keyLengthBytes) {
          errors.push(new KeyringError('unwrapped data key has the wrong length'))
          continue
        }
        return material.setUnencryptedDataKey(key)
      } finally {
        key.fill(0)
      }
    }
    throw new KeyringError(`raw RSA keyring ${this.keyNamespace}/${this.keyName} could not unwrap any data key`, errors)
  }

  /**
   * Implicit rejection (see RsaPkcs1Unwrap): the unwrap always yields a key, so the first EDK
   * addressed to this keyring is the one used, and a bad one surfaces as the message's generic
   * authentication failure, never as an error here: an error that told a bad padding apart from
   * a wrong key would be the padding oracle of Bleichenbacher and Marvin (CVE-2023-46809).
   */
  private unwrapPkcs1(
    pkcs1: RsaPkcs1Unwrap,
    privateKey: KeyObject,
    material: NodeDecryptionMaterial,
    edk: EncryptedDataKey,
  ): NodeDecryptionMaterial {
    let key: Buffer
    try {
      key = pkcs1.unwrap(privateKey, edk.encryptedDataKey, material.suite.keyLengthBytes)
    } catch (e) {
      // Never about the EDK's content: the key could not be imported, or was disposed.
      throw new KeyringError(`raw RSA keyring ${this.keyNamespace}/${this.keyName} could not use its private key`, [e])
    }
    try {
      return material.setUnencryptedDataKey(key)
    } finally {
      key.fill(0)
    }
  }

  private keyOptions(key: KeyObject): { key: KeyObject; padding: number; oaepHash?: string } {
    return this.padding === constants.RSA_PKCS1_OAEP_PADDING
      ? { key, padding: this.padding, oaepHash: this.oaepHash }
      : { key, padding: this.padding }
  }
}

function toKey(input: RsaKeyInput, kind: 'public' | 'private'): KeyObject {
  if (input instanceof KeyObject) {
    needs(input.asymmetricKeyType === 'rsa', 'rsaKey must be an RSA key')
    if (kind === 'public' && input.type === 'private') return createPublicKey(input)
    needs(input.type === kind, `rsaKey.${kind}Key must be a ${kind} key`)
    return input
  }
  try {
    const key = kind === 'private' ? createPrivateKey(input) : createPublicKey(input)
    needs(key.asymmetricKeyType === 'rsa', 'rsaKey must be an RSA key')
    return key
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw e
    throw new InvalidArgumentError(`rsaKey.${kind}Key is not a readable ${kind} key: ${(e as Error).message}`)
  }
}

/** Node 20 (OpenSSL 3.0) refuses PKCS#1 v1.5 private decryption at its JS layer; say how to get past that. */
function explainNodeRefusal(e: unknown): unknown {
  if (e instanceof Error && (e as NodeJS.ErrnoException).code === 'ERR_INVALID_ARG_VALUE' && /PKCS1/.test(e.message)) {
    return new KeyringError(
      'this Node.js refuses RSA PKCS#1 v1.5 private decryption on the JS backend; use the native backend or start node with --security-revert=CVE-2023-46809',
      [e],
    )
  }
  return e
}
