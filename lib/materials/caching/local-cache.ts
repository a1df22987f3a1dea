// The local cryptographic materials cache: in-memory LRU with TTLs that owns and wipes its entries' data keys (framework/local-cryptographic-materials-cache.md).
import { InvalidArgumentError, needs } from '../../core/errors'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../materials'
import { NodeBranchKeyMaterial } from '../hierarchy/branch-key-material'
import {
  BranchKeyMaterialEntry,
  BranchKeyMaterialsCache,
  CryptographicMaterialsCache,
  DecryptionMaterialEntry,
  EVICTION_REASONS,
  EncryptionMaterialEntry,
  EvictionListener,
  EvictionReason,
} from './cache'

/**
 * local-cryptographic-materials-cache.md#entry-pruning-tail-size: how many least recently used
 * entries every get and put checks for TTL expiry.
 */
export const ENTRY_PRUNING_TAIL_SIZE = 8

/** The official default period of the proactive sweep (one minute). */
export const DEFAULT_PROACTIVE_FREQUENCY = 60_000

const MAX_TIMER_PERIOD = 0x7fffffff

export interface LocalCacheOptions {
  /** Clock in ms (default Date.now); tests inject a fake one to step over TTLs without sleeping. */
  readonly now?: () => number
}

export interface LocalCacheStats {
  readonly capacity: number
  readonly size: number
  readonly evictions: Readonly<Record<EvictionReason, number>>
}

type Slot =
  | {
      readonly kind: 'encrypt'
      readonly entry: EncryptionMaterialEntry
      readonly onEvict: EvictionListener | undefined
    }
  | {
      readonly kind: 'decrypt'
      readonly entry: DecryptionMaterialEntry
      readonly onEvict: EvictionListener | undefined
    }
  | { readonly kind: 'branch'; readonly entry: BranchKeyMaterialEntry; readonly onEvict: undefined }

export class LocalCryptographicMaterialsCache implements CryptographicMaterialsCache, BranchKeyMaterialsCache {
  readonly capacity: number
  readonly proactiveFrequency: number
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly slots = new Map<string, Slot>()
  private readonly clock: () => number
  private readonly evictions = zeroCounts()

  constructor(
    capacity: number,
    proactiveFrequency: number = DEFAULT_PROACTIVE_FREQUENCY,
    options: LocalCacheOptions = {},
  ) {
    // #entry-capacity: zero must be accepted (it caches nothing); the maximum is ours to define.
    needs(
      Number.isSafeInteger(capacity) && capacity >= 0,
      'capacity must be an integer from 0 to Number.MAX_SAFE_INTEGER',
    )
    // Node turns a timer period above 2^31 - 1 ms into 1 ms, which would sweep constantly.
    needs(
      Number.isFinite(proactiveFrequency) && proactiveFrequency > 0 && proactiveFrequency <= MAX_TIMER_PERIOD,
      'proactiveFrequency must be from 1 to 2^31 - 1 milliseconds',
    )
    needs(
      options.now === undefined || typeof options.now === 'function',
      'now must be a function returning milliseconds',
    )
    this.capacity = capacity
    this.proactiveFrequency = proactiveFrequency
    this.clock = options.now ?? Date.now
    startProactivePruning(new WeakRef(this), proactiveFrequency)
  }

  get size(): number {
    return this.slots.size
  }

  putEncryptionMaterial(
    key: string,
    material: NodeEncryptionMaterial,
    plaintextLength: number,
    maxAge: number,
    onEvict?: EvictionListener,
  ): void {
    needs(material instanceof NodeEncryptionMaterial, 'putEncryptionMaterial needs NodeEncryptionMaterial')
    checkLength(plaintextLength)
    const now = this.createdAt(maxAge)
    this.insert(key, {
      kind: 'encrypt',
      entry: {
        response: material,
        now,
        expiresAt: now + maxAge,
        messagesEncrypted: 1,
        bytesEncrypted: plaintextLength,
      },
      onEvict,
    })
  }

  putDecryptionMaterial(
    key: string,
    material: NodeDecryptionMaterial,
    maxAge: number,
    onEvict?: EvictionListener,
  ): void {
    needs(material instanceof NodeDecryptionMaterial, 'putDecryptionMaterial needs NodeDecryptionMaterial')
    const now = this.createdAt(maxAge)
    this.insert(key, {
      kind: 'decrypt',
      entry: { response: material, now, expiresAt: now + maxAge, messagesEncrypted: 0, bytesEncrypted: 0 },
      onEvict,
    })
  }

  getEncryptionMaterial(key: string, plaintextLength: number): EncryptionMaterialEntry | false {
    checkLength(plaintextLength)
    const slot = this.lookup(key)
    if (!slot || slot.kind !== 'encrypt') return false
    // caching-cmm.md#usage-stats: a retrieval counts as one more message of this many bytes.
    slot.entry.messagesEncrypted += 1
    slot.entry.bytesEncrypted += plaintextLength
    return slot.entry
  }

  getDecryptionMaterial(key: string): DecryptionMaterialEntry | false {
    const slot = this.lookup(key)
    return slot && slot.kind === 'decrypt' ? slot.entry : false
  }

