// getEncryptionMaterialsForBatch asked directly: the exact runs (how many messages each set of materials serves), backing calls and counters, for a batch that starts on an entry made before it, meets a request in flight, bypasses, fails, runs out of age or bytes, or whose callback throws.
import test from 'ava'
import { setTimeout as sleep } from 'node:timers/promises'
import { EncryptionMaterialsRun, EncryptionRequest } from '../../lib/materials/keyring'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { NodeEncryptionMaterial } from '../../lib/materials/materials'
import { FORBID, FakeClock, REQUIRE, suite } from './helpers'
import { ProbeBacking, withoutSyncMethods } from './probe-backing'

interface Limits {
  readonly maxMessagesEncrypted?: number
  readonly maxBytesEncrypted?: number
  readonly capacity?: number
  readonly maxAge?: number
  /** The manager's clock, when it is not the cache's (which never moves). */
  readonly now?: () => number
}

function caching(backing: ProbeBacking, limits: Limits = {}) {
  const { capacity, maxAge, now, ...rest } = limits
  const cacheClock = new FakeClock()
  const cache = getLocalCryptographicMaterialsCache(capacity ?? 10, undefined, { now: cacheClock.now })
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: backing,
    cache,
    maxAge: maxAge ?? 60_000,
    now: now ?? cacheClock.now,
    ...rest,
  })
  return { cmm, cache }
}

const request = (suiteId = 0x0478, commitmentPolicy = REQUIRE): EncryptionRequest => ({
  suite: suite(suiteId),
  encryptionContext: { purpose: 'batch-runs' },
  commitmentPolicy,
})

/** Each run as its count, with `!` for a failed run. */
const shape = (runs: readonly EncryptionMaterialsRun[]): string[] =>
  runs.map((r) => (r.material ? `${r.count}` : `${r.count}!`))

async function batch(cmm: NodeCachingMaterialsManager, lengths: number[], r = request()) {
  return cmm.getEncryptionMaterialsForBatch(r, lengths)
}

const BACKINGS = [
  { name: 'sync backing', answersSync: true },
  { name: 'async backing', answersSync: false },
] as const

