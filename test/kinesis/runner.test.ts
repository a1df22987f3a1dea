// The runner: a split and a merge (children only after their parents), file checkpoints resumed, and SIGTERM in the middle of a run (exit 0, nothing lost after the restart).
import test from 'ava'
import os from 'node:os'
import path from 'node:path'
import { mkdtempSync } from 'node:fs'
import {
  ListShardsCommand,
  MergeShardsCommand,
  SplitShardCommand,
  DescribeStreamSummaryCommand,
} from '@aws-sdk/client-kinesis'
import type { KinesisStreamEvent } from 'aws-lambda'
import { startLocalKms } from '../../lib/testing'
import { FileCheckpointStore, SHARD_END, createEncryptHandler, startRunner } from '../../lib/kinesis'
import { decryptDestination, runnerArgs, startChild, summaryOf } from './scenario'
import { CREDENTIALS, produce, REGION, startKinesalite } from './stand-ins'
import { makeWorkload, verify } from './workload'

async function active(
  client: ReturnType<Awaited<ReturnType<typeof startKinesalite>>['client']>,
  name: string,
): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }))
    if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return
    await new Promise((r) => setTimeout(r, 20))
  }
}

test('split then merge: every record arrives once, a child shard starts only after its parents ended, checkpoints say SHARD_END', async (t) => {
  const [kinesis, kms] = await Promise.all([startKinesalite(), startLocalKms()])
  try {
    const client = kinesis.client(undefined, 5)
    await kinesis.createStream('lin-src', 1)
    await kinesis.createStream('lin-dest', 1)
    const w = makeWorkload(300, 4, 5)
    const thirds = [w.kinesisRecords.slice(0, 100), w.kinesisRecords.slice(100, 200), w.kinesisRecords.slice(200)]
    await produce(client, 'lin-src', thirds[0] ?? [])
    await client.send(
      new SplitShardCommand({
        StreamName: 'lin-src',
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: (2n ** 127n).toString(),
      }),
    )
    await active(client, 'lin-src')
    await produce(client, 'lin-src', thirds[1] ?? [])
    await client.send(
      new MergeShardsCommand({
        StreamName: 'lin-src',
        ShardToMerge: 'shardId-000000000001',
        AdjacentShardToMerge: 'shardId-000000000002',
      }),
    )
    await active(client, 'lin-src')
    await produce(client, 'lin-src', thirds[2] ?? [])
    const shards = (await client.send(new ListShardsCommand({ StreamName: 'lin-src' }))).Shards ?? []
    t.is(shards.length, 4)
    const handler = createEncryptHandler({
      destination: { streamName: 'lin-dest', client },
      kms: {
        keyIds: [kms.keys.keyArn(REGION)],
        clientConfig: { endpoint: kms.endpoint, credentials: { ...CREDENTIALS } },
      },
      encryptionContext: { purpose: 'e2e' },
      log: false,
    })
    const calls: { shard: string; at: number; first: boolean; last: boolean }[] = []
    let tick = 0
    const dir = mkdtempSync(path.join(os.tmpdir(), 'esdk-kinesis-'))
    const checkpoints = new FileCheckpointStore(path.join(dir, 'cp.json'))
    const runner = startRunner({
      client,
      streamName: 'lin-src',
      checkpoints,
      batchSize: 30,
      idleMs: 50,
      shardSyncMs: 100,
      stopWhenIdleMs: 500,
      handler: async (event: KinesisStreamEvent) => {
        const shard = (event.Records[0]?.eventID ?? '').split(':')[0] ?? ''
        calls.push({ shard, at: tick++, first: !calls.some((c) => c.shard === shard), last: false })
        return handler(event)
      },
    })
    const summary = await runner.done
    t.is(summary.stopped, 'idle')
    const output = await decryptDestination(kinesis, kms, 'lin-dest')
    t.like(verify(w.users, output), { missing: 0, unexpected: 0, duplicates: 0, keyMismatches: 0 })
    const lastAt = (s: string): number => Math.max(...calls.filter((c) => c.shard === s).map((c) => c.at))
    const firstAt = (s: string): number => Math.min(...calls.filter((c) => c.shard === s).map((c) => c.at))
    t.true(firstAt('shardId-000000000001') > lastAt('shardId-000000000000'))
    t.true(firstAt('shardId-000000000002') > lastAt('shardId-000000000000'))
    t.true(firstAt('shardId-000000000003') > Math.max(lastAt('shardId-000000000001'), lastAt('shardId-000000000002')))
    for (const s of ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002'])
      t.is(await new FileCheckpointStore(path.join(dir, 'cp.json')).get('lin-src', s), SHARD_END)
    // A second run resumes from the checkpoints: nothing is processed again.
    let again = 0
    const second = startRunner({
      client,
      streamName: 'lin-src',
      checkpoints: new FileCheckpointStore(path.join(dir, 'cp.json')),
      idleMs: 50,
      shardSyncMs: 100,
      stopWhenIdleMs: 300,
      handler: async (e) => void (again += e.Records.length),
    })
    await second.done
    t.is(again, 0)
  } finally {
    await Promise.all([kinesis.close(), kms.close()])
  }
})

test('SIGTERM mid-run: the runner exits 0 with its summary; a restart finishes, nothing lost', async (t) => {
  const [kinesis, kms] = await Promise.all([startKinesalite(), startLocalKms()])
  try {
    await kinesis.createStream('term-src', 2)
    await kinesis.createStream('term-dest', 2)
    const w = makeWorkload(600, 4, 9)
    await produce(kinesis.client(undefined, 5), 'term-src', w.kinesisRecords)
    kms.faults.latency(150)
    const dir = mkdtempSync(path.join(os.tmpdir(), 'esdk-kinesis-'))
    const args = [
      ...runnerArgs(kinesis, kms, 'term-src', 'term-dest', {
        batchSize: 20,
        checkpoints: `file:${path.join(dir, 'cp.json')}`,
      }),
      '--cache-max-messages',
      '10',
      '--stop-grace-ms',
      '2000',
    ]
    const first = startChild(args)
    // Mid-run: once the first records reached the destination (start-up takes seconds on a loaded machine).
    for (let i = 0; i < 300 && (await kinesis.readAll('term-dest')).length === 0; i++)
      await new Promise((r) => setTimeout(r, 200))
    const sent = performance.now()
    first.child.kill('SIGTERM')
    const end = await first.exited
    t.is(end.code, 0, end.stderr)
    t.true(performance.now() - sent < 15_000, 'stopped within the grace (2 s) plus start-up slack on a loaded machine')
    t.like(summaryOf(end.stderr), { stopped: 'signal' })
    kms.faults.clear()
    const second = await startChild(args).exited
    t.is(second.code, 0, second.stderr)
    const v = verify(w.users, await decryptDestination(kinesis, kms, 'term-dest'))
    t.like(v, { missing: 0, unexpected: 0, keyMismatches: 0, orderViolations: 0 })
    t.true(v.duplicates <= 2 * 20 * 5, `duplicates ${v.duplicates}`)
  } finally {
    await Promise.all([kinesis.close(), kms.close()])
  }
})
