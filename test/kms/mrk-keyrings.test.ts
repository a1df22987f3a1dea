// The MRK-aware keyrings and builders end to end through the real @aws-sdk/client-kms and the stand-in: replicas across regions, discovery rewriting, send-only clients.
import test from 'ava'
import { KMSClient } from '@aws-sdk/client-kms'
import type { LocalKms } from '../../lib/testing/index'
import {
  PLAINTEXT,
  brief,
  callsOf,
  committing,
  kmsClient,
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

const OTHER_ACCOUNT = '444455556666'

test('MRK: encrypt under the replica in one region, decrypt under the replica in another', async (t) => {
  const west = kms.keys.mrkArn('us-west-2')
  const east = kms.keys.mrkArn('us-east-1')
  const context = uniqueContext()
  const encryptor = new ours.AwsKmsMrkAwareSymmetricKeyringNode({
    keyId: west,
    client: kmsClient(kms, 'us-west-2'),
    grantTokens: ['g-west'],
  })
  const { result, messageHeader } = await committing.encrypt(encryptor, PLAINTEXT, { encryptionContext: context })
  t.deepEqual(
    messageHeader.encryptedDataKeys.map((e) => e.providerInfo),
    [west],
  )
  const decryptor = new ours.AwsKmsMrkAwareSymmetricKeyringNode({
    keyId: east,
    client: kmsClient(kms, 'us-east-1'),
    grantTokens: ['g-east'],
  })
  t.deepEqual((await committing.decrypt(decryptor, result)).plaintext, PLAINTEXT)
  const calls = callsOf(kms, context)
  t.deepEqual(brief(calls), [
    ['GenerateDataKey', 'us-west-2', west],
    ['Decrypt', 'us-east-1', east],
  ])
  t.deepEqual(
    calls.map((c) => c.grantTokens),
    [['g-west'], ['g-east']],
  )
  t.is(calls[1]?.resolvedKeyArn, east)
})

test('MRK keyring: a single-Region key in another region is a different key (no call); a bare KMSClient (send) works as client', async (t) => {
  const context = uniqueContext()
  const west = kms.keys.keyArn('us-west-2')
  const sendOnly = new KMSClient(sdkConfig(kms, { region: 'us-west-2' }))
  const keyring = new ours.AwsKmsMrkAwareSymmetricKeyringNode({ keyId: west, client: sendOnly })
  const { result } = await committing.encrypt(keyring, PLAINTEXT, { encryptionContext: context })
  t.deepEqual((await committing.decrypt(keyring, result)).plaintext, PLAINTEXT)
  const before = callsOf(kms, context).length
  const east = new ours.AwsKmsMrkAwareSymmetricKeyringNode({
    keyId: kms.keys.keyArn('us-east-1'),
    client: kmsClient(kms, 'us-east-1'),
  })
  await t.throwsAsync(committing.decrypt(east, result))
  t.is(callsOf(kms, context).length, before)
})

test('MRK discovery keyring: rewrites an MRK EDK to its own region; single-Region EDKs of other regions make no call', async (t) => {
  const context = uniqueContext()
  const westKey = kms.keys.keyArn('us-west-2')
  const westMrk = kms.keys.mrkArn('us-west-2')
  const { result } = await committing.encrypt(
    new ours.KmsKeyringNode({ generatorKeyId: westKey, keyIds: [westMrk], clientProvider: ourProvider(kms) }),
    PLAINTEXT,
    { encryptionContext: context },
  )
  const before = callsOf(kms, context).length
  const eu = new ours.AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({
    client: kmsClient(kms, 'eu-west-1'),
    grantTokens: ['g'],
  })
  t.deepEqual((await committing.decrypt(eu, result)).plaintext, PLAINTEXT)
  const calls = callsOf(kms, context).slice(before)
  t.deepEqual(
    brief(calls),
    [['Decrypt', 'eu-west-1', kms.keys.mrkArn('eu-west-1')]],
    'the us-west-2 single-Region EDK was skipped; the MRK asked for in eu-west-1',
  )
  t.deepEqual(calls[0]?.grantTokens, ['g'])
})

test('MRK discovery keyring: the discovery filter keeps other accounts from KMS', async (t) => {
  const context = uniqueContext()
  const foreignMrk = kms.keys.mrkArn('us-west-2', { account: OTHER_ACCOUNT })
  const { result } = await committing.encrypt(
    new ours.AwsKmsMrkAwareSymmetricKeyringNode({ keyId: foreignMrk, client: kmsClient(kms, 'us-west-2') }),
    PLAINTEXT,
    {
      encryptionContext: context,
    },
  )
  const before = callsOf(kms, context).length
  const mineOnly = new ours.AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({
    client: kmsClient(kms, 'us-east-1'),
    discoveryFilter: { partition: 'aws', accountIDs: [kms.callerAccount] },
  })
  await t.throwsAsync(committing.decrypt(mineOnly, result))
  t.is(callsOf(kms, context).length, before)
  const theirs = new ours.AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({
    client: kmsClient(kms, 'us-east-1'),
    discoveryFilter: { partition: 'aws', accountIDs: [OTHER_ACCOUNT] },
  })
  t.deepEqual((await committing.decrypt(theirs, result)).plaintext, PLAINTEXT)
  t.deepEqual(brief(callsOf(kms, context).slice(before)), [
    ['Decrypt', 'us-east-1', kms.keys.mrkArn('us-east-1', { account: OTHER_ACCOUNT })],
  ])
})

test('strict MRK multi-keyring: generator MRK plus keys in other regions; a builder with another replica decrypts', async (t) => {
  const context = uniqueContext()
  const clientProvider = ourProvider(kms)
  const multi = ours.buildAwsKmsMrkAwareStrictMultiKeyringNode({
    generatorKeyId: kms.keys.mrkArn('us-west-2'),
    keyIds: [kms.keys.keyArn('us-east-1'), kms.keys.keyArn('eu-west-1')],
    clientProvider,
    grantTokens: ['g'],
  })
  const { result } = await committing.encrypt(multi, PLAINTEXT, { encryptionContext: context })
  t.deepEqual(brief(callsOf(kms, context)), [
    ['GenerateDataKey', 'us-west-2', kms.keys.mrkArn('us-west-2')],
    ['Encrypt', 'us-east-1', kms.keys.keyArn('us-east-1')],
    ['Encrypt', 'eu-west-1', kms.keys.keyArn('eu-west-1')],
  ])
  t.true(callsOf(kms, context).every((c) => c.grantTokens.join() === 'g'))
  const before = callsOf(kms, context).length
  const replica = ours.buildAwsKmsMrkAwareStrictMultiKeyringNode({
    keyIds: [kms.keys.mrkArn('eu-west-1')],
    clientProvider,
  })
  t.deepEqual((await committing.decrypt(replica, result)).plaintext, PLAINTEXT)
  t.deepEqual(brief(callsOf(kms, context).slice(before)), [['Decrypt', 'eu-west-1', kms.keys.mrkArn('eu-west-1')]])
  t.throws(
    () =>
      ours.buildAwsKmsMrkAwareStrictMultiKeyringNode({
        generatorKeyId: kms.keys.mrkArn('us-west-2'),
        keyIds: [kms.keys.mrkArn('eu-west-1')],
        clientProvider,
      }),
    {
      instanceOf: ours.InvalidArgumentError,
      message: /related multi-Region keys/,
    },
  )
})

test('MRK discovery multi-keyring: one discovery keyring per region, each only for its region or MRKs', async (t) => {
  const context = uniqueContext()
  const eu = kms.keys.keyArn('eu-west-1')
  const { result } = await committing.encrypt(
    new ours.KmsKeyringNode({ generatorKeyId: eu, clientProvider: ourProvider(kms) }),
    PLAINTEXT,
    { encryptionContext: context },
  )
  const before = callsOf(kms, context).length
  const multi = ours.buildAwsKmsMrkAwareDiscoveryMultiKeyringNode({
    regions: ['us-west-2', 'us-east-1', 'eu-west-1'],
    clientProvider: ourProvider(kms),
    discoveryFilter: { partition: 'aws', accountIDs: [kms.callerAccount] },
  })
  t.deepEqual((await committing.decrypt(multi, result)).plaintext, PLAINTEXT)
  t.deepEqual(
    brief(callsOf(kms, context).slice(before)),
    [['Decrypt', 'eu-west-1', eu]],
    'the us-west-2 and us-east-1 keyrings made no call',
  )

  const mrkContext = uniqueContext()
  const { result: mrkMessage } = await committing.encrypt(
    new ours.AwsKmsMrkAwareSymmetricKeyringNode({
      keyId: kms.keys.mrkArn('eu-west-1'),
      client: kmsClient(kms, 'eu-west-1'),
    }),
    PLAINTEXT,
    {
      encryptionContext: mrkContext,
    },
  )
  const usOnly = ours.buildAwsKmsMrkAwareDiscoveryMultiKeyringNode({
    regions: ['us-east-1'],
    clientProvider: ourProvider(kms),
  })
  t.deepEqual((await committing.decrypt(usOnly, mrkMessage)).plaintext, PLAINTEXT)
  t.deepEqual(brief(callsOf(kms, mrkContext).slice(1)), [['Decrypt', 'us-east-1', kms.keys.mrkArn('us-east-1')]])
})

test('MRK keyring over a throttled replica: the SDK retries and decrypt succeeds', async (t) => {
  const key = kms.keys.createKey({ region: 'us-west-2', replicas: ['eu-west-1'] })
  const euReplica = kms.keys.replicaArn(key.arn, 'eu-west-1')
  kms.faults.throttle(1 / 2, { keys: [euReplica], ops: ['Decrypt'] })
  const context = uniqueContext()
  const { result } = await committing.encrypt(
    new ours.AwsKmsMrkAwareSymmetricKeyringNode({ keyId: key.arn, client: kmsClient(kms, 'us-west-2') }),
    PLAINTEXT,
    { encryptionContext: context },
  )
  const eu = new ours.AwsKmsMrkAwareSymmetricKeyringNode({ keyId: euReplica, client: kmsClient(kms, 'eu-west-1') })
  t.deepEqual((await committing.decrypt(eu, result)).plaintext, PLAINTEXT)
  t.deepEqual(
    callsOf(kms, context)
      .slice(1)
      .map((c) => [c.op, c.errorType ?? 'ok', c.attempt]),
    [
      ['Decrypt', 'ThrottlingException', 1],
      ['Decrypt', 'ok', 2],
    ],
  )
})