for (const { name, answersSync } of BACKINGS) {
  test(`${name}: a batch that starts on an entry made before it takes what the entry has left, then a fresh one`, async (t) => {
    const backing = new ProbeBacking({ answersSync })
    const { cmm } = caching(backing, { maxMessagesEncrypted: 3 })
    const before = await cmm.getEncryptionMaterials({ ...request(), plaintextLength: 1 })
    const runs = await batch(cmm, [1, 1, 1, 1, 1])
    t.deepEqual(shape(runs), ['2', '3'])
    t.is(backing.calls, 2)
    t.true(runs[0]?.material?.getUnencryptedDataKey().equals(before.getUnencryptedDataKey()))
    t.false(runs[1]?.material?.getUnencryptedDataKey().equals(before.getUnencryptedDataKey()))
    t.like(cmm.getStats(), { encrypt: { misses: 2, hits: 4 }, evictions: { messageLimit: 1 } })
  })

  test(`${name}: a batch that fits in an entry made before it is served from it alone`, async (t) => {
    const backing = new ProbeBacking({ answersSync })
    const { cmm } = caching(backing, { maxMessagesEncrypted: 10 })
    await cmm.getEncryptionMaterials({ ...request(), plaintextLength: 1 })
    t.deepEqual(shape(await batch(cmm, [1, 1, 1])), ['3'])
    t.is(backing.calls, 1)
    t.like(cmm.getStats(), { encrypt: { misses: 1, hits: 3 } })
  })

  test(`${name}: an entry past the manager's max age is not used, even where the cache's own clock says it is fresh`, async (t) => {
    const clock = new FakeClock()
    const backing = new ProbeBacking({ answersSync })
    const { cmm } = caching(backing, { maxAge: 1000, now: clock.now })
    await cmm.getEncryptionMaterials({ ...request(), plaintextLength: 1 })
    clock.advance(1000)
    t.deepEqual(shape(await batch(cmm, [1, 1])), ['1', '1'], 'each fresh entry is already as old as max age')
    t.is(backing.calls, 3)
    t.like(cmm.getStats(), { encrypt: { misses: 3, hits: 0 }, evictions: { expired: 2 } })
  })

  test(`${name}: the byte limit is inclusive: a message of exactly maxBytesEncrypted is cached, and so is one that fills an entry exactly`, async (t) => {
    const backing = new ProbeBacking({ answersSync })
    const { cmm } = caching(backing, { maxBytesEncrypted: 100 })
    t.deepEqual(shape(await batch(cmm, [100, 0])), ['2'])
    t.deepEqual(shape(await batch(cmm, [0, 100], request(0x0578))), ['2'])
    t.is(backing.calls, 2)
    t.like(cmm.getStats(), { encrypt: { misses: 2, hits: 2, bypasses: 0 } })
  })

  test(`${name}: a message over the byte limit bypasses with its own request and length; the messages around it are cached`, async (t) => {
    const backing = new ProbeBacking({ answersSync })
    const { cmm } = caching(backing, { maxBytesEncrypted: 100 })
    const runs = await batch(cmm, [10, 101, 10])
    t.deepEqual(shape(runs), ['1', '1', '1'])
    t.true(runs.every((r) => r.material instanceof NodeEncryptionMaterial))
    t.deepEqual(backing.lengths, [100, 101], 'the bypass asks for its own length, the entry for the byte limit')
    t.like(cmm.getStats(), { bypasses: { overByteLimit: 1 }, encrypt: { misses: 1, hits: 1 } })
  })

  test(`${name}: a bypassed message whose backing call fails gets that failure; the batch goes on`, async (t) => {
    const backing = new ProbeBacking({ answersSync })
    const { cmm } = caching(backing, { maxBytesEncrypted: 100 })
    const runs = await batch(cmm, [101])
    backing.failNext = 1
    const failed = await batch(cmm, [101, 10, 10])
    t.deepEqual(shape(runs), ['1'])
    t.deepEqual(shape(failed), ['1!', '2'])
    t.is(failed[0]?.error, backing.failure)
  })

  test(`${name}: identity-KDF suites bypass every message and are counted as such`, async (t) => {
    const backing = new ProbeBacking({ answersSync })
    const { cmm, cache } = caching(backing)
    const runs = await batch(cmm, [1, 2, 3], request(0x0014, FORBID))
    t.deepEqual(shape(runs), ['1', '1', '1'])
    t.deepEqual(backing.lengths, [1, 2, 3])
    t.is(cache.size, 0)
    t.like(cmm.getStats(), { bypasses: { identityKdf: 3 }, encrypt: { misses: 0 }, uncacheable: 0 })
  })

  test(`${name}: a failed backing call fails exactly the messages a fresh entry would have served`, async (t) => {
    const cases: ReadonlyArray<{ lengths: number[]; limits: Limits; shape: string[] }> = [
      // 60 + 40 fill the 100 bytes exactly; the 1 after them would not fit.
      { lengths: [60, 40, 1], limits: { maxBytesEncrypted: 100 }, shape: ['2!', '1'] },
      // A message of exactly the limit, then an empty one, fit one entry.
      { lengths: [100, 0, 5], limits: { maxBytesEncrypted: 100 }, shape: ['2!', '1'] },
      // The last messages of the batch: the failure covers them and no more.
      { lengths: [1, 1], limits: {}, shape: ['2!'] },
      { lengths: [1, 1, 1], limits: { maxMessagesEncrypted: 2 }, shape: ['2!', '1'] },
    ]
    for (const c of cases) {
      const backing = new ProbeBacking({ answersSync })
      const { cmm } = caching(backing, c.limits)
      backing.failNext = 1
      const runs = await batch(cmm, c.lengths)
      t.deepEqual(shape(runs), c.shape, c.lengths.join(','))
      t.is(runs[0]?.error, backing.failure)
    }
  })

  test(`${name}: with a cache of capacity 0 every message gets its own backing call`, async (t) => {
    const backing = new ProbeBacking({ answersSync })
    const { cmm } = caching(backing, { capacity: 0 })
    t.deepEqual(shape(await batch(cmm, [1, 1, 1])), ['1', '1', '1'])
    t.is(backing.calls, 3)
  })
}

