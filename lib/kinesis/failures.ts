// Record failures: what the failure callback receives, and the partial-batch response Lambda reads (ReportBatchItemFailures).
import type { KinesisStreamBatchResponse } from 'aws-lambda'
import { compareSequence } from './sequence'

export interface RecordFailure {
  readonly sequenceNumber: string
  /** Position inside a KPL aggregate, when the record came from one. */
  readonly subSequenceNumber: number | undefined
  readonly partitionKey: string
  /** A short stable label: 'malformed-aggregate', 'oversize', 'undecryptable', ... */
  readonly kind: string
  /** The reason in words (never record content). */
  readonly reason: string
  /** The record's bytes as received (for a dead-letter destination). */
  readonly data: Buffer | undefined
}

/** Called for records that can never succeed (malformed, oversize, undecryptable); resolving means handled, throwing keeps the record failed. */
export type FailureCallback = (failure: RecordFailure) => void | Promise<void>

/**
 * Every sequence number given, once, lowest first. Lambda resumes from the lowest one and
 * treats the records before it as done; listing the others as well changes nothing there and
 * tells a reader which records were not written.
 */
export function batchResponse(failed: Iterable<string>): KinesisStreamBatchResponse {
  const unique = [...new Set(failed)].sort(compareSequence)
  return { batchItemFailures: unique.map((itemIdentifier) => ({ itemIdentifier })) }
}

export async function offerFailure(callback: FailureCallback | undefined, failure: RecordFailure): Promise<boolean> {
  if (callback === undefined) return false
  try {
    await callback(failure)
    return true
  } catch {
    return false
  }
}
