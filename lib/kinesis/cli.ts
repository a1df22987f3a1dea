// esdk-kinesis: the runner on the command line (encrypt a source stream into a destination, or decrypt one to JSON lines), with SIGTERM handling and a summary.
import { createWriteStream } from 'node:fs'
import { parseArgs } from 'node:util'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import { CheckpointStore, FileCheckpointStore } from './checkpoints'
import { DynamoDbCheckpointStore } from './dynamodb-checkpoints'
import { createDecryptHandler } from './decrypt-handler'
import { createEncryptHandler, KinesisHandler } from './encrypt-handler'
import { createKinesisClient } from './kinesis-client'
import { RunnerSummary, startRunner } from './runner'
import { shardFilter } from './shard-lineage'

export const USAGE = `usage: esdk-kinesis encrypt --source STREAM --destination STREAM --key-id ARN [--key-id ARN ...] [options]
       esdk-kinesis decrypt --source STREAM (--key-id ARN ... | --discovery) [--output FILE] [options]
options:
  --region R                 AWS region (default AWS_REGION, else us-east-1)
  --kinesis-endpoint URL     Kinesis endpoint (e.g. kinesalite: http://127.0.0.1:4567)
  --kms-endpoint URL         KMS endpoint (e.g. the local stand-in, npx esdk-local-kms)
  --dynamodb-endpoint URL    DynamoDB endpoint for dynamodb: checkpoints
  --checkpoints SPEC         file:PATH (default file:./esdk-kinesis-checkpoints.json) or dynamodb:TABLE
  --batch-size N             records per handler call (default 100, at most 10000)
  --batch-window-ms N        gather records for up to N ms per batch (default 0)
  --shards SPEC              shard ids (a,b,c) or i/n: this process runs its part of the shards
  --starting-position P      TRIM_HORIZON (default) or LATEST, where a shard without checkpoint starts
  --context K=V              static encryption context pair (repeatable); decrypt: a pair every message must hold
  --max-record-bytes N       destination record limit (default 1048576)
  --cache-max-messages N     messages per cached data key (default 1000)
  --until-idle-ms N          stop once every shard has been caught up and idle for N ms
  --stop-grace-ms N          on SIGTERM, let the batch in flight finish for N ms (default 10000), else abandon it
  --output FILE              decrypt: JSON lines {partitionKey, sequenceNumber, data (base64)} (default stdout)
  --metrics MODE             emf (a CloudWatch EMF line per batch on stderr) or none (default)`

function pairs(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const v of values ?? []) {
    const at = v.indexOf('=')
    if (at <= 0) throw new Error(`--context ${v}: want KEY=VALUE`)
    out[v.slice(0, at)] = v.slice(at + 1)
  }
  return out
}

