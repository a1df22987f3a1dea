// The Kinesis worker demo (README "Kinesis worker"): against a running kinesalite, encrypt a 2-shard source stream into a destination with the runner, then decrypt it back.
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  createDecryptHandler,
  createEncryptHandler,
  createKinesisClient,
  FileCheckpointStore,
  startRunner,
} from '../lib/kinesis/index'
import { startLocalKms } from '../lib/testing/index'

async function main(): Promise<void> {
  const at = process.argv.indexOf('--kinesis')
  const endpoint = at > 0 ? process.argv[at + 1] : 'http://127.0.0.1:4567'
  const kms = await startLocalKms()
  const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }
  const kinesis = createKinesisClient({ region: 'us-east-1', endpoint, credentials })
  const run = Date.now().toString(36)
  const [source, destination] = [`demo-source-${run}`, `demo-destination-${run}`]
  for (const name of [source, destination]) {
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }))
    while (
      (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary
        ?.StreamStatus !== 'ACTIVE'
    )
      await new Promise((r) => setTimeout(r, 100))
  }
  const records = Array.from({ length: 1000 }, (_, i) => ({
    Data: Buffer.from(`order ${i}: {"amount": ${i * 3}}`),
    PartitionKey: `customer-${i % 10}`,
  }))
  for (let i = 0; i < records.length; i += 500)
    await kinesis.send(new PutRecordsCommand({ StreamName: source, Records: records.slice(i, i + 500) }))
  console.log(`produced ${records.length} records into ${source} at ${endpoint}`)

  // The same handler you deploy on Lambda, driven here by the local runner.
  const kmsOptions = { keyIds: [kms.keys.keyArn('us-east-1')], clientConfig: { endpoint: kms.endpoint, credentials } }
  const encrypt = createEncryptHandler({
    destination: { streamName: destination, client: kinesis },
    kms: kmsOptions,
    encryptionContext: { app: 'demo' },
  })
  const dir = mkdtempSync(path.join(os.tmpdir(), 'esdk-kinesis-demo-'))
  const encrypted = await startRunner({
    client: kinesis,
    streamName: source,
    handler: encrypt,
    checkpoints: new FileCheckpointStore(path.join(dir, 'encrypt.json')),
    batchSize: 500,
    idleMs: 200,
    stopWhenIdleMs: 1000,
  }).done
  const m = encrypt.metrics.snapshot().totals
  console.log(
    `encrypted ${m.RecordsOut} records into ${destination}: ${m.KmsCalls} KMS call(s), cache hits ${m.CacheHits}, ${m.PutRecordsCalls} PutRecords calls, ${encrypted.stats.batches} batches`,
  )

  const seen: string[] = []
  const decrypt = createDecryptHandler({
    kms: kmsOptions,
    requiredEncryptionContext: { app: 'demo' },
    onRecord: (r) => void seen.push(r.plaintext.toString()),
  })
  await startRunner({
    client: kinesis,
    streamName: destination,
    handler: decrypt,
    checkpoints: new FileCheckpointStore(path.join(dir, 'decrypt.json')),
    batchSize: 500,
    idleMs: 200,
    stopWhenIdleMs: 1000,
  }).done
  const same =
    seen.length === records.length &&
    new Set(seen).size === records.length &&
    records.every((r) => seen.includes(r.Data.toString()))
  console.log(`decrypted ${seen.length} records: ${same ? 'all match the input' : 'MISMATCH'}; first: ${seen[0] ?? ''}`)
  kinesis.destroy()
  await kms.close()
  if (!same) process.exitCode = 1
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
