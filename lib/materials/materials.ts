// Encryption and decryption materials: set-once data keys with a single owner and a single wipe (framework/structures.md).
import { KeyObject } from 'node:crypto'
import { BadStateError, InvalidArgumentError } from '../core/errors'
import { randomBytes } from '../core/random'
import { AlgorithmSuite } from '../core/suites'
import { EncryptionContext } from '../format/encryption-context'
import { EncryptedDataKey } from '../format/header'

/** Kept for call-shape compatibility with the official keyring trace; not interpreted. */
export enum KeyringTraceFlag {
  WRAPPING_KEY_GENERATED_DATA_KEY = 1,
  WRAPPING_KEY_ENCRYPTED_DATA_KEY = 2,
  WRAPPING_KEY_DECRYPTED_DATA_KEY = 4,
  WRAPPING_KEY_SIGNED_ENC_CTX = 8,
  WRAPPING_KEY_VERIFIED_ENC_CTX = 16,
}

/** What encryption and decryption materials share: suite, context, and the one data key. */
abstract class Material {
  private dataKey: Buffer | undefined
  private zeroed = false
  readonly suite: AlgorithmSuite
  readonly encryptionContext: EncryptionContext
  /** Keys whose pairs are authenticated but not stored in the header (required-encryption-context CMM). */
  readonly requiredEncryptionContextKeys: readonly string[]

  constructor(suite: AlgorithmSuite, encryptionContext: EncryptionContext, requiredEncryptionContextKeys: readonly string[] = []) {
    this.suite = suite
    this.encryptionContext = Object.freeze({ ...encryptionContext })
    this.requiredEncryptionContextKeys = Object.freeze([...requiredEncryptionContextKeys])
  }

  get hasUnencryptedDataKey(): boolean {
    return this.dataKey !== undefined
  }

  /** Copies the key into a buffer this material owns (never a pooled slab), so the wipe is ours. */
  setUnencryptedDataKey(key: Uint8Array, _trace?: unknown): this {
    if (this.dataKey || this.zeroed) throw new BadStateError('the data key is already set')
    if (!(key instanceof Uint8Array) || key.length !== this.suite.keyLengthBytes) {
      throw new InvalidArgumentError(`data key must be ${this.suite.keyLengthBytes} bytes for suite 0x${this.suite.id.toString(16)}`)
    }
    const owned = Buffer.alloc(key.length)
    owned.set(key)
    this.dataKey = owned
    return this
  }

  getUnencryptedDataKey(): Buffer {
    if (!this.dataKey) throw new BadStateError(this.zeroed ? 'the data key was wiped' : 'the data key is not set')
    return this.dataKey
  }

  zeroUnencryptedDataKey(): this {
    this.dataKey?.fill(0)
    this.dataKey = undefined
    this.zeroed = true
    return this
  }
}

export interface SigningKey {
  readonly privateKey: KeyObject
  /** SEC1 compressed public point, as written to `aws-crypto-public-key`. */
  readonly publicKeyCompressed: Buffer
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
  verificationKey: KeyObject | undefined

  setVerificationKey(key: KeyObject): this {
    if (this.verificationKey) throw new BadStateError('the verification key is already set')
    this.verificationKey = key
    return this
  }
}

/** Gives a material a fresh random data key if it has none; the temporary copy is wiped. */
export function ensureDataKey(material: NodeEncryptionMaterial): void {
  if (material.hasUnencryptedDataKey) return
  const key = randomBytes(material.suite.keyLengthBytes)
  material.setUnencryptedDataKey(key)
  key.fill(0)
}

/** Runs a node:crypto cipher over a secret into an unpooled buffer, wiping the intermediate. */
export function cipherToOwnedBuffer(run: () => Buffer[]): Buffer {
  const parts = run()
  const out = Buffer.alloc(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    o += p.copy(out, o)
    p.fill(0)
  }
  return out
}
