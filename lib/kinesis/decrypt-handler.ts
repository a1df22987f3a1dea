// createDecryptHandler: the consumer side, a Lambda handler that decrypts each record and hands its plaintext to the caller's callback, in order, with partial-batch failures.
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda'
import { needs } from '../core/errors'
import { buildClient, ClientOptions } from '../api/client'
import { parseEvent } from './event-records'
import { batchResponse, FailureCallback, offerFailure } from './failures'
import { KinesisHandler } from './encrypt-handler'
import { MaterialCounters } from './material-counters'
import { buildMaterials, MaterialsOptions } from './materials'
import { defaultSink, emit, MetricCounts, MetricsSink, WorkerMetrics, zeroCounts } from './metrics'

export interface DecryptedRecord {
  readonly plaintext: Buffer
  readonly partitionKey: string
  readonly sequenceNumber: string
  /** The context the message was bound to (authenticated). */
  readonly encryptionContext: Record<string, string>
}

export interface DecryptHandlerOptions extends MaterialsOptions {
  /** Called once per record, in order; a throw (or rejection) fails that record and every later one of the event. */
  readonly onRecord: (record: DecryptedRecord) => void | Promise<void>
  /** Pairs every message's context must hold (checked by the decrypt itself: a mismatch is undecryptable). */
  readonly requiredEncryptionContext?: Record<string, string>
  /** Records that do not decrypt: handled here (e.g. to a dead-letter store), else reported in batchItemFailures. */
  readonly onFailure?: FailureCallback
  readonly maxBodySize?: number
  readonly clientOptions?: ClientOptions
  readonly metrics?: MetricsSink
  readonly log?: ((line: string) => void) | false
}

export function createDecryptHandler(options: DecryptHandlerOptions): KinesisHandler {
  needs(typeof options.onRecord === 'function', 'onRecord is required')
  const materials = buildMaterials(options)
  const { decryptBatch } = buildClient(options.clientOptions)
  const sink = options.metrics ?? defaultSink()
  const log = options.log === false ? undefined : (options.log ?? ((line: string) => console.error(line)))
  const metrics = new WorkerMetrics()
  const counters = new MaterialCounters(materials, 'decrypt')

  const handler = async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    const counts: MetricCounts = zeroCounts()
    const before = counters.read()
    const { records, streamName } = parseEvent(event)
    counts.RecordsIn = records.length
    counts.UserRecordsIn = records.length
    const ciphertexts = records.map((r) => (Buffer.isBuffer(r.data) ? r.data : Buffer.alloc(0)))
    for (const c of ciphertexts) counts.BytesIn += c.length
    const opened =
      records.length === 0
        ? []
        : await decryptBatch(materials.cmm, ciphertexts, {
            encryptionContext: options.requiredEncryptionContext,
            maxBodySize: options.maxBodySize,
            messageHeaders: true,
          })
    const failed: string[] = []
    for (const [i, r] of records.entries()) {
      if (failed.length > 0) {
        // Lambda resends from the lowest failure: delivering later records now would deliver them twice.
        failed.push(r.sequenceNumber)
        continue
      }
      const o = opened[i]
      if (!Buffer.isBuffer(r.data) || o === undefined || !o.ok) {
        const reason = !Buffer.isBuffer(r.data)
          ? r.data.invalid
          : o === undefined
            ? 'no batch entry'
            : o.ok
              ? ''
              : `${o.error.code}: ${o.error.message}`
        metrics.failure('undecryptable')
        log?.(
          JSON.stringify({
            level: 'warn',
            worker: 'decrypt',
            sequenceNumber: r.sequenceNumber,
            kind: 'undecryptable',
            reason,
          }),
        )
        const failure = {
          sequenceNumber: r.sequenceNumber,
          subSequenceNumber: undefined,
          partitionKey: r.partitionKey,
          kind: 'undecryptable',
          reason,
          data: Buffer.isBuffer(r.data) ? r.data : undefined,
        }
        if (await offerFailure(options.onFailure, failure)) counts.FailuresHandled++
        else failed.push(r.sequenceNumber)
        continue
      }
      try {
        const encryptionContext = { ...(o.messageHeader?.encryptionContext ?? {}) }
        await options.onRecord({
          plaintext: o.plaintext,
          partitionKey: r.partitionKey,
          sequenceNumber: r.sequenceNumber,
          encryptionContext,
        })
        counts.RecordsOut++
        counts.BytesOut += o.plaintext.length
      } catch (e) {
        metrics.failure('callback-failed')
        log?.(
          JSON.stringify({
            level: 'warn',
            worker: 'decrypt',
            sequenceNumber: r.sequenceNumber,
            kind: 'callback-failed',
            reason: e instanceof Error ? e.message : String(e),
          }),
        )
        failed.push(r.sequenceNumber)
      }
    }
    counts.Failures = failed.length
    counters.record(before, counts, metrics)
    emit(sink, 'esdk-native/kinesis', { Worker: 'decrypt', SourceStream: streamName ?? 'unknown' }, counts)
    return batchResponse(failed)
  }
  return Object.assign(handler, { metrics })
}
