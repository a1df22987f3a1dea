// KmsKeyringNode end to end through the real @aws-sdk/client-kms and the local KMS stand-in: regions, grant tokens, aliases, discovery filters, faults and error reports.
import test from 'ava'
import type { LocalKms } from '../../lib/testing/index'
import { PLAINTEXT, brief, callsOf, committing, legacy, ours, ourProvider, startKms, uniqueContext } from './helpers'

let kms: LocalKms
test.before(async () => {
  kms = await startKms()
})
test.after.always(async () => {
  await kms.close()
})

const OTHER_ACCOUNT = '444455556666'

test('strict: generator in one region, keys in two others; every key alone decrypts; grant tokens on every call', async (t) => {
  const [west, east, eu] = ['us-west-2', 'us-east-1', 'eu-west-1'].map((r) => kms.keys.keyArn(r)) as [
    string,
    string,
    string,
  ]
  const clientProvider = ourProvider(kms)
  const context = uniqueContext()
  const keyring = new ours.KmsKeyringNode({
    generatorKeyId: west,
    keyIds: [east, eu],
    grantTokens: ['grant-a', 'grant-b'],
    clientProvider,
  })
  const { result, messageHeader } = await committing.encrypt(keyring, PLAINTEXT, { encryptionContext: context })
  t.deepEqual(
    messageHeader.encryptedDataKeys.map((e) => [e.providerId, e.providerInfo]),
    [
      ['aws-kms', west],
      ['aws-kms', east],
      ['aws-kms', eu],
    ],
  )
  t.deepEqual(brief(callsOf(kms, context)), [
    ['GenerateDataKey', 'us-west-2', west],
    ['Encrypt', 'us-east-1', east],
    ['Encrypt', 'eu-west-1', eu],
  ])
  t.true(callsOf(kms, context).every((c) => c.ok && c.grantTokens.join() === 'grant-a,grant-b'))

  for (const [key, region] of [
    [west, 'us-west-2'],
    [east, 'us-east-1'],
    [eu, 'eu-west-1'],
  ] as const) {
    const before = callsOf(kms, context).length
    const single = new ours.KmsKeyringNode({ keyIds: [key], grantTokens: ['grant-d'], clientProvider })
    const { plaintext } = await committing.decrypt(single, result)
    t.deepEqual(plaintext, PLAINTEXT)
    const calls = callsOf(kms, context).slice(before)
    // aws-kms-keyring.md "OnDecrypt": only the configured key's EDK is sent, KeyId always named, in that key's region.
    t.deepEqual(brief(calls), [['Decrypt', region, key]])
    t.deepEqual(calls[0]?.grantTokens, ['grant-d'])
  }
})

test('round trips with every suite family: GenerateDataKey asks for the suite key length', async (t) => {
  const clientProvider = ourProvider(kms)
  const keyring = new ours.KmsKeyringNode({
    generatorKeyId: kms.keys.keyArn('eu-west-1'),
    keyIds: [kms.keys.keyArn('us-east-1')],
    clientProvider,
  })
  for (const suiteId of [0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178, 0x0214, 0x0346, 0x0378]) {
    const { result } = await legacy.encrypt(keyring, PLAINTEXT, { suiteId, encryptionContext: uniqueContext() })
    t.deepEqual((await legacy.decrypt(keyring, result)).plaintext, PLAINTEXT, suiteId.toString(16))
  }
  for (const suiteId of [0x0478, 0x0578]) {
    const { result } = await committing.encrypt(keyring, PLAINTEXT, { suiteId })
    t.deepEqual((await committing.decrypt(keyring, result)).plaintext, PLAINTEXT, suiteId.toString(16))
  }
})

