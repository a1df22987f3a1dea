// The caching CMM: reuses data keys from a materials cache within per-entry limits, one backing call per cold entry (framework/caching-cmm.md).
import { assertEncryptAllowed } from '../../core/policy'
import { AlgorithmSuite } from '../../core/suites'
import { InvalidArgumentError } from '../../core/errors'
import { isThenable } from '../../core/thenable'
import { DecryptionRequest, EncryptionMaterialsRun, EncryptionRequest, NodeMaterialsManager } from '../keyring'
import type { KeyringCryptoSource } from '../keyring-crypto'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../materials'
import { SigningKeySource } from '../signature-keys'
import {
  CryptographicMaterialsCache,
  DecryptionMaterialEntry,
  EncryptionMaterialEntry,
  EvictionListener,
  EvictionReason,
} from './cache'
import { decryptionCacheId, encryptionCacheId } from './cache-id'
import { cloneDecryptionMaterial, cloneEncryptionMaterial } from './clone-material'
import { CachingMaterialsManagerInput, resolveCachingOptions } from './options'
import { SingleFlight } from './single-flight'
import { BatchPrefetch } from './batch-prefetch'
import { BypassReason, CachingMaterialsManagerStats, CachingStatsRecorder } from './stats'

/** One getEncryptionMaterialsForBatch call: its request, lengths, where its runs go, and the fresh entries asked for ahead. */
interface BatchState {
  readonly id: string | undefined
  readonly request: EncryptionRequest
  readonly lengths: readonly number[]
  /** Records a run (and hands it to the caller's onRun). */
  readonly push: (run: EncryptionMaterialsRun) => void
  prefetch: BatchPrefetch | undefined
}

/**
 * Drop-in for the official `NodeCachingMaterialsManager`, with the same options.
 *
 * - Identity-KDF suites are never cached, and encrypt requests without a plaintext length bypass the
 *   cache (caching-cmm.md#get-encryption-materials, change 2020-07-13), as do plaintexts larger than
 *   maxBytesEncrypted.
 * - An entry serves a request only if it is younger than maxAge and this message keeps it within
 *   maxMessagesEncrypted and maxBytesEncrypted; otherwise it is evicted and the backing CMM is asked.
 * - The requested suite is part of the cache identifier, and a hit is also checked against the
 *   request (suite, commitment policy) before it is returned: the suite written is the suite asked for.
 * - Signed suites: the cached encryption materials hold the signing key, so every message encrypted
 *   from one entry is signed by the same key pair and carries the same `aws-crypto-public-key`, as
 *   with the official caching CMM.
 * - Beyond the official one: concurrent misses for one entry share a single backing call, and
 *   `getStats()` reports hits, misses, bypasses and evictions by reason.
 * - The cache owns its entries' data keys and wipes them on eviction; callers always get copies.
 */
export class NodeCachingMaterialsManager implements NodeMaterialsManager {
  readonly backingMaterialsManager: NodeMaterialsManager
  readonly cache: CryptographicMaterialsCache
  readonly partition: string
  readonly maxAge: number
  readonly maxBytesEncrypted: number
  readonly maxMessagesEncrypted: number
  private readonly now: () => number
  private readonly stats = new CachingStatsRecorder()
  private readonly encryptFlights = new SingleFlight<NodeEncryptionMaterial>()
  private readonly decryptFlights = new SingleFlight<NodeDecryptionMaterial>()
  private readonly onEvict: EvictionListener

  constructor(input: CachingMaterialsManagerInput) {
    const settings = resolveCachingOptions(input)
    this.backingMaterialsManager = settings.backing
    this.cache = settings.cache
    this.partition = settings.partition
    this.maxAge = settings.maxAge
    this.maxBytesEncrypted = settings.maxBytesEncrypted
    this.maxMessagesEncrypted = settings.maxMessagesEncrypted
    this.now = settings.now
    const stats = this.stats
    this.onEvict = (reason) => stats.evicted(reason)
    Object.freeze(this)
  }

  /** A snapshot of this manager's counters. */
  getStats(): CachingMaterialsManagerStats {
    return this.stats.snapshot()
  }

