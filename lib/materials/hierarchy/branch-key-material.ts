// Branch key materials (framework/structures.md "Branch Key Materials"): the plaintext branch key, its id, version and custom encryption context.
import { BadStateError, needs } from '../../core/errors'
import { allocSecret } from '../../core/secret-bytes'
import { wipe } from '../../core/wipe'
import { EncryptionContext } from '../../format/encryption-context'

/** The official class's shape: `branchKey()`, `branchKeyIdentifier`, `branchKeyVersion` (UTF-8 bytes of the version string), `encryptionContext`. */
export class NodeBranchKeyMaterial {
  readonly branchKeyIdentifier: string
  /** UTF-8 bytes of the version UUID string, as the official material holds it. */
  readonly branchKeyVersion: Buffer
  /** The custom context the key was created with (the `aws-crypto-ec:` pairs of its record, prefix removed). */
  readonly encryptionContext: EncryptionContext
  private key: Buffer | undefined

  /** Copies `branchKey` (32 bytes) into a buffer of its own; the caller wipes theirs. */
  constructor(
    branchKey: Uint8Array,
    branchKeyIdentifier: string,
    branchKeyVersion: string,
    encryptionContext: EncryptionContext,
  ) {
    needs(branchKey instanceof Uint8Array && branchKey.length === 32, 'a branch key is 32 bytes')
    needs(typeof branchKeyIdentifier === 'string' && branchKeyIdentifier !== '', 'a branch key needs its identifier')
    needs(typeof branchKeyVersion === 'string' && branchKeyVersion !== '', 'a branch key needs its version')
    this.key = allocSecret(32)
    this.key.set(branchKey)
    this.branchKeyIdentifier = branchKeyIdentifier
    this.branchKeyVersion = Buffer.from(branchKeyVersion, 'utf8')
    this.encryptionContext = Object.freeze({ ...encryptionContext })
  }

  /** The version as a string (the UUID of its `branch:version:` record). */
  get versionString(): string {
    return this.branchKeyVersion.toString('utf8')
  }

  /** The plaintext branch key; its owner (a cache or the caller) wipes it with zeroBranchKey. */
  branchKey(): Buffer {
    if (!this.key) throw new BadStateError('the branch key was wiped')
    return this.key
  }

  get hasBranchKey(): boolean {
    return this.key !== undefined
  }

  /** Wipes the branch key: a cache does this when the entry leaves it. */
  zeroBranchKey(): void {
    if (this.key) wipe(this.key)
    this.key = undefined
  }
}