test('strict decrypt makes no KMS call for EDKs of keys it is not configured with', async (t) => {
  const keys = ['us-west-2', 'us-east-1', 'eu-west-1'].map((r) => kms.keys.keyArn(r))
  const clientProvider = ourProvider(kms)
  const context = uniqueContext()
  const { result } = await committing.encrypt(
    new ours.KmsKeyringNode({ generatorKeyId: keys[0], keyIds: keys.slice(1), clientProvider }),
    PLAINTEXT,
    { encryptionContext: context },
  )
  const encryptCalls = callsOf(kms, context).length
  const stranger = kms.keys.keyArn('us-west-2', { account: OTHER_ACCOUNT })
  const err = await t.throwsAsync(
    committing.decrypt(new ours.KmsKeyringNode({ keyIds: [stranger], clientProvider }), result),
  )
  t.truthy(err)
  t.is(callsOf(kms, context).length, encryptCalls, 'not a single Decrypt')
  await committing.decrypt(new ours.KmsKeyringNode({ keyIds: [stranger, keys[2] ?? ''], clientProvider }), result)
  t.deepEqual(brief(callsOf(kms, context).slice(encryptCalls)), [['Decrypt', 'eu-west-1', keys[2]]])
})

test('aliases: accepted for encrypt (name and ARN), written as the key ARN, and never used as decrypt ids', async (t) => {
  const clientProvider = ourProvider(kms) // an alias name has no region: the supplier's default, us-west-2
  const context = uniqueContext()
  const aliasArn = kms.keys.aliasArn('us-east-1')
  const keyring = new ours.KmsKeyringNode({ generatorKeyId: 'alias/local-kms', keyIds: [aliasArn], clientProvider })
  const { result, messageHeader } = await committing.encrypt(keyring, PLAINTEXT, { encryptionContext: context })
  const westKey = kms.keys.keyArn('us-west-2')
  const eastKey = kms.keys.keyArn('us-east-1')
  t.deepEqual(
    messageHeader.encryptedDataKeys.map((e) => e.providerInfo),
    [westKey, eastKey],
  )
  t.deepEqual(brief(callsOf(kms, context)), [
    ['GenerateDataKey', 'us-west-2', 'alias/local-kms'],
    ['Encrypt', 'us-east-1', aliasArn],
  ])
  const before = callsOf(kms, context).length
  for (const keyIds of [['alias/local-kms'], [aliasArn], [kms.keys.aliasArn('us-west-2')]]) {
    await t.throwsAsync(committing.decrypt(new ours.KmsKeyringNode({ keyIds, clientProvider }), result), {
      instanceOf: ours.EsdkError,
    })
  }
  t.is(callsOf(kms, context).length, before, 'aliases match no EDK, so no Decrypt was made')
  t.deepEqual(
    (await committing.decrypt(new ours.KmsKeyringNode({ keyIds: [eastKey], clientProvider }), result)).plaintext,
    PLAINTEXT,
  )
})

test('discovery: decrypts any aws-kms EDK; the discovery filter keeps other accounts and partitions from KMS entirely', async (t) => {
  const clientProvider = ourProvider(kms)
  const context = uniqueContext()
  const foreign = kms.keys.keyArn('us-west-2', { account: OTHER_ACCOUNT })
  const mine = kms.keys.keyArn('eu-west-1')
  const { result } = await committing.encrypt(
    new ours.KmsKeyringNode({ generatorKeyId: foreign, keyIds: [mine], clientProvider }),
    PLAINTEXT,
    { encryptionContext: context },
  )
  let before = callsOf(kms, context).length

  const any = new ours.KmsKeyringNode({ discovery: true, clientProvider })
  t.deepEqual((await committing.decrypt(any, result)).plaintext, PLAINTEXT)
  t.deepEqual(brief(callsOf(kms, context).slice(before)), [['Decrypt', 'us-west-2', foreign]], 'the first EDK did it')

  before = callsOf(kms, context).length
  const onlyMine = new ours.KmsKeyringNode({
    discovery: true,
    discoveryFilter: { partition: 'aws', accountIDs: [kms.callerAccount] },
    clientProvider,
  })
  t.deepEqual((await committing.decrypt(onlyMine, result)).plaintext, PLAINTEXT)
  t.deepEqual(
    brief(callsOf(kms, context).slice(before)),
    [['Decrypt', 'eu-west-1', mine]],
    'the other account’s EDK was filtered locally',
  )

  before = callsOf(kms, context).length
  for (const discoveryFilter of [
    { partition: 'aws', accountIDs: ['999999999999'] },
    { partition: 'aws-cn', accountIDs: [kms.callerAccount, OTHER_ACCOUNT] },
  ]) {
    const err = await t.throwsAsync(
      committing.decrypt(new ours.KmsKeyringNode({ discovery: true, discoveryFilter, clientProvider }), result),
    )
    t.truthy(err)
  }
  t.is(callsOf(kms, context).length, before, 'nothing passed the filters: no KMS call at all')
})