  async getEncryptionMaterials(request: EncryptionRequest): Promise<NodeEncryptionMaterial> {
    const plan = this.encryptPlan(request)
    if (typeof plan === 'string') {
      this.stats.bypass('encrypt', plan)
      // Bypasses forward the caller's request untouched: nothing from it is kept.
      return this.backingMaterialsManager.getEncryptionMaterials(request)
    }
    const plaintextLength = plan.plaintextLength
    const id = encryptionCacheId(this.partition, request.suite, request.encryptionContext)
    let waited = false
    for (;;) {
      const hit = this.takeEncryption(id, request, plaintextLength)
      if (hit) {
        if (waited) this.stats.coalesced('encrypt')
        else this.stats.hit('encrypt')
        return hit
      }
      const flight = this.encryptFlights.get(id)
      if (!flight) {
        this.stats.miss('encrypt')
        return this.encryptFlights.run(id, () => this.fillEncryption(id, request, plaintextLength))
      }
      // Someone is already fetching this entry: wait for it, then try the entry it stored. If its
      // entry cannot serve us (limits), the loop starts the next flight.
      waited = true
      try {
        await flight
      } catch (e) {
        this.stats.coalesced('encrypt')
        throw e
      }
    }
  }

  async decryptMaterials(request: DecryptionRequest): Promise<NodeDecryptionMaterial> {
    // caching-cmm.md#decrypt-materials: identity-KDF suites go straight to the backing CMM.
    if (isIdentityKdf(request.suite)) {
      this.stats.bypass('decrypt', 'identityKdf')
      return this.backingMaterialsManager.decryptMaterials(request)
    }
    const id = decryptionCacheId(
      this.partition,
      request.suite,
      request.encryptedDataKeys,
      request.encryptionContext,
      request.reproducedEncryptionContext,
    )
    let waited = false
    for (;;) {
      const hit = this.takeDecryption(id, request)
      if (hit) {
        if (waited) this.stats.coalesced('decrypt')
        else this.stats.hit('decrypt')
        return hit
      }
      const flight = this.decryptFlights.get(id)
      if (!flight) {
        this.stats.miss('decrypt')
        return this.decryptFlights.run(id, () => this.fillDecryption(id, request))
      }
      waited = true
      try {
        await flight
      } catch (e) {
        this.stats.coalesced('decrypt')
        throw e
      }
    }
  }

  /**
   * Extension: getEncryptionMaterials without a promise. A hit is answered here; so is a miss when
   * the backing CMM answers synchronously (a default CMM over a raw keyring). undefined, with
   * nothing counted, when the async path must run: a backing CMM that needs I/O, or another
   * request's backing call already in flight for this entry (the async path waits for it).
   */
  getEncryptionMaterialsSync(request: EncryptionRequest): NodeEncryptionMaterial | undefined {
    const plan = this.encryptPlan(request)
    const backing = this.backingMaterialsManager
    if (typeof plan === 'string') {
      if (typeof backing.getEncryptionMaterialsSync !== 'function') return undefined
      const material = backing.getEncryptionMaterialsSync(request)
      if (material) this.stats.bypass('encrypt', plan)
      return material
    }
    const id = encryptionCacheId(this.partition, request.suite, request.encryptionContext)
    const hit = this.takeEncryption(id, request, plan.plaintextLength)
    if (hit) {
      this.stats.hit('encrypt')
      return hit
    }
    if (this.encryptFlights.get(id) || typeof backing.getEncryptionMaterialsSync !== 'function') return undefined
    let material: NodeEncryptionMaterial | undefined
    try {
      material = backing.getEncryptionMaterialsSync(this.backingEncryptionRequest(request))
    } catch (e) {
      this.stats.miss('encrypt')
      throw e
    }
    if (!material) return undefined
    this.stats.miss('encrypt')
    return this.storeEncryption(id, request, material, plan.plaintextLength)
  }

