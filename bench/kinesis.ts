// The kinesis group (issue 11): the encrypt handler's crypto stage (10,000 x 1 KiB event, ours vs the official SDK swapped in), end to end through kinesalite with the share of time in PutRecords, and KMS calls per 20,000 records.
import * as official from '@aws-crypto/client-node'
import { KMS } from '@aws-sdk/client-kms'
import type { KinesisClient } from '@aws-sdk/client-kinesis'
import type { KinesisStreamEvent } from 'aws-lambda'
import { randomFillSync } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { mkdtempSync } from 'node:fs'
import type { EncryptBatchEntry } from '../lib/batch/encrypt-many'
import type { EsdkClient } from '../lib/api/client'
import type { NodeMaterialsManager } from '../lib/materials/keyring'
import { createEncryptHandler, FileCheckpointStore, startRunner } from '../lib/kinesis'
import type { KinesisHandler } from '../lib/kinesis'
import { startLocalKms } from '../lib/testing'
import type { LocalKms } from '../lib/testing'
import { produce, startKinesalite, REGION, CREDENTIALS } from '../test/kinesis/stand-ins'
import { benchmarkAsync } from './runner'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const RECORD_BYTES = 1024
/** 0x0478 (committing, unsigned): a signed suite signs every record (one P-384 signature each), which a record worker rarely wants. */
const SUITE_ID = 0x0478
export const EVENT_RECORDS = 10_000

export type Impl = 'ours' | 'official'

/** A destination that accepts every PutRecords at once: the crypto stage alone. */
export function acceptingDestination(): KinesisClient {
  return {
    send: (command: { input: { Records?: unknown[] } }) =>
      Promise.resolve({
        FailedRecordCount: 0,
        Records: (command.input.Records ?? []).map((_, i) => ({
          SequenceNumber: String(i + 1),
          ShardId: 'shardId-000000000000',
        })),
      }),
  } as unknown as KinesisClient
}

export function events(count: number, perEvent: number, stream: string): KinesisStreamEvent[] {
  const bytes = randomFillSync(Buffer.allocUnsafe(count * RECORD_BYTES))
  const out: KinesisStreamEvent[] = []
  let seq = 49590338271490256608559692538361571095921575989136588898n
  for (let start = 0; start < count; start += perEvent) {
    const Records = []
    for (let i = start; i < Math.min(count, start + perEvent); i++) {
      seq += 1n
      Records.push({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: `key-${i % 16}`,
          sequenceNumber: String(seq),
          data: bytes.subarray(i * RECORD_BYTES, (i + 1) * RECORD_BYTES).toString('base64'),
          approximateArrivalTimestamp: 1,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000000:${seq}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/bench',
        awsRegion: REGION,
        eventSourceARN: `arn:aws:kinesis:${REGION}:123456789012:stream/${stream}`,
      })
    }
    out.push({ Records })
  }
  return out
}

/** The official SDK behind the handler's encryptBatch: one `encrypt` per record, all at once, its caching CMM over its KMS keyring. */
function officialClient(kms: LocalKms): { client: Pick<EsdkClient, 'encryptBatch'>; cmm: NodeMaterialsManager } {
  const { encrypt } = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const keyring = new official.KmsKeyringNode({
    generatorKeyId: kms.keys.keyArn(REGION),
    clientProvider: official.cacheClients(
      official.getClient(KMS, { endpoint: kms.endpoint, credentials: kms.credentials }),
    ),
  })
  const cmm = new official.NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: official.getLocalCryptographicMaterialsCache(100),
    maxAge: 300_000,
    maxMessagesEncrypted: 1_000,
  })
  const client: Pick<EsdkClient, 'encryptBatch'> = {
    // Waves of 100 in flight: 10,000 at once send the official caching CMM (no coalescing of misses) into a GenerateDataKey storm.
    encryptBatch: async (_cmm, records, options) => {
      const all = [...records]
      const out: EncryptBatchEntry[] = []
      for (let i = 0; i < all.length; i += 100) {
        out.push(
          ...(await Promise.all(
            all.slice(i, i + 100).map((r) =>
              encrypt(cmm, r as Buffer, { encryptionContext: options?.encryptionContext, suiteId: SUITE_ID }).then(
                (x): EncryptBatchEntry => ({ ok: true, result: x.result }),
                (e: unknown): EncryptBatchEntry => ({ ok: false, error: e as never }),
              ),
            ),
          )),
        )
      }
      return out
    },
  }
  return { client, cmm: cmm as unknown as NodeMaterialsManager }
}