test('discovery with limitRegions/excludeRegions only calls the allowed regions', async (t) => {
  const context = uniqueContext()
  const west = kms.keys.keyArn('us-west-2')
  const eu = kms.keys.keyArn('eu-west-1')
  const { result } = await committing.encrypt(
    new ours.KmsKeyringNode({ generatorKeyId: west, keyIds: [eu], clientProvider: ourProvider(kms) }),
    PLAINTEXT,
    { encryptionContext: context },
  )
  for (const clientProvider of [
    ours.limitRegions(['eu-west-1'], ourProvider(kms)),
    ours.excludeRegions(['us-west-2'], ourProvider(kms)),
  ]) {
    const before = callsOf(kms, context).length
    await committing.decrypt(new ours.KmsKeyringNode({ discovery: true, clientProvider }), result)
    t.deepEqual(brief(callsOf(kms, context).slice(before)), [['Decrypt', 'eu-west-1', eu]])
  }
})

test('a failing key falls through to the next EDK', async (t) => {
  const a = kms.keys.createKey({ region: 'us-west-2' }).arn
  const b = kms.keys.createKey({ region: 'us-east-1' }).arn
  const clientProvider = ourProvider(kms)
  const context = uniqueContext()
  const { result } = await committing.encrypt(
    new ours.KmsKeyringNode({ generatorKeyId: a, keyIds: [b], clientProvider }),
    PLAINTEXT,
    { encryptionContext: context },
  )
  kms.keys.disableKey(a)
  const before = callsOf(kms, context).length
  t.deepEqual(
    (await committing.decrypt(new ours.KmsKeyringNode({ keyIds: [a, b], clientProvider }), result)).plaintext,
    PLAINTEXT,
  )
  const calls = callsOf(kms, context).slice(before)
  t.deepEqual(brief(calls), [
    ['Decrypt', 'us-west-2', a],
    ['Decrypt', 'us-east-1', b],
  ])
  t.deepEqual(
    calls.map((c) => c.errorType),
    ['DisabledException', undefined],
  )
})

test('when every EDK fails, the KeyringError reports each KMS error with its cause', async (t) => {
  const a = kms.keys.createKey({ region: 'us-west-2' }).arn
  const b = kms.keys.createKey({ region: 'eu-west-1' }).arn
  const clientProvider = ourProvider(kms)
  const { result } = await committing.encrypt(
    new ours.KmsKeyringNode({ generatorKeyId: a, keyIds: [b], clientProvider }),
    PLAINTEXT,
  )
  kms.keys.disableKey(a)
  kms.keys.denyKey(b)
  const err = await t.throwsAsync(
    committing.decrypt(new ours.KmsKeyringNode({ keyIds: [a, b], clientProvider }), result),
  )
  // The default CMM passes the keyring's error through, or wraps it: find the KMS keyring's report either way.
  const report = findKeyringReport(err)
  if (!report) return t.fail(`no KeyringError with causes in ${String(err)}`)
  t.is(report.causes.length, 2)
  const causes = report.causes as InstanceType<typeof ours.KmsError>[]
  t.true(causes.every((c) => c instanceof ours.KmsError && c.code === 'KMS' && c.operation === 'Decrypt'))
  t.deepEqual(
    causes.map((c) => c.keyId),
    [a, b],
  )
  t.deepEqual(
    causes.map((c) => (c.cause as Error).name),
    ['DisabledException', 'AccessDeniedException'],
  )
  t.regex(report.message, /DisabledException[\s\S]*AccessDeniedException/)
})