function int(value: string | undefined, name: string, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`)
  return n
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      destination: { type: 'string' },
      'key-id': { type: 'string', multiple: true },
      discovery: { type: 'boolean' },
      region: { type: 'string' },
      'kinesis-endpoint': { type: 'string' },
      'kms-endpoint': { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      checkpoints: { type: 'string' },
      'batch-size': { type: 'string' },
      'batch-window-ms': { type: 'string' },
      shards: { type: 'string' },
      'starting-position': { type: 'string' },
      context: { type: 'string', multiple: true },
      'max-record-bytes': { type: 'string' },
      'cache-max-messages': { type: 'string' },
      'until-idle-ms': { type: 'string' },
      'stop-grace-ms': { type: 'string' },
      'idle-ms': { type: 'string' },
      output: { type: 'string' },
      metrics: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const command = positionals[0]
  if (values.help || (command !== 'encrypt' && command !== 'decrypt')) {
    console.log(USAGE)
    return values.help ? 0 : 2
  }
  if (values.source === undefined) throw new Error('--source is required')
  const region = values.region ?? process.env['AWS_REGION'] ?? 'us-east-1'
  const kinesis = createKinesisClient({
    region,
    ...(values['kinesis-endpoint'] ? { endpoint: values['kinesis-endpoint'] } : {}),
  })
  const kmsConfig = {
    ...(values['kms-endpoint'] ? { endpoint: values['kms-endpoint'] } : {}),
    requestHandler: new NodeHttpHandler(),
  }
  const metrics = values.metrics === 'emf' ? ('emf' as const) : ('none' as const)
  const log = (line: string): void => void process.stderr.write(`${line}\n`)
  const spec = values.checkpoints ?? 'file:./esdk-kinesis-checkpoints.json'
  let checkpoints: CheckpointStore
  if (spec.startsWith('dynamodb:')) {
    const store = new DynamoDbCheckpointStore({
      client: new DynamoDBClient({
        region,
        ...(values['dynamodb-endpoint'] ? { endpoint: values['dynamodb-endpoint'] } : {}),
      }),
      tableName: spec.slice('dynamodb:'.length),
    })
    await store.createTable()
    checkpoints = store
  } else if (spec.startsWith('file:')) checkpoints = new FileCheckpointStore(spec.slice('file:'.length))
  else throw new Error(`--checkpoints ${spec}: want file:PATH or dynamodb:TABLE`)

  let handler: KinesisHandler
  let closeOutput = async (): Promise<void> => {}
  const keyIds = values['key-id'] ?? []
  if (command === 'encrypt') {
    if (values.destination === undefined || keyIds.length === 0)
      throw new Error('encrypt needs --destination and --key-id')
    handler = createEncryptHandler({
      destination: {
        streamName: values.destination,
        client: kinesis,
        maxRecordBytes: int(values['max-record-bytes'], 'max-record-bytes', undefined),
      },
      kms: { keyIds, clientConfig: kmsConfig },
      cache: { maxMessagesEncrypted: int(values['cache-max-messages'], 'cache-max-messages', 1000) },
      encryptionContext: pairs(values.context),
      metrics,
      log,
    })
  } else {
    if (keyIds.length === 0 && !values.discovery) throw new Error('decrypt needs --key-id or --discovery')
    const out =
      values.output === undefined || values.output === '-'
        ? process.stdout
        : createWriteStream(values.output, { flags: 'a' })
    closeOutput = () =>
      out === process.stdout ? Promise.resolve() : new Promise((resolve) => out.end(() => resolve()))
    handler = createDecryptHandler({
      kms: values.discovery ? { discovery: true, clientConfig: kmsConfig } : { keyIds, clientConfig: kmsConfig },
      requiredEncryptionContext: values.context ? pairs(values.context) : undefined,
      onRecord: (r) => {
        const line = JSON.stringify({
          partitionKey: r.partitionKey,
          sequenceNumber: r.sequenceNumber,
          data: r.plaintext.toString('base64'),
        })
        return new Promise<void>((resolve, reject) => out.write(`${line}\n`, (e) => (e ? reject(e) : resolve())))
      },
      metrics,
      log,
    })
  }
  const position = values['starting-position'] ?? 'TRIM_HORIZON'
  if (position !== 'TRIM_HORIZON' && position !== 'LATEST')
    throw new Error('--starting-position must be TRIM_HORIZON or LATEST')
  const runner = startRunner({
    client: kinesis,
    streamName: values.source,
    handler,
    checkpoints,
    batchSize: int(values['batch-size'], 'batch-size', 100),
    batchWindowMs: int(values['batch-window-ms'], 'batch-window-ms', 0),
    idleMs: int(values['idle-ms'], 'idle-ms', 1000),
    shards: shardFilter(values.shards),
    startingPosition: position,
    stopWhenIdleMs: int(values['until-idle-ms'], 'until-idle-ms', undefined),
    shardSyncMs: 2_000,
    log,
  })
  const grace = int(values['stop-grace-ms'], 'stop-grace-ms', 10_000) as number
  // SIGTERM (what Lambda, systemd and container runtimes send) or Ctrl-C: stop polling, let the batch in flight finish within the grace, else abandon it unchecked-pointed.
  const summary = await new Promise<RunnerSummary>((resolve, reject) => {
    const onSignal = (): void => void runner.stop(grace).then(resolve, reject)
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
    runner.done.then(resolve, reject)
  })
  await closeOutput()
  process.stderr.write(`${JSON.stringify({ summary: { ...summary, metrics: handler.metrics.snapshot() } })}\n`)
  kinesis.destroy()
  return 0
}
