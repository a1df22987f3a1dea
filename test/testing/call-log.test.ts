// The call log and counters: what each request asked for, what it resolved to, and how it ended.
import test from 'ava'
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, ReEncryptCommand } from '@aws-sdk/client-kms'
import { kmsClient, startKms, text } from './helpers'

test('a call records op, region, KeyId as requested, resolved ARN, grant tokens and context', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'eu-west-1')
  const before = Date.now()
  await client.send(
    new GenerateDataKeyCommand({
      KeyId: 'alias/local-kms',
      NumberOfBytes: 32,
      GrantTokens: ['grant-a', 'grant-b'],
      EncryptionContext: { b: '2', a: '1' },
    }),
  )
  const [call, ...rest] = kms.calls
  t.is(rest.length, 0)
  t.like(call, {
    op: 'GenerateDataKey',
    region: 'eu-west-1',
    keyId: 'alias/local-kms',
    resolvedKeyArn: kms.keys.keyArn('eu-west-1'),
    ok: true,
    errorType: undefined,
    attempt: 1,
  })
  t.deepEqual(call?.grantTokens, ['grant-a', 'grant-b'])
  t.deepEqual(call?.encryptionContext, { a: '1', b: '2' })
  t.true((call?.time ?? 0) >= before && (call?.time ?? 0) <= Date.now())
  t.regex(call?.invocationId ?? '', /^[0-9a-f-]{36}$/)
  t.regex(call?.requestId ?? '', /^[0-9a-f-]{36}$/)
  t.true(Object.isFrozen(call))
})

test('failed calls are logged with their error type; absent fields are empty', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  await t.throwsAsync(client.send(new EncryptCommand({ KeyId: 'alias/missing', Plaintext: text('x') })))
  await t.throwsAsync(client.send(new DecryptCommand({ CiphertextBlob: text('junk') })))
  const [encrypt, decrypt] = kms.calls
  t.like(encrypt, {
    op: 'Encrypt',
    keyId: 'alias/missing',
    resolvedKeyArn: undefined,
    ok: false,
    errorType: 'NotFoundException',
  })
  t.like(decrypt, { op: 'Decrypt', keyId: undefined, ok: false, errorType: 'InvalidCiphertextException' })
  t.deepEqual(decrypt?.grantTokens, [])
  t.deepEqual(decrypt?.encryptionContext, {})
})

test('Decrypt logs the key it used; ReEncrypt logs the source and the destination', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const sealed = await client.send(new EncryptCommand({ KeyId: 'alias/local-kms', Plaintext: text('x') }))
  await client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, GrantTokens: ['g'] }))
  await client.send(
    new ReEncryptCommand({
      CiphertextBlob: sealed.CiphertextBlob,
      DestinationKeyId: 'alias/local-kms-mrk',
      DestinationEncryptionContext: { d: '1' },
    }),
  )
  const [, decrypt, reEncrypt] = kms.calls
  t.like(decrypt, { op: 'Decrypt', keyId: undefined, resolvedKeyArn: kms.keys.keyArn('us-west-2'), ok: true })
  t.deepEqual(decrypt?.grantTokens, ['g'])
  t.like(reEncrypt, {
    op: 'ReEncrypt',
    keyId: 'alias/local-kms-mrk',
    resolvedKeyArn: kms.keys.mrkArn('us-west-2'),
    sourceKeyArn: kms.keys.keyArn('us-west-2'),
  })
  t.deepEqual(reEncrypt?.encryptionContext, { d: '1' })
})

test('counters count per operation; clearCalls resets log and counters', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-east-1')
  const made = await client.send(new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: 32 }))
  await client.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob }))
  await client.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob }))
  await t.throwsAsync(
    client.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob, EncryptionContext: { x: 'y' } })),
  )
  t.deepEqual({ ...kms.counters }, { GenerateDataKey: 1, Decrypt: 3 })
  kms.clearCalls()
  t.deepEqual(kms.calls, [])
  t.deepEqual({ ...kms.counters }, {})
})

test('the log keeps only the newest maxLoggedCalls records; counters keep counting', async (t) => {
  const kms = await startKms(t, { maxLoggedCalls: 2 })
  const client = kmsClient(t, kms, 'us-west-2')
  for (const n of [1, 2, 3])
    await client.send(new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: n }))
  t.deepEqual(
    kms.calls.map((c) => c.op),
    ['GenerateDataKey', 'GenerateDataKey'],
  )
  t.is(kms.counters['GenerateDataKey'], 3)
})

test('the snapshot is a copy: later calls do not change it', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const empty = kms.calls
  await client.send(new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: 32 }))
  t.is(empty.length, 0)
  t.is(kms.calls.length, 1)
})