export function handlerFor(impl: Impl, kms: LocalKms, destination: KinesisClient, stream: string): KinesisHandler {
  const base = {
    destination: { streamName: stream, client: destination },
    encryptionContext: { app: 'bench' },
    suiteId: SUITE_ID,
    metrics: 'none' as const,
    log: false as const,
  }
  if (impl === 'ours')
    return createEncryptHandler({
      ...base,
      kms: {
        keyIds: [kms.keys.keyArn(REGION)],
        clientConfig: { endpoint: kms.endpoint, credentials: { ...CREDENTIALS } },
      },
    })
  const o = officialClient(kms)
  return createEncryptHandler({ ...base, cmm: o.cmm, esdkClient: o.client })
}

export interface KinesisRow {
  readonly what: string
  readonly ours: string
  readonly official: string
  readonly ratio: string
}

/** One timed call of the crypto stage (for a quick look without the whole group). */
export async function cryptoStageOnce(impl: Impl): Promise<number> {
  const kms = await startLocalKms()
  try {
    const [event] = events(EVENT_RECORDS, EVENT_RECORDS, 'bench-src')
    const handler = handlerFor(impl, kms, acceptingDestination(), 'bench-dest')
    await handler(event as KinesisStreamEvent)
    const t0 = performance.now()
    const runs = impl === 'ours' ? 5 : 1
    for (let i = 0; i < runs; i++) await handler(event as KinesisStreamEvent)
    return (runs * EVENT_RECORDS * 1000) / (performance.now() - t0)
  } finally {
    await kms.close()
  }
}

