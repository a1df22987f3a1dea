// Counters of a caching CMM: what was served from the cache, what went to the backing CMM, and why.
import { EVICTION_REASONS, EvictionReason } from './cache'

/** Why a request went straight to the backing CMM without looking at the cache. */
export type BypassReason =
  /** caching-cmm.md: identity-KDF suites (0x0014/0x0046/0x0078) are never cached. */
  | 'identityKdf'
  /** caching-cmm.md (change 2020-07-13): an encrypt request without a plaintext length is not cached. */
  | 'noPlaintextLength'
  /** The plaintext alone is larger than maxBytesEncrypted, so no entry could ever serve it. */
  | 'overByteLimit'

export const BYPASS_REASONS: readonly BypassReason[] = Object.freeze([
  'identityKdf',
  'noPlaintextLength',
  'overByteLimit',
])

export interface OperationStats {
  /** hits + coalesced + misses + bypasses. */
  readonly requests: number
  /** Served from an entry that was already in the cache. */
  readonly hits: number
  /** Waited for another request's backing call for the same entry, then were served from its result. */
  readonly coalesced: number
  /** Found no usable entry and called the backing CMM. */
  readonly misses: number
  /** Did not use the cache at all (see `bypasses` by reason). */
  readonly bypasses: number
  /** Calls made to the backing CMM: misses + bypasses. */
  readonly backingCalls: number
}

export interface CachingMaterialsManagerStats extends Omit<OperationStats, 'bypasses'> {
  readonly bypasses: Readonly<Record<BypassReason, number>>
  /** Entries this manager put that later left the cache, by reason. */
  readonly evictions: Readonly<Record<EvictionReason, number>>
  /** Backing results that were returned but not stored (a different suite than asked, an identity-KDF suite, ...). */
  readonly uncacheable: number
  readonly encrypt: OperationStats
  readonly decrypt: OperationStats
}

export type Operation = 'encrypt' | 'decrypt'

interface Counts {
  hits: number
  coalesced: number
  misses: number
  bypasses: number
}

export class CachingStatsRecorder {
  private readonly ops: Record<Operation, Counts> = { encrypt: zero(), decrypt: zero() }
  private readonly bypassReasons = countsFor(BYPASS_REASONS)
  private readonly evictionReasons = countsFor(EVICTION_REASONS)
  private uncacheableCount = 0

  hit(op: Operation): void {
    this.ops[op].hits += 1
  }

  coalesced(op: Operation): void {
    this.ops[op].coalesced += 1
  }

  miss(op: Operation): void {
    this.ops[op].misses += 1
  }

  bypass(op: Operation, reason: BypassReason): void {
    this.ops[op].bypasses += 1
    this.bypassReasons[reason] += 1
  }

  uncacheable(): void {
    this.uncacheableCount += 1
  }

  evicted(reason: EvictionReason): void {
    this.evictionReasons[reason] += 1
  }

  snapshot(): CachingMaterialsManagerStats {
    const encrypt = operationStats(this.ops.encrypt)
    const decrypt = operationStats(this.ops.decrypt)
    return Object.freeze({
      requests: encrypt.requests + decrypt.requests,
      hits: encrypt.hits + decrypt.hits,
      coalesced: encrypt.coalesced + decrypt.coalesced,
      misses: encrypt.misses + decrypt.misses,
      backingCalls: encrypt.backingCalls + decrypt.backingCalls,
      bypasses: Object.freeze({ ...this.bypassReasons }),
      evictions: Object.freeze({ ...this.evictionReasons }),
      uncacheable: this.uncacheableCount,
      encrypt,
      decrypt,
    })
  }
}

function operationStats(c: Counts): OperationStats {
  return Object.freeze({
    requests: c.hits + c.coalesced + c.misses + c.bypasses,
    hits: c.hits,
    coalesced: c.coalesced,
    misses: c.misses,
    bypasses: c.bypasses,
    backingCalls: c.misses + c.bypasses,
  })
}

function zero(): Counts {
  return { hits: 0, coalesced: 0, misses: 0, bypasses: 0 }
}

function countsFor<K extends string>(keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>
  for (const k of keys) out[k] = 0
  return out
}
