// The local runner: plays the event source mapping on one machine (a poller per shard, children after parents, checkpoints) and stops cleanly.
import { DescribeStreamSummaryCommand, ListShardsCommand } from '@aws-sdk/client-kinesis'
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis'
import { BackoffOptions, sleep } from './backoff'
import { CheckpointStore } from './checkpoints'
import { KinesisEventHandler, pollShard, PollerStats } from './shard-poller'
import { mayStart } from './shard-lineage'

export interface RunnerOptions {
  readonly client: KinesisClient
  readonly streamName: string
  readonly handler: KinesisEventHandler
  readonly checkpoints: CheckpointStore
  readonly batchSize?: number
  readonly batchWindowMs?: number
  readonly idleMs?: number
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST'
  /** Which shards this runner takes (see shardFilter); default all. */
  readonly shards?: (shardId: string) => boolean
  /** How often the shard list is read again to find children of splits and merges (default 10 s). */
  readonly shardSyncMs?: number
  /** Stop by itself once every shard it runs has been idle and caught up this long (tests, demos, backfills). */
  readonly stopWhenIdleMs?: number
  readonly retry?: BackoffOptions
  /** Handler and Kinesis errors, one JSON line each (default console.error). */
  readonly log?: (line: string) => void
}

export interface RunnerSummary {
  readonly stopped: 'idle' | 'signal'
  /** The stop grace ran out while a batch was in flight: it was left unchecked-pointed and will be read again. */
  readonly abandoned: boolean
  readonly shardsFinished: string[]
  readonly stats: PollerStats
  readonly seconds: number
}

export interface Runner {
  /** Resolves when the runner has stopped. */
  readonly done: Promise<RunnerSummary>
  /** Stop polling; a batch in flight may finish (and be checkpointed) within graceMs, else it is abandoned. */
  stop(graceMs?: number): Promise<RunnerSummary>
}

async function listShards(client: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = []
  let token: string | undefined
  do {
    const answer = await client.send(
      token === undefined
        ? new ListShardsCommand({ StreamName: streamName })
        : new ListShardsCommand({ NextToken: token }),
    )
    shards.push(...(answer.Shards ?? []))
    token = answer.NextToken
  } while (token !== undefined)
  return shards
}

export function startRunner(options: RunnerOptions): Runner {
  const batchSize = options.batchSize ?? 100
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    throw new RangeError('batchSize must be 1..10000')
  const controller = new AbortController()
  const started = performance.now()
  const stats: PollerStats = { batches: 0, records: 0, retriedBatches: 0, checkpoints: 0, getRecordsThrottles: 0 }
  let abandoned = false
  let stopped: RunnerSummary['stopped'] = 'signal'
  const finished = new Set<string>()
  const running = new Map<string, Promise<void>>()
  const idleSince = new Map<string, number>()

  const done = (async (): Promise<RunnerSummary> => {
    const log = options.log ?? ((line: string) => console.error(line))
    // Control-plane calls are retried like the pollers' (a reset connection must not end the runner).
    const retried = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await call()
        } catch (e) {
          if (attempt >= 20 || controller.signal.aborted) throw e
          log(
            JSON.stringify({
              level: 'warn',
              call: what,
              error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
            }),
          )
          await sleep(Math.min(5000, 100 * 2 ** Math.min(attempt, 6)), controller.signal)
        }
      }
    }
    const described = await retried('DescribeStreamSummary', () =>
      options.client.send(new DescribeStreamSummaryCommand({ StreamName: options.streamName })),
    )
    const streamArn =
      described.StreamDescriptionSummary?.StreamARN ?? `arn:aws:kinesis:local:000000000000:stream/${options.streamName}`
    const region = streamArn.split(':')[3] ?? 'local'
    const settings = {
      client: options.client,
      streamName: options.streamName,
      streamArn,
      region,
      handler: options.handler,
      checkpoints: options.checkpoints,
      batchSize,
      batchWindowMs: options.batchWindowMs ?? 0,
      idleMs: options.idleMs ?? 1000,
      startingPosition: options.startingPosition ?? 'TRIM_HORIZON',
      retry: options.retry ?? {},
      signal: controller.signal,
      abandoned: () => abandoned,
      stats,
      log,
      onIdle: (shardId: string, idle: boolean) => {
        if (!idle) idleSince.delete(shardId)
        else if (!idleSince.has(shardId)) idleSince.set(shardId, performance.now())
      },
    }
    const wanted = options.shards ?? (() => true)
    let lastSync = -Infinity
    let shards: Shard[] = []
    while (!controller.signal.aborted) {
      if (performance.now() - lastSync >= (options.shardSyncMs ?? 10_000) || running.size === 0) {
        shards = await retried('ListShards', () => listShards(options.client, options.streamName))
        lastSync = performance.now()
      }
      const listed = new Set(shards.map((s) => s.ShardId ?? ''))
      for (const shard of shards) {
        const id = shard.ShardId ?? ''
        if (!wanted(id) || finished.has(id) || running.has(id)) continue
        // A parent run by another process is done when its checkpoint says so.
        for (const p of [shard.ParentShardId, shard.AdjacentParentShardId]) {
          if (
            p &&
            listed.has(p) &&
            !finished.has(p) &&
            !wanted(p) &&
            (await retried('checkpoint', () => options.checkpoints.get(options.streamName, p))) === 'SHARD_END'
          )
            finished.add(p)
        }
        if (!mayStart(shard, listed, finished)) continue
        running.set(
          id,
          pollShard(settings, id).then((ended) => {
            running.delete(id)
            idleSince.delete(id)
            if (ended) finished.add(id)
          }),
        )
      }
      if (options.stopWhenIdleMs !== undefined) {
        const now = performance.now()
        const waiting = shards.some(
          (s) => wanted(s.ShardId ?? '') && !finished.has(s.ShardId ?? '') && !running.has(s.ShardId ?? ''),
        )
        const allIdle = [...running.keys()].every(
          (id) => now - (idleSince.get(id) ?? now) >= (options.stopWhenIdleMs as number) && idleSince.has(id),
        )
        if (!waiting && allIdle) {
          // One more look at the shard list before stopping, so a just-finished parent's children are not missed.
          shards = await retried('ListShards', () => listShards(options.client, options.streamName))
          const more = shards.some(
            (s) => wanted(s.ShardId ?? '') && !finished.has(s.ShardId ?? '') && !running.has(s.ShardId ?? ''),
          )
          if (!more) {
            stopped = 'idle'
            controller.abort()
            break
          }
        }
      }
      await sleep(Math.min(200, options.idleMs ?? 1000), controller.signal)
    }
    await Promise.all(running.values())
    return {
      stopped,
      abandoned,
      shardsFinished: [...finished].sort(),
      stats: { ...stats },
      seconds: (performance.now() - started) / 1000,
    }
  })()

  return {
    done,
    async stop(graceMs = 30_000) {
      controller.abort()
      const timer = setTimeout(() => {
        abandoned = true
      }, graceMs)
      // The grace runs from the stop; a poller that sees `abandoned` returns without checkpointing.
      try {
        return await Promise.race([
          done,
          sleep(graceMs).then(() => ({
            stopped: 'signal' as const,
            abandoned: true,
            shardsFinished: [...finished].sort(),
            stats: { ...stats },
            seconds: (performance.now() - started) / 1000,
          })),
        ])
      } finally {
        clearTimeout(timer)
      }
    },
  }
}
