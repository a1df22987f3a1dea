// BranchKeyStoreNode against dynalite and the local KMS: table creation, create and version keys, reads checked against the records, and what the official store makes of ours.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import * as official from '@aws-crypto/client-node'
import { BranchKeyStoreNode, KmsKeyConfig, isIBranchKeyStoreNode } from '../../lib/index'
import { StandIns, startStandIns } from './stand-ins'

let s: StandIns
let table = 0

test.before(async () => {
  s = await startStandIns()
})
test.after.always(async () => {
  await s?.close()
})

/** A fresh table per test, made by the store itself (createKeyStore). */
async function store(
  overrides: Partial<ConstructorParameters<typeof BranchKeyStoreNode>[0]> = {},
): Promise<BranchKeyStoreNode> {
  const name = `branch-keys-${++table}`
  const ks = new BranchKeyStoreNode({
    logicalKeyStoreName: name,
    storage: { ddbTableName: name, ddbClient: s.ddb.client() },
    keyManagement: { kmsClient: s.kmsClient() },
    kmsConfiguration: { identifier: s.keyArn },
    ...overrides,
  })
  await ks.createKeyStore()
  return ks
}

test('createKey writes version, ACTIVE and beacon records; getActiveBranchKey and getBranchKeyVersion return the same 32-byte key', async (t) => {
  const ks = await store()
  const { branchKeyIdentifier } = await ks.createKey()
  t.regex(branchKeyIdentifier, /^[0-9a-f-]{36}$/)
  const active = await ks.getActiveBranchKey(branchKeyIdentifier)
  t.is(active.branchKeyIdentifier, branchKeyIdentifier)
  t.is(active.branchKey().length, 32)
  t.regex(active.versionString, /^[0-9a-f-]{36}$/)
  const version = await ks.getBranchKeyVersion(branchKeyIdentifier, active.versionString)
  t.deepEqual(version.branchKey(), active.branchKey())
  const info = ks.getKeyStoreInfo()
  const raw = await s.ddb.client().send(
    new GetItemCommand({
      TableName: info.keystoreTableName,
      Key: { 'branch-key-id': { S: branchKeyIdentifier }, type: { S: 'beacon:ACTIVE' } },
    }),
  )
  t.truthy(raw.Item?.enc?.B, 'the beacon key record exists')
  t.is(raw.Item?.['hierarchy-version']?.N, '1')
  t.is(raw.Item?.['kms-arn']?.S, s.keyArn)
  t.is(raw.Item?.tablename, undefined, 'the logical name is bound in KMS, not stored')
})

test('versionKey makes a new ACTIVE version; the old version stays readable by its version id', async (t) => {
  const ks = await store()
  const { branchKeyIdentifier } = await ks.createKey({
    branchKeyIdentifier: 'tenant-a',
    encryptionContext: { tenant: 'a' },
  })
  const before = await ks.getActiveBranchKey(branchKeyIdentifier)
  t.deepEqual(before.encryptionContext, { tenant: 'a' }, 'the custom context comes back without its prefix')
  await ks.versionKey({ branchKeyIdentifier })
  const after = await ks.getActiveBranchKey(branchKeyIdentifier)
  t.not(after.versionString, before.versionString)
  t.notDeepEqual(after.branchKey(), before.branchKey())
  t.deepEqual((await ks.getBranchKeyVersion(branchKeyIdentifier, before.versionString)).branchKey(), before.branchKey())
  t.deepEqual(after.encryptionContext, { tenant: 'a' })
})