  /** Extension: decryptMaterials without a promise, on the terms of getEncryptionMaterialsSync. */
  decryptMaterialsSync(request: DecryptionRequest): NodeDecryptionMaterial | undefined {
    const backing = this.backingMaterialsManager
    if (isIdentityKdf(request.suite)) {
      if (typeof backing.decryptMaterialsSync !== 'function') return undefined
      const material = backing.decryptMaterialsSync(request)
      if (material) this.stats.bypass('decrypt', 'identityKdf')
      return material
    }
    const id = decryptionCacheId(
      this.partition,
      request.suite,
      request.encryptedDataKeys,
      request.encryptionContext,
      request.reproducedEncryptionContext,
    )
    const hit = this.takeDecryption(id, request)
    if (hit) {
      this.stats.hit('decrypt')
      return hit
    }
    if (this.decryptFlights.get(id) || typeof backing.decryptMaterialsSync !== 'function') return undefined
    let material: NodeDecryptionMaterial | undefined
    try {
      material = backing.decryptMaterialsSync(request)
    } catch (e) {
      this.stats.miss('decrypt')
      throw e
    }
    if (!material) return undefined
    this.stats.miss('decrypt')
    return this.storeDecryption(id, request, material)
  }

  /**
   * Extension (batch API): materials for many messages of one request, exactly as one-by-one
   * requests would get them. Each message takes the entry as a single request does (one counted
   * get), so a batch's messages are reserved on the entry in one synchronous stretch that nothing
   * else can interleave with; where a limit runs out the entry is evicted and the next message
   * makes the fresh one (one backing call) for those after it. Bypassed messages (identity-KDF
   * suites, a plaintext over the byte limit) get their own backing call each. A failed backing call
   * fails the messages its materials would have served. Synchronous unless a backing call needs I/O.
   *
   * When the backing CMM needs I/O (a KMS keyring), the fresh entries the rest of the batch will
   * take are asked for together (BatchPrefetch, a few at once) rather than each after the previous
   * one landed. Each answer is still stored, counted as a miss and shared exactly when the
   * one-after-another batch would have asked for it: the next one is registered as the entry's
   * flight in the same synchronous stretch that evicts the spent entry, so a concurrent request
   * waits for it as it would for that batch's own call. Only the waiting overlaps.
   */
  getEncryptionMaterialsForBatch(
    request: EncryptionRequest,
    plaintextLengths: readonly number[],
    onRun?: (run: EncryptionMaterialsRun) => void,
  ): EncryptionMaterialsRun[] | Promise<EncryptionMaterialsRun[]> {
    for (const length of plaintextLengths) {
      if (!Number.isSafeInteger(length) || length < 0)
        throw new InvalidArgumentError('plaintext lengths must be non-negative integers')
    }
    const id =
      request.suite && isIdentityKdf(request.suite)
        ? undefined
        : encryptionCacheId(this.partition, request.suite, request.encryptionContext)
    const runs: EncryptionMaterialsRun[] = []
    const batch: BatchState = {
      id,
      request,
      lengths: plaintextLengths,
      push: (run) => {
        runs.push(run)
        onRun?.(run)
      },
      prefetch: undefined,
    }
    const from = (start: number): EncryptionMaterialsRun[] | Promise<EncryptionMaterialsRun[]> => {
      for (let i = start; i < plaintextLengths.length;) {
        const next = this.batchStep(batch, i)
        if (typeof next !== 'number') return next.then(from)
        i = next
      }
      return runs
    }
    let answer: EncryptionMaterialsRun[] | Promise<EncryptionMaterialsRun[]>
    try {
      answer = from(0)
    } catch (e) {
      batch.prefetch?.discard()
      throw e
    }
    if (!isThenable(answer)) {
      batch.prefetch?.discard()
      return answer
    }
    return Promise.resolve(answer).finally(() => batch.prefetch?.discard())
  }