export async function measureKinesisGroup(quick: boolean, progress: (text: string) => void): Promise<KinesisRow[]> {
  const kms = await startLocalKms()
  const kinesis = await startKinesalite()
  const rows: KinesisRow[] = []
  try {
    // 1. Crypto stage: one 10,000-record event, accepting destination.
    const [event] = events(EVENT_RECORDS, EVENT_RECORDS, 'bench-src')
    const rate: Record<Impl, number> = { ours: 0, official: 0 }
    for (const impl of ['ours', 'official'] as const) {
      progress(`[kinesis] crypto stage ${impl}`)
      const handler = handlerFor(impl, kms, acceptingDestination(), 'bench-dest')
      const check = await handler(event as KinesisStreamEvent)
      if (check.batchItemFailures.length > 0)
        throw new Error(
          `${impl}: the handler reported failures: ${JSON.stringify(handler.metrics.snapshot().failureReasons)}`,
        )
      const stats = await benchmarkAsync(
        `kinesis crypto ${impl}`,
        () => handler(event as KinesisStreamEvent),
        quick || impl === 'official'
          ? { maxTime: 2, minSamples: 1, warmup: 0 }
          : { maxTime: 5, minSamples: 3, warmup: 1 },
      )
      rate[impl] = stats.hz * EVENT_RECORDS
    }
    rows.push({
      what: `crypto stage, ${EVENT_RECORDS} x 1 KiB event, records/s`,
      ours: rate.ours.toFixed(0),
      official: rate.official.toFixed(0),
      ratio: `${(rate.ours / rate.official).toFixed(1)}x`,
    })

    // 2. KMS calls per 20,000 records (20 events of 1,000 from 4 shards' worth of keys).
    for (const impl of ['ours', 'official'] as const) {
      progress(`[kinesis] KMS calls ${impl}`)
      const handler = handlerFor(impl, kms, acceptingDestination(), 'bench-dest')
      kms.clearCalls()
      const before = kms.counters['GenerateDataKey'] ?? 0
      for (const e of events(20_000, 1_000, 'bench-src')) await handler(e)
      const calls = (kms.counters['GenerateDataKey'] ?? 0) - before
      rows.push({
        what: `KMS GenerateDataKey calls per 20,000 records (${impl})`,
        ours: impl === 'ours' ? String(calls) : '',
        official: impl === 'official' ? String(calls) : '',
        ratio: '',
      })
    }

    // 3. End to end through kinesalite: runner, 4 shards, batch 1,000; time inside PutRecords measured at the client.
    const total = quick ? 4_000 : 10_000
    const e2e: Record<Impl, { rate: number; putShare: number }> = {
      ours: { rate: 0, putShare: 0 },
      official: { rate: 0, putShare: 0 },
    }
    for (const impl of ['ours', 'official'] as const) {
      progress(`[kinesis] end to end ${impl}`)
      const src = `e2e-src-${impl}`
      const dst = `e2e-dst-${impl}`
      await kinesis.createStream(src, 4)
      await kinesis.createStream(dst, 4)
      const data = randomFillSync(Buffer.allocUnsafe(total * RECORD_BYTES))
      await produce(
        kinesis.client(undefined, 5),
        src,
        Array.from({ length: total }, (_, i) => ({
          data: data.subarray(i * RECORD_BYTES, (i + 1) * RECORD_BYTES),
          partitionKey: `key-${i % 16}`,
        })),
      )
      const dest = kinesis.client()
      // Wall time with at least one PutRecords in flight: the shards' calls overlap, so their durations
      // summed would count the same moment several times.
      let putMs = 0
      let inFlight = 0
      let since = 0
      const timed = {
        send: async (command: unknown) => {
          if (inFlight++ === 0) since = performance.now()
          try {
            return await (dest.send as (c: unknown) => Promise<unknown>)(command)
          } finally {
            if (--inFlight === 0) putMs += performance.now() - since
          }
        },
      } as unknown as KinesisClient
      const handler = handlerFor(impl, kms, timed, dst)
      const dir = mkdtempSync(path.join(os.tmpdir(), 'esdk-kinesis-bench-'))
      const t0 = performance.now()
      const summary = await startRunner({
        client: kinesis.client(),
        streamName: src,
        handler,
        checkpoints: new FileCheckpointStore(path.join(dir, 'cp.json')),
        batchSize: 1_000,
        idleMs: 50,
        stopWhenIdleMs: 300,
      }).done
      // The runner's idle wait before stopping is not work: take it off.
      const ms = performance.now() - t0 - 300
      if (summary.stats.records !== total) throw new Error(`${impl}: ${summary.stats.records} of ${total} records`)
      e2e[impl] = { rate: (total * 1000) / ms, putShare: putMs / ms }
    }
    rows.push({
      what: `end to end via kinesalite (${total} records, 4 shards), records/s`,
      ours: e2e.ours.rate.toFixed(0),
      official: e2e.official.rate.toFixed(0),
      ratio: `${(e2e.ours.rate / e2e.official.rate).toFixed(1)}x`,
    })
    rows.push({
      what: 'end to end: share of wall time with a PutRecords in flight',
      ours: `${(e2e.ours.putShare * 100).toFixed(0)}%`,
      official: `${(e2e.official.putShare * 100).toFixed(0)}%`,
      ratio: '',
    })
  } finally {
    progress('')
    await Promise.all([kinesis.close(), kms.close()])
  }
  return rows
}

export function kinesisTable(rows: readonly KinesisRow[]): string {
  const header = ['kinesis (issue 11)', 'ours', 'official', 'ours/official']
  const lines = [header, ...rows.map((r) => [r.what, r.ours, r.official, r.ratio])]
  const widths = header.map((_, c) => Math.max(...lines.map((l) => (l[c] ?? '').length)))
  return lines
    .map((l) => l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '))
    .join('\n')
}
