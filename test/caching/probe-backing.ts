// A backing CMM for caching tests: the default CMM over a raw AES keyring that answers synchronously or only
// asynchronously, can delay, fail or bend its answers, and records every request and answer.
import { setTimeout as sleep } from 'node:timers/promises'
import { NodeDefaultCryptographicMaterialsManager } from '../../lib/materials/default-cmm'
import { DecryptionRequest, EncryptionRequest, NodeMaterialsManager } from '../../lib/materials/keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { rawAesKeyring } from './helpers'

export type EncryptBend = (m: NodeEncryptionMaterial) => NodeEncryptionMaterial
export type DecryptBend = (m: NodeDecryptionMaterial) => NodeDecryptionMaterial

export interface ProbeOptions {
  /** Whether the *Sync methods answer (a raw keyring) or return undefined (a KMS keyring). Default true. */
  readonly answersSync?: boolean
  readonly bendEncrypt?: EncryptBend
  readonly bendDecrypt?: DecryptBend
  /** Milliseconds each asynchronous answer waits. */
  readonly delayMs?: number
}

export class ProbeBacking implements NodeMaterialsManager {
  readonly inner = new NodeDefaultCryptographicMaterialsManager(rawAesKeyring())
  /** Every answer given, in order (encrypt and decrypt). */
  readonly given: unknown[] = []
  /** The plaintext length of every encrypt request. */
  readonly lengths: (number | undefined)[] = []
  calls = 0
  /** The next this-many calls fail with `failure` (thrown by a *Sync method, rejected by the others). */
  failNext = 0
  readonly failure = new Error('the backing CMM failed')

  constructor(private readonly options: ProbeOptions = {}) {}

  async getEncryptionMaterials(request: EncryptionRequest): Promise<NodeEncryptionMaterial> {
    this.enter(request)
    if (this.options.delayMs) await sleep(this.options.delayMs)
    this.mayFail()
    return this.give(this.bendEncrypt(await this.inner.getEncryptionMaterials(request)))
  }

  getEncryptionMaterialsSync(request: EncryptionRequest): NodeEncryptionMaterial | undefined {
    if (this.options.answersSync === false) return undefined
    this.enter(request)
    this.mayFail()
    const m = this.inner.getEncryptionMaterialsSync(request)
    if (!m) throw new Error('the default CMM over a raw AES keyring did not answer synchronously')
    return this.give(this.bendEncrypt(m))
  }

  async decryptMaterials(request: DecryptionRequest): Promise<NodeDecryptionMaterial> {
    this.calls++
    if (this.options.delayMs) await sleep(this.options.delayMs)
    this.mayFail()
    return this.give(this.bendDecrypt(await this.inner.decryptMaterials(request)))
  }

  decryptMaterialsSync(request: DecryptionRequest): NodeDecryptionMaterial | undefined {
    if (this.options.answersSync === false) return undefined
    this.calls++
    this.mayFail()
    const m = this.inner.decryptMaterialsSync(request)
    if (!m) throw new Error('the default CMM over a raw AES keyring did not decrypt synchronously')
    return this.give(this.bendDecrypt(m))
  }

  private bendEncrypt(m: NodeEncryptionMaterial): NodeEncryptionMaterial {
    return this.options.bendEncrypt ? this.options.bendEncrypt(m) : m
  }

  private bendDecrypt(m: NodeDecryptionMaterial): NodeDecryptionMaterial {
    return this.options.bendDecrypt ? this.options.bendDecrypt(m) : m
  }

  private enter(request: EncryptionRequest): void {
    this.calls++
    this.lengths.push(request.plaintextLength)
  }

  private mayFail(): void {
    if (this.failNext > 0) {
      this.failNext--
      throw this.failure
    }
  }

  private give<T>(m: T): T {
    this.given.push(m)
    return m
  }
}

/** `backing` seen through a CMM with no *Sync methods at all (a user-written CMM), as the caching CMM must handle. */
export function withoutSyncMethods(backing: NodeMaterialsManager): NodeMaterialsManager {
  return {
    getEncryptionMaterials: (r) => backing.getEncryptionMaterials(r),
    decryptMaterials: (r) => backing.decryptMaterials(r),
  }
}
