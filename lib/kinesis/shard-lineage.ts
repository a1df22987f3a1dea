// Shard order across splits and merges: a child shard may start only when every parent still listed has been read to its end.
import type { Shard } from '@aws-sdk/client-kinesis'

/** The parents of a shard that must be finished first (one for a split, two for a merge). */
export function parentsOf(shard: Shard): string[] {
  return [shard.ParentShardId, shard.AdjacentParentShardId].filter(
    (p): p is string => typeof p === 'string' && p.length > 0,
  )
}

/**
 * Whether `shard` may start. A parent no longer listed has expired out of the stream's retention
 * (nothing left to read), so it does not hold its child back; a listed parent must be done.
 */
export function mayStart(shard: Shard, listed: ReadonlySet<string>, done: ReadonlySet<string>): boolean {
  return parentsOf(shard).every((p) => !listed.has(p) || done.has(p))
}

/** `--shards`: a comma list of shard ids, or `i/n` (shards whose id hashes to i of n; a split's children hash on their own). */
export function shardFilter(spec: string | undefined): (shardId: string) => boolean {
  if (spec === undefined || spec === '') return () => true
  const part = /^(\d+)\/(\d+)$/.exec(spec)
  if (part) {
    const i = Number(part[1])
    const n = Number(part[2])
    if (!(n >= 1 && i < n)) throw new RangeError(`--shards ${spec}: want i/n with 0 <= i < n`)
    return (id) => hash(id) % n === i
  }
  const ids = new Set(
    spec
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  )
  return (id) => ids.has(id)
}

function hash(text: string): number {
  // FNV-1a: stable across processes and runs, which is all the split needs.
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}
