// KMS keyrings against a fake structural client: option checks, request shapes, response checks, local filtering and error reporting, no AWS SDK involved.
import test from 'ava'
import { InvalidArgumentError, KeyringError, KmsError } from '../../lib/core/errors'
import { AlgorithmSuite, findSuite } from '../../lib/core/suites'
import { EncryptedDataKey } from '../../lib/format/header'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { MultiKeyringNode } from '../../lib/materials/multi-keyring'
import { limitRegions } from '../../lib/materials/kms/client-supplier'
import type { KmsClientSupplier } from '../../lib/materials/kms/client-supplier'
import type { DecryptRequest, GenerateDataKeyRequest } from '../../lib/materials/kms/kms-client'
import { KmsKeyringNode } from '../../lib/materials/kms/kms-keyring'
import { AwsKmsMrkAwareSymmetricDiscoveryKeyringNode } from '../../lib/materials/kms/mrk-discovery-keyring'
import { buildAwsKmsMrkAwareDiscoveryMultiKeyringNode } from '../../lib/materials/kms/mrk-discovery-multi-keyring'
import { AwsKmsMrkAwareSymmetricKeyringNode } from '../../lib/materials/kms/mrk-keyring'
import { buildAwsKmsMrkAwareStrictMultiKeyringNode } from '../../lib/materials/kms/mrk-strict-multi-keyring'
import { FakeKms, keyArn, named } from './fake-kms'

const WEST = keyArn('us-west-2', 'k-west')
const EAST = keyArn('us-east-1', 'k-east')
const MRK_WEST = keyArn('us-west-2', 'mrk-abc')
const MRK_EAST = keyArn('us-east-1', 'mrk-abc')
const CONTEXT = { purpose: 'unit' }

function suite(id = 0x0578): AlgorithmSuite {
  const s = findSuite(id)
  if (!s) throw new Error(`suite ${id}`)
  return s
}

/** One fake client per region, created on demand, so tests can inspect who was called. */
function fakes(): { provider: (region: string) => FakeKms; clients: Map<string, FakeKms>; all: () => FakeKms[] } {
  const clients = new Map<string, FakeKms>()
  const provider = (region: string): FakeKms => {
    let client = clients.get(region)
    if (!client) clients.set(region, (client = new FakeKms(region || 'us-west-2')))
    return client
  }
  return { provider, clients, all: () => [...clients.values()] }
}