test('throttling is retried by the AWS SDK client and the round trip succeeds', async (t) => {
  const key = kms.keys.createKey({ region: 'us-east-1' }).arn
  kms.faults.throttle(0.5, { keys: [key] })
  const clientProvider = ourProvider(kms)
  const context = uniqueContext()
  const keyring = new ours.KmsKeyringNode({ generatorKeyId: key, clientProvider })
  const { result } = await committing.encrypt(keyring, PLAINTEXT, { encryptionContext: context })
  t.deepEqual((await committing.decrypt(keyring, result)).plaintext, PLAINTEXT)
  const calls = callsOf(kms, context)
  t.deepEqual(
    calls.map((c) => [c.op, c.errorType ?? 'ok', c.attempt]),
    [
      ['GenerateDataKey', 'ThrottlingException', 1],
      ['GenerateDataKey', 'ok', 2],
      ['Decrypt', 'ThrottlingException', 1],
      ['Decrypt', 'ok', 2],
    ],
  )
  t.is(calls[0]?.invocationId, calls[1]?.invocationId, 'the retry is the same SDK call')
})

test('an encrypt KMS failure surfaces as a KmsError carrying the SDK error', async (t) => {
  const key = kms.keys.createKey({ region: 'us-west-2' }).arn
  kms.keys.denyKey(key)
  const err = await t.throwsAsync(
    committing.encrypt(new ours.KmsKeyringNode({ generatorKeyId: key, clientProvider: ourProvider(kms) }), PLAINTEXT),
    {
      instanceOf: ours.KmsError,
    },
  )
  t.is(err?.operation, 'GenerateDataKey')
  t.is((err?.cause as Error).name, 'AccessDeniedException')
  const missing = 'arn:aws:kms:us-west-2:111122223333:key/00000000-0000-0000-0000-000000000000'
  const notFound = await t.throwsAsync(
    committing.encrypt(
      new ours.KmsKeyringNode({
        generatorKeyId: kms.keys.keyArn('us-west-2'),
        keyIds: [missing],
        clientProvider: ourProvider(kms),
      }),
      PLAINTEXT,
    ),
    {
      instanceOf: ours.KmsError,
    },
  )
  t.is(notFound?.operation, 'Encrypt')
  t.is((notFound?.cause as Error).name, 'NotFoundException')
})

test('the default clientProvider builds SDK clients from the environment (here: the stand-in via AWS_ENDPOINT_URL_KMS)', async (t) => {
  // Exercised in a child process so the environment change cannot leak into other tests. Asynchronously:
  // the stand-in serves from this process, so a blocking spawn would deadlock.
  const { execFile } = await import('node:child_process')
  const { promisify } = await import('node:util')
  const path = await import('node:path')
  const index = path.resolve(__dirname, '..', '..', 'lib', 'index.js')
  const script = `
    const ours = require(${JSON.stringify(index)});
    (async () => {
      const keyring = new ours.KmsKeyringNode({ generatorKeyId: ${JSON.stringify(kms.keys.keyArn('eu-west-1'))} });
      const client = ours.buildClient(ours.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
      const { result } = await client.encrypt(keyring, 'hi');
      const { plaintext } = await client.decrypt(keyring, result);
      process.stdout.write(plaintext.toString());
    })().catch((e) => { console.error(e); process.exit(1) });
  `
  const run = await promisify(execFile)(process.execPath, ['-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  })
  t.is(run.stdout, 'hi')
})

function findKeyringReport(error: unknown): { causes: readonly unknown[]; message: string } | undefined {
  const seen = new Set<unknown>()
  const stack: unknown[] = [error]
  while (stack.length > 0) {
    const e = stack.pop()
    if (!(e instanceof Error) || seen.has(e)) continue
    seen.add(e)
    if (e instanceof ours.KeyringError && e.causes.some((c) => c instanceof ours.KmsError)) return e
    if (e instanceof ours.KeyringError) stack.push(...e.causes)
    stack.push(e.cause)
  }
  return undefined
}
