// Round trips through the real KMSClient: every default region and account, every KeyId form, every data-key size.
import test from 'ava'
import {
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  ReEncryptCommand,
} from '@aws-sdk/client-kms'
import { DEFAULT_ACCOUNTS, DEFAULT_REGIONS, startLocalKms } from '../../lib/testing/index'
import { kmsClient, startKms, text } from './helpers'

test('GenerateDataKey then Decrypt in every default region and account', async (t) => {
  const kms = await startKms(t)
  t.is(DEFAULT_REGIONS.length, 3)
  t.is(DEFAULT_ACCOUNTS.length, 2)
  for (const region of DEFAULT_REGIONS) {
    const client = kmsClient(t, kms, region)
    for (const account of DEFAULT_ACCOUNTS) {
      const arn = kms.keys.keyArn(region, { account })
      t.true(arn.startsWith(`arn:aws:kms:${region}:${account}:key/`))
      const context = { purpose: 'round trip', region }
      const made = await client.send(
        new GenerateDataKeyCommand({ KeyId: arn, NumberOfBytes: 32, EncryptionContext: context }),
      )
      t.is(made.KeyId, arn)
      t.is(made.Plaintext?.length, 32)
      const opened = await client.send(
        new DecryptCommand({ CiphertextBlob: made.CiphertextBlob, EncryptionContext: context, KeyId: arn }),
      )
      t.is(opened.KeyId, arn)
      t.deepEqual(Buffer.from(opened.Plaintext ?? []), Buffer.from(made.Plaintext ?? []))
      t.is(opened.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT')
    }
  }
})

test('every KeyId form resolves to the key ARN: ARN, key id, alias name, alias ARN', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-east-1')
  const arn = kms.keys.keyArn('us-east-1')
  const keyId = arn.slice(arn.indexOf('key/') + 4)
  for (const form of [arn, keyId, 'alias/local-kms', kms.keys.aliasArn('us-east-1')]) {
    const sealed = await client.send(new EncryptCommand({ KeyId: form, Plaintext: text('secret') }))
    t.is(sealed.KeyId, arn, form)
    t.is(sealed.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT')
    const opened = await client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, KeyId: form }))
    t.is(opened.KeyId, arn, form)
    t.is(Buffer.from(opened.Plaintext ?? []).toString(), 'secret')
  }
})

test('Decrypt without KeyId finds the key named in the blob', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'eu-west-1')
  const arn = kms.keys.keyArn('eu-west-1', { account: '444455556666' })
  const sealed = await client.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }))
  const opened = await client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))
  t.is(opened.KeyId, arn)
})

test('data key sizes: KeySpec AES_128 and AES_256, NumberOfBytes 1 and 1024', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const sizes: Array<[Partial<{ KeySpec: 'AES_128' | 'AES_256'; NumberOfBytes: number }>, number]> = [
    [{ KeySpec: 'AES_128' }, 16],
    [{ KeySpec: 'AES_256' }, 32],
    [{ NumberOfBytes: 1 }, 1],
    [{ NumberOfBytes: 1024 }, 1024],
  ]
  for (const [spec, length] of sizes) {
    const made = await client.send(new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', ...spec }))
    t.is(made.Plaintext?.length, length)
    const opened = await client.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob }))
    t.deepEqual(Buffer.from(opened.Plaintext ?? []), Buffer.from(made.Plaintext ?? []))
  }
})

test('data keys are fresh each call', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const a = await client.send(new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: 32 }))
  const b = await client.send(new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: 32 }))
  t.notDeepEqual(Buffer.from(a.Plaintext ?? []), Buffer.from(b.Plaintext ?? []))
  t.notDeepEqual(Buffer.from(a.CiphertextBlob ?? []), Buffer.from(b.CiphertextBlob ?? []))
})

test('the encryption context is a map: member order does not matter', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const sealed = await client.send(
    new EncryptCommand({
      KeyId: 'alias/local-kms',
      Plaintext: text('x'),
      EncryptionContext: { b: '2', a: '1', é: '3' },
    }),
  )
  const opened = await client.send(
    new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { é: '3', a: '1', b: '2' } }),
  )
  t.is(Buffer.from(opened.Plaintext ?? []).toString(), 'x')
})

test('GenerateDataKeyWithoutPlaintext returns only the blob, which Decrypt opens', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const made = await client.send(
    new GenerateDataKeyWithoutPlaintextCommand({
      KeyId: 'alias/local-kms',
      KeySpec: 'AES_256',
      EncryptionContext: { a: 'b' },
    }),
  )
  t.is(made.KeyId, kms.keys.keyArn('us-west-2'))
  t.is((made as { Plaintext?: unknown }).Plaintext, undefined)
  const opened = await client.send(
    new DecryptCommand({ CiphertextBlob: made.CiphertextBlob, EncryptionContext: { a: 'b' } }),
  )
  t.is(opened.Plaintext?.length, 32)
})

test('ReEncrypt moves a blob to another key and context', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const source = kms.keys.keyArn('us-west-2')
  const destination = kms.keys.keyArn('us-west-2', { account: '444455556666' })
  const sealed = await client.send(
    new EncryptCommand({ KeyId: source, Plaintext: text('moved'), EncryptionContext: { from: 'a' } }),
  )
  const moved = await client.send(
    new ReEncryptCommand({
      CiphertextBlob: sealed.CiphertextBlob,
      SourceEncryptionContext: { from: 'a' },
      SourceKeyId: source,
      DestinationKeyId: destination,
      DestinationEncryptionContext: { to: 'b' },
    }),
  )
  t.is(moved.SourceKeyId, source)
  t.is(moved.KeyId, destination)
  const opened = await client.send(
    new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { to: 'b' } }),
  )
  t.is(opened.KeyId, destination)
  t.is(Buffer.from(opened.Plaintext ?? []).toString(), 'moved')
})

test("servers started with the same seed have the same keys and open each other's blobs", async (t) => {
  const first = await startLocalKms({ seed: 'fixed' })
  const second = await startLocalKms({ seed: 'fixed' })
  const other = await startLocalKms({ seed: 'other' })
  t.teardown(async () => {
    await Promise.all([first.close(), second.close(), other.close()])
  })
  t.deepEqual(
    first.keys.list().map((k) => k.arn),
    second.keys.list().map((k) => k.arn),
  )
  t.notDeepEqual(
    first.keys.list().map((k) => k.arn),
    other.keys.list().map((k) => k.arn),
  )
  const sealed = await kmsClient(t, first, 'us-west-2').send(
    new EncryptCommand({ KeyId: 'alias/local-kms', Plaintext: text('kept') }),
  )
  const opened = await kmsClient(t, second, 'us-west-2').send(
    new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }),
  )
  t.is(Buffer.from(opened.Plaintext ?? []).toString(), 'kept')
})