async function encryptWith(
  keyring: { onEncrypt(m: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> },
  id = 0x0578,
): Promise<NodeEncryptionMaterial> {
  return keyring.onEncrypt(new NodeEncryptionMaterial(suite(id), CONTEXT))
}

function decryptionMaterial(id = 0x0578): NodeDecryptionMaterial {
  return new NodeDecryptionMaterial(suite(id), CONTEXT)
}

const foreignEdk = new EncryptedDataKey({
  providerId: 'raw-aes',
  providerInfo: 'k',
  encryptedDataKey: Buffer.alloc(40),
})

// ---- construction ----

test('KmsKeyringNode: option checks match the official keyring', (t) => {
  const { provider } = fakes()
  const bad: Array<[string, () => unknown]> = [
    ['no-op keyring', () => new KmsKeyringNode({ clientProvider: provider })],
    ['discovery with keys', () => new KmsKeyringNode({ discovery: true, keyIds: [WEST], clientProvider: provider })],
    [
      'discovery with a generator',
      () => new KmsKeyringNode({ discovery: true, generatorKeyId: WEST, clientProvider: provider }),
    ],
    [
      'filter without discovery',
      () =>
        new KmsKeyringNode({
          keyIds: [WEST],
          discoveryFilter: { partition: 'aws', accountIDs: ['1'] },
          clientProvider: provider,
        }),
    ],
    [
      'filter with no accounts',
      () =>
        new KmsKeyringNode({
          discovery: true,
          discoveryFilter: { partition: 'aws', accountIDs: [] },
          clientProvider: provider,
        }),
    ],
    [
      'filter with an empty account',
      () =>
        new KmsKeyringNode({
          discovery: true,
          discoveryFilter: { partition: 'aws', accountIDs: [''] },
          clientProvider: provider,
        }),
    ],
    [
      'filter without partition',
      () =>
        new KmsKeyringNode({
          discovery: true,
          discoveryFilter: { partition: '', accountIDs: ['1'] },
          clientProvider: provider,
        }),
    ],
    [
      'malformed generator',
      () => new KmsKeyringNode({ generatorKeyId: 'arn:aws:kms:us-west-2:1:nope/x', clientProvider: provider }),
    ],
    ['malformed key id', () => new KmsKeyringNode({ keyIds: [WEST, 'key/x'], clientProvider: provider })],
    [
      'clientProvider not a function',
      () => new KmsKeyringNode({ keyIds: [WEST], clientProvider: {} as unknown as KmsClientSupplier }),
    ],
  ]
  for (const [why, make] of bad) t.throws(make, { instanceOf: InvalidArgumentError }, why)
  const k = new KmsKeyringNode({
    generatorKeyId: 'alias/app',
    keyIds: [WEST, 'k-id'],
    grantTokens: ['g'],
    clientProvider: provider,
  })
  t.true(Object.isFrozen(k))
  t.deepEqual([k.generatorKeyId, k.keyIds, k.grantTokens, k.isDiscovery], ['alias/app', [WEST, 'k-id'], ['g'], false])
  const d = new KmsKeyringNode({
    discovery: true,
    discoveryFilter: { partition: 'aws', accountIDs: ['111122223333'] },
    clientProvider: provider,
  })
  t.true(d.isDiscovery)
  t.deepEqual(d.discoveryFilter, { partition: 'aws', accountIDs: ['111122223333'] })
})

test('MRK keyrings and builders: option checks', (t) => {
  const client = new FakeKms()
  t.throws(() => new AwsKmsMrkAwareSymmetricKeyringNode({ client, keyId: '' }), { instanceOf: InvalidArgumentError })
  t.throws(() => new AwsKmsMrkAwareSymmetricKeyringNode({ client, keyId: 'arn:aws:kms:x' }), {
    instanceOf: InvalidArgumentError,
  })
  t.throws(() => new AwsKmsMrkAwareSymmetricKeyringNode({ client: {} as FakeKms, keyId: WEST }), {
    instanceOf: InvalidArgumentError,
  })
  t.throws(
    () => new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({ client: Object.assign(new FakeKms(), { config: {} }) }),
    { instanceOf: InvalidArgumentError },
    'the client must say its region',
  )
  t.throws(
    () =>
      new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({
        client,
        discoveryFilter: { partition: 'aws', accountIDs: [] },
      }),
    { instanceOf: InvalidArgumentError },
  )
  const { provider } = fakes()
  t.throws(
    () => buildAwsKmsMrkAwareStrictMultiKeyringNode({ clientProvider: provider }),
    { instanceOf: InvalidArgumentError },
    'no keys',
  )
  t.throws(() => buildAwsKmsMrkAwareStrictMultiKeyringNode({ keyIds: [''], clientProvider: provider }), {
    instanceOf: InvalidArgumentError,
  })
  t.throws(
    () =>
      buildAwsKmsMrkAwareStrictMultiKeyringNode({
        generatorKeyId: WEST,
        keyIds: ['arn:bad'],
        clientProvider: provider,
      }),
    { instanceOf: InvalidArgumentError },
  )
  t.throws(
    () => buildAwsKmsMrkAwareStrictMultiKeyringNode({ generatorKeyId: WEST, clientProvider: () => false }),
    { instanceOf: InvalidArgumentError },
    'supplier refuses',
  )
  t.throws(() => buildAwsKmsMrkAwareDiscoveryMultiKeyringNode({ regions: [], clientProvider: provider }), {
    instanceOf: InvalidArgumentError,
  })
  t.throws(
    () => buildAwsKmsMrkAwareDiscoveryMultiKeyringNode({ regions: ['us-west-2', ''], clientProvider: provider }),
    { instanceOf: InvalidArgumentError },
  )
  t.throws(
    () => buildAwsKmsMrkAwareDiscoveryMultiKeyringNode({ regions: ['us-west-2'], clientProvider: () => false }),
    { instanceOf: InvalidArgumentError },
  )
})

test('strict MRK multi-keyring: two identifiers of one multi-Region key fail, naming both (aws-kms-mrk-are-unique.md)', (t) => {
  const { provider } = fakes()
  const err = t.throws(
    () =>
      buildAwsKmsMrkAwareStrictMultiKeyringNode({
        generatorKeyId: MRK_WEST,
        keyIds: [WEST, MRK_EAST],
        clientProvider: provider,
      }),
    {
      instanceOf: InvalidArgumentError,
    },
  )
  t.true(err?.message.includes(MRK_WEST) && err.message.includes(MRK_EAST))
  t.throws(
    () => buildAwsKmsMrkAwareStrictMultiKeyringNode({ keyIds: [MRK_WEST, 'mrk-abc'], clientProvider: provider }),
    { instanceOf: InvalidArgumentError },
    'a bare MRK id counts too',
  )
  t.notThrows(() =>
    buildAwsKmsMrkAwareStrictMultiKeyringNode({
      generatorKeyId: MRK_WEST,
      keyIds: [WEST, EAST, keyArn('us-east-1', 'mrk-other')],
      clientProvider: provider,
    }),
  )
})

test('strict MRK multi-keyring: one MRK-aware keyring per key, each with its own region client', (t) => {
  const { provider } = fakes()
  const multi = buildAwsKmsMrkAwareStrictMultiKeyringNode({
    generatorKeyId: WEST,
    keyIds: [EAST, 'alias/app'],
    clientProvider: provider,
    grantTokens: ['g'],
  })
  t.true(multi instanceof MultiKeyringNode)
  const generator = multi.generator as AwsKmsMrkAwareSymmetricKeyringNode
  t.true(generator instanceof AwsKmsMrkAwareSymmetricKeyringNode)
  t.is(generator.keyId, WEST)
  t.is((generator.client as FakeKms).config.region, 'us-west-2')
  const children = multi.children as AwsKmsMrkAwareSymmetricKeyringNode[]
  t.deepEqual(
    children.map((c) => [c.keyId, (c.client as FakeKms).config.region, c.grantTokens]),
    [
      [EAST, 'us-east-1', ['g']],
      ['alias/app', 'us-west-2', ['g']], // '' = the supplier's default region; this fake defaults to us-west-2
    ],
  )
})

// ---- encrypt ----

test('encrypt: GenerateDataKey on the generator (suite key length, context, grant tokens), then Encrypt on each key, in order', async (t) => {
  const { provider, clients } = fakes()
  const keyring = new KmsKeyringNode({
    generatorKeyId: WEST,
    keyIds: [EAST, 'alias/app'],
    grantTokens: ['g1', 'g2'],
    clientProvider: provider,
  })
  for (const [id, bytes] of [
    [0x0014, 16],
    [0x0146, 24],
    [0x0578, 32],
  ] as const) {
    const m = await encryptWith(keyring, id)
    const gdk = clients.get('us-west-2')?.ops('GenerateDataKey').at(-1)?.request as GenerateDataKeyRequest
    t.deepEqual(gdk, { KeyId: WEST, NumberOfBytes: bytes, EncryptionContext: CONTEXT, GrantTokens: ['g1', 'g2'] })
    t.is(m.getUnencryptedDataKey().length, bytes)
    t.deepEqual(
      m.encryptedDataKeys.map((e) => [e.providerId, e.providerInfo]),
      [
        ['aws-kms', WEST],
        ['aws-kms', EAST],
        ['aws-kms', keyArn('us-west-2', 'app')],
      ],
      'provider info is the key ARN KMS returned, also for an alias',
    )
  }
  const enc = clients.get('us-east-1')?.ops('Encrypt')[0]?.request
  t.like(enc, { KeyId: EAST, EncryptionContext: CONTEXT, GrantTokens: ['g1', 'g2'] })
  t.is(clients.get('')?.ops('Encrypt').length, 3, 'an alias without region goes to the default-region client')
})

test('encrypt: the plaintext KMS handed back is zeroed once copied', async (t) => {
  const client = new FakeKms()
  await encryptWith(new AwsKmsMrkAwareSymmetricKeyringNode({ client, keyId: WEST }))
  t.is(client.handedOut.length, 1)
  t.true(client.handedOut.every((b) => b.every((x) => x === 0)))
})

test('encrypt: without a generator, keyIds only wrap an existing data key', async (t) => {
  const { provider } = fakes()
  const keyring = new KmsKeyringNode({ keyIds: [EAST], clientProvider: provider })
  await t.throwsAsync(encryptWith(keyring), { instanceOf: KeyringError })
  const m = new NodeEncryptionMaterial(suite(), CONTEXT).setUnencryptedDataKey(Buffer.alloc(32, 7))
  await keyring.onEncrypt(m)
  t.deepEqual(
    m.encryptedDataKeys.map((e) => e.providerInfo),
    [EAST],
  )
})

test('encrypt: with a data key already present the generator Encrypts instead of generating', async (t) => {
  const { provider, clients } = fakes()
  const m = new NodeEncryptionMaterial(suite(), CONTEXT).setUnencryptedDataKey(Buffer.alloc(32, 7))
  await new KmsKeyringNode({ generatorKeyId: WEST, keyIds: [EAST], clientProvider: provider }).onEncrypt(m)
  t.is(clients.get('us-west-2')?.ops('GenerateDataKey').length, 0)
  t.deepEqual(
    m.encryptedDataKeys.map((e) => e.providerInfo),
    [WEST, EAST],
  )
})

test('encrypt: a GenerateDataKey answer must name a key ARN and carry the suite key length; materials stay untouched', async (t) => {
  const bends: Array<[string, (honest: Record<string, unknown>) => unknown]> = [
    ['alias ARN', (h) => ({ ...h, KeyId: 'arn:aws:kms:us-west-2:111122223333:alias/app' })],
    ['bare id', (h) => ({ ...h, KeyId: 'k-west' })],
    ['no KeyId', (h) => ({ ...h, KeyId: undefined })],
    ['short plaintext', (h) => ({ ...h, Plaintext: new Uint8Array(16) })],
    ['no plaintext', (h) => ({ ...h, Plaintext: 'secret' })],
    ['no ciphertext', (h) => ({ ...h, CiphertextBlob: undefined })],
    ['not an object', () => 'nope'],
  ]
  for (const [why, bend] of bends) {
    const client = new FakeKms('us-west-2', (_op, _req, honest) => bend(honest()))
    const m = new NodeEncryptionMaterial(suite(), CONTEXT)
    const err = await t.throwsAsync(
      new AwsKmsMrkAwareSymmetricKeyringNode({ client, keyId: WEST }).onEncrypt(m),
      { instanceOf: KmsError },
      why,
    )
    t.is(err?.code, 'KMS')
    t.is(err?.operation, 'GenerateDataKey')
    t.false(m.hasUnencryptedDataKey, why)
    t.is(m.encryptedDataKeys.length, 0, why)
  }
})

test('encrypt: an Encrypt answer must name a key ARN; a failed call is a KmsError whose cause is the client error', async (t) => {
  const m = () => new NodeEncryptionMaterial(suite(), CONTEXT).setUnencryptedDataKey(Buffer.alloc(32, 1))
  const aliasAnswer = new FakeKms('us-west-2', (op, _req, honest) =>
    op === 'Encrypt' ? { ...honest(), KeyId: 'alias/app' } : undefined,
  )
  await t.throwsAsync(new AwsKmsMrkAwareSymmetricKeyringNode({ client: aliasAnswer, keyId: WEST }).onEncrypt(m()), {
    instanceOf: KmsError,
  })
  const denied = named('AccessDeniedException', 'no')
  const failing = new FakeKms('us-west-2', () => {
    throw denied
  })
  const err = await t.throwsAsync(
    new KmsKeyringNode({ generatorKeyId: WEST, clientProvider: () => failing }).onEncrypt(
      new NodeEncryptionMaterial(suite(), CONTEXT),
    ),
    { instanceOf: KmsError },
  )
  t.is(err?.cause, denied)
  t.is(err?.keyId, WEST)
  t.regex(err?.message ?? '', /AccessDeniedException/)
})

test('encrypt: a configured key whose region the supplier refuses fails the encrypt instead of being skipped', async (t) => {
  const { provider } = fakes()
  const keyring = new KmsKeyringNode({
    generatorKeyId: WEST,
    keyIds: [EAST],
    clientProvider: limitRegions(['us-west-2'], provider),
  })
  await t.throwsAsync(encryptWith(keyring), { instanceOf: KeyringError, message: /refused the region/ })
})

test('encrypt: discovery KmsKeyringNode adds nothing (official behaviour); the MRK discovery keyring refuses', async (t) => {
  const { provider, all } = fakes()
  const m = new NodeEncryptionMaterial(suite(), CONTEXT).setUnencryptedDataKey(Buffer.alloc(32, 1))
  await new KmsKeyringNode({ discovery: true, clientProvider: provider }).onEncrypt(m)
  t.is(m.encryptedDataKeys.length, 0)
  t.is(all().length, 0)
  await t.throwsAsync(encryptWith(new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({ client: new FakeKms() })), {
    instanceOf: InvalidArgumentError,
  })
})

test('an SDK v2 style client (methods returning a request with promise()) works too', async (t) => {
  const inner = new FakeKms()
  const v2 = {
    config: inner.config,
    generateDataKey: (r: GenerateDataKeyRequest) => ({ promise: () => inner.generateDataKey(r) }),
    encrypt: (r: Parameters<FakeKms['encrypt']>[0]) => ({ promise: () => inner.encrypt(r) }),
    decrypt: (r: DecryptRequest) => ({ promise: () => inner.decrypt(r) }),
  }
  const keyring = new AwsKmsMrkAwareSymmetricKeyringNode({ client: v2, keyId: WEST })
  const m = await encryptWith(keyring)
  const d = await keyring.onDecrypt(decryptionMaterial(), m.encryptedDataKeys)
  t.deepEqual(d.getUnencryptedDataKey(), m.getUnencryptedDataKey())
})

// ---- decrypt ----

async function edksFor(...arns: string[]): Promise<{ edks: EncryptedDataKey[]; dataKey: Buffer }> {
  const { provider } = fakes()
  const [generatorKeyId, ...keyIds] = arns
  const m = await encryptWith(new KmsKeyringNode({ generatorKeyId, keyIds, clientProvider: provider }))
  return { edks: m.encryptedDataKeys, dataKey: Buffer.from(m.getUnencryptedDataKey()) }
}

test('decrypt: strict KmsKeyringNode calls KMS only for EDKs of configured keys, always naming KeyId', async (t) => {
  const other = keyArn('eu-west-1', 'k-eu')
  const { edks, dataKey } = await edksFor(other, WEST, EAST)
  const { provider, clients, all } = fakes()
  const m = await new KmsKeyringNode({ keyIds: [EAST], grantTokens: ['g'], clientProvider: provider }).onDecrypt(
    decryptionMaterial(),
    [foreignEdk, ...edks],
  )
  t.deepEqual(m.getUnencryptedDataKey(), dataKey)
  t.deepEqual([...clients.keys()], ['us-east-1'], 'no client, let alone a call, for the other regions')
  const calls = all().flatMap((c) => c.calls)
  t.is(calls.length, 1)
  t.like(calls[0]?.request, { KeyId: EAST, EncryptionContext: CONTEXT, GrantTokens: ['g'] })
})

test('decrypt: a keyring configured with an alias never matches an EDK (EDKs store key ARNs) and makes no call', async (t) => {
  const { edks } = await edksFor(keyArn('us-west-2', 'app'))
  const { provider, all } = fakes()
  for (const keyId of ['alias/app', 'arn:aws:kms:us-west-2:111122223333:alias/app', 'app']) {
    const err = await t.throwsAsync(
      new KmsKeyringNode({ keyIds: [keyId], clientProvider: provider }).onDecrypt(decryptionMaterial(), edks),
      { instanceOf: KeyringError },
    )
    t.deepEqual(err?.causes, [])
    t.regex(err?.message ?? '', /unable to decrypt any of 0 matching/)
    await t.throwsAsync(
      new AwsKmsMrkAwareSymmetricKeyringNode({ client: new FakeKms(), keyId }).onDecrypt(decryptionMaterial(), edks),
      { instanceOf: KeyringError },
    )
  }
  t.is(all().flatMap((c) => c.calls).length, 0)
})

test('decrypt: a failing EDK falls through to the next; when all fail every cause is reported', async (t) => {
  const { edks, dataKey } = await edksFor(WEST, EAST)
  const throttled = named('ThrottlingException', 'slow down')
  const { provider, clients } = fakes()
  provider('us-west-2').bend = (op) => {
    if (op === 'Decrypt') throw throttled
    return undefined
  }
  const keyring = new KmsKeyringNode({ keyIds: [WEST, EAST], clientProvider: provider })
  const m = await keyring.onDecrypt(decryptionMaterial(), edks)
  t.deepEqual(m.getUnencryptedDataKey(), dataKey)
  t.is(clients.get('us-west-2')?.ops('Decrypt').length, 1)
  t.is(clients.get('us-east-1')?.ops('Decrypt').length, 1)

  const wrongKey = named('IncorrectKeyException', 'wrong key')
  provider('us-east-1').bend = (op) => {
    if (op === 'Decrypt') throw wrongKey
    return undefined
  }
  const err = await t.throwsAsync(keyring.onDecrypt(decryptionMaterial(), edks), { instanceOf: KeyringError })
  t.is(err?.code, 'KEYRING')
  t.is(err?.causes.length, 2)
  const causes = (err?.causes ?? []) as KmsError[]
  t.true(causes.every((c) => c instanceof KmsError && c.operation === 'Decrypt'))
  t.deepEqual(
    causes.map((c) => c.keyId),
    [WEST, EAST],
  )
  t.deepEqual(
    causes.map((c) => c.cause),
    [throttled, wrongKey],
  )
  t.true(err?.cause instanceof AggregateError)
  t.regex(err?.message ?? '', /ThrottlingException.*IncorrectKeyException/s)
})

test('decrypt: an answer naming another key, or the wrong plaintext length, is collected and the next EDK tried', async (t) => {
  const { edks, dataKey } = await edksFor(WEST, EAST)
  const { provider } = fakes()
  provider('us-west-2').bend = (op, _req, honest) => (op === 'Decrypt' ? { ...honest(), KeyId: EAST } : undefined)
  provider('us-east-1').bend = (op, _req, honest) =>
    op === 'Decrypt' ? { ...honest(), Plaintext: new Uint8Array(31) } : undefined
  const keyring = new KmsKeyringNode({ keyIds: [WEST, EAST], clientProvider: provider })
  const err = await t.throwsAsync(keyring.onDecrypt(decryptionMaterial(), edks), { instanceOf: KeyringError })
  const messages = (err?.causes ?? []).map((c) => (c as KmsError).message)
  t.is(messages.length, 2)
  t.regex(messages[0] ?? '', /response names key .*k-east.*not the requested key/)
  t.regex(messages[1] ?? '', /Plaintext is 31 bytes, the algorithm suite needs 32/)
  t.true(
    provider('us-west-2').handedOut.every((b) => b.every((x) => x === 0)),
    'rejected plaintexts are wiped too',
  )
  provider('us-east-1').bend = undefined
  t.deepEqual((await keyring.onDecrypt(decryptionMaterial(), edks)).getUnencryptedDataKey(), dataKey)
})

test('decrypt: an aws-kms EDK whose provider info is not a key ARN fails OnDecrypt before any KMS call', async (t) => {
  const { edks } = await edksFor(WEST)
  const { provider, all } = fakes()
  for (const info of ['k-west', 'arn:aws:kms:us-west-2:111122223333:alias/app', 'garbage']) {
    const bad = new EncryptedDataKey({ providerId: 'aws-kms', providerInfo: info, encryptedDataKey: Buffer.alloc(8) })
    await t.throwsAsync(
      new KmsKeyringNode({ keyIds: [WEST], clientProvider: provider }).onDecrypt(decryptionMaterial(), [...edks, bad]),
      { instanceOf: KeyringError, message: /not a key ARN/ },
    )
    await t.throwsAsync(
      new KmsKeyringNode({ discovery: true, clientProvider: provider }).onDecrypt(decryptionMaterial(), [bad, ...edks]),
      { instanceOf: KeyringError },
    )
  }
  t.is(all().flatMap((c) => c.calls).length, 0)
})

test('decrypt: discovery tries any aws-kms EDK; a discovery filter drops other partitions and accounts locally', async (t) => {
  const otherAccount = keyArn('us-west-2', 'k-2', '444455556666')
  const otherPartition = keyArn('cn-north-1', 'k-cn', '111122223333', 'aws-cn')
  const { edks, dataKey } = await edksFor(otherAccount, otherPartition, EAST)
  const { provider, all } = fakes()
  const filtered = new KmsKeyringNode({
    discovery: true,
    discoveryFilter: { partition: 'aws', accountIDs: ['111122223333'] },
    clientProvider: provider,
  })
  t.deepEqual((await filtered.onDecrypt(decryptionMaterial(), edks)).getUnencryptedDataKey(), dataKey)
  t.deepEqual(
    all().flatMap((c) => c.calls.map((x) => x.request.KeyId)),
    [EAST],
  )

  const { provider: p2, all: all2 } = fakes()
  const unfiltered = new KmsKeyringNode({ discovery: true, clientProvider: p2 })
  t.deepEqual((await unfiltered.onDecrypt(decryptionMaterial(), edks)).getUnencryptedDataKey(), dataKey)
  t.deepEqual(
    all2().flatMap((c) => c.calls.map((x) => x.request.KeyId)),
    [otherAccount],
    'the first EDK decrypts',
  )

  const { provider: p3, all: all3 } = fakes()
  const none = new KmsKeyringNode({
    discovery: true,
    discoveryFilter: { partition: 'aws', accountIDs: ['999999999999'] },
    clientProvider: p3,
  })
  const err = await t.throwsAsync(none.onDecrypt(decryptionMaterial(), edks), { instanceOf: KeyringError })
  t.regex(err?.message ?? '', /3 encrypted data key\(s\) did not match/)
  t.is(all3().length, 0)
})

test('decrypt: regions the supplier refuses (limitRegions) are skipped without a call', async (t) => {
  const { edks, dataKey } = await edksFor(WEST, EAST)
  const { provider, clients } = fakes()
  const keyring = new KmsKeyringNode({ discovery: true, clientProvider: limitRegions(['us-east-1'], provider) })
  t.deepEqual((await keyring.onDecrypt(decryptionMaterial(), edks)).getUnencryptedDataKey(), dataKey)
  t.deepEqual([...clients.keys()], ['us-east-1'])
})

test('decrypt: the MRK keyring takes EDKs of any replica and decrypts with its own configured ARN', async (t) => {
  const { edks, dataKey } = await edksFor(MRK_WEST, WEST)
  const client = new FakeKms('us-east-1')
  const m = await new AwsKmsMrkAwareSymmetricKeyringNode({ client, keyId: MRK_EAST, grantTokens: ['g'] }).onDecrypt(
    decryptionMaterial(),
    edks,
  )
  t.deepEqual(m.getUnencryptedDataKey(), dataKey)
  t.deepEqual(
    client.calls.map((c) => c.request),
    [{ KeyId: MRK_EAST, CiphertextBlob: edks[0]?.encryptedDataKey, EncryptionContext: CONTEXT, GrantTokens: ['g'] }],
  )
  // A single-Region key in another region is a different key: no match, no call.
  const single = new FakeKms('us-east-1')
  await t.throwsAsync(
    new AwsKmsMrkAwareSymmetricKeyringNode({ client: single, keyId: WEST.replace('us-west-2', 'us-east-1') }).onDecrypt(
      decryptionMaterial(),
      edks,
    ),
    { instanceOf: KeyringError },
  )
  t.is(single.calls.length, 0)
})

test('decrypt: the MRK discovery keyring rewrites MRK ARNs to its region and skips other regions single-Region EDKs', async (t) => {
  const { edks, dataKey } = await edksFor(WEST, MRK_WEST, EAST)
  // v3 clients resolve their region asynchronously.
  const client = new FakeKms(async () => 'us-east-1')
  const keyring = new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({ client, grantTokens: ['g'] })
  client.bend = (op, req) =>
    op === 'Decrypt' && req.KeyId === MRK_EAST
      ? (() => {
          throw named('DisabledException', 'off')
        })()
      : undefined
  const m = await keyring.onDecrypt(decryptionMaterial(), edks)
  t.deepEqual(m.getUnencryptedDataKey(), dataKey)
  t.deepEqual(
    client.calls.map((c) => c.request.KeyId),
    [MRK_EAST, EAST],
    'WEST (single-Region, other region) never sent; the MRK asked for in us-east-1',
  )
  const filtered = new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({
    client: new FakeKms('us-east-1'),
    discoveryFilter: { partition: 'aws', accountIDs: ['444455556666'] },
  })
  await t.throwsAsync(filtered.onDecrypt(decryptionMaterial(), edks), { instanceOf: KeyringError })
  t.is((filtered.client as FakeKms).calls.length, 0)
})

test('decrypt: the MRK discovery multi-keyring asks each region in turn', async (t) => {
  const { edks, dataKey } = await edksFor(keyArn('eu-west-1', 'k-eu'))
  const { provider, clients } = fakes()
  const multi = buildAwsKmsMrkAwareDiscoveryMultiKeyringNode({
    regions: ['us-west-2', 'eu-west-1'],
    clientProvider: provider,
  })
  t.deepEqual((await multi.onDecrypt(decryptionMaterial(), edks)).getUnencryptedDataKey(), dataKey)
  t.is(clients.get('us-west-2')?.calls.length, 0)
  t.is(clients.get('eu-west-1')?.calls.length, 1)
})

test('decrypt: materials that already hold a data key are returned without any call', async (t) => {
  const { edks } = await edksFor(WEST)
  const client = new FakeKms()
  const m = decryptionMaterial().setUnencryptedDataKey(Buffer.alloc(32, 9))
  await new AwsKmsMrkAwareSymmetricKeyringNode({ client, keyId: WEST }).onDecrypt(m, edks)
  t.deepEqual(m.getUnencryptedDataKey(), Buffer.alloc(32, 9))
  t.is(client.calls.length, 0)
})

// ---- checks that mutation testing (npm run mutation) found untested ----

test('discovery filters: every malformed filter is refused as InvalidArgumentError by both discovery keyrings', (t) => {
  const { provider } = fakes()
  const bad: Array<[string, unknown]> = [
    ['null', null],
    ['a string', 'aws'],
    ['a function with the right fields', Object.assign(() => undefined, { partition: 'aws', accountIDs: ['1'] })],
    ['a numeric partition', { partition: 123, accountIDs: ['1'] }],
    ['one empty account among good ones', { partition: 'aws', accountIDs: ['1', ''] }],
    ['one numeric account among good ones', { partition: 'aws', accountIDs: ['1', 2] }],
    ['accounts as a string', { partition: 'aws', accountIDs: '1' }],
  ]
  for (const [why, filter] of bad) {
    const discoveryFilter = filter as { partition: string; accountIDs: string[] }
    t.throws(
      () => new KmsKeyringNode({ discovery: true, discoveryFilter, clientProvider: provider }),
      {
        instanceOf: InvalidArgumentError,
        message: /discovery filter/,
      },
      `KmsKeyringNode: ${why}`,
    )
    t.throws(
      () => new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({ client: new FakeKms(), discoveryFilter }),
      {
        instanceOf: InvalidArgumentError,
        message: /discovery filter/,
      },
      `MRK discovery: ${why}`,
    )
  }
})

test('discovery filters: the keyring keeps its own frozen copy; the caller can still change its array', async (t) => {
  const accountIDs = ['999999999999']
  const { provider, all } = fakes()
  const keyring = new KmsKeyringNode({
    discovery: true,
    discoveryFilter: { partition: 'aws', accountIDs },
    clientProvider: provider,
  })
  t.true(Object.isFrozen(keyring.discoveryFilter?.accountIDs))
  t.false(Object.isFrozen(accountIDs))
  accountIDs.push('111122223333')
  t.deepEqual(keyring.discoveryFilter?.accountIDs, ['999999999999'])
  // The caller's later change does not let this keyring's own account through.
  const { edks } = await edksFor(EAST)
  await t.throwsAsync(keyring.onDecrypt(decryptionMaterial(), edks), { instanceOf: KeyringError })
  t.is(all().length, 0)
})

test('grantTokens: anything but an array of strings is refused by KmsKeyringNode and the MRK discovery keyring', (t) => {
  const { provider } = fakes()
  for (const grantTokens of ['g', ['g', 1], [undefined]] as unknown as string[][]) {
    t.throws(() => new KmsKeyringNode({ keyIds: [WEST], grantTokens, clientProvider: provider }), {
      instanceOf: InvalidArgumentError,
      message: /grantTokens/,
    })
    t.throws(() => new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({ client: new FakeKms(), grantTokens }), {
      instanceOf: InvalidArgumentError,
      message: /grantTokens/,
    })
  }
})

test('encrypt: a discovery KmsKeyringNode returns materials without a data key untouched, without a call', async (t) => {
  const { provider, all } = fakes()
  const m = new NodeEncryptionMaterial(suite(), CONTEXT)
  t.is(await new KmsKeyringNode({ discovery: true, clientProvider: provider }).onEncrypt(m), m)
  t.false(m.hasUnencryptedDataKey)
  t.is(m.encryptedDataKeys.length, 0)
  t.is(all().length, 0)
})

test('decrypt: an EDK whose region the supplier refuses is counted as filtered out, never tried without a client', async (t) => {
  const { edks } = await edksFor(WEST, EAST)
  const { provider } = fakes()
  provider('us-east-1').bend = (op) => {
    if (op === 'Decrypt') throw named('IncorrectKeyException', 'wrong key')
    return undefined
  }
  const keyring = new KmsKeyringNode({ discovery: true, clientProvider: limitRegions(['us-east-1'], provider) })
  const err = await t.throwsAsync(keyring.onDecrypt(decryptionMaterial(), edks), { instanceOf: KeyringError })
  t.is(err?.causes.length, 1, 'one KMS call, for the EDK in the allowed region')
  t.true(err?.causes[0] instanceof KmsError)
  t.regex(err?.message ?? '', /any of 1 matching encrypted data key\(s\); 1 encrypted data key\(s\) did not match/)
})

test('decrypt: the MRK discovery keyring tries only what it kept and counts what it left out', async (t) => {
  // WEST is in the client's region (tried, and refused by KMS); EAST is a single-Region key elsewhere (left out).
  const { edks } = await edksFor(WEST, EAST)
  const client = new FakeKms('us-west-2', (op) => {
    if (op === 'Decrypt') throw named('IncorrectKeyException', 'wrong key')
    return undefined
  })
  const keyring = new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({ client })
  const err = await t.throwsAsync(keyring.onDecrypt(decryptionMaterial(), edks), { instanceOf: KeyringError })
  t.is(err?.causes.length, 1)
  t.true(err?.causes.every((c) => c instanceof KmsError))
  t.regex(err?.message ?? '', /any of 1 matching encrypted data key\(s\); 1 encrypted data key\(s\) did not match/)
  t.is(client.calls.length, 1)
})

test('MRK discovery keyring: a client without a region is refused at construction; one resolving none fails decrypt', async (t) => {
  for (const region of ['', 42, null])
    t.throws(
      () => new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({ client: new FakeKms(region as unknown as string) }),
      {
        instanceOf: InvalidArgumentError,
        message: /region/,
      },
    )
  const { edks } = await edksFor(WEST)
  const client = new FakeKms(() => Promise.resolve(undefined as unknown as string))
  const keyring = new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({ client })
  await t.throwsAsync(keyring.onDecrypt(decryptionMaterial(), edks), {
    instanceOf: InvalidArgumentError,
    message: /did not resolve a region/,
  })
  t.is(client.calls.length, 0)
})