test('createKey refuses an existing id; a given id needs a custom context; discovery configurations cannot create or version', async (t) => {
  const ks = await store()
  await ks.createKey({ branchKeyIdentifier: 'once', encryptionContext: { a: 'b' } })
  await t.throwsAsync(ks.createKey({ branchKeyIdentifier: 'once', encryptionContext: { a: 'b' } }), {
    code: 'KEYRING',
    message: /TransactWriteItems/,
  })
  await t.throwsAsync(ks.createKey({ branchKeyIdentifier: 'no-context' }), {
    message: 'If branch key identifier is provided, encryption context must also be provided',
  })
  const name = ks.getKeyStoreInfo().keystoreTableName
  const discovery = new BranchKeyStoreNode({
    logicalKeyStoreName: name,
    storage: { ddbTableName: name, ddbClient: s.ddb.client() },
    keyManagement: { kmsClient: s.kmsClient() },
    kmsConfiguration: 'discovery',
  })
  await t.throwsAsync(discovery.createKey(), { message: /not supported with Discovery/ })
  await t.throwsAsync(discovery.versionKey({ branchKeyIdentifier: 'once' }), {
    message: /not supported with Discovery/,
  })
  t.is(
    (await discovery.getActiveBranchKey('once')).branchKey().length,
    32,
    'discovery reads any key ARN the record names',
  )
})

test('reads are checked: the logical name is bound by KMS, a missing record or a tampered one fails, an incompatible KMS key is refused', async (t) => {
  const ks = await store()
  const { branchKeyIdentifier } = await ks.createKey()
  const name = ks.getKeyStoreInfo().keystoreTableName
  const otherLogical = new BranchKeyStoreNode({
    logicalKeyStoreName: 'renamed',
    storage: { ddbTableName: name, ddbClient: s.ddb.client() },
    keyManagement: { kmsClient: s.kmsClient() },
    kmsConfiguration: { identifier: s.keyArn },
  })
  await t.throwsAsync(
    otherLogical.getActiveBranchKey(branchKeyIdentifier),
    { code: 'KMS' },
    'KMS refuses the context with another tablename',
  )
  await t.throwsAsync(ks.getActiveBranchKey('nobody'), {
    code: 'KEYRING',
    message: /was not found in the DynamoDB table/,
  })
  await t.throwsAsync(ks.getBranchKeyVersion(branchKeyIdentifier, '00000000-0000-4000-8000-000000000000'), {
    code: 'KEYRING',
    message: /was not found/,
  })
  const otherKey = new BranchKeyStoreNode({
    logicalKeyStoreName: name,
    storage: { ddbTableName: name, ddbClient: s.ddb.client() },
    keyManagement: { kmsClient: s.kmsClient() },
    kmsConfiguration: { identifier: s.kms.keys.keyArn('us-east-1') },
  })
  await t.throwsAsync(otherKey.getActiveBranchKey(branchKeyIdentifier), { message: /MUST be compatible/ })
  // A record changed behind the store's back: its context no longer matches what KMS bound.
  const client = s.ddb.client()
  const item = (
    await client.send(
      new GetItemCommand({
        TableName: name,
        Key: { 'branch-key-id': { S: branchKeyIdentifier }, type: { S: 'branch:ACTIVE' } },
      }),
    )
  ).Item
  if (!item) return t.fail('no ACTIVE record')
  await client.send(
    new PutItemCommand({ TableName: name, Item: { ...item, 'create-time': { S: '2000-01-01T00:00:00.000000Z' } } }),
  )
  await t.throwsAsync(ks.getActiveBranchKey(branchKeyIdentifier), { code: 'KMS' })
  await client.send(new PutItemCommand({ TableName: name, Item: { ...item, 'hierarchy-version': { S: '1' } } }))
  await t.throwsAsync(ks.getActiveBranchKey(branchKeyIdentifier), { message: /hierarchy-version field of type number/ })
})