  /** Serves message `i` and the following ones its materials also cover; the index of the next message, or a promise of it. */
  private batchStep(batch: BatchState, i: number): number | Promise<number> {
    const { id, request, lengths, push } = batch
    const length = lengths[i] as number
    const backing = this.backingMaterialsManager
    if (id === undefined || length > this.maxBytesEncrypted) {
      this.stats.bypass('encrypt', id === undefined ? 'identityKdf' : 'overByteLimit')
      const single = { ...request, plaintextLength: length }
      return settle(
        () => backing.getEncryptionMaterialsSync?.(single) ?? backing.getEncryptionMaterials(single),
        (material) => (push({ count: 1, material }), i + 1),
        (error) => (push({ count: 1, error }), i + 1),
      )
    }
    const entry = this.cache.getEncryptionMaterial(id, length)
    if (entry) {
      const problem = this.encryptionEntryProblem(entry, request)
      if (!problem) {
        this.stats.hit('encrypt')
        // Copied before extending: the get that finds the entry spent evicts it, and wipes its key.
        const material = cloneEncryptionMaterial(entry.response)
        const run = this.extendRun(id, lengths, i + 1, entry.response)
        push({ count: 1 + run.count, material })
        return run.spent ? this.nextFresh(batch, i + 1 + run.count) : i + 1 + run.count
      }
      this.cache.del(id, problem)
    }
    const flight = this.encryptFlights.get(id)
    // Another request is making this entry: take it once it has landed.
    if (flight)
      return flight.then(
        () => i,
        () => i,
      )
    const planned = batch.prefetch?.take()
    if (planned) {
      this.stats.miss('encrypt')
      return this.landFresh(
        batch,
        i,
        this.encryptFlights.run(id, () => planned),
      )
    }
    this.stats.miss('encrypt')
    const backingRequest = this.backingEncryptionRequest(request)
    let material: NodeEncryptionMaterial | undefined
    try {
      material = backing.getEncryptionMaterialsSync?.(backingRequest)
    } catch (e) {
      return this.failedFresh(batch, i, e)
    }
    if (material) return this.storedFresh(batch, i, material)
    // The backing CMM needs I/O: ask now for every fresh entry the rest of the batch will take.
    batch.prefetch = new BatchPrefetch(this.freshEntriesNeeded(lengths, i), () =>
      backing.getEncryptionMaterials(backingRequest),
    )
    const first = batch.prefetch.take() as Promise<NodeEncryptionMaterial>
    return this.landFresh(
      batch,
      i,
      this.encryptFlights.run(id, () => first),
    )
  }

  /** Fresh materials for message `i` on: stored by this continuation, which runs before any request waiting on the flight looks again. */
  private landFresh(batch: BatchState, i: number, flight: Promise<NodeEncryptionMaterial>): Promise<number> {
    return flight.then(
      (material) => this.storedFresh(batch, i, material),
      (error: unknown) => this.failedFresh(batch, i, error),
    )
  }

  private storedFresh(batch: BatchState, i: number, material: NodeEncryptionMaterial): number | Promise<number> {
    const id = batch.id as string
    const copy = this.storeEncryption(id, batch.request, material, batch.lengths[i] as number)
    // Not stored (it does not fit the request): it serves this one message, for the session to judge.
    if (copy === material) {
      batch.push({ count: 1, material: copy })
      return this.nextFresh(batch, i + 1)
    }
    const run = this.extendRun(id, batch.lengths, i + 1, material)
    batch.push({ count: 1 + run.count, material: copy })
    return run.spent ? this.nextFresh(batch, i + 1 + run.count) : i + 1 + run.count
  }

  private failedFresh(batch: BatchState, i: number, error: unknown): number | Promise<number> {
    const count = this.fittingFresh(batch.lengths, i)
    batch.push({ count, error })
    return this.nextFresh(batch, i + count)
  }

  /**
   * Message `n` needs a fresh entry (the one before was spent, not stored, or failed): when an
   * answer is already asked for, it becomes the entry's flight now, in the same synchronous stretch,
   * so no other request can start its own backing call in between. Otherwise the next step decides.
   */
  private nextFresh(batch: BatchState, n: number): number | Promise<number> {
    const id = batch.id as string
    const length = batch.lengths[n]
    if (length === undefined || length > this.maxBytesEncrypted || this.encryptFlights.get(id)) return n
    const planned = batch.prefetch?.take()
    if (!planned) return n
    this.stats.miss('encrypt')
    return this.landFresh(
      batch,
      n,
      this.encryptFlights.run(id, () => planned),
    )
  }

