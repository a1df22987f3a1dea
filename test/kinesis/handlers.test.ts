// The Lambda handlers on real-shaped Kinesis events against kinesalite and the local KMS: round trip, KPL aggregates, malformed and oversize records, throttling storms, undecryptable records.
import test from 'ava'
import type { KinesisStreamEvent } from 'aws-lambda'
import { startLocalKms, LocalKms } from '../../lib/testing'
import { createDecryptHandler, createEncryptHandler, DecryptedRecord, RecordFailure } from '../../lib/kinesis'
import { deaggregate } from '../../lib/kinesis/deaggregate'
import { chunkEntries, PUT_RECORDS_MAX_BYTES } from '../../lib/kinesis/put-records'
import { CREDENTIALS, LocalKinesis, REGION, startFaultProxy, startKinesalite } from './stand-ins'
import { kplAggregate } from './workload'

interface Env {
  kinesis: LocalKinesis
  kms: LocalKms
}
let env: Env

test.before(async () => {
  const [kinesis, kms] = await Promise.all([startKinesalite(), startLocalKms()])
  env = { kinesis, kms }
})
test.after.always(async () => {
  await Promise.all([env.kinesis.close(), env.kms.close()])
})

const kmsOptions = (): { keyIds: string[]; clientConfig: object } => ({
  keyIds: [env.kms.keys.keyArn(REGION)],
  clientConfig: { endpoint: env.kms.endpoint, credentials: { ...CREDENTIALS } },
})

let seq = 49590338271490256608559692538361571095921575989136588898n
/** A Kinesis event exactly as the event source mapping delivers it (every field, base64 data). */
function event(stream: string, records: readonly { data: Buffer; partitionKey: string }[]): KinesisStreamEvent {
  return {
    Records: records.map((r) => {
      seq += 1000n
      return {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: r.partitionKey,
          sequenceNumber: String(seq),
          data: r.data.toString('base64'),
          approximateArrivalTimestamp: 1545084650.987,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000006:${seq}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
        awsRegion: REGION,
        eventSourceARN: `arn:aws:kinesis:${REGION}:123456789012:stream/${stream}`,
      }
    }),
  }
}

async function destinationEvent(stream: string): Promise<KinesisStreamEvent> {
  const records = await env.kinesis.readAll(stream)
  return event(
    stream,
    records.map((r) => ({ data: Buffer.from(r.Data ?? new Uint8Array()), partitionKey: r.PartitionKey ?? '' })),
  )
}

test('encrypt then decrypt: every record, key, the static context plus the source stream, aggregates opened; EMF line per call', async (t) => {
  await env.kinesis.createStream('rt-dest', 2)
  const lines: string[] = []
  const encrypt = createEncryptHandler({
    destination: { streamName: 'rt-dest', client: env.kinesis.client() },
    kms: kmsOptions(),
    encryptionContext: { app: 'orders' },
    metrics: 'emf',
    log: false,
  })
  const log = console.log
  console.log = (line: string) => lines.push(line)
  const plain = [
    { data: Buffer.from('one'), partitionKey: 'a' },
    {
      data: kplAggregate([
        { partitionKey: 'b', data: Buffer.from('two') },
        { partitionKey: 'c', data: Buffer.from('three') },
      ]),
      partitionKey: 'b',
    },
  ]
  let response
  try {
    response = await encrypt(event('rt-src', plain))
  } finally {
    console.log = log
  }
  t.deepEqual(response.batchItemFailures, [])
  const emf = JSON.parse(lines[0] ?? '{}') as Record<string, unknown> & {
    _aws?: { CloudWatchMetrics?: { Namespace: string }[] }
  }
  t.is(emf._aws?.CloudWatchMetrics?.[0]?.Namespace, 'esdk-native/kinesis')
  t.like(emf, { RecordsIn: 2, UserRecordsIn: 3, RecordsOut: 3, KmsCalls: 1, CacheMisses: 1, CacheHits: 2, Failures: 0 })
  const got: DecryptedRecord[] = []
  const decrypt = createDecryptHandler({
    kms: kmsOptions(),
    requiredEncryptionContext: { app: 'orders' },
    onRecord: (r) => void got.push(r),
    log: false,
  })
  t.deepEqual((await decrypt(await destinationEvent('rt-dest'))).batchItemFailures, [])
  t.deepEqual(got.map((r) => [r.partitionKey, r.plaintext.toString()]).sort(), [
    ['a', 'one'],
    ['b', 'two'],
    ['c', 'three'],
  ])
  t.like(got[0]?.encryptionContext, { app: 'orders', 'kinesis-source-stream': 'rt-src' })
  // A discovery keyring filtered to the caller's account opens them too.
  const discovery = createDecryptHandler({
    kms: {
      discovery: true,
      discoveryFilter: { partition: 'aws', accountIDs: [env.kms.callerAccount] },
      clientConfig: kmsOptions().clientConfig,
    },
    onRecord: () => undefined,
    log: false,
  })
  t.deepEqual((await discovery(await destinationEvent('rt-dest'))).batchItemFailures, [])
})

