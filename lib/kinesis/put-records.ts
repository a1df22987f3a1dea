// Writes encrypted records to the destination with PutRecords: calls of at most 500 entries and 5 MiB, only the failed entries retried (backoff, jitter), in order.
import { PutRecordsCommand } from '@aws-sdk/client-kinesis'
import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis'
import { BackoffOptions, backoffDelay, sleep } from './backoff'

/** PutRecords limits (Kinesis API reference): 500 entries; 5 MiB per request, partition keys included. */
export const PUT_RECORDS_MAX_ENTRIES = 500
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024

export interface PutEntry {
  readonly data: Uint8Array
  readonly partitionKey: string
  readonly explicitHashKey: string | undefined
}

export interface PutOptions extends BackoffOptions {
  /** Attempts per entry, the first included (default 10). */
  readonly maxAttempts?: number
  readonly signal?: AbortSignal
}

export interface PutStats {
  calls: number
  retries: number
  throttles: number
}

/** Per entry: undefined when written, else why it was not (after its attempts, or because an earlier entry failed for good). */
export type PutResult = (string | undefined)[]

/** Whole-call errors worth another attempt; anything else (validation, missing stream, access) fails the entries at once. */
const RETRYABLE_CALL_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'InternalFailure',
  'InternalFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSThrottlingException',
])

function entryBytes(e: PutEntry): number {
  return e.data.byteLength + Buffer.byteLength(e.partitionKey, 'utf8')
}

function retryableCall(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false
  const { name, $metadata, $retryable } = e as {
    name?: unknown
    $metadata?: { httpStatusCode?: number }
    $retryable?: unknown
  }
  if (typeof name === 'string' && RETRYABLE_CALL_ERRORS.has(name)) return true
  if ($retryable !== undefined) return true
  const status = $metadata?.httpStatusCode
  // No status: the connection failed (reset, refused, timed out): worth another attempt.
  return status === undefined || status >= 500 || status === 429
}

/** Consecutive runs of entries within the PutRecords limits, in input order. */
export function chunkEntries(entries: readonly PutEntry[]): number[][] {
  const chunks: number[][] = []
  let current: number[] = []
  let bytes = 0
  for (const [i, e] of entries.entries()) {
    const size = entryBytes(e)
    if (current.length > 0 && (current.length === PUT_RECORDS_MAX_ENTRIES || bytes + size > PUT_RECORDS_MAX_BYTES)) {
      chunks.push(current)
      current = []
      bytes = 0
    }
    current.push(i)
    bytes += size
  }
  if (current.length > 0) chunks.push(current)
  return chunks
}

/**
 * Writes every entry, one chunk at a time (so a key's records reach a shard in order unless an
 * entry is retried). Entries that fail are retried, alone, until written or out of attempts; once
 * an entry fails for good, no later chunk is sent: everything after it is reported unwritten,
 * and Lambda (or the runner) resends from the lowest failed record.
 */
export async function putAll(
  client: KinesisClient,
  streamName: string,
  entries: readonly PutEntry[],
  options: PutOptions,
  stats: PutStats,
): Promise<PutResult> {
  const result: PutResult = entries.map(() => 'not sent: an earlier record was not written')
  const maxAttempts = options.maxAttempts ?? 10
  for (const chunk of chunkEntries(entries)) {
    let pending = chunk
    let attempt = 0
    while (pending.length > 0) {
      if (options.signal?.aborted) {
        for (const i of pending) result[i] = 'stopped before written'
        return result
      }
      attempt++
      const request: PutRecordsRequestEntry[] = pending.map((i) => {
        const e = entries[i] as PutEntry
        return e.explicitHashKey === undefined
          ? { Data: e.data, PartitionKey: e.partitionKey }
          : { Data: e.data, PartitionKey: e.partitionKey, ExplicitHashKey: e.explicitHashKey }
      })
      const failed: number[] = []
      let reason = ''
      try {
        stats.calls++
        const answer = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: request }))
        const records = answer.Records ?? []
        if (records.length !== pending.length)
          throw new Error(`PutRecords answered ${records.length} entries for ${pending.length}`)
        for (const [k, r] of records.entries()) {
          const i = pending[k] as number
          if (r.ErrorCode === undefined && r.SequenceNumber !== undefined) result[i] = undefined
          else {
            failed.push(i)
            if (r.ErrorCode === 'ProvisionedThroughputExceededException') stats.throttles++
            reason = `${r.ErrorCode ?? 'no sequence number'}${r.ErrorMessage ? `: ${r.ErrorMessage}` : ''}`
          }
        }
      } catch (e) {
        const name = e instanceof Error ? e.name : 'Error'
        reason = `PutRecords ${name}: ${e instanceof Error ? e.message : String(e)}`
        if (name === 'ProvisionedThroughputExceededException' || name === 'ThrottlingException') stats.throttles++
        if (!retryableCall(e)) attempt = maxAttempts
        failed.push(...pending)
      }
      if (failed.length > 0 && attempt >= maxAttempts) {
        for (const i of failed) result[i] = `not written after ${attempt} attempt(s): ${reason}`
        return result
      }
      if (failed.length > 0) {
        stats.retries += failed.length
        await sleep(backoffDelay(attempt - 1, options), options.signal)
      }
      pending = failed
    }
  }
  return result
}