test('over a synchronous backing CMM the batch answers synchronously, with an array', (t) => {
  const { cmm } = caching(new ProbeBacking())
  const answer = cmm.getEncryptionMaterialsForBatch({ ...request() }, [1, 1])
  t.true(Array.isArray(answer))
})

test('a synchronous onRun that throws ends the batch with its error', (t) => {
  const { cmm } = caching(new ProbeBacking())
  const boom = new Error('onRun failed')
  const thrown = t.throws(() =>
    cmm.getEncryptionMaterialsForBatch(request(), [1], () => {
      throw boom
    }),
  )
  t.is(thrown, boom)
})

test('an onRun that throws after the answers were asked for ahead: the batch rejects with it, and the answers never taken are wiped', async (t) => {
  const backing = new ProbeBacking({ answersSync: false, delayMs: 5 })
  const { cmm } = caching(backing, { maxMessagesEncrypted: 1 })
  const boom = new Error('onRun failed')
  const answer = cmm.getEncryptionMaterialsForBatch(request(), [1, 1, 1, 1], () => {
    throw boom
  })
  await t.throwsAsync(Promise.resolve(answer), { is: boom })
  await sleep(30)
  t.is(backing.calls, 4, 'the four fresh entries were asked for together')
  const untaken = backing.given.slice(1) as NodeEncryptionMaterial[]
  t.is(untaken.length, 3)
  t.true(
    untaken.every((m) => !m.hasUnencryptedDataKey),
    'wiped',
  )
})

test('over an asynchronous backing CMM, a batch asks for each fresh entry once, around a bypassed message too', async (t) => {
  const backing = new ProbeBacking({ answersSync: false })
  const { cmm } = caching(backing, { maxBytesEncrypted: 100, maxMessagesEncrypted: 2 })
  const runs = await batch(cmm, [1, 1, 1, 101, 1, 100])
  t.deepEqual(shape(runs), ['2', '1', '1', '1', '1'])
  const key = (k: number) => runs[k]?.material?.getUnencryptedDataKey().toString('hex')
  t.is(key(3), key(1), 'the entry the bypass interrupted, not spent, serves the message after it')
  t.deepEqual(
    backing.lengths,
    [100, 100, 101, 100],
    'two entries before the bypass, the bypass, one for the last message',
  )
  await sleep(10)
  t.is(backing.calls, 4, 'and nothing asked for ahead beyond them')
})

test('a batch meeting a request in flight for its entry waits for it and takes that entry', async (t) => {
  const backing = new ProbeBacking({ answersSync: false, delayMs: 10 })
  const { cmm } = caching(backing)
  const single = cmm.getEncryptionMaterials({ ...request(), plaintextLength: 1 })
  const runs = await batch(cmm, [1, 1, 1])
  const first = await single
  t.deepEqual(shape(runs), ['3'])
  t.is(backing.calls, 1)
  t.true(runs[0]?.material?.getUnencryptedDataKey().equals(first.getUnencryptedDataKey()))
})

test('a batch meeting a request in flight that fails makes its own backing call', async (t) => {
  const backing = new ProbeBacking({ answersSync: false, delayMs: 10 })
  const { cmm } = caching(backing)
  backing.failNext = 1
  const single = cmm.getEncryptionMaterials({ ...request(), plaintextLength: 1 })
  const runs = await batch(cmm, [1, 1, 1])
  await t.throwsAsync(single, { is: backing.failure })
  t.deepEqual(shape(runs), ['3'])
  t.is(backing.calls, 2)
})

test('over a backing CMM with no synchronous methods at all, fresh entries and bypasses are asked for asynchronously', async (t) => {
  const probe = new ProbeBacking({ answersSync: false })
  const asyncOnly = withoutSyncMethods(probe)
  const cache = getLocalCryptographicMaterialsCache(10)
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: asyncOnly,
    cache,
    maxAge: 60_000,
    maxBytesEncrypted: 100,
  })
  const runs = await batch(cmm, [1, 101, 1])
  t.deepEqual(shape(runs), ['1', '1', '1'])
  t.deepEqual(probe.lengths, [100, 101], 'one fresh entry (asked for the byte limit), one bypass (its own length)')
  t.is(
    runs[2]?.material?.getUnencryptedDataKey().toString('hex'),
    runs[0]?.material?.getUnencryptedDataKey().toString('hex'),
  )
})
