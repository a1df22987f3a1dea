// createEncryptHandler: the Lambda handler for a Kinesis event source mapping that encrypts every record (KPL aggregates opened) and writes it to the destination stream.
import type { KinesisClient, KinesisClientConfig } from '@aws-sdk/client-kinesis'
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda'
import { InvalidArgumentError, needs } from '../core/errors'
import { AlgorithmSuiteIdentifier } from '../core/suites'
import { buildClient, ClientOptions, EsdkClient } from '../api/client'
import type { EncryptBatchRecord } from '../batch/encrypt-many'
import { deaggregate, UserRecord } from './deaggregate'
import { parseEvent } from './event-records'
import { batchResponse, FailureCallback, offerFailure } from './failures'
import { createKinesisClient } from './kinesis-client'
import { MaterialCounters } from './material-counters'
import { buildMaterials, MaterialsOptions } from './materials'
import { defaultSink, emit, MetricCounts, MetricsSink, WorkerMetrics, zeroCounts } from './metrics'
import { PutEntry, PutOptions, PutStats, putAll } from './put-records'

/** The context key naming the source stream, added to the worker's static context. */
export const SOURCE_STREAM_CONTEXT_KEY = 'kinesis-source-stream'
/** Kinesis's default largest record (data plus partition key); a stream can be raised to 10 MiB. */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024
export const MAX_RECORD_BYTES_LIMIT = 10 * 1024 * 1024

export interface EncryptRecordInfo {
  readonly sequenceNumber: string
  readonly partitionKey: string
  readonly subSequenceNumber: number | undefined
}

export interface EncryptHandlerOptions extends MaterialsOptions {
  readonly destination: {
    readonly streamName: string
    readonly client?: KinesisClient
    readonly clientConfig?: KinesisClientConfig
    /** Largest encrypted record plus partition key, bytes (default 1 MiB, at most 10 MiB). */
    readonly maxRecordBytes?: number
  }
  /** The static context of every record (the source stream name is added under `kinesis-source-stream`). */
  readonly encryptionContext?: Record<string, string>
  /**
   * A context per record, merged over the static one. Records with different contexts cannot
   * share a cached data key: a per-record value means a KMS call per record.
   */
  readonly contextFor?: (record: EncryptRecordInfo) => Record<string, string>
  readonly suiteId?: AlgorithmSuiteIdentifier
  readonly frameLength?: number
  readonly clientOptions?: ClientOptions
  /** The client whose encryptBatch seals the records (default: buildClient(clientOptions)); the bench swaps the official SDK in here. */
  readonly esdkClient?: Pick<EsdkClient, 'encryptBatch'>
  readonly put?: PutOptions
  /** Records that can never be written (malformed aggregate, oversize): handled here, else reported in batchItemFailures. */
  readonly onFailure?: FailureCallback
  /** Default: EMF lines when running in Lambda, nothing elsewhere. */
  readonly metrics?: MetricsSink
  /** Where a failure's reason is logged (default console.error; `false` for nothing). */
  readonly log?: ((line: string) => void) | false
}

export interface KinesisHandler {
  (event: KinesisStreamEvent, context?: unknown): Promise<KinesisStreamBatchResponse>
  /** Totals since the handler was made (the runner's summary). */
  readonly metrics: WorkerMetrics
}

interface Item {
  readonly source: number
  readonly user: UserRecord
}

interface SourceState {
  /** Why this record is not (all) written and not handled; undefined while it is fine. */
  failed: string | undefined
}

