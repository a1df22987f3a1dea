// KMS error shapes through the real client: each failure arrives as the SDK's typed exception with KMS's name.
import test from 'ava'
import {
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  NotFoundException,
  ReEncryptCommand,
} from '@aws-sdk/client-kms'
import { kmsClient, startKms, text } from './helpers'

test('a wrong encryption context is InvalidCiphertextException', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const sealed = await client.send(
    new EncryptCommand({ KeyId: 'alias/local-kms', Plaintext: text('x'), EncryptionContext: { a: '1' } }),
  )
  const contexts: Array<Record<string, string>> = [{ a: '2' }, {}, { a: '1', b: '2' }, { A: '1' }]
  for (const context of contexts) {
    const err = await t.throwsAsync(
      client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: context })),
    )
    t.true(err instanceof InvalidCiphertextException, JSON.stringify(context))
    t.is(err?.name, 'InvalidCiphertextException')
    t.is((err as InvalidCiphertextException).$metadata.httpStatusCode, 400)
  }
})

test('flipping any byte of a blob is InvalidCiphertextException', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const sealed = await client.send(new EncryptCommand({ KeyId: 'alias/local-kms', Plaintext: text('tamper me') }))
  const blob = Buffer.from(sealed.CiphertextBlob ?? [])
  const names = new Set<string>()
  for (let i = 0; i < blob.length; i++) {
    const bad = Buffer.from(blob)
    bad[i] = (bad[i] ?? 0) ^ 0x01
    const err = await t.throwsAsync(client.send(new DecryptCommand({ CiphertextBlob: bad })))
    names.add(err?.name ?? '')
  }
  t.deepEqual([...names], ['InvalidCiphertextException'])
  await t.throwsAsync(client.send(new DecryptCommand({ CiphertextBlob: blob.subarray(0, blob.length - 1) })), {
    name: 'InvalidCiphertextException',
  })
  await t.throwsAsync(client.send(new DecryptCommand({ CiphertextBlob: text('not a blob at all') })), {
    name: 'InvalidCiphertextException',
  })
})

test("a KeyId that is not the blob's key is IncorrectKeyException", async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const sealed = await client.send(new EncryptCommand({ KeyId: 'alias/local-kms', Plaintext: text('x') }))
  for (const other of [
    kms.keys.keyArn('us-west-2', { account: '444455556666' }),
    kms.keys.mrkArn('us-west-2'),
    'alias/local-kms-mrk',
  ]) {
    const err = await t.throwsAsync(
      client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, KeyId: other })),
    )
    t.true(err instanceof IncorrectKeyException, other)
  }
})

test('unknown keys and aliases, foreign-region ARNs and garbage KeyIds are NotFoundException', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const eastArn = kms.keys.keyArn('us-east-1')
  const missing = [
    'arn:aws:kms:us-west-2:111122223333:key/00000000-0000-4000-8000-000000000000',
    '00000000-0000-4000-8000-000000000000',
    'alias/no-such-alias',
    'arn:aws:kms:us-west-2:111122223333:alias/no-such-alias',
    eastArn,
    kms.keys.aliasArn('us-east-1'),
    'arn:aws-cn:kms:us-west-2:111122223333:alias/local-kms',
    'not a key id',
    'arn:aws:kms:us-west-2',
  ]
  for (const keyId of missing) {
    const err = await t.throwsAsync(client.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 32 })))
    t.true(err instanceof NotFoundException, keyId)
  }
  const sealed = await kmsClient(t, kms, 'us-east-1').send(new EncryptCommand({ KeyId: eastArn, Plaintext: text('x') }))
  await t.throwsAsync(client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, KeyId: eastArn })), {
    name: 'NotFoundException',
  })
})

test('a region the server has no key in behaves like KMS: nothing is found', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'ap-south-1')
  await t.throwsAsync(client.send(new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: 32 })), {
    name: 'NotFoundException',
  })
  await t.throwsAsync(client.send(new EncryptCommand({ KeyId: kms.keys.keyArn('us-west-2'), Plaintext: text('x') })), {
    name: 'NotFoundException',
  })
  const sealed = await kmsClient(t, kms, 'us-west-2').send(
    new EncryptCommand({ KeyId: kms.keys.mrkArn('us-west-2'), Plaintext: text('x') }),
  )
  await t.throwsAsync(client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })), {
    name: 'InvalidCiphertextException',
  })
})

test("another account's keys are reachable by ARN only: key ids and alias names resolve in the caller account", async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const foreign = kms.keys.keyArn('us-west-2', { account: '444455556666' })
  const made = await client.send(new GenerateDataKeyCommand({ KeyId: foreign, NumberOfBytes: 16 }))
  t.is(made.KeyId, foreign)
  await t.throwsAsync(
    client.send(new GenerateDataKeyCommand({ KeyId: foreign.slice(foreign.indexOf('key/') + 4), NumberOfBytes: 16 })),
    {
      name: 'NotFoundException',
    },
  )
  const asOther = await startKms(t, { callerAccount: '444455556666', seed: 'x' })
  const viaAlias = await kmsClient(t, asOther, 'us-west-2').send(
    new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: 16 }),
  )
  t.true(viaAlias.KeyId?.includes(':444455556666:key/'))
})

