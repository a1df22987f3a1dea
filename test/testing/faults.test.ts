// Fault injection seen through the real client: throttling and its retries, latency, failing keys, and clear().
import test from 'ava'
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms'
import { kmsClient, startKms, text } from './helpers'

const gdk = (client: KMSClient, keyId = 'alias/local-kms') =>
  client.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 32 }))

/** ok/throttled per call for `n` single-attempt calls. */
async function pattern(client: KMSClient, n: number): Promise<string> {
  let out = ''
  for (let i = 0; i < n; i++)
    out += await gdk(client).then(
      () => '.',
      (e: Error) => (e.name === 'ThrottlingException' ? 'T' : '?'),
    )
  return out
}

test('throttle(1.0): ThrottlingException after the SDK retried, every attempt logged', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  kms.faults.throttle(1)
  const err = await t.throwsAsync(gdk(client), { name: 'ThrottlingException' })
  const metadata = (err as unknown as { $metadata: { attempts: number; httpStatusCode: number } }).$metadata
  t.is(metadata.attempts, 3)
  t.is(metadata.httpStatusCode, 400)
  const calls = kms.calls
  t.is(calls.length, 3)
  t.deepEqual(
    calls.map((c) => c.attempt),
    [1, 2, 3],
  )
  t.true(calls.every((c) => !c.ok && c.errorType === 'ThrottlingException' && c.keyId === 'alias/local-kms'))
  t.is(new Set(calls.map((c) => c.invocationId)).size, 1)
})

test("throttle(0.5) with the SDK's retries: every call eventually succeeds and the log shows the retries", async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  kms.faults.throttle(0.5)
  for (let i = 0; i < 4; i++) t.truthy((await gdk(client)).Plaintext)
  const calls = kms.calls
  t.is(calls.length, 8)
  t.deepEqual(
    calls.map((c) => `${c.attempt}${c.ok ? 'ok' : c.errorType === 'ThrottlingException' ? 'T' : '?'}`),
    ['1T', '2ok', '1T', '2ok', '1T', '2ok', '1T', '2ok'],
  )
  t.is(kms.counters['GenerateDataKey'], 8)
})

test('the default throttle pattern is evenly spread and repeatable', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2', { maxAttempts: 1 })
  kms.faults.throttle(0.25)
  t.is(await pattern(client, 12), 'T...T...T...')
  kms.faults.clear()
  kms.faults.throttle(0)
  t.is(await pattern(client, 4), '....')
})

test('a seeded throttle gives the same pattern on every server', async (t) => {
  const patterns: string[] = []
  for (let run = 0; run < 2; run++) {
    const kms = await startKms(t)
    const client = kmsClient(t, kms, 'us-west-2', { maxAttempts: 1 })
    kms.faults.throttle(0.5, { seed: 42 })
    patterns.push(await pattern(client, 24))
  }
  t.is(patterns[0], patterns[1])
  t.regex(patterns[0] ?? '', /T/)
  t.regex(patterns[0] ?? '', /\./)
})

test('throttling can target operations and keys', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2', { maxAttempts: 1 })
  kms.faults.throttle(1, { ops: ['Decrypt'] })
  const made = await gdk(client)
  await t.throwsAsync(client.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob })), {
    name: 'ThrottlingException',
  })
  kms.faults.clear()
  kms.faults.throttle(1, { keys: [kms.keys.mrkArn('us-west-2')] })
  await t.notThrowsAsync(gdk(client))
  await t.throwsAsync(gdk(client, 'alias/local-kms-mrk'), { name: 'ThrottlingException' })
  t.throws(() => kms.faults.throttle(1.5), { instanceOf: RangeError })
  t.throws(() => kms.faults.throttle(1, { ops: ['DescribeKey' as 'Decrypt'] }), { instanceOf: TypeError })
})

test('latency delays responses, per operation or for all', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  await gdk(client)
  kms.faults.latency(400)
  let start = Date.now()
  await gdk(client)
  t.true(Date.now() - start >= 390, `took ${Date.now() - start} ms`)
  kms.faults.latency(0)
  kms.faults.latency(400, { ops: ['Encrypt'] })
  start = Date.now()
  await gdk(client)
  t.true(Date.now() - start < 390, `took ${Date.now() - start} ms`)
  start = Date.now()
  await client.send(new EncryptCommand({ KeyId: 'alias/local-kms', Plaintext: text('x') }))
  t.true(Date.now() - start >= 390, `took ${Date.now() - start} ms`)
})

test('close() does not wait for an injected delay', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2', { maxAttempts: 1 })
  kms.faults.latency(60_000)
  const pending = gdk(client).catch((e: Error) => e)
  await new Promise((r) => setTimeout(r, 50))
  const start = Date.now()
  await kms.close()
  t.true(Date.now() - start < 1000)
  t.true((await pending) instanceof Error)
})

test('failKey: that key fails with the chosen error, others work, the SDK retries only retryable ones', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const bad = kms.keys.keyArn('us-west-2')
  kms.faults.failKey(bad, 'KMSInternalException')
  const err = await t.throwsAsync(gdk(client), { name: 'KMSInternalException' })
  t.is((err as unknown as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 500)
  t.is(kms.calls.length, 3, 'a 500 is retried')
  await t.notThrowsAsync(gdk(client, 'alias/local-kms-mrk'))
  kms.clearCalls()
  kms.faults.failKey(bad, 'AccessDeniedException', { ops: ['Decrypt'] })
  const made = await gdk(client)
  await t.throwsAsync(client.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob })), {
    name: 'AccessDeniedException',
  })
  t.deepEqual(
    kms.calls.map((c) => c.op),
    ['GenerateDataKey', 'Decrypt'],
    'a 400 is not retried',
  )
  kms.faults.clear()
  await t.notThrowsAsync(client.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob })))
})
