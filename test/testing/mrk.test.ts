// Multi-Region keys: a blob made under one replica opens under another replica in its own region, as in KMS.
import test from 'ava'
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms'
import { kmsClient, startKms, text } from './helpers'

test('the default multi-Region key has a replica in every region, sharing its mrk- id', async (t) => {
  const kms = await startKms(t)
  const arns = kms.regions.map((r) => kms.keys.mrkArn(r))
  const ids = new Set(arns.map((a) => a.slice(a.indexOf('key/') + 4)))
  t.is(ids.size, 1)
  t.true([...ids][0]?.startsWith('mrk-'))
  const primary = kms.keys.get(arns[0] ?? '')
  t.true(primary?.multiRegion)
  t.deepEqual([...(primary?.replicaArns ?? [])].sort(), arns.slice(1).sort())
  t.deepEqual(primary?.aliases, ['alias/local-kms-mrk'])
})

test('GenerateDataKey under the us-east-1 replica, Decrypt under the us-west-2 replica', async (t) => {
  const kms = await startKms(t)
  const east = kms.keys.mrkArn('us-east-1')
  const west = kms.keys.replicaArn(east, 'us-west-2')
  t.is(west, kms.keys.mrkArn('us-west-2'))
  const context = { tenant: 'mrk' }
  const made = await kmsClient(t, kms, 'us-east-1').send(
    new GenerateDataKeyCommand({ KeyId: east, NumberOfBytes: 32, EncryptionContext: context }),
  )
  t.is(made.KeyId, east)
  const westClient = kmsClient(t, kms, 'us-west-2')
  const withKeyId = await westClient.send(
    new DecryptCommand({ CiphertextBlob: made.CiphertextBlob, EncryptionContext: context, KeyId: west }),
  )
  t.is(withKeyId.KeyId, west)
  t.deepEqual(Buffer.from(withKeyId.Plaintext ?? []), Buffer.from(made.Plaintext ?? []))
  const withoutKeyId = await westClient.send(
    new DecryptCommand({ CiphertextBlob: made.CiphertextBlob, EncryptionContext: context }),
  )
  t.is(withoutKeyId.KeyId, west)
  const viaAlias = await westClient.send(
    new DecryptCommand({
      CiphertextBlob: made.CiphertextBlob,
      EncryptionContext: context,
      KeyId: 'alias/local-kms-mrk',
    }),
  )
  t.is(viaAlias.KeyId, west)
})

test('the context still binds across regions', async (t) => {
  const kms = await startKms(t)
  const made = await kmsClient(t, kms, 'eu-west-1').send(
    new EncryptCommand({ KeyId: kms.keys.mrkArn('eu-west-1'), Plaintext: text('x'), EncryptionContext: { a: '1' } }),
  )
  await t.throwsAsync(
    kmsClient(t, kms, 'us-east-1').send(
      new DecryptCommand({
        CiphertextBlob: made.CiphertextBlob,
        EncryptionContext: { a: '2' },
        KeyId: kms.keys.mrkArn('us-east-1'),
      }),
    ),
    { name: 'InvalidCiphertextException' },
  )
})

test('a replica ARN of another region is not found; a region without a replica cannot open the blob', async (t) => {
  const kms = await startKms(t)
  const key = kms.keys.createKey({ region: 'us-east-1', multiRegion: true, replicas: ['eu-west-1'] })
  t.true(key.keyId.startsWith('mrk-'))
  t.is(key.replicaArns.length, 1)
  const made = await kmsClient(t, kms, 'us-east-1').send(new EncryptCommand({ KeyId: key.arn, Plaintext: text('x') }))
  const west = kmsClient(t, kms, 'us-west-2')
  await t.throwsAsync(west.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob, KeyId: key.arn })), {
    name: 'NotFoundException',
  })
  await t.throwsAsync(west.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob })), {
    name: 'InvalidCiphertextException',
  })
  const eu = await kmsClient(t, kms, 'eu-west-1').send(
    new DecryptCommand({ CiphertextBlob: made.CiphertextBlob, KeyId: kms.keys.replicaArn(key.arn, 'eu-west-1') }),
  )
  t.is(Buffer.from(eu.Plaintext ?? []).toString(), 'x')
})

test('another multi-Region key in the same region is the wrong key', async (t) => {
  const kms = await startKms(t)
  const other = kms.keys.createKey({ region: 'us-west-2', multiRegion: true, replicas: ['us-east-1'] })
  const made = await kmsClient(t, kms, 'us-east-1').send(
    new EncryptCommand({ KeyId: kms.keys.mrkArn('us-east-1'), Plaintext: text('x') }),
  )
  await t.throwsAsync(
    kmsClient(t, kms, 'us-west-2').send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob, KeyId: other.arn })),
    { name: 'IncorrectKeyException' },
  )
})

test('single-Region keys do not travel: the same blob in another region is not decryptable', async (t) => {
  const kms = await startKms(t)
  const made = await kmsClient(t, kms, 'us-east-1').send(
    new EncryptCommand({ KeyId: 'alias/local-kms', Plaintext: text('x') }),
  )
  const west = kmsClient(t, kms, 'us-west-2')
  await t.throwsAsync(west.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob })), {
    name: 'InvalidCiphertextException',
  })
  await t.throwsAsync(
    west.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob, KeyId: 'alias/local-kms' })),
    { name: 'IncorrectKeyException' },
  )
})

test('replicas keep their own state: disabling one leaves the others usable', async (t) => {
  const kms = await startKms(t)
  const made = await kmsClient(t, kms, 'us-west-2').send(
    new EncryptCommand({ KeyId: kms.keys.mrkArn('us-west-2'), Plaintext: text('x') }),
  )
  kms.keys.disableKey(kms.keys.mrkArn('us-east-1'))
  await t.throwsAsync(
    kmsClient(t, kms, 'us-east-1').send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob })),
    { name: 'DisabledException' },
  )
  const eu = await kmsClient(t, kms, 'eu-west-1').send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob }))
  t.is(eu.KeyId, kms.keys.mrkArn('eu-west-1'))
})
