// Kinesis event records (the Lambda event source mapping's shape) checked and decoded: sequence number, partition key, data bytes, source stream.
import type { KinesisStreamEvent } from 'aws-lambda'
import { InvalidArgumentError } from '../core/errors'
import { isSequenceNumber } from './sequence'

export interface SourceRecord {
  readonly sequenceNumber: string
  readonly partitionKey: string
  /** The record's bytes, or why they could not be read (reported as that record's failure). */
  readonly data: Buffer | { readonly invalid: string }
}

export interface ParsedEvent {
  readonly records: SourceRecord[]
  /** From the first record's eventSourceARN (arn:aws:kinesis:region:account:stream/NAME). */
  readonly streamName: string | undefined
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function streamOf(arn: unknown): string | undefined {
  if (typeof arn !== 'string') return undefined
  const m = /^arn:[^:]+:kinesis:[^:]*:[^:]*:stream\/(.+)$/.exec(arn)
  return m?.[1]
}

/**
 * A record without a usable sequence number cannot be reported in batchItemFailures, so the
 * whole event is refused (Lambda then retries the batch; nothing is skipped). Anything else wrong
 * with a record fails that record alone.
 */
export function parseEvent(event: unknown): ParsedEvent {
  const list = typeof event === 'object' && event !== null ? (event as { Records?: unknown }).Records : undefined
  if (!Array.isArray(list)) throw new InvalidArgumentError('not a Kinesis event: no Records array')
  const records: SourceRecord[] = []
  let streamName: string | undefined
  for (const [i, raw] of (list as unknown[]).entries()) {
    const r = (typeof raw === 'object' && raw !== null ? raw : {}) as { kinesis?: unknown; eventSourceARN?: unknown }
    const k = (typeof r.kinesis === 'object' && r.kinesis !== null ? r.kinesis : {}) as { sequenceNumber?: unknown; partitionKey?: unknown; data?: unknown }
    if (!isSequenceNumber(k.sequenceNumber)) throw new InvalidArgumentError(`Kinesis event record ${i} has no valid sequenceNumber`)
    streamName ??= streamOf(r.eventSourceARN)
    const partitionKey = typeof k.partitionKey === 'string' ? k.partitionKey : ''
    let data: SourceRecord['data']
    if (typeof k.data !== 'string' || k.data.length % 4 !== 0 || !BASE64.test(k.data)) data = { invalid: 'record data is not base64' }
    else if (partitionKey.length === 0) data = { invalid: 'record has no partition key' }
    else data = Buffer.from(k.data, 'base64')
    records.push({ sequenceNumber: k.sequenceNumber, partitionKey, data })
  }
  return { records, streamName }
}

export type { KinesisStreamEvent }