test('malformed aggregates and oversize records are reported (lowest first, later records held back) or handed to onFailure, never dropped', async (t) => {
  await env.kinesis.createStream('bad-dest', 1)
  const good = kplAggregate([{ partitionKey: 'k', data: Buffer.from('fine') }])
  const badMd5 = Buffer.from(good)
  badMd5.writeUInt8(badMd5.readUInt8(badMd5.length - 1) ^ 1, badMd5.length - 1)
  t.false(deaggregate(badMd5, 'k').ok)
  const records = [
    { data: Buffer.from('first'), partitionKey: 'k' },
    { data: badMd5, partitionKey: 'k' },
    { data: Buffer.alloc(1024 * 1024 - 100, 1), partitionKey: 'k' },
    { data: Buffer.from('after'), partitionKey: 'k' },
  ]
  const ev = event('bad-src', records)
  const seqs = ev.Records.map((r) => r.kinesis.sequenceNumber)
  const encrypt = createEncryptHandler({
    destination: { streamName: 'bad-dest', client: env.kinesis.client() },
    kms: kmsOptions(),
    log: false,
  })
  const response = await encrypt(ev)
  t.deepEqual(
    response.batchItemFailures.map((f) => f.itemIdentifier),
    [seqs[1], seqs[2], seqs[3]],
  )
  t.is((await env.kinesis.readAll('bad-dest')).length, 1, 'only the record before the first failure was written')
  t.like(encrypt.metrics.snapshot().failureReasons, { 'malformed-aggregate': 1, oversize: 1 })

  const handled: RecordFailure[] = []
  const withDlq = createEncryptHandler({
    destination: { streamName: 'bad-dest', client: env.kinesis.client() },
    kms: kmsOptions(),
    onFailure: (f) => void handled.push(f),
    log: false,
  })
  t.deepEqual((await withDlq(event('bad-src', records))).batchItemFailures, [])
  t.deepEqual(
    handled.map((f) => f.kind),
    ['malformed-aggregate', 'oversize'],
  )
  t.regex(handled[1]?.reason ?? '', /over the destination's 1048576/)
  t.is((await env.kinesis.readAll('bad-dest')).length, 3)
})

test('deaggregate: MD5, protobuf, indices, empty aggregates and unset explicit hash keys are checked', (t) => {
  const ok = deaggregate(
    kplAggregate([
      { partitionKey: 'a', data: Buffer.from('1'), explicitHashKey: '42' },
      { partitionKey: 'b', data: Buffer.from('2') },
    ]),
    'outer',
  )
  t.true(ok.ok)
  if (ok.ok)
    t.deepEqual(
      ok.records.map((r) => [r.partitionKey, r.explicitHashKey, r.subSequenceNumber]),
      [
        ['a', '42', 0],
        ['b', undefined, 1],
      ],
    )
  const magic = Buffer.from('f3899ac2', 'hex')
  const { createHash } = require('node:crypto') as typeof import('node:crypto')
  const wrap = (body: Buffer): Buffer => Buffer.concat([magic, body, createHash('md5').update(body).digest()])
  t.like(deaggregate(wrap(Buffer.alloc(0)), 'k'), { ok: false, reason: 'KPL aggregate holds no records' })
  t.like(deaggregate(wrap(Buffer.from([0x1a, 0x05, 0x08])), 'k'), { ok: false })
  // partition_key_table ['a'], one record with partition_key_index 3 and data 'x'.
  t.like(deaggregate(wrap(Buffer.from([0x0a, 0x01, 0x61, 0x1a, 0x05, 0x08, 0x03, 0x1a, 0x01, 0x78])), 'k'), {
    ok: false,
    reason: 'KPL aggregate record 0: partition key index outside the table',
  })
  t.like(deaggregate(Buffer.concat([magic, Buffer.alloc(3)]), 'k'), { ok: false })
  t.like(deaggregate(Buffer.from('plain'), 'k'), { ok: true, aggregated: false })
})

test('PutRecords chunks keep to 500 entries and 5 MiB with partition keys', (t) => {
  const many = Array.from({ length: 1201 }, () => ({
    data: new Uint8Array(10),
    partitionKey: 'p',
    explicitHashKey: undefined,
  }))
  t.deepEqual(
    chunkEntries(many).map((c) => c.length),
    [500, 500, 201],
  )
  const big = Array.from({ length: 12 }, () => ({
    data: new Uint8Array(1024 * 1024 - 10),
    partitionKey: 'pk',
    explicitHashKey: undefined,
  }))
  const chunks = chunkEntries(big)
  t.deepEqual(
    chunks.map((c) => c.length),
    [5, 5, 2],
  )
  for (const c of chunks) t.true(c.length * (1024 * 1024 - 8) <= PUT_RECORDS_MAX_BYTES)
})

test.serial(
  'throttling storms: KMS throttled and slow, PutRecords calls and entries refused by a proxy: retried, nothing lost, metrics show it',
  async (t) => {
    await env.kinesis.createStream('storm-dest', 2)
    const proxy = await startFaultProxy(env.kinesis.endpoint, { callThrottle: 0.3, entryFailure: 0.2 })
    env.kms.faults.throttle(0.5, { ops: ['GenerateDataKey'] })
    env.kms.faults.latency(30)
    try {
      const encrypt = createEncryptHandler({
        destination: { streamName: 'storm-dest', client: env.kinesis.client(proxy.endpoint) },
        kms: {
          ...kmsOptions(),
          clientConfig: { ...kmsOptions().clientConfig, maxAttempts: 10, retryMode: 'standard' },
        },
        put: { maxAttempts: 30, baseDelayMs: 5, maxDelayMs: 50 },
        log: false,
      })
      const input = Array.from({ length: 1200 }, (_, i) => ({
        data: Buffer.from(`storm ${i}`),
        partitionKey: `k${i % 7}`,
      }))
      const response = await encrypt(event('storm-src', input))
      t.deepEqual(response.batchItemFailures, [])
      const m = encrypt.metrics.snapshot().totals
      t.true(m.PutRecordsRetries > 0 && m.PutRecordsThrottles > 0, JSON.stringify(m))
      t.is(m.RecordsOut, 1200)
      t.true(proxy.injected.calls > 0 && proxy.injected.entries > 0)
      const got: string[] = []
      const decrypt = createDecryptHandler({
        kms: kmsOptions(),
        onRecord: (r) => void got.push(r.plaintext.toString()),
        log: false,
      })
      await decrypt(await destinationEvent('storm-dest'))
      t.deepEqual(got.sort(), input.map((r) => r.data.toString()).sort())
    } finally {
      env.kms.faults.clear()
      await proxy.close()
    }
  },
)

test('PutRecords out of attempts: the lowest unwritten record and everything after it are reported', async (t) => {
  await env.kinesis.createStream('fail-dest', 1)
  const proxy = await startFaultProxy(env.kinesis.endpoint, { callThrottle: 0, entryFailure: 0.5 }, 3)
  try {
    const encrypt = createEncryptHandler({
      destination: { streamName: 'fail-dest', client: env.kinesis.client(proxy.endpoint) },
      kms: kmsOptions(),
      put: { maxAttempts: 1 },
      log: false,
    })
    const ev = event(
      'fail-src',
      Array.from({ length: 20 }, (_, i) => ({ data: Buffer.from(`r${i}`), partitionKey: 'k' })),
    )
    const failed = (await encrypt(ev)).batchItemFailures.map((f) => f.itemIdentifier)
    const written = (await env.kinesis.readAll('fail-dest')).length
    t.true(failed.length > 0)
    t.is(written + failed.length, 20, 'every record either written or reported')
  } finally {
    await proxy.close()
  }
})

test('decrypt side: undecryptable records and callback failures are reported from the lowest on, or handed to onFailure', async (t) => {
  await env.kinesis.createStream('dec-dest', 1)
  const encrypt = createEncryptHandler({
    destination: { streamName: 'dec-dest', client: env.kinesis.client() },
    kms: kmsOptions(),
    encryptionContext: { app: 'a' },
    log: false,
  })
  await encrypt(
    event(
      'dec-src',
      [0, 1, 2, 3].map((i) => ({ data: Buffer.from(`m${i}`), partitionKey: 'k' })),
    ),
  )
  const ev = await destinationEvent('dec-dest')
  const tampered = Buffer.from(ev.Records[1]?.kinesis.data ?? '', 'base64')
  tampered.writeUInt8(tampered.readUInt8(tampered.length - 20) ^ 1, tampered.length - 20)
  ;(ev.Records[1] as { kinesis: { data: string } }).kinesis.data = tampered.toString('base64')
  const seqs = ev.Records.map((r) => r.kinesis.sequenceNumber)
  const got: string[] = []
  const strict = createDecryptHandler({
    kms: kmsOptions(),
    onRecord: (r) => void got.push(r.plaintext.toString()),
    log: false,
  })
  t.deepEqual(
    (await strict(ev)).batchItemFailures.map((f) => f.itemIdentifier),
    seqs.slice(1),
  )
  t.deepEqual(got, ['m0'])
  const dead: RecordFailure[] = []
  got.length = 0
  const dlq = createDecryptHandler({
    kms: kmsOptions(),
    onRecord: (r) => void got.push(r.plaintext.toString()),
    onFailure: (f) => void dead.push(f),
    log: false,
  })
  t.deepEqual((await dlq(ev)).batchItemFailures, [])
  t.deepEqual(got, ['m0', 'm2', 'm3'])
  t.is(dead[0]?.kind, 'undecryptable')
  // A required context the messages do not hold: every record fails.
  const wrongContext = createDecryptHandler({
    kms: kmsOptions(),
    requiredEncryptionContext: { app: 'b' },
    onRecord: () => undefined,
    log: false,
  })
  t.is((await wrongContext(await destinationEvent('dec-dest'))).batchItemFailures.length, 4)
  // The callback throws on the third record: it and the fourth are reported.
  let n = 0
  const flaky = createDecryptHandler({
    kms: kmsOptions(),
    onRecord: () => {
      if (++n === 3) throw new Error('sink down')
    },
    log: false,
  })
  const clean = await destinationEvent('dec-dest')
  t.deepEqual(
    (await flaky(clean)).batchItemFailures.map((f) => f.itemIdentifier),
    clean.Records.slice(2).map((r) => r.kinesis.sequenceNumber),
  )
})

test('an event record without a sequence number refuses the whole event (Lambda retries it), nothing is skipped', async (t) => {
  const encrypt = createEncryptHandler({
    destination: { streamName: 'none', client: env.kinesis.client() },
    kms: kmsOptions(),
    log: false,
  })
  await t.throwsAsync(encrypt({ Records: [{ kinesis: { data: 'aGk=' } }] } as unknown as KinesisStreamEvent), {
    message: /no valid sequenceNumber/,
  })
})
