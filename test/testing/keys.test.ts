// kms.keys and the start options: default key set, custom accounts and regions, createKey rules, aliases, lookups.
import test from 'ava'
import { EncryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms'
import { DEFAULT_ALIAS, DEFAULT_MRK_ALIAS } from '../../lib/testing/index'
import { kmsClient, startKms, text } from './helpers'

test('the default key set: a key per account and region, and one replicated multi-Region key per account', async (t) => {
  const kms = await startKms(t)
  t.deepEqual(kms.accounts, ['111122223333', '444455556666'])
  t.deepEqual(kms.regions, ['us-west-2', 'us-east-1', 'eu-west-1'])
  t.is(kms.callerAccount, '111122223333')
  const keys = kms.keys.list()
  t.is(keys.length, 12)
  t.is(keys.filter((k) => k.multiRegion).length, 6)
  for (const k of keys) {
    t.deepEqual(k.aliases, [k.multiRegion ? DEFAULT_MRK_ALIAS : DEFAULT_ALIAS])
    t.is(k.arn, `arn:aws:kms:${k.region}:${k.account}:key/${k.keyId}`)
    t.true(k.enabled)
    t.false(k.denied)
    t.is(k.keyUsage, 'ENCRYPT_DECRYPT')
  }
  t.regex(
    kms.keys.keyArn('us-west-2'),
    /^arn:aws:kms:us-west-2:111122223333:key\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  )
  t.regex(
    kms.keys.mrkArn('eu-west-1', { account: '444455556666' }),
    /^arn:aws:kms:eu-west-1:444455556666:key\/mrk-[0-9a-f]{32}$/,
  )
  t.is(kms.keys.aliasArn('us-east-1'), 'arn:aws:kms:us-east-1:111122223333:alias/local-kms')
  t.deepEqual(kms.clientConfig('us-east-1'), {
    region: 'us-east-1',
    endpoint: kms.endpoint,
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
  })
})

test('custom accounts, regions and extra keys; defaultKeys: false starts empty', async (t) => {
  const kms = await startKms(t, {
    accounts: ['123456789012'],
    regions: ['ap-southeast-2', 'cn-north-1'],
    keys: [{ region: 'ap-southeast-2', alias: ['alias/app', 'alias/app-2'] }],
  })
  t.is(kms.callerAccount, '123456789012')
  t.is(kms.keys.list().length, 4, 'multi-Region keys stay inside their partition')
  t.true(kms.keys.mrkArn('ap-southeast-2').startsWith('arn:aws:kms:ap-southeast-2:123456789012:key/mrk-'))
  t.throws(() => kms.keys.mrkArn('cn-north-1'))
  t.true(kms.keys.keyArn('cn-north-1').startsWith('arn:aws-cn:kms:cn-north-1:123456789012:key/'))
  const app = kms.keys.keyArn('ap-southeast-2', { alias: 'alias/app-2' })
  t.is(kms.keys.keyArn('ap-southeast-2', { alias: 'alias/app' }), app)
  const made = await kmsClient(t, kms, 'ap-southeast-2').send(
    new GenerateDataKeyCommand({ KeyId: 'alias/app', NumberOfBytes: 32 }),
  )
  t.is(made.KeyId, app)
  const cn = await kmsClient(t, kms, 'cn-north-1').send(
    new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: 32 }),
  )
  t.true(cn.KeyId?.startsWith('arn:aws-cn:kms:cn-north-1:'))
  const empty = await startKms(t, { defaultKeys: false })
  t.deepEqual(empty.keys.list(), [])
  t.throws(() => empty.keys.keyArn('us-west-2'), { message: /no alias/ })
})

test('createKey with explicit id, material and aliases; createAlias adds one to a live server', async (t) => {
  const kms = await startKms(t)
  const key = kms.keys.createKey({
    region: 'us-west-2',
    account: '444455556666',
    keyId: '11111111-2222-4333-8444-555555555555',
    material: Buffer.alloc(32, 7),
    alias: 'alias/mine',
  })
  t.is(key.arn, 'arn:aws:kms:us-west-2:444455556666:key/11111111-2222-4333-8444-555555555555')
  t.deepEqual(key.aliases, ['alias/mine'])
  kms.keys.createAlias('alias/second', kms.keys.keyArn('us-west-2'))
  const client = kmsClient(t, kms, 'us-west-2')
  const sealed = await client.send(new EncryptCommand({ KeyId: 'alias/second', Plaintext: text('x') }))
  t.is(sealed.KeyId, kms.keys.keyArn('us-west-2'))
  const foreignAlias = await client.send(
    new EncryptCommand({
      KeyId: kms.keys.aliasArn('us-west-2', { account: '444455556666', alias: 'alias/mine' }),
      Plaintext: text('x'),
    }),
  )
  t.is(foreignAlias.KeyId, key.arn)
  t.deepEqual(kms.keys.get(kms.keys.keyArn('us-west-2'))?.aliases, ['alias/local-kms', 'alias/second'])
  t.is(kms.keys.get('arn:aws:kms:us-west-2:111122223333:key/nope'), undefined)
})

test('createKey refuses bad specs', (t) => {
  return startKms(t).then((kms) => {
    const k = kms.keys
    t.throws(() => k.createKey({ region: 'us-west-2', account: '123' }), { instanceOf: TypeError })
    t.throws(() => k.createKey({ region: 'US WEST' }), { instanceOf: TypeError })
    t.throws(() => k.createKey({ region: 'us-west-2', keyId: 'mrk-123' }), { instanceOf: TypeError })
    t.throws(() => k.createKey({ region: 'us-west-2', multiRegion: true, keyId: 'plain' }), { instanceOf: TypeError })
    t.throws(() => k.createKey({ region: 'us-west-2', multiRegion: false, replicas: ['us-east-1'] }), {
      instanceOf: TypeError,
    })
    t.throws(() => k.createKey({ region: 'us-west-2', replicas: ['us-west-2'] }), { instanceOf: TypeError })
    t.throws(() => k.createKey({ region: 'us-west-2', replicas: ['cn-north-1'] }), { message: /partition/ })
    t.throws(() => k.createKey({ region: 'us-west-2', material: Buffer.alloc(16) }), { instanceOf: TypeError })
    t.throws(() => k.createKey({ region: 'us-west-2', alias: 'alias/local-kms' }), { message: /exists/ })
    t.throws(() => k.createKey({ region: 'us-west-2', alias: 'alias/aws/kms' }), { instanceOf: TypeError })
    t.throws(() => k.createKey({ region: 'us-west-2', alias: 'no-prefix' }), { instanceOf: TypeError })
    t.throws(() => k.createAlias('alias/x', 'arn:aws:kms:us-west-2:111122223333:key/none'), { instanceOf: TypeError })
    t.throws(() => k.disableKey('arn:aws:kms:us-west-2:111122223333:key/none'), { instanceOf: TypeError })
    t.throws(() => k.replicaArn(k.keyArn('us-west-2'), 'us-east-1'), { message: /no replica/ })
    t.is(k.list().length, 12, 'a refused spec creates nothing')
  })
})

test('bad start options are refused', async (t) => {
  await t.throwsAsync(startKms(t, { port: 70000 }), { instanceOf: RangeError })
  await t.throwsAsync(startKms(t, { maxBodyBytes: 0 }), { instanceOf: RangeError })
  await t.throwsAsync(startKms(t, { accounts: ['12'] }), { instanceOf: TypeError })
})
