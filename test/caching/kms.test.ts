// The caching CMM over a KMS keyring, through the real @aws-sdk/client-kms and the local KMS stand-in: the KMS call log shows the calls it saves.
import test from 'ava'
import { randomUUID } from 'node:crypto'
import * as official from '@aws-crypto/client-node'
import { KMS } from '@aws-sdk/client-kms'
import * as ours from '../../lib/index'
import { startLocalKms } from '../../lib/testing/index'
import type { KmsCallRecord, LocalKms } from '../../lib/testing/index'
import { FakeClock } from './helpers'

let kms: LocalKms
test.before(async () => {
  kms = await startLocalKms()
})
test.after.always(async () => {
  await kms.close()
})

const committing = ours.buildClient(ours.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
const legacy = ours.buildClient(ours.CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)

function sdkConfig(): {
  endpoint: string
  credentials: { accessKeyId: string; secretAccessKey: string }
  region: string
} {
  return { endpoint: kms.endpoint, credentials: kms.credentials, region: 'us-west-2' }
}

function keyring(): ours.KmsKeyringNode {
  return new ours.KmsKeyringNode({
    generatorKeyId: kms.keys.keyArn('us-west-2'),
    clientProvider: ours.getClient(KMS, sdkConfig()),
  })
}

/** A context naming the test, so its calls can be picked out of the shared call log. */
function testContext(): Record<string, string> {
  return { 'test-id': randomUUID() }
}

function calls(context: Record<string, string>, op: string): KmsCallRecord[] {
  return kms.calls.filter((c) => c.op === op && c.encryptionContext['test-id'] === context['test-id'])
}

function cachingCmm(
  options: { maxMessagesEncrypted?: number; clock?: FakeClock; maxAge?: number } = {},
): ours.NodeCachingMaterialsManager {
  const clock = options.clock ?? new FakeClock()
  return new ours.NodeCachingMaterialsManager({
    backingMaterials: keyring(),
    cache: ours.getLocalCryptographicMaterialsCache(100, undefined, { now: clock.now }),
    maxAge: options.maxAge ?? 60_000,
    now: clock.now,
    ...(options.maxMessagesEncrypted === undefined ? {} : { maxMessagesEncrypted: options.maxMessagesEncrypted }),
  })
}

test('N sequential encrypts within the limits make one GenerateDataKey', async (t) => {
  const cmm = cachingCmm()
  const context = testContext()
  for (let i = 0; i < 20; i++) await committing.encrypt(cmm, Buffer.from(`kms ${i}`), { encryptionContext: context })
  t.is(calls(context, 'GenerateDataKey').length, 1)
  t.like(cmm.getStats().encrypt, { hits: 19, misses: 1, backingCalls: 1 })
})

test('maxMessagesEncrypted and maxAge force a new GenerateDataKey', async (t) => {
  const clock = new FakeClock()
  const cmm = cachingCmm({ maxMessagesEncrypted: 5, clock, maxAge: 10_000 })
  const context = testContext()
  for (let i = 0; i < 12; i++) await committing.encrypt(cmm, Buffer.from('m'), { encryptionContext: context })
  t.is(calls(context, 'GenerateDataKey').length, 3, '5 + 5 + 2 messages')
  clock.advance(10_000)
  await committing.encrypt(cmm, Buffer.from('m'), { encryptionContext: context })
  t.is(calls(context, 'GenerateDataKey').length, 4, 'the third entry expired')
  t.like(cmm.getStats().evictions, { messageLimit: 2, expired: 1 })
})

test('N concurrent cold encrypts make one GenerateDataKey (the official caching CMM makes N)', async (t) => {
  const n = 16
  kms.faults.latency(30, { ops: ['GenerateDataKey'] })
  try {
    const ourContext = testContext()
    const cmm = cachingCmm()
    await Promise.all(
      Array.from({ length: n }, () => committing.encrypt(cmm, Buffer.from('c'), { encryptionContext: ourContext })),
    )
    t.is(calls(ourContext, 'GenerateDataKey').length, 1)

    const officialContext = testContext()
    const officialCmm = new official.NodeCachingMaterialsManager({
      backingMaterials: new official.KmsKeyringNode({
        generatorKeyId: kms.keys.keyArn('us-west-2'),
        clientProvider: official.getClient(official.KMS, sdkConfig()),
      }),
      cache: official.getLocalCryptographicMaterialsCache(100),
      maxAge: 60_000,
    })
    const officialClient = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    await Promise.all(
      Array.from({ length: n }, () =>
        officialClient.encrypt(officialCmm, Buffer.from('c'), { encryptionContext: officialContext }),
      ),
    )
    const officialCount = calls(officialContext, 'GenerateDataKey').length
    t.log(`GenerateDataKey calls for ${n} concurrent cold encrypts: ours 1, official ${officialCount}`)
    t.true(officialCount > 1)
  } finally {
    kms.faults.clear()
  }
})

test('identity-KDF suites bypass the cache: one GenerateDataKey per message', async (t) => {
  const cmm = cachingCmm()
  const context = testContext()
  for (let i = 0; i < 3; i++)
    await legacy.encrypt(cmm, Buffer.from('id'), { suiteId: 0x0078, encryptionContext: context })
  t.is(calls(context, 'GenerateDataKey').length, 3)
  t.is(cmm.getStats().bypasses.identityKdf, 3)
})

test('decrypt: repeated decrypts of a message make one KMS Decrypt', async (t) => {
  const context = testContext()
  const { result } = await committing.encrypt(keyring(), Buffer.from('kms decrypt'), { encryptionContext: context })
  const cmm = cachingCmm()
  for (let i = 0; i < 5; i++) t.is((await committing.decrypt(cmm, result)).plaintext.toString(), 'kms decrypt')
  t.is(calls(context, 'Decrypt').length, 1)
})

test('messages from our caching CMM over KMS decrypt with the official KMS keyring', async (t) => {
  const context = testContext()
  const cmm = cachingCmm()
  const officialKeyring = new official.KmsKeyringNode({
    generatorKeyId: kms.keys.keyArn('us-west-2'),
    clientProvider: official.getClient(official.KMS, sdkConfig()),
  })
  const officialClient = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  for (let i = 0; i < 3; i++) {
    const { result } = await committing.encrypt(cmm, Buffer.from(`to official ${i}`), { encryptionContext: context })
    t.is((await officialClient.decrypt(officialKeyring, result)).plaintext.toString(), `to official ${i}`)
  }
  t.is(calls(context, 'GenerateDataKey').length, 1)
})