  /**
   * Takes the entry holding `source` for the messages from `from` on while it stays within its
   * limits, one counted get each; the count taken, and whether the entry is spent (evicted by the
   * get that found a limit exceeded, or gone): then the next message needs a fresh one.
   */
  private extendRun(
    id: string,
    lengths: readonly number[],
    from: number,
    source: NodeEncryptionMaterial,
  ): { count: number; spent: boolean } {
    let count = 0
    let spent = false
    for (let j = from; j < lengths.length; j++) {
      const length = lengths[j] as number
      if (length > this.maxBytesEncrypted) break
      const entry = this.cache.getEncryptionMaterial(id, length)
      // Gone, or replaced by another manager sharing cache and partition: the next step takes it afresh.
      if (!entry || entry.response !== source) {
        spent = !entry
        break
      }
      const problem =
        this.now() - entry.now >= this.maxAge
          ? 'expired'
          : entry.messagesEncrypted > this.maxMessagesEncrypted
            ? 'messageLimit'
            : entry.bytesEncrypted > this.maxBytesEncrypted
              ? 'byteLimit'
              : undefined
      if (problem) {
        this.cache.del(id, problem)
        spent = true
        break
      }
      count++
    }
    for (let k = 0; k < count; k++) this.stats.hit('encrypt')
    return { count, spent }
  }

  /** How many fresh entries the messages from `from` on take, one after another, up to the first that bypasses the cache. */
  private freshEntriesNeeded(lengths: readonly number[], from: number): number {
    let entries = 0
    for (let i = from; i < lengths.length && (lengths[i] as number) <= this.maxBytesEncrypted; entries++)
      i += this.fittingFresh(lengths, i)
    return entries
  }

  /** How many messages from `from` on a fresh entry would have served (its limits from zero): those a failed backing call fails. */
  private fittingFresh(lengths: readonly number[], from: number): number {
    let bytes = 0
    let count = 0
    for (let j = from; j < lengths.length && count < this.maxMessagesEncrypted; j++) {
      const length = lengths[j] as number
      if (length > this.maxBytesEncrypted || bytes + length > this.maxBytesEncrypted) break
      bytes += length
      count++
    }
    return Math.max(1, count)
  }

  /** Either why the request bypasses the cache, or the plaintext length it will be counted for. */
  private encryptPlan(request: EncryptionRequest): BypassReason | { plaintextLength: number } {
    // caching-cmm.md#get-encryption-materials: identity-KDF suites are never looked up nor stored.
    if (request.suite && isIdentityKdf(request.suite)) return 'identityKdf'
    const { plaintextLength } = request
    // Change 2020-07-13 (caching CMM max plaintext length): without one the byte limit cannot be kept.
    if (typeof plaintextLength !== 'number' || !Number.isSafeInteger(plaintextLength) || plaintextLength < 0)
      return 'noPlaintextLength'
    // No entry may ever encrypt more than maxBytesEncrypted, so this one message could never be served.
    if (plaintextLength > this.maxBytesEncrypted) return 'overByteLimit'
    return { plaintextLength }
  }

  /** A copy of a usable cached entry, or undefined after evicting an unusable one. */
  private takeEncryption(
    id: string,
    request: EncryptionRequest,
    plaintextLength: number,
  ): NodeEncryptionMaterial | undefined {
    // The cache adds this message and its bytes to the entry's usage as it returns it (#usage-stats).
    const entry = this.cache.getEncryptionMaterial(id, plaintextLength)
    if (!entry) return undefined
    const problem = this.encryptionEntryProblem(entry, request)
    if (problem) {
      this.cache.del(id, problem)
      return undefined
    }
    return cloneEncryptionMaterial(entry.response)
  }

  private encryptionEntryProblem(
    entry: EncryptionMaterialEntry,
    request: EncryptionRequest,
  ): EvictionReason | undefined {
    // Checked here as well as in the cache: a user-supplied cache may not enforce the TTL.
    if (this.now() - entry.now >= this.maxAge) return 'expired'
    // The usage already includes this message: over a limit means this message must not use the key.
    if (entry.messagesEncrypted > this.maxMessagesEncrypted) return 'messageLimit'
    if (entry.bytesEncrypted > this.maxBytesEncrypted) return 'byteLimit'
    if (!encryptionFits(entry.response, request)) return 'mismatch'
    return undefined
  }

  private async fillEncryption(
    id: string,
    request: EncryptionRequest,
    plaintextLength: number,
  ): Promise<NodeEncryptionMaterial> {
    const material = await this.backingMaterialsManager.getEncryptionMaterials(this.backingEncryptionRequest(request))
    return this.storeEncryption(id, request, material, plaintextLength)
  }

