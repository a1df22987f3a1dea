// The end-to-end scenario shared by the tests and `npm run kinesis:soak`: produce a workload into a 4-shard source, run the runner (killed and restarted N times), decrypt the destination, verify.
import { spawn, ChildProcess } from 'node:child_process'
import path from 'node:path'
import { KmsKeyringNode } from '../../lib/materials/kms/kms-keyring'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { buildClient } from '../../lib/api/client'
import { KMSClient } from '@aws-sdk/client-kms'
import type { LocalKms } from '../../lib/testing'
import { CREDENTIALS, LocalKinesis, produce, REGION } from './stand-ins'
import { makeWorkload, UserPlain, Verdict, verify } from './workload'

const root = path.resolve(__dirname, '..', '..', '..')
const bin = path.join(root, 'bin', 'esdk-kinesis.js')

export interface ScenarioOptions {
  readonly records: number
  readonly kills: number
  readonly shards: number
  readonly batchSize: number
  /** file:PATH or dynamodb:TABLE */
  readonly checkpoints: string
  readonly dynamodbEndpoint?: string
  readonly seed?: number
  /** Delay before each SIGKILL is drawn from [min, max) ms after the runner started. */
  readonly killAfterMs?: readonly [number, number]
}

export interface ScenarioResult {
  readonly verdict: Verdict
  readonly destinationRecords: number
  readonly kinesisRecords: number
  readonly users: number
  readonly kills: number
  readonly kmsGenerateDataKey: number
  readonly summaries: unknown[]
  readonly seconds: number
}

export function runnerArgs(
  kinesis: LocalKinesis,
  kms: LocalKms,
  source: string,
  destination: string,
  o: { batchSize: number; checkpoints: string; dynamodbEndpoint?: string },
): string[] {
  return [
    bin,
    'encrypt',
    '--source',
    source,
    '--destination',
    destination,
    '--key-id',
    kms.keys.keyArn(REGION),
    '--region',
    REGION,
    '--kinesis-endpoint',
    kinesis.endpoint,
    '--kms-endpoint',
    kms.endpoint,
    '--checkpoints',
    o.checkpoints,
    ...(o.dynamodbEndpoint ? ['--dynamodb-endpoint', o.dynamodbEndpoint] : []),
    '--batch-size',
    String(o.batchSize),
    '--idle-ms',
    '100',
    '--until-idle-ms',
    '1500',
    '--context',
    'purpose=e2e',
  ]
}

export const CHILD_ENV = {
  ...process.env,
  AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
}

export function startChild(args: string[]): {
  child: ChildProcess
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>
} {
  const child = spawn(process.execPath, args, { env: CHILD_ENV, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  )
  return { child, exited }
}

export function summaryOf(stderr: string): unknown {
  const line = stderr.split('\n').find((l) => l.startsWith('{"summary"'))
  return line === undefined ? undefined : (JSON.parse(line) as { summary: unknown }).summary
}

/** Decrypts every destination record (a caching CMM over the KMS key), in destination order. */
export async function decryptDestination(kinesis: LocalKinesis, kms: LocalKms, stream: string): Promise<UserPlain[]> {
  const records = await kinesis.readAll(stream)
  const client = new KMSClient(kms.clientConfig(REGION))
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: new KmsKeyringNode({ generatorKeyId: kms.keys.keyArn(REGION), clientProvider: () => client }),
    cache: getLocalCryptographicMaterialsCache(100),
    maxAge: 600_000,
  })
  const { decryptBatch } = buildClient()
  const out: UserPlain[] = []
  for (let i = 0; i < records.length; i += 1000) {
    const chunk = records.slice(i, i + 1000)
    const opened = await decryptBatch(
      cmm,
      chunk.map((r) => r.Data ?? new Uint8Array(0)),
      { encryptionContext: { purpose: 'e2e' } },
    )
    for (const [k, o] of opened.entries()) {
      if (!o.ok) throw new Error(`destination record ${chunk[k]?.SequenceNumber} does not decrypt: ${o.error.message}`)
      out.push({ partitionKey: chunk[k]?.PartitionKey ?? '', data: Buffer.from(o.plaintext) })
    }
  }
  client.destroy()
  return out
}

export async function runScenario(
  kinesis: LocalKinesis,
  kms: LocalKms,
  o: ScenarioOptions,
  name: string,
): Promise<ScenarioResult> {
  const started = performance.now()
  const source = `${name}-source`
  const destination = `${name}-destination`
  await kinesis.createStream(source, o.shards)
  await kinesis.createStream(destination, o.shards)
  const workload = makeWorkload(o.records, 8, o.seed ?? 11)
  const producer = kinesis.client(undefined, 5)
  await produce(producer, source, workload.kinesisRecords)
  const gdkBefore = kms.counters['GenerateDataKey'] ?? 0
  const args = runnerArgs(kinesis, kms, source, destination, o)
  const summaries: unknown[] = []
  let seed = o.seed ?? 11
  const [lo, hi] = o.killAfterMs ?? [400, 2500]
  for (let k = 0; k < o.kills; k++) {
    const { child, exited } = startChild(args)
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    const delay = lo + (seed % Math.max(1, hi - lo))
    const timer = setTimeout(() => child.kill('SIGKILL'), delay)
    const end = await exited
    clearTimeout(timer)
    if (end.signal !== 'SIGKILL') summaries.push(summaryOf(end.stderr) ?? end.stderr)
  }
  // The last run goes to the end: every shard caught up and idle.
  const last = await startChild(args).exited
  if (last.code !== 0) throw new Error(`runner exited with ${last.code}: ${last.stderr}`)
  summaries.push(summaryOf(last.stderr))
  const output = await decryptDestination(kinesis, kms, destination)
  return {
    verdict: verify(workload.users, output),
    destinationRecords: output.length,
    kinesisRecords: workload.kinesisRecords.length,
    users: workload.users.length,
    kills: o.kills,
    kmsGenerateDataKey: (kms.counters['GenerateDataKey'] ?? 0) - gdkBefore,
    summaries,
    seconds: (performance.now() - started) / 1000,
  }
}