test('the official BranchKeyStoreNode reads the keys ours creates and versions, and ours reads the official ones', async (t) => {
  const ks = await store()
  const name = ks.getKeyStoreInfo().keystoreTableName
  const theirs = new official.BranchKeyStoreNode({
    logicalKeyStoreName: name,
    storage: { ddbTableName: name, ddbClient: s.ddb.client() },
    keyManagement: { kmsClient: s.kmsClient() },
    kmsConfiguration: { identifier: s.keyArn },
  })
  const { branchKeyIdentifier: ourId } = await ks.createKey({
    branchKeyIdentifier: 'ours',
    encryptionContext: { made: 'here' },
  })
  await ks.versionKey({ branchKeyIdentifier: ourId })
  const mine = await ks.getActiveBranchKey(ourId)
  const seen = await theirs.getActiveBranchKey(ourId)
  t.deepEqual(Buffer.from(seen.branchKey()), mine.branchKey())
  t.is(Buffer.from(seen.branchKeyVersion).toString(), mine.versionString)
  t.deepEqual({ ...seen.encryptionContext }, { made: 'here' })
  const { branchKeyIdentifier: theirId } = await theirs.createKey()
  await theirs.versionKey({ branchKeyIdentifier: theirId })
  const official_ = await theirs.getActiveBranchKey(theirId)
  t.deepEqual((await ks.getActiveBranchKey(theirId)).branchKey(), Buffer.from(official_.branchKey()))
})

test('construction: official preconditions, KmsKeyConfig compatibility, and the type guard', (t) => {
  const base = {
    logicalKeyStoreName: 'x',
    storage: { ddbTableName: 'x', ddbClient: s.ddb.client() },
    kmsConfiguration: { identifier: s.keyArn },
  }
  t.true(isIBranchKeyStoreNode(new BranchKeyStoreNode(base)))
  t.false(isIBranchKeyStoreNode({}))
  t.throws(
    () =>
      new BranchKeyStoreNode({
        ...base,
        kmsConfiguration: { identifier: 'arn:aws:kms:us-west-2:111122223333:alias/nope' },
      }),
    { message: /non-alias resource arn/ },
  )
  t.throws(() => new BranchKeyStoreNode({ ...base, logicalKeyStoreName: '' }), { code: 'INVALID_ARGUMENT' })
  t.throws(() => new BranchKeyStoreNode({ ...base, storage: { ddbTableName: 'x', ddbClient: {} as never } }), {
    message: 'DDB client must be a DynamoDBClient',
  })
  t.throws(() => new BranchKeyStoreNode({ ...base, keyManagement: { grantTokens: [1 as unknown as string] } }), {
    message: 'Grant tokens must be a string array',
  })
  const mrk = s.kms.keys.mrkArn('us-west-2')
  const east = s.kms.keys.replicaArn(mrk, 'us-east-1')
  t.true(new KmsKeyConfig({ mrkIdentifier: mrk }).isCompatibleWithArn(east))
  t.false(new KmsKeyConfig({ identifier: mrk }).isCompatibleWithArn(east))
  t.is(new KmsKeyConfig({ region: 'us-east-1' }).getCompatibleArnArn(mrk), east)
  t.is(new KmsKeyConfig('discovery').getCompatibleArnArn(mrk), mrk)
  t.is(new KmsKeyConfig({ identifier: s.keyArn }).getRegion(), 'us-west-2')
})

test('loading the library and building a store without a client leave @aws-sdk/client-dynamodb unloaded until the store is used', (t) => {
  const build = path.resolve(__dirname, '..', '..', 'lib', 'index.js')
  const script = `
    const loaded = () => Object.keys(require.cache).some((p) => p.includes('client-dynamodb'));
    const lib = require(${JSON.stringify(build)});
    const before = loaded();
    const store = new lib.BranchKeyStoreNode({ logicalKeyStoreName: 't', storage: { ddbTableName: 't' }, kmsConfiguration: { identifier: 'arn:aws:kms:us-west-2:111122223333:key/k' } });
    new lib.KmsHierarchicalKeyRingNode({ branchKeyId: 'b', keyStore: store, cacheLimitTtl: 60 });
    const built = loaded();
    store.storage.ddbClient;
    console.log(JSON.stringify({ before, built, used: loaded() }));
  `
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
  t.is(run.status, 0, run.stderr)
  t.deepEqual(JSON.parse(run.stdout), { before: false, built: false, used: true })
})