test('a disabled key is DisabledException until enabled again', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const arn = kms.keys.keyArn('us-west-2')
  const sealed = await client.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }))
  kms.keys.disableKey(arn)
  t.false(kms.keys.get(arn)?.enabled)
  await t.throwsAsync(client.send(new GenerateDataKeyCommand({ KeyId: arn, NumberOfBytes: 32 })), {
    name: 'DisabledException',
  })
  await t.throwsAsync(client.send(new EncryptCommand({ KeyId: 'alias/local-kms', Plaintext: text('x') })), {
    name: 'DisabledException',
  })
  await t.throwsAsync(client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })), {
    name: 'DisabledException',
  })
  kms.keys.enableKey(arn)
  const opened = await client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))
  t.is(opened.KeyId, arn)
})

test('a denied key is AccessDeniedException until allowed again', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const arn = kms.keys.keyArn('us-west-2')
  const sealed = await client.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }))
  kms.keys.denyKey(arn)
  const err = await t.throwsAsync(
    client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, KeyId: arn })),
    { name: 'AccessDeniedException' },
  )
  t.regex(err?.message ?? '', /not authorized to perform: kms:Decrypt/)
  await t.throwsAsync(client.send(new GenerateDataKeyCommand({ KeyId: arn, NumberOfBytes: 32 })), {
    name: 'AccessDeniedException',
  })
  kms.keys.allowKey(arn)
  t.is((await client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))).KeyId, arn)
})

test('key usage: a SIGN_VERIFY key and asymmetric algorithms are InvalidKeyUsageException', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const signing = kms.keys.createKey({ region: 'us-west-2', keyUsage: 'SIGN_VERIFY', alias: 'alias/signing' })
  await t.throwsAsync(client.send(new GenerateDataKeyCommand({ KeyId: signing.arn, NumberOfBytes: 32 })), {
    name: 'InvalidKeyUsageException',
  })
  await t.throwsAsync(client.send(new EncryptCommand({ KeyId: 'alias/signing', Plaintext: text('x') })), {
    name: 'InvalidKeyUsageException',
  })
  await t.throwsAsync(
    client.send(
      new EncryptCommand({ KeyId: 'alias/local-kms', Plaintext: text('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
    ),
    {
      name: 'InvalidKeyUsageException',
    },
  )
})

test('bad input is ValidationException', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const bad = [
    new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: 0 }),
    new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: 1025 }),
    new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: 32, KeySpec: 'AES_256' }),
    new GenerateDataKeyCommand({ KeyId: 'alias/local-kms' }),
    new GenerateDataKeyCommand({
      KeyId: 'alias/local-kms',
      NumberOfBytes: 32,
      GrantTokens: Array.from({ length: 11 }, (_, i) => `t${i}`),
    }),
    new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: 32, GrantTokens: [''] }),
    new GenerateDataKeyCommand({ KeyId: 'x'.repeat(2049), NumberOfBytes: 32 }),
    new EncryptCommand({ KeyId: 'alias/local-kms', Plaintext: Buffer.alloc(4097) }),
    new DecryptCommand({ CiphertextBlob: Buffer.alloc(6145) }),
  ]
  for (const command of bad) {
    const err = await t.throwsAsync(client.send(command as GenerateDataKeyCommand))
    t.is(err?.name, 'ValidationException', JSON.stringify(command.input).slice(0, 120))
  }
})

test('DryRun is DryRunOperationException after the checks pass', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  await t.throwsAsync(
    client.send(new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: 32, DryRun: true })),
    { name: 'DryRunOperationException' },
  )
  await t.throwsAsync(
    client.send(new GenerateDataKeyCommand({ KeyId: 'alias/nope', NumberOfBytes: 32, DryRun: true })),
    { name: 'NotFoundException' },
  )
})

test('ReEncrypt checks the source like Decrypt', async (t) => {
  const kms = await startKms(t)
  const client = kmsClient(t, kms, 'us-west-2')
  const sealed = await client.send(
    new EncryptCommand({ KeyId: 'alias/local-kms', Plaintext: text('x'), EncryptionContext: { a: '1' } }),
  )
  await t.throwsAsync(
    client.send(
      new ReEncryptCommand({
        CiphertextBlob: sealed.CiphertextBlob,
        DestinationKeyId: 'alias/local-kms-mrk',
        SourceEncryptionContext: { a: '2' },
      }),
    ),
    { name: 'InvalidCiphertextException' },
  )
  await t.throwsAsync(
    client.send(
      new ReEncryptCommand({
        CiphertextBlob: sealed.CiphertextBlob,
        DestinationKeyId: 'alias/local-kms',
        SourceKeyId: 'alias/local-kms-mrk',
        SourceEncryptionContext: { a: '1' },
      }),
    ),
    { name: 'IncorrectKeyException' },
  )
})
