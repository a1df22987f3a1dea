// The KMS calls and cache hits and misses of one invocation, and of the worker since it started, read from its materials' shared counters.
import type { WorkerMaterials } from './materials'
import type { MetricCounts, WorkerMetrics } from './metrics'

interface Reading {
  readonly kms: number | undefined
  readonly cache: { hits: number; misses: number } | undefined
}

export class MaterialCounters {
  private readonly atStart: Reading

  constructor(
    private readonly materials: WorkerMaterials,
    private readonly direction: 'encrypt' | 'decrypt',
  ) {
    this.atStart = this.read()
  }

  /** The counters now: take one when an invocation starts, and hand it to `record` when it ends. */
  read(): Reading {
    return { kms: this.materials.kmsCalls(), cache: this.materials.cacheCounts(this.direction) }
  }

  /** Writes the invocation's deltas into `counts`, adds `counts` to `metrics`, and sets the worker's totals from the counters. */
  record(before: Reading, counts: MetricCounts, metrics: WorkerMetrics): void {
    const after = this.read()
    if (after.kms !== undefined && before.kms !== undefined) counts.KmsCalls = after.kms - before.kms
    if (after.cache !== undefined && before.cache !== undefined) {
      counts.CacheHits = after.cache.hits - before.cache.hits
      counts.CacheMisses = after.cache.misses - before.cache.misses
    }
    metrics.add(counts)
    // Invocations may overlap (the runner runs shards side by side), so per-invocation deltas of the shared
    // KMS and cache counters can overlap too; the totals are read from the counters themselves.
    if (after.kms !== undefined) metrics.totals.KmsCalls = after.kms - (this.atStart.kms ?? 0)
    if (after.cache !== undefined) {
      metrics.totals.CacheHits = after.cache.hits - (this.atStart.cache?.hits ?? 0)
      metrics.totals.CacheMisses = after.cache.misses - (this.atStart.cache?.misses ?? 0)
    }
  }
}
