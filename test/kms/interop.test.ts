// Both directions between our KMS keyrings and the official @aws-crypto/client-node ones, through the same local KMS stand-in.
import test from 'ava'
import type { LocalKms } from '../../lib/testing/index'
import {
  PLAINTEXT,
  brief,
  callsOf,
  committing,
  kmsClient,
  official,
  officialClient,
  officialProvider,
  ours,
  ourProvider,
  sdkConfig,
  startKms,
  uniqueContext,
} from './helpers'

let kms: LocalKms
test.before(async () => {
  kms = await startKms()
})
test.after.always(async () => {
  await kms.close()
})

function officialMrkClient(region: string): InstanceType<typeof official.KMS> {
  return new official.KMS({ ...sdkConfig(kms), region })
}

test('ours → official: a strict multi-region KmsKeyringNode message opens with the official strict and discovery keyrings', async (t) => {
  const keys = ['us-west-2', 'us-east-1', 'eu-west-1'].map((r) => kms.keys.keyArn(r))
  const context = uniqueContext()
  const { result } = await committing.encrypt(
    new ours.KmsKeyringNode({ generatorKeyId: keys[0], keyIds: keys.slice(1), clientProvider: ourProvider(kms) }),
    PLAINTEXT,
    { encryptionContext: context },
  )
  for (const key of keys) {
    const { plaintext, messageHeader } = await officialClient.decrypt(
      new official.KmsKeyringNode({ keyIds: [key], clientProvider: officialProvider(kms) }),
      result,
    )
    t.deepEqual(plaintext, PLAINTEXT)
    t.like(messageHeader.encryptionContext, context)
  }
  const discovery = new official.KmsKeyringNode({
    discovery: true,
    discoveryFilter: { partition: 'aws', accountIDs: [kms.callerAccount] },
    clientProvider: officialProvider(kms),
  })
  t.deepEqual((await officialClient.decrypt(discovery, result)).plaintext, PLAINTEXT)
})

test('official → ours: an official KmsKeyringNode message opens with our strict, discovery and MRK discovery keyrings', async (t) => {
  const west = kms.keys.keyArn('us-west-2')
  const eu = kms.keys.keyArn('eu-west-1')
  const context = uniqueContext()
  const { result } = await officialClient.encrypt(
    new official.KmsKeyringNode({
      generatorKeyId: west,
      keyIds: [eu],
      clientProvider: officialProvider(kms),
      grantTokens: ['g'],
    }),
    PLAINTEXT,
    {
      encryptionContext: context,
    },
  )
  t.deepEqual(brief(callsOf(kms, context)), [
    ['GenerateDataKey', 'us-west-2', west],
    ['Encrypt', 'eu-west-1', eu],
  ])
  const clientProvider = ourProvider(kms)
  for (const keyring of [
    new ours.KmsKeyringNode({ keyIds: [eu], clientProvider }),
    new ours.KmsKeyringNode({ discovery: true, clientProvider }),
    new ours.AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({ client: kmsClient(kms, 'eu-west-1') }),
    ours.buildAwsKmsMrkAwareStrictMultiKeyringNode({ keyIds: [west], clientProvider }),
  ]) {
    t.deepEqual((await committing.decrypt(keyring, result)).plaintext, PLAINTEXT)
  }
})

test('MRK both ways: official encrypts under one replica, ours decrypts under another, and back', async (t) => {
  const context = uniqueContext()
  const { result } = await officialClient.encrypt(
    new official.AwsKmsMrkAwareSymmetricKeyringNode({
      keyId: kms.keys.mrkArn('us-west-2'),
      client: officialMrkClient('us-west-2'),
    }),
    PLAINTEXT,
    { encryptionContext: context },
  )
  const oursEast = new ours.AwsKmsMrkAwareSymmetricKeyringNode({
    keyId: kms.keys.mrkArn('us-east-1'),
    client: kmsClient(kms, 'us-east-1'),
  })
  t.deepEqual((await committing.decrypt(oursEast, result)).plaintext, PLAINTEXT)
  t.deepEqual(brief(callsOf(kms, context).slice(1)), [['Decrypt', 'us-east-1', kms.keys.mrkArn('us-east-1')]])

  const back = uniqueContext()
  const { result: ourMessage } = await committing.encrypt(
    ours.buildAwsKmsMrkAwareStrictMultiKeyringNode({
      generatorKeyId: kms.keys.mrkArn('eu-west-1'),
      keyIds: [kms.keys.keyArn('us-east-1')],
      clientProvider: ourProvider(kms),
    }),
    PLAINTEXT,
    { encryptionContext: back },
  )
  const officialDiscovery = official.buildAwsKmsMrkAwareDiscoveryMultiKeyringNode({
    regions: ['us-west-2'],
    clientProvider: officialProvider(kms),
  })
  t.deepEqual((await officialClient.decrypt(officialDiscovery, ourMessage)).plaintext, PLAINTEXT)
  t.deepEqual(
    brief(callsOf(kms, back).slice(2)),
    [['Decrypt', 'us-west-2', kms.keys.mrkArn('us-west-2')]],
    'the official keyring also rewrote the MRK to its region',
  )
  const officialStrict = official.buildAwsKmsMrkAwareStrictMultiKeyringNode({
    keyIds: [kms.keys.mrkArn('us-west-2')],
    clientProvider: officialProvider(kms),
  })
  t.deepEqual((await officialClient.decrypt(officialStrict, ourMessage)).plaintext, PLAINTEXT)
})

test('drop-in helpers: the official keyring runs on our getClient(KMS, …), ours on the official getClient', async (t) => {
  const key = kms.keys.keyArn('us-east-1')
  const officialOnOurs = new official.KmsKeyringNode({
    generatorKeyId: key,
    clientProvider: ours.getClient(ours.KMS, sdkConfig(kms)),
  })
  const { result } = await officialClient.encrypt(officialOnOurs, PLAINTEXT)
  const oursOnOfficial = new ours.KmsKeyringNode({ keyIds: [key], clientProvider: officialProvider(kms) })
  t.deepEqual((await committing.decrypt(oursOnOfficial, result)).plaintext, PLAINTEXT)
  const limited = official.limitRegions(['us-east-1'], ours.getClient(ours.KMS, sdkConfig(kms)))
  t.deepEqual(
    (await officialClient.decrypt(new official.KmsKeyringNode({ discovery: true, clientProvider: limited }), result))
      .plaintext,
    PLAINTEXT,
  )
})
