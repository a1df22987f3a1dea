// Starts what the Kinesis worker tests need on 127.0.0.1: kinesalite (real @aws-sdk/client-kinesis over HTTP/1.1), a fault-injecting PutRecords proxy, the local KMS.
import type { AddressInfo } from 'node:net'
import { buffer } from 'node:stream/consumers'
import { IncomingMessage, Server, ServerResponse, createServer, request } from 'node:http'
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis'
import type { KinesisClient, _Record as KinesisRecord } from '@aws-sdk/client-kinesis'
import { createKinesisClient } from '../../lib/kinesis/kinesis-client'

/** kinesalite has no type declarations: the one function it exports, as far as these tests use it. */
type Kinesalite = (options: {
  createStreamMs: number
  deleteStreamMs: number
  updateStreamMs: number
  shardLimit: number
}) => Server
const kinesalite = require('kinesalite') as Kinesalite

export const CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }
export const REGION = 'us-east-1'

export async function listen(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function close(server: Server): Promise<void> {
  server.closeAllConnections?.()
  return new Promise((resolve) => server.close(() => resolve()))
}

export interface LocalKinesis {
  readonly endpoint: string
  client(endpoint?: string, maxAttempts?: number): KinesisClient
  createStream(name: string, shards: number): Promise<void>
  /** Every record of every shard of a stream, shard by shard, in order. */
  readAll(name: string): Promise<KinesisRecord[]>
  close(): Promise<void>
}

export async function startKinesalite(): Promise<LocalKinesis> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 })
  // Longer than any pause between a client's calls: Node's 5 s default closes idle sockets a client may be reusing (ECONNRESET).
  server.keepAliveTimeout = 120_000
  const endpoint = await listen(server)
  const clients: KinesisClient[] = []
  /** The worker's clients make one attempt (it retries itself); producers and readers here let the SDK retry. */
  const make = (at = endpoint, maxAttempts = 1): KinesisClient => {
    const c = createKinesisClient({ region: REGION, endpoint: at, credentials: { ...CREDENTIALS }, maxAttempts })
    clients.push(c)
    return c
  }
  const admin = make(endpoint, 5)
  return {
    endpoint,
    client: make,
    async createStream(name, shards) {
      await admin.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }))
      for (let i = 0; i < 200; i++) {
        const d = await admin.send(new DescribeStreamSummaryCommand({ StreamName: name }))
        if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return
        await new Promise((r) => setTimeout(r, 20))
      }
      throw new Error(`stream ${name} did not become ACTIVE`)
    },
    async readAll(name) {
      const shards = (await admin.send(new ListShardsCommand({ StreamName: name }))).Shards ?? []
      const out: KinesisRecord[] = []
      for (const s of shards) {
        let it = (
          await admin.send(
            new GetShardIteratorCommand({ StreamName: name, ShardId: s.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
          )
        ).ShardIterator
        while (it !== undefined) {
          const r = await admin.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }))
          out.push(...(r.Records ?? []))
          if ((r.Records ?? []).length === 0) break
          it = r.NextShardIterator
        }
      }
      return out
    },
    async close() {
      for (const c of clients) c.destroy()
      await close(server)
    },
  }
}

export interface PutFaults {
  /** Share of PutRecords calls answered with a whole-call ProvisionedThroughputExceededException. */
  callThrottle: number
  /** Share of entries of the other calls dropped before kinesalite and answered as throttled. */
  entryFailure: number
}

export interface FaultProxy {
  readonly endpoint: string
  readonly faults: PutFaults
  readonly injected: { calls: number; entries: number }
  close(): Promise<void>
}

function forward(
  target: URL,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, 'content-length': String(body.length) }
    const f = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (answer) => {
        void buffer(answer).then(
          (b) => resolve({ status: answer.statusCode ?? 500, headers: answer.headers, body: b }),
          reject,
        )
      },
    )
    f.on('error', reject)
    f.end(body)
  })
}

/**
 * A front for kinesalite that fails PutRecords the ways Kinesis does: whole calls throttled, and
 * single entries refused (those entries never reach kinesalite, so a refused entry is really
 * unwritten). A deterministic generator picks them. Everything else passes through untouched.
 */
export async function startFaultProxy(kinesaliteEndpoint: string, faults: PutFaults, seed = 7): Promise<FaultProxy> {
  const target = new URL(kinesaliteEndpoint)
  let state = seed >>> 0
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
  const injected = { calls: 0, entries: 0 }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const body = await buffer(req)
      if (req.headers['x-amz-target'] === 'Kinesis_20131202.PutRecords') {
        if (random() < faults.callThrottle) {
          injected.calls++
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(
            JSON.stringify({
              __type: 'ProvisionedThroughputExceededException',
              message: 'Rate exceeded for stream (injected)',
            }),
          )
          return
        }
        const parsed = JSON.parse(body.toString('utf8')) as { StreamName: string; Records: unknown[] }
        const keep: number[] = []
        parsed.Records.forEach((_, i) => {
          if (random() >= faults.entryFailure) keep.push(i)
        })
        if (keep.length < parsed.Records.length) {
          const answers: object[] = parsed.Records.map(() => ({
            ErrorCode: 'ProvisionedThroughputExceededException',
            ErrorMessage: 'Rate exceeded for shard (injected)',
          }))
          let failedCount = parsed.Records.length - keep.length
          injected.entries += failedCount
          if (keep.length > 0) {
            const sub = Buffer.from(JSON.stringify({ ...parsed, Records: keep.map((i) => parsed.Records[i]) }))
            const answer = await forward(target, req, sub)
            if (answer.status !== 200) {
              res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' }).end(answer.body)
              return
            }
            const real = JSON.parse(answer.body.toString('utf8')) as { Records: object[]; FailedRecordCount: number }
            keep.forEach((i, k) => (answers[i] = real.Records[k] as object))
            failedCount += real.FailedRecordCount
          }
          res
            .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
            .end(JSON.stringify({ FailedRecordCount: failedCount, Records: answers }))
          return
        }
      }
      const answer = await forward(target, req, body)
      const headers = { ...answer.headers }
      delete headers['transfer-encoding']
      res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) }).end(answer.body)
    })().catch((e: unknown) => res.writeHead(500).end(String(e)))
  })
  const endpoint = await listen(server)
  return { endpoint, faults, injected, close: () => close(server) }
}

/** Writes records with the plain client (the producer side), 500 at a time, retrying whatever failed. */
export async function produce(
  client: KinesisClient,
  streamName: string,
  records: readonly { data: Uint8Array; partitionKey: string; explicitHashKey?: string }[],
): Promise<void> {
  let start = 0
  while (start < records.length) {
    let bytes = 0
    let end = start
    while (end < records.length && end - start < 500) {
      const size = (records[end] as { data: Uint8Array }).data.byteLength + 256
      if (end > start && bytes + size > 4.5 * 1024 * 1024) break
      bytes += size
      end++
    }
    let pending = records.slice(start, end)
    while (pending.length > 0) {
      const answer = await client.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: pending.map((r) => ({
            Data: r.data,
            PartitionKey: r.partitionKey,
            ExplicitHashKey: r.explicitHashKey,
          })),
        }),
      )
      pending = pending.filter((_, i) => answer.Records?.[i]?.ErrorCode !== undefined)
    }
    start = end
  }
}
