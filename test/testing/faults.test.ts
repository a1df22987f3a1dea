// Fault injection seen through the real client: throttling, 5xx, dropped connections and their retries, latency, failing keys, the tally, clear().
import test from 'ava'
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms'
import { errorType, kmsClient, raw, startKms, text } from './helpers'

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

interface SdkMetadata {
  readonly attempts: number
  readonly httpStatusCode?: number
}
const metadataOf = (e: unknown): SdkMetadata => (e as { $metadata: SdkMetadata }).$metadata

test('serverError(1): a 500 with a KMS-shaped body, retried by the SDK, every attempt tallied', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  kms.faults.serverError(1)
  const err = await t.throwsAsync(gdk(client), { name: 'KMSInternalException' })
  t.like(metadataOf(err), { attempts: 3, httpStatusCode: 500 })
  t.is(kms.faults.injected.serverError, 3)
  t.true(kms.calls.every((c) => !c.ok && c.errorType === 'KMSInternalException'))
  const reply = await raw(kms, { target: 'TrentService.GenerateDataKey', body: '{"KeyId":"alias/local-kms"}' })
  t.is(reply.status, 500)
  t.is(errorType(reply), 'KMSInternalException')
  t.is(reply.headers['x-amzn-errortype'], 'KMSInternalException')
  t.is(typeof (reply.json as { message?: unknown }).message, 'string')
})

test('serverError(1, {status: 503}): ServiceUnavailable, retried', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  kms.faults.serverError(1, { status: 503 })
  const err = await t.throwsAsync(gdk(client), { name: 'ServiceUnavailable' })
  t.like(metadataOf(err), { attempts: 3, httpStatusCode: 503 })
  const reply = await raw(kms, { target: 'TrentService.GenerateDataKey', body: '{"KeyId":"alias/local-kms"}' })
  t.is(reply.status, 503)
  t.is(errorType(reply), 'ServiceUnavailable')
  t.is(kms.faults.injected.serverError, 4)
})

test('serverError(0.5): each call succeeds on its second attempt; ops limit the rule', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  kms.faults.serverError(0.5, { ops: ['GenerateDataKey'] })
  for (let i = 0; i < 3; i++) t.is((await gdk(client)).$metadata.attempts, 2)
  await t.notThrowsAsync(client.send(new EncryptCommand({ KeyId: 'alias/local-kms', Plaintext: text('x') })))
  t.deepEqual(
    kms.calls.map((c) => `${c.op[0] ?? ''}${c.attempt}${c.ok ? 'ok' : (c.errorType ?? '?')}`),
    ['G1KMSInternalException', 'G2ok', 'G1KMSInternalException', 'G2ok', 'G1KMSInternalException', 'G2ok', 'E1ok'],
  )
  t.is(kms.faults.injected.serverError, 3)
})

for (const at of ['arrival', 'before-answer', 'mid-answer'] as const) {
  test(`dropConnection at ${at}: the SDK retries a dropped connection, and fails after its last attempt`, async (t) => {
    const kms = await startKms(t)
    const client = kmsClient(t, kms, 'us-west-2')
    kms.faults.dropConnection(0.5, { at })
    for (let i = 0; i < 3; i++) t.is((await gdk(client)).$metadata.attempts, 2)
    t.is(kms.faults.injected.dropConnection, 3)
    // Cut on arrival, the request never reaches the dispatcher; later, the operation has run.
    t.is(kms.calls.length, at === 'arrival' ? 3 : 6)
    kms.faults.clear()
    kms.clearCalls()
    kms.faults.dropConnection(1, { at })
    const err = await t.throwsAsync(gdk(client))
    t.is(metadataOf(err).attempts, 3)
    // mid-answer: the 200 status line arrived, then the body broke off.
    if (at === 'mid-answer') t.is(metadataOf(err).httpStatusCode, 200)
    else t.regex(String((err as { code?: unknown }).code), /ECONNRESET/)
    t.is(kms.faults.injected.dropConnection, 3)
  })
}

test('dropConnection takes its drop points in turn; a drop leaves the next request on a new connection working', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2', { maxAttempts: 1 })
  kms.faults.dropConnection(0.5)
  const outcomes: string[] = []
  for (let i = 0; i < 6; i++)
    outcomes.push(
      await gdk(client).then(
        () => 'ok',
        (e: unknown) => (metadataOf(e).httpStatusCode === 200 ? 'half' : `${kms.calls.length}`),
      ),
    )
  // Calls 1, 3, 5 are dropped: at arrival (not logged), before the answer (logged), mid-answer (headers then half).
  t.deepEqual(outcomes, ['0', 'ok', '2', 'ok', 'half', 'ok'])
  t.is(kms.faults.injected.dropConnection, 3)
})

test('a seeded dropConnection repeats its pattern; the injected tally counts every kind and clear() resets it', async (t) => {
  const patterns: string[] = []
  for (let run = 0; run < 2; run++) {
    const kms = await startKms(t)
    const client = kmsClient(t, kms, 'us-west-2', { maxAttempts: 1 })
    kms.faults.dropConnection(0.5, { seed: 7, at: 'arrival' })
    let p = ''
    for (let i = 0; i < 16; i++)
      p += await gdk(client).then(
        () => '.',
        () => 'D',
      )
    patterns.push(p)
    t.is(kms.faults.injected.dropConnection, [...p].filter((c) => c === 'D').length)
  }
  t.is(patterns[0], patterns[1])
  t.regex(patterns[0] ?? '', /D/)
  t.regex(patterns[0] ?? '', /\./)

  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2', { maxAttempts: 1 })
  kms.faults.throttle(1, { ops: ['Encrypt'] })
  kms.faults.latency(1, { ops: ['GenerateDataKey'] })
  kms.faults.failKey(kms.keys.mrkArn('us-west-2'), 'DisabledException')
  await gdk(client)
  await t.throwsAsync(client.send(new EncryptCommand({ KeyId: 'alias/local-kms', Plaintext: text('x') })))
  await t.throwsAsync(gdk(client, 'alias/local-kms-mrk'))
  t.deepEqual(kms.faults.injected, { throttle: 1, latency: 2, serverError: 0, dropConnection: 0, failKey: 1 })
  kms.faults.clear()
  t.deepEqual(kms.faults.injected, { throttle: 0, latency: 0, serverError: 0, dropConnection: 0, failKey: 0 })
})

test('serverError and dropConnection check their arguments', async (t) => {
  const kms = await startKms(t)
  t.throws(() => kms.faults.serverError(-0.1), { instanceOf: RangeError })
  t.throws(() => kms.faults.serverError(0.1, { status: 502 as 500 }), { instanceOf: RangeError })
  t.throws(() => kms.faults.dropConnection(2), { instanceOf: RangeError })
  t.throws(() => kms.faults.dropConnection(0.1, { at: 'later' as 'arrival' }), { instanceOf: TypeError })
  t.throws(() => kms.faults.dropConnection(0.1, { at: [] }), { instanceOf: RangeError })
  t.throws(() => kms.faults.serverError(0.1, { ops: ['Sign' as 'Decrypt'] }), { instanceOf: TypeError })
})
