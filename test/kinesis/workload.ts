// A reproducible workload for the worker's end-to-end runs: user records of 1 B to 900 KiB over several partition keys, some packed in KPL aggregates, and the check of what came out.
import { createHash } from 'node:crypto'
import { mulberry32 } from '../../lib/testing/prng'

interface AggCommon {
  readonly magic: Buffer
  loadBuilder(): { fromObject(o: object): unknown; encode(m: unknown): { finish(): Uint8Array } }
}
const common = require('aws-kinesis-agg/lib/common') as AggCommon

export interface UserPlain {
  readonly partitionKey: string
  readonly data: Buffer
}

export interface Workload {
  /** What the producer writes to the source stream (aggregates count once). */
  readonly kinesisRecords: { data: Buffer; partitionKey: string }[]
  /** Every user record, in production order. */
  readonly users: UserPlain[]
}

/** A KPL aggregate of the given user records (aws-kinesis-agg's protobuf model, its magic, the MD5). */
export function kplAggregate(
  records: readonly { partitionKey: string; data: Buffer; explicitHashKey?: string }[],
): Buffer {
  const T = common.loadBuilder()
  const keys = [...new Set(records.map((r) => r.partitionKey))]
  const hashKeys = [...new Set(records.flatMap((r) => (r.explicitHashKey === undefined ? [] : [r.explicitHashKey])))]
  const body = T.encode(
    T.fromObject({
      partition_key_table: keys,
      explicit_hash_key_table: hashKeys,
      records: records.map((r) => ({
        partition_key_index: keys.indexOf(r.partitionKey),
        ...(r.explicitHashKey === undefined ? {} : { explicit_hash_key_index: hashKeys.indexOf(r.explicitHashKey) }),
        data: r.data,
      })),
    }),
  ).finish()
  return Buffer.concat([common.magic, body, createHash('md5').update(body).digest()])
}

/** Records with an id are `#<id>:` then filler, so order and duplicates can be told; 1-byte records are just 'x'. */
export function idOf(data: Buffer): number | undefined {
  if (data.length < 9 || data[0] !== 0x23) return undefined
  const end = data.indexOf(0x3a)
  return end > 1 ? Number(data.subarray(1, end).toString('latin1')) : undefined
}

/**
 * `count` user records over `keys` partition keys: every 50th is 1 byte, every 997th 900 KiB,
 * the rest 16 B to 2 KiB. Every 10th run of 5 records of one key goes in a KPL aggregate
 * (aggregates hold one key, as the KPL packs records of one shard, so per-key order holds).
 */
export function makeWorkload(count: number, keys = 8, seed = 11): Workload {
  const random = mulberry32(seed)
  const users: UserPlain[] = []
  for (let i = 0; i < count; i++) {
    const partitionKey = `key-${Math.floor(random() * keys)}`
    const size = i % 997 === 500 ? 900 * 1024 : i % 50 === 3 ? 1 : 16 + Math.floor(random() * 2032)
    const data = Buffer.alloc(size, 0x61 + (i % 26))
    if (size > 1) data.write(`#${i}:`, 0, 'latin1')
    users.push({ partitionKey, data })
  }
  const kinesisRecords: Workload['kinesisRecords'] = []
  const pendingByKey = new Map<string, UserPlain[]>()
  let run = 0
  for (const u of users) {
    const aggregating = run % 10 === 9 && u.data.length < 4096
    if (aggregating) {
      const list = pendingByKey.get(u.partitionKey) ?? []
      list.push(u)
      pendingByKey.set(u.partitionKey, list)
      if (list.length === 5) {
        kinesisRecords.push({ data: kplAggregate(list), partitionKey: u.partitionKey })
        pendingByKey.delete(u.partitionKey)
        run++
      }
      continue
    }
    // A key's open aggregate is flushed before any later plain record of that key, to keep its order.
    const open = pendingByKey.get(u.partitionKey)
    if (open) {
      kinesisRecords.push({ data: kplAggregate(open), partitionKey: u.partitionKey })
      pendingByKey.delete(u.partitionKey)
    }
    kinesisRecords.push({ data: u.data, partitionKey: u.partitionKey })
    run++
  }
  for (const [partitionKey, list] of pendingByKey) kinesisRecords.push({ data: kplAggregate(list), partitionKey })
  return { kinesisRecords, users }
}

export interface Verdict {
  readonly missing: number
  readonly unexpected: number
  readonly duplicates: number
  readonly keyMismatches: number
  readonly orderViolations: number
}

function digest(u: UserPlain): string {
  return `${u.partitionKey}\u0000${createHash('sha1').update(u.data).digest('hex')}`
}

/**
 * Compares what the destination held (decrypted, in destination order: shard by shard, by sequence
 * number) with the input: the multiset of (partition key, plaintext) must cover the input, the
 * surplus is duplicates, and per key the first appearance of each id must follow production order.
 */
export function verify(input: readonly UserPlain[], output: readonly UserPlain[]): Verdict {
  const want = new Map<string, number>()
  for (const u of input) want.set(digest(u), (want.get(digest(u)) ?? 0) + 1)
  const got = new Map<string, number>()
  for (const u of output) got.set(digest(u), (got.get(digest(u)) ?? 0) + 1)
  let missing = 0
  let unexpected = 0
  let duplicates = 0
  for (const [k, n] of want) {
    const m = got.get(k) ?? 0
    if (m < n) missing += n - m
    else duplicates += m - n
  }
  for (const [k, m] of got) if (!want.has(k)) unexpected += m
  const keyOf = new Map<number, string>()
  for (const u of input) {
    const id = idOf(u.data)
    if (id !== undefined) keyOf.set(id, u.partitionKey)
  }
  let keyMismatches = 0
  let orderViolations = 0
  const seen = new Set<number>()
  const lastByKey = new Map<string, number>()
  for (const u of output) {
    const id = idOf(u.data)
    if (id === undefined) continue
    if (keyOf.get(id) !== u.partitionKey) keyMismatches++
    if (seen.has(id)) continue
    seen.add(id)
    const last = lastByKey.get(u.partitionKey) ?? -1
    if (id < last) orderViolations++
    lastByKey.set(u.partitionKey, Math.max(last, id))
  }
  return { missing, unexpected, duplicates, keyMismatches, orderViolations }
}
