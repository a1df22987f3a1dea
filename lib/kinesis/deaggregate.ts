// KPL de-aggregation: an aggregated Kinesis record (magic, protobuf AggregatedRecord, MD5) into its user records, or the reason it is malformed.
import { createHash } from 'node:crypto'

/**
 * aws-kinesis-agg's protobuf model of the KPL aggregation format (magic f3899ac2, then an
 * AggregatedRecord, then the MD5 of that protobuf). We decode with its model but check
 * more than its `deaggregate` does: with `computeChecksums` false it skips the MD5, a partition
 * key index outside the table yields `undefined`, a record without an explicit hash key index gets
 * the table's first key (protobufjs answers unset optional fields with the default 0), and an
 * aggregate of zero records yields nothing at all. Each of those is a malformed record here.
 */
interface AggCommon {
  readonly magic: Buffer
  loadBuilder(): { decode(bytes: Uint8Array): unknown }
}
const common = require('aws-kinesis-agg/lib/common') as AggCommon
const MAGIC = Buffer.from(common.magic)
let model: { decode(bytes: Uint8Array): unknown } | undefined

export interface UserRecord {
  readonly data: Buffer
  readonly partitionKey: string
  readonly explicitHashKey: string | undefined
  /** Position inside the aggregate; undefined for a plain record. */
  readonly subSequenceNumber: number | undefined
}

export type Deaggregated =
  | { readonly ok: true; readonly records: UserRecord[]; readonly aggregated: boolean }
  | { readonly ok: false; readonly reason: string }

const MD5_BYTES = 16

export function isAggregated(data: Buffer): boolean {
  return data.length >= MAGIC.length && data.subarray(0, MAGIC.length).equals(MAGIC)
}

function index(value: unknown): number | undefined {
  // uint64 fields decode to a number or a Long (when long.js is present); both convert exactly below 2^53.
  const n =
    typeof value === 'number' ? value : typeof value === 'object' && value !== null ? Number(String(value)) : NaN
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

function stringTable(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined
}

/** A record without the KPL magic is a plain record, as the KPL format says; one with it must be a whole, checked aggregate. */
export function deaggregate(data: Buffer, partitionKey: string): Deaggregated {
  if (!isAggregated(data))
    return {
      ok: true,
      aggregated: false,
      records: [{ data, partitionKey, explicitHashKey: undefined, subSequenceNumber: undefined }],
    }
  if (data.length < MAGIC.length + MD5_BYTES)
    return { ok: false, reason: 'KPL aggregate shorter than its magic and MD5' }
  const body = data.subarray(MAGIC.length, data.length - MD5_BYTES)
  const digest = createHash('md5').update(body).digest()
  if (!digest.equals(data.subarray(data.length - MD5_BYTES))) return { ok: false, reason: 'KPL aggregate MD5 mismatch' }
  let decoded: unknown
  try {
    model ??= common.loadBuilder()
    decoded = model.decode(body)
  } catch (e) {
    return {
      ok: false,
      reason: `KPL aggregate protobuf does not decode: ${e instanceof Error ? e.message : String(e)}`,
    }
  }
  const message = decoded as { partition_key_table?: unknown; explicit_hash_key_table?: unknown; records?: unknown }
  const keys = stringTable(message.partition_key_table)
  const hashKeys = stringTable(message.explicit_hash_key_table ?? [])
  const items = message.records
  if (keys === undefined || hashKeys === undefined || !Array.isArray(items))
    return { ok: false, reason: 'KPL aggregate has no valid tables' }
  if (items.length === 0) return { ok: false, reason: 'KPL aggregate holds no records' }
  const records: UserRecord[] = []
  for (const [i, item] of (items as unknown[]).entries()) {
    if (typeof item !== 'object' || item === null)
      return { ok: false, reason: `KPL aggregate record ${i} is not a record` }
    const fields = item as { partition_key_index?: unknown; explicit_hash_key_index?: unknown; data?: unknown }
    const pk = index(fields.partition_key_index)
    const key = pk === undefined ? undefined : keys[pk]
    if (key === undefined)
      return { ok: false, reason: `KPL aggregate record ${i}: partition key index outside the table` }
    let explicitHashKey: string | undefined
    // Only an index actually on the wire counts: protobufjs serves unset optional fields from the prototype.
    if (Object.prototype.hasOwnProperty.call(item, 'explicit_hash_key_index')) {
      const ehk = index(fields.explicit_hash_key_index)
      explicitHashKey = ehk === undefined ? undefined : hashKeys[ehk]
      if (explicitHashKey === undefined)
        return { ok: false, reason: `KPL aggregate record ${i}: explicit hash key index outside the table` }
    }
    if (!(fields.data instanceof Uint8Array)) return { ok: false, reason: `KPL aggregate record ${i} has no data` }
    records.push({
      data: Buffer.from(fields.data.buffer, fields.data.byteOffset, fields.data.byteLength),
      partitionKey: key,
      explicitHashKey,
      subSequenceNumber: i,
    })
  }
  return { ok: true, aggregated: true, records }
}
