// One shard's loop, as the event source mapping runs it: GetRecords into batches, the handler, checkpoint after success, resume from the lowest failed record.
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis'
import type { KinesisClient, _Record as KinesisRecord } from '@aws-sdk/client-kinesis'
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda'
import { backoffDelay, BackoffOptions, sleep } from './backoff'
import { CheckpointStore, SHARD_END } from './checkpoints'
import { compareSequence, lowestSequence } from './sequence'

export type KinesisEventHandler = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse | void>

export interface PollerSettings {
  readonly client: KinesisClient
  readonly streamName: string
  readonly streamArn: string
  readonly region: string
  readonly handler: KinesisEventHandler
  readonly checkpoints: CheckpointStore
  /** Records per handler call (Lambda's BatchSize; default 100, at most 10,000). */
  readonly batchSize: number
  /** Gather records for up to this long before calling the handler (MaximumBatchingWindowInSeconds, in ms). */
  readonly batchWindowMs: number
  /** Wait between empty GetRecords calls (Lambda polls each shard about once a second). */
  readonly idleMs: number
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST'
  readonly retry: BackoffOptions
  readonly signal: AbortSignal
  /** True once the stop grace ran out: the batch in flight must not be checkpointed. */
  readonly abandoned: () => boolean
  readonly stats: PollerStats
  readonly onIdle: (shardId: string, idle: boolean) => void
  readonly log: (line: string) => void
}

export interface PollerStats {
  batches: number
  records: number
  retriedBatches: number
  checkpoints: number
  getRecordsThrottles: number
}

function toEventRecord(r: KinesisRecord, shardId: string, s: PollerSettings): KinesisStreamRecord {
  const data = r.Data ?? new Uint8Array(0)
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: r.PartitionKey ?? '',
      sequenceNumber: r.SequenceNumber ?? '',
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
      approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${r.SequenceNumber ?? ''}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/esdk-kinesis-runner',
    awsRegion: s.region,
    eventSourceARN: s.streamArn,
  }
}

async function iteratorAt(
  s: PollerSettings,
  shardId: string,
  checkpoint: string | undefined,
  at?: string,
): Promise<string | undefined> {
  const position =
    at !== undefined
      ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER' as const, StartingSequenceNumber: at }
      : checkpoint !== undefined
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: checkpoint }
        : { ShardIteratorType: s.startingPosition }
  const answer = await s.client.send(
    new GetShardIteratorCommand({ StreamName: s.streamName, ShardId: shardId, ...position }),
  )
  return answer.ShardIterator
}

/** Runs a shard until it ends (SHARD_END checkpointed: returns true) or the runner stops (returns false). */
export async function pollShard(s: PollerSettings, shardId: string): Promise<boolean> {
  let checkpoint = await s.checkpoints.get(s.streamName, shardId)
  if (checkpoint === SHARD_END) return true
  let iterator: string | undefined
  let failures = 0
  const backoff = async (): Promise<void> => {
    failures++
    await sleep(backoffDelay(failures, s.retry), s.signal)
  }
  while (!s.signal.aborted) {
    try {
      iterator ??= await iteratorAt(s, shardId, checkpoint)
      // Gather one batch: up to batchSize records, for at most the batching window.
      const batch: KinesisRecord[] = []
      const windowEnd = Date.now() + s.batchWindowMs
      let next: string | undefined = iterator
      let behind = 0
      for (;;) {
        const answer = await s.client.send(
          new GetRecordsCommand({ ShardIterator: next, Limit: Math.min(10_000, s.batchSize - batch.length) }),
        )
        batch.push(...(answer.Records ?? []))
        next = answer.NextShardIterator
        behind = answer.MillisBehindLatest ?? 0
        if (next === undefined || batch.length >= s.batchSize || Date.now() >= windowEnd || s.signal.aborted) break
        if ((answer.Records ?? []).length === 0)
          await sleep(Math.min(s.idleMs, Math.max(0, windowEnd - Date.now())), s.signal)
      }
      failures = 0
      if (batch.length === 0) {
        if (next === undefined) {
          // The shard is closed (split or merged) and everything in it is processed.
          await s.checkpoints.put(s.streamName, shardId, SHARD_END)
          s.stats.checkpoints++
          return true
        }
        iterator = next
        s.onIdle(shardId, behind === 0)
        await sleep(s.idleMs, s.signal)
        continue
      }
      if (s.signal.aborted) return false
      s.onIdle(shardId, false)
      const event: KinesisStreamEvent = { Records: batch.map((r) => toEventRecord(r, shardId, s)) }
      s.stats.batches++
      let failedFrom: string | undefined
      try {
        const response = await s.handler(event)
        failedFrom = lowestSequence((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier))
      } catch (e) {
        // A handler that throws failed the whole batch, as in Lambda.
        s.log(
          JSON.stringify({
            level: 'error',
            shardId,
            handlerError: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
          }),
        )
        failedFrom = batch[0]?.SequenceNumber
      }
      if (s.abandoned()) return false
      // Records before the lowest failure are done; checkpoint the last of them.
      const done =
        failedFrom === undefined
          ? batch
          : batch.filter((r) => compareSequence(r.SequenceNumber ?? '0', failedFrom as string) < 0)
      const last = done[done.length - 1]?.SequenceNumber
      s.stats.records += done.length
      if (last !== undefined) {
        await s.checkpoints.put(s.streamName, shardId, last)
        s.stats.checkpoints++
        checkpoint = last
      }
      if (failedFrom === undefined) {
        iterator = next
        if (next === undefined) {
          await s.checkpoints.put(s.streamName, shardId, SHARD_END)
          s.stats.checkpoints++
          return true
        }
      } else {
        s.stats.retriedBatches++
        iterator = await iteratorAt(s, shardId, checkpoint, failedFrom)
        await backoff()
      }
    } catch (e) {
      const name = e instanceof Error ? e.name : ''
      if (name === 'ProvisionedThroughputExceededException') s.stats.getRecordsThrottles++
      // An expired or unknown iterator is fetched again from the checkpoint.
      iterator = undefined
      if (name !== 'ExpiredIteratorException') {
        s.log(
          JSON.stringify({ level: 'warn', shardId, error: e instanceof Error ? `${name}: ${e.message}` : String(e) }),
        )
        await backoff()
      }
    }
  }
  return false
}