  /** Branch key materials for the hierarchical keyring; the entry owns them (their key is wiped on eviction). */
  putBranchKeyMaterial(key: string, material: NodeBranchKeyMaterial, maxAge: number): void {
    needs(material instanceof NodeBranchKeyMaterial, 'putBranchKeyMaterial needs NodeBranchKeyMaterial')
    const now = this.createdAt(maxAge)
    this.insert(key, {
      kind: 'branch',
      entry: { response: material, now, expiresAt: now + maxAge, messagesEncrypted: 0, bytesEncrypted: 0 },
      onEvict: undefined,
    })
  }

  getBranchKeyMaterial(key: string): BranchKeyMaterialEntry | false {
    const slot = this.lookup(key)
    return slot && slot.kind === 'branch' ? slot.entry : false
  }

  del(key: string, reason: EvictionReason = 'deleted'): void {
    this.evict(key, reason)
  }

  /** Wipes and removes every entry. */
  clear(): void {
    for (const key of [...this.slots.keys()]) this.evict(key, 'cleared')
  }

  /**
   * The proactive sweep (#pruning: "SHOULD also periodically evict"). It checks every entry, not only
   * the tail: an expired data key should not stay in memory until it happens to be touched.
   */
  evictExpired(): void {
    const now = this.clock()
    for (const [key, slot] of [...this.slots]) if (now >= slot.entry.expiresAt) this.evict(key, 'expired')
  }

  getStats(): LocalCacheStats {
    return Object.freeze({
      capacity: this.capacity,
      size: this.slots.size,
      evictions: Object.freeze({ ...this.evictions }),
    })
  }

  private createdAt(maxAge: number): number {
    // #put-cache-entry: the user MUST provide a TTL.
    needs(
      typeof maxAge === 'number' && Number.isFinite(maxAge) && maxAge > 0,
      'maxAge must be a positive number of milliseconds',
    )
    return this.clock()
  }

  private insert(key: string, slot: Slot): void {
    this.pruneTail()
    this.evict(key, 'replaced')
    this.slots.set(key, slot)
    // #put-cache-entry: evict least recently used entries until within capacity before returning.
    while (this.slots.size > this.capacity) {
      const oldest = this.slots.keys().next()
      if (oldest.done) break
      this.evict(oldest.value, 'capacity')
    }
  }

  /** #get-cache-entry: prune, never return a TTL-expired entry, and mark the hit most recently used. */
  private lookup(key: string): Slot | undefined {
    this.pruneTail()
    const slot = this.slots.get(key)
    if (!slot) return undefined
    if (this.clock() >= slot.entry.expiresAt) {
      this.evict(key, 'expired')
      return undefined
    }
    this.slots.delete(key)
    this.slots.set(key, slot)
    return slot
  }

  /** #pruning: evict the TTL-expired entries among the N least recently used. */
  private pruneTail(): void {
    const now = this.clock()
    const expired: string[] = []
    let checked = 0
    for (const [key, slot] of this.slots) {
      if (checked++ >= ENTRY_PRUNING_TAIL_SIZE) break
      if (now >= slot.entry.expiresAt) expired.push(key)
    }
    for (const key of expired) this.evict(key, 'expired')
  }

  /** The one exit of an entry: unlink, wipe its data key (the cache owns it), then tell its owner. */
  private evict(key: string, reason: EvictionReason): void {
    const slot = this.slots.get(key)
    if (!slot) return
    this.slots.delete(key)
    if (slot.kind === 'branch') slot.entry.response.zeroBranchKey()
    else slot.entry.response.zeroUnencryptedDataKey()
    this.evictions[reason] += 1
    if (slot.onEvict) {
      try {
        slot.onEvict(reason)
      } catch {
        // A listener is bookkeeping; its failure must not leave the cache half-updated.
      }
    }
  }
}

/**
 * The official factory. `proactiveFrequency` is the sweep period in ms; `options.now` injects a clock.
 */
export function getLocalCryptographicMaterialsCache(
  capacity: number,
  proactiveFrequency: number = DEFAULT_PROACTIVE_FREQUENCY,
  options: LocalCacheOptions = {},
): LocalCryptographicMaterialsCache {
  return new LocalCryptographicMaterialsCache(capacity, proactiveFrequency, options)
}

/**
 * The timer holds the cache only weakly and is unref'd: it neither keeps the process alive (Lambda)
 * nor keeps an abandoned cache, and the keys it holds, reachable forever.
 */
function startProactivePruning(ref: WeakRef<LocalCryptographicMaterialsCache>, period: number): void {
  const timer: NodeJS.Timeout = setInterval(() => {
    const cache = ref.deref()
    if (cache) cache.evictExpired()
    else clearInterval(timer)
  }, period)
  timer.unref()
}

function checkLength(plaintextLength: number): void {
  if (!Number.isSafeInteger(plaintextLength) || plaintextLength < 0) {
    throw new InvalidArgumentError('plaintextLength must be a non-negative integer')
  }
}

function zeroCounts(): Record<EvictionReason, number> {
  const counts = {} as Record<EvictionReason, number>
  for (const reason of EVICTION_REASONS) counts[reason] = 0
  return counts
}
