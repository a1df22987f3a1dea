// Encryption and decryption materials: set-once data keys with a single owner and a single wipe (framework/structures.md).
import { wipe } from '../core/wipe'
import { KeyObject } from 'node:crypto'
import { BadStateError, InvalidArgumentError } from '../core/errors'
import { randomBytes } from '../core/random'
import { AlgorithmSuite } from '../core/suites'
import { EncryptionContext } from '../format/encryption-context'
import { EncryptedDataKey } from '../format/header'
import type { KeyringCrypto } from './keyring-crypto'
import { nodeKeyringCrypto } from './node-keyring-crypto'
import { SigningKey, VerificationKey } from './signature-keys'
import { allocSecret } from '../core/secret-bytes'

export type { SigningKey } from './signature-keys'

/** Kept for call-shape compatibility with the official keyring trace; not interpreted. */
export enum KeyringTraceFlag {
  WRAPPING_KEY_GENERATED_DATA_KEY = 1,
  WRAPPING_KEY_ENCRYPTED_DATA_KEY = 2,
  WRAPPING_KEY_DECRYPTED_DATA_KEY = 4,
  WRAPPING_KEY_SIGNED_ENC_CTX = 8,
  WRAPPING_KEY_VERIFIED_ENC_CTX = 16,
}

const NO_KEYS: readonly string[] = Object.freeze([])

/** What encryption and decryption materials share: suite, context, and the one data key. */
abstract class Material {
  private dataKey: Buffer | undefined
  private zeroed = false
  readonly suite: AlgorithmSuite
  readonly encryptionContext: EncryptionContext
  /** Keys whose pairs are authenticated but not stored in the header (required-encryption-context CMM). */
  readonly requiredEncryptionContextKeys: readonly string[]
  /** The crypto keyrings wrap and unwrap with: the session backend's when the CMM passed it on, else node:crypto's. */
  keyringCrypto: KeyringCrypto = nodeKeyringCrypto

  constructor(
    suite: AlgorithmSuite,
    encryptionContext: EncryptionContext,
    requiredEncryptionContextKeys: readonly string[] = NO_KEYS,
  ) {
    this.suite = suite
    // A frozen plain object (what normalizeContext and contextFromEntries make) cannot change under
    // us, so it is shared rather than copied on every message.
    this.encryptionContext =
      Object.isFrozen(encryptionContext) && Object.getPrototypeOf(encryptionContext) === Object.prototype
        ? encryptionContext
        : Object.freeze({ ...encryptionContext })
    this.requiredEncryptionContextKeys =
      requiredEncryptionContextKeys.length === 0 ? NO_KEYS : Object.freeze([...requiredEncryptionContextKeys])
  }

  get hasUnencryptedDataKey(): boolean {
    return this.dataKey !== undefined
  }

  /** Copies the key into a buffer this material owns (never a pooled slab), so the wipe is ours. */
  setUnencryptedDataKey(key: Uint8Array, _trace?: unknown): this {
    if (this.dataKey || this.zeroed) throw new BadStateError('the data key is already set')
    if (!(key instanceof Uint8Array) || key.length !== this.suite.keyLengthBytes) {
      throw new InvalidArgumentError(
        `data key must be ${this.suite.keyLengthBytes} bytes for suite 0x${this.suite.id.toString(16)}`,
      )
    }
    // Unpooled and off the V8 heap (see allocSecret), and fully overwritten at once.
    const owned = allocSecret(key.length)
    owned.set(key)
    this.dataKey = owned
    return this
  }

  /**
   * Extension: takes `key` itself as the data key, without a copy, for a keyring that has just
   * unwrapped it into an unpooled buffer nobody else holds. From here this material owns and
   * wipes it; if it is refused, it is wiped at once.
   */
  adoptUnencryptedDataKey(key: Buffer): this {
    try {
      if (this.dataKey || this.zeroed) throw new BadStateError('the data key is already set')
      if (!(key instanceof Uint8Array) || key.length !== this.suite.keyLengthBytes) {
        throw new InvalidArgumentError(
          `data key must be ${this.suite.keyLengthBytes} bytes for suite 0x${this.suite.id.toString(16)}`,
        )
      }
    } catch (e) {
      if (key instanceof Uint8Array) wipe(key)
      throw e
    }
    this.dataKey = key
    return this
  }

  /** A fresh random data key drawn straight into a buffer this material owns: no copy to wipe. */
  generateUnencryptedDataKey(): this {
    if (this.dataKey || this.zeroed) throw new BadStateError('the data key is already set')
    this.dataKey = randomBytes(this.suite.keyLengthBytes)
    return this
  }

  getUnencryptedDataKey(): Buffer {
    if (!this.dataKey) throw new BadStateError(this.zeroed ? 'the data key was wiped' : 'the data key is not set')
    return this.dataKey
  }

  zeroUnencryptedDataKey(): this {
    if (this.dataKey) wipe(this.dataKey)
    this.dataKey = undefined
    this.zeroed = true
    return this
  }
}

export class NodeEncryptionMaterial extends Material {
  readonly encryptedDataKeys: EncryptedDataKey[] = []
  signatureKey: SigningKey | undefined

  addEncryptedDataKey(edk: EncryptedDataKey, _flags?: unknown): this {
    if (!(edk instanceof EncryptedDataKey)) throw new InvalidArgumentError('not an EncryptedDataKey')
    this.encryptedDataKeys.push(edk)
    return this
  }

  setSignatureKey(key: SigningKey): this {
    if (this.signatureKey) throw new BadStateError('the signature key is already set')
    this.signatureKey = key
    return this
  }
}

export class NodeDecryptionMaterial extends Material {
  private verification: VerificationKey | undefined

  /** The verification key as a node:crypto KeyObject (made on first use when it was set as a point). */
  get verificationKey(): KeyObject | undefined {
    return this.verification?.keyObject
  }

  /** The verification key in whichever form was set; backends take the form they verify with. */
  get verificationKeyForms(): VerificationKey | undefined {
    return this.verification
  }

  setVerificationKey(key: KeyObject | VerificationKey): this {
    if (this.verification) throw new BadStateError('the verification key is already set')
    if (key instanceof VerificationKey) {
      this.verification = key
    } else {
      const spec = this.suite.signature
      if (!spec) throw new BadStateError('an unsigned suite takes no verification key')
      this.verification = VerificationKey.fromKeyObject(spec, key)
    }
    return this
  }
}

/** Gives a material a fresh random data key if it has none. */
export function ensureDataKey(material: NodeEncryptionMaterial): void {
  if (!material.hasUnencryptedDataKey) material.generateUnencryptedDataKey()
}