export function createEncryptHandler(options: EncryptHandlerOptions): KinesisHandler {
  needs(
    typeof options.destination?.streamName === 'string' && options.destination.streamName.length > 0,
    'destination.streamName is required',
  )
  const maxRecordBytes = options.destination.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES
  if (!Number.isSafeInteger(maxRecordBytes) || maxRecordBytes < 1 || maxRecordBytes > MAX_RECORD_BYTES_LIMIT) {
    throw new InvalidArgumentError(`destination.maxRecordBytes must be 1..${MAX_RECORD_BYTES_LIMIT}`)
  }
  const destination = options.destination.streamName
  const kinesis = options.destination.client ?? createKinesisClient(options.destination.clientConfig)
  const materials = buildMaterials(options)
  const { encryptBatch } = options.esdkClient ?? buildClient(options.clientOptions)
  const baseContext = { ...(options.encryptionContext ?? {}) }
  const sink = options.metrics ?? defaultSink()
  const log = options.log === false ? undefined : (options.log ?? ((line: string) => console.error(line)))
  const metrics = new WorkerMetrics()
  const counters = new MaterialCounters(materials, 'encrypt')

  const handler = async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    const counts: MetricCounts = zeroCounts()
    const before = counters.read()
    const { records, streamName } = parseEvent(event)
    const context = streamName === undefined ? baseContext : { ...baseContext, [SOURCE_STREAM_CONTEXT_KEY]: streamName }
    counts.RecordsIn = records.length
    const states: SourceState[] = records.map(() => ({ failed: undefined }))
    const fail = async (
      source: number,
      user: UserRecord | undefined,
      kind: string,
      reason: string,
      permanent: boolean,
    ): Promise<void> => {
      const r = records[source]
      if (r === undefined) return
      metrics.failure(kind)
      log?.(
        JSON.stringify({
          level: 'warn',
          worker: 'encrypt',
          sequenceNumber: r.sequenceNumber,
          subSequenceNumber: user?.subSequenceNumber,
          kind,
          reason,
        }),
      )
      const data = user?.data ?? (Buffer.isBuffer(r.data) ? r.data : undefined)
      const failure = {
        sequenceNumber: r.sequenceNumber,
        subSequenceNumber: user?.subSequenceNumber,
        partitionKey: user?.partitionKey ?? r.partitionKey,
        kind,
        reason,
        data,
      }
      if (permanent && (await offerFailure(options.onFailure, failure))) counts.FailuresHandled++
      else (states[source] as SourceState).failed ??= reason
    }

    const items: Item[] = []
    for (const [i, r] of records.entries()) {
      if (!Buffer.isBuffer(r.data)) {
        await fail(i, undefined, 'invalid-record', r.data.invalid, true)
        continue
      }
      counts.BytesIn += r.data.length
      const opened = deaggregate(r.data, r.partitionKey)
      if (!opened.ok) await fail(i, undefined, 'malformed-aggregate', opened.reason, true)
      else for (const user of opened.records) items.push({ source: i, user })
    }
    counts.UserRecordsIn = items.length

    const inputs: EncryptBatchRecord[] = items.map(({ source, user }) => {
      if (options.contextFor === undefined) return user.data
      const r = records[source] as (typeof records)[number]
      const own = options.contextFor({
        sequenceNumber: r.sequenceNumber,
        partitionKey: user.partitionKey,
        subSequenceNumber: user.subSequenceNumber,
      })
      return { plaintext: user.data, encryptionContext: { ...context, ...own } }
    })
    const sealed =
      items.length === 0
        ? []
        : await encryptBatch(materials.cmm, inputs, {
            encryptionContext: context,
            suiteId: options.suiteId,
            frameLength: options.frameLength,
          })

    const ready: { item: Item; entry: PutEntry }[] = []
    for (const [k, item] of items.entries()) {
      const s = sealed[k]
      if (s === undefined || !s.ok) {
        // Encryption failures (KMS unavailable, throttled) are worth a retry of the batch: never handed to onFailure.
        await fail(
          item.source,
          item.user,
          'encrypt-failed',
          s === undefined ? 'no batch entry' : `${s.error.code}: ${s.error.message}`,
          false,
        )
        continue
      }
      const size = s.result.length + Buffer.byteLength(item.user.partitionKey, 'utf8')
      if (size > maxRecordBytes) {
        await fail(
          item.source,
          item.user,
          'oversize',
          `encrypted record of ${size} bytes (with its partition key) is over the destination's ${maxRecordBytes}`,
          true,
        )
        continue
      }
      ready.push({
        item,
        entry: { data: s.result, partitionKey: item.user.partitionKey, explicitHashKey: item.user.explicitHashKey },
      })
    }

    // Nothing at or after the first failed record is written: Lambda resends from there anyway.
    const firstFailed = states.findIndex((s) => s.failed !== undefined)
    const writable = firstFailed < 0 ? ready : ready.filter((r) => r.item.source < firstFailed)
    for (let i = firstFailed < 0 ? records.length : firstFailed; i < records.length; i++)
      (states[i] as SourceState).failed ??= 'after a failed record'
    const stats: PutStats = { calls: 0, retries: 0, throttles: 0 }
    const put =
      writable.length === 0
        ? []
        : await putAll(
            kinesis,
            destination,
            writable.map((r) => r.entry),
            options.put ?? {},
            stats,
          )
    for (const [k, r] of writable.entries()) {
      const reason = put[k]
      if (reason === undefined) {
        counts.RecordsOut++
        counts.BytesOut += r.entry.data.byteLength
      } else {
        const state = states[r.item.source] as SourceState
        if (state.failed === undefined) {
          metrics.failure('put-failed')
          log?.(
            JSON.stringify({
              level: 'warn',
              worker: 'encrypt',
              sequenceNumber: records[r.item.source]?.sequenceNumber,
              kind: 'put-failed',
              reason,
            }),
          )
        }
        state.failed ??= reason
      }
    }
    counts.PutRecordsCalls = stats.calls
    counts.PutRecordsRetries = stats.retries
    counts.PutRecordsThrottles = stats.throttles
    const failed = records
      .filter((_, i) => (states[i] as SourceState).failed !== undefined)
      .map((r) => r.sequenceNumber)
    counts.Failures = failed.length
    counters.record(before, counts, metrics)
    emit(sink, 'esdk-native/kinesis', { Worker: 'encrypt', SourceStream: streamName ?? 'unknown' }, counts)
    return batchResponse(failed)
  }
  return Object.assign(handler, { metrics })
}