  /**
   * What the backing CMM is asked on a miss. Change 2020-07-13: these materials may protect up to
   * the byte limit, so that is the length it is told, not this one message's. The session's
   * signing-key provider and AES-GCM ride along, as they would to a CMM used directly.
   */
  private backingEncryptionRequest(
    request: EncryptionRequest & SigningKeySource & KeyringCryptoSource,
  ): EncryptionRequest & SigningKeySource & KeyringCryptoSource {
    return {
      suite: request.suite,
      encryptionContext: request.encryptionContext,
      commitmentPolicy: request.commitmentPolicy,
      plaintextLength: this.maxBytesEncrypted,
      signingKeys: request.signingKeys,
      keyringCrypto: request.keyringCrypto,
    }
  }

  /** Stores fresh backing materials (when they may be shared) and returns the caller's copy. */
  private storeEncryption(
    id: string,
    request: EncryptionRequest,
    material: NodeEncryptionMaterial,
    plaintextLength: number,
  ): NodeEncryptionMaterial {
    if (!encryptionFits(material, request)) {
      // Returned as is for the session to judge, never stored for anyone else.
      this.stats.uncacheable()
      return material
    }
    // Copy first: with capacity 0 (or a full shared cache) the put may evict and wipe it at once.
    const copy = cloneEncryptionMaterial(material)
    this.cache.putEncryptionMaterial(id, material, plaintextLength, this.maxAge, this.onEvict)
    return copy
  }

  private takeDecryption(id: string, request: DecryptionRequest): NodeDecryptionMaterial | undefined {
    const entry = this.cache.getDecryptionMaterial(id)
    if (!entry) return undefined
    const problem = this.decryptionEntryProblem(entry, request)
    if (problem) {
      this.cache.del(id, problem)
      return undefined
    }
    return cloneDecryptionMaterial(entry.response)
  }

  private decryptionEntryProblem(
    entry: DecryptionMaterialEntry,
    request: DecryptionRequest,
  ): EvictionReason | undefined {
    if (this.now() - entry.now >= this.maxAge) return 'expired'
    if (!decryptionFits(entry.response, request)) return 'mismatch'
    return undefined
  }

  private async fillDecryption(id: string, request: DecryptionRequest): Promise<NodeDecryptionMaterial> {
    return this.storeDecryption(id, request, await this.backingMaterialsManager.decryptMaterials(request))
  }

  private storeDecryption(
    id: string,
    request: DecryptionRequest,
    material: NodeDecryptionMaterial,
  ): NodeDecryptionMaterial {
    if (!decryptionFits(material, request)) {
      this.stats.uncacheable()
      return material
    }
    const copy = cloneDecryptionMaterial(material)
    this.cache.putDecryptionMaterial(id, material, this.maxAge, this.onEvict)
    return copy
  }
}

/** algorithm-suites.md#identity-kdf: the data key is the encryption key, so it must serve one message only. */
function isIdentityKdf(suite: AlgorithmSuite): boolean {
  return suite.kdf === undefined
}

/**
 * Whether materials may serve (or be stored for) this encrypt request: the suite asked for (or, with
 * none asked, one the policy allows: entries made without a suite are shared by every policy that
 * asks without one), cacheable, and complete.
 */
function encryptionFits(material: NodeEncryptionMaterial, request: EncryptionRequest): boolean {
  if (request.suite && material.suite.id !== request.suite.id) return false
  if (isIdentityKdf(material.suite)) return false
  try {
    assertEncryptAllowed(request.commitmentPolicy, material.suite)
  } catch {
    return false
  }
  if (Boolean(material.suite.signature) !== Boolean(material.signatureKey)) return false
  return material.hasUnencryptedDataKey && material.encryptedDataKeys.length > 0
}

/** Runs `call` (which may answer, throw, or return a promise) and hands the outcome on, synchronously when it can. */
function settle<T, R>(call: () => T | Promise<T>, ok: (value: T) => R, fail: (error: unknown) => R): R | Promise<R> {
  let value: T | Promise<T>
  try {
    value = call()
  } catch (e) {
    return fail(e)
  }
  return isThenable(value) ? Promise.resolve(value).then(ok, fail) : ok(value)
}

function decryptionFits(material: NodeDecryptionMaterial, request: DecryptionRequest): boolean {
  return material.suite.id === request.suite.id && !isIdentityKdf(material.suite) && material.hasUnencryptedDataKey
}
