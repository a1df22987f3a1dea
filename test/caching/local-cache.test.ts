// The local materials cache on its own: LRU by capacity, TTL expiry on access, on put and by the proactive sweep, usage counting, wipes, argument checks.
import test from 'ava'
import { setTimeout as sleep } from 'node:timers/promises'
import { InvalidArgumentError } from '../../lib/core/errors'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { EvictionReason } from '../../lib/materials/caching/cache'
import { ENTRY_PRUNING_TAIL_SIZE, getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { FakeClock, suite } from './helpers'

function encryption(fill = 7): NodeEncryptionMaterial {
  return new NodeEncryptionMaterial(suite(0x0478), {}).setUnencryptedDataKey(Buffer.alloc(32, fill))
}

function decryption(fill = 9): NodeDecryptionMaterial {
  return new NodeDecryptionMaterial(suite(0x0478), {}).setUnencryptedDataKey(Buffer.alloc(32, fill))
}

function wiped(m: NodeEncryptionMaterial | NodeDecryptionMaterial): boolean {
  return !m.hasUnencryptedDataKey
}

test('LRU: over capacity, the least recently used entry is evicted and wiped; a get refreshes recency', (t) => {
  const cache = getLocalCryptographicMaterialsCache(2)
  const a = encryption()
  const b = encryption()
  const c = encryption()
  const reasons: string[] = []
  cache.putEncryptionMaterial('a', a, 0, 60_000, (r) => reasons.push(`a:${r}`))
  cache.putEncryptionMaterial('b', b, 0, 60_000, (r) => reasons.push(`b:${r}`))
  t.truthy(cache.getEncryptionMaterial('a', 0))
  cache.putEncryptionMaterial('c', c, 0, 60_000)
  t.false(cache.getEncryptionMaterial('b', 0))
  t.truthy(cache.getEncryptionMaterial('a', 0))
  t.truthy(cache.getEncryptionMaterial('c', 0))
  t.true(wiped(b))
  t.false(wiped(a))
  t.deepEqual(reasons, ['b:capacity'])
  t.is(cache.size, 2)
  t.is(cache.getStats().evictions.capacity, 1)
})

test('TTL: an entry is returned until its age reaches the TTL, then evicted and wiped on access', (t) => {
  const clock = new FakeClock()
  const cache = getLocalCryptographicMaterialsCache(10, undefined, { now: clock.now })
  const m = encryption()
  cache.putEncryptionMaterial('k', m, 0, 100)
  clock.advance(99)
  t.truthy(cache.getEncryptionMaterial('k', 0))
  clock.advance(1)
  t.false(cache.getEncryptionMaterial('k', 0))
  t.true(wiped(m))
  t.is(cache.getStats().evictions.expired, 1)
})

test(`puts and gets prune expired entries among the ${ENTRY_PRUNING_TAIL_SIZE} least recently used`, (t) => {
  const clock = new FakeClock()
  const cache = getLocalCryptographicMaterialsCache(100, undefined, { now: clock.now })
  const old = Array.from({ length: ENTRY_PRUNING_TAIL_SIZE + 2 }, () => encryption())
  old.forEach((m, i) => cache.putEncryptionMaterial(`old${i}`, m, 0, 10))
  clock.advance(10)
  cache.putEncryptionMaterial('new', encryption(), 0, 1000)
  t.deepEqual(
    old.map(wiped),
    old.map((_, i) => i < ENTRY_PRUNING_TAIL_SIZE),
    'the tail was pruned on put; the rest waits for the next access or the sweep',
  )
  t.is(cache.size, 3)
})

test('the proactive sweep evicts every expired entry', (t) => {
  const clock = new FakeClock()
  const cache = getLocalCryptographicMaterialsCache(100, undefined, { now: clock.now })
  const old = Array.from({ length: 20 }, () => encryption())
  old.forEach((m, i) => cache.putEncryptionMaterial(`k${i}`, m, 0, 10))
  const young = encryption()
  cache.putEncryptionMaterial('young', young, 0, 1000)
  clock.advance(10)
  cache.evictExpired()
  t.true(old.every(wiped))
  t.false(wiped(young))
  t.is(cache.size, 1)
})

test('the proactive sweep runs on its own timer', async (t) => {
  const clock = new FakeClock()
  const cache = getLocalCryptographicMaterialsCache(10, 10, { now: clock.now })
  const m = decryption()
  cache.putDecryptionMaterial('k', m, 50)
  clock.advance(50)
  for (let i = 0; i < 50 && cache.size > 0; i++) await sleep(10)
  t.is(cache.size, 0)
  t.true(wiped(m))
})

test('capacity 0 is accepted and stores nothing (the put wipes at once)', (t) => {
  const cache = getLocalCryptographicMaterialsCache(0)
  const m = encryption()
  cache.putEncryptionMaterial('k', m, 0, 1000)
  t.is(cache.size, 0)
  t.true(wiped(m))
  t.false(cache.getEncryptionMaterial('k', 0))
})

test('getEncryptionMaterial counts one message and the plaintext bytes; put starts at one message', (t) => {
  const cache = getLocalCryptographicMaterialsCache(10)
  cache.putEncryptionMaterial('k', encryption(), 100, 1000)
  const first = cache.getEncryptionMaterial('k', 50)
  if (!first) return t.fail('missing entry')
  t.is(first.messagesEncrypted, 2)
  t.is(first.bytesEncrypted, 150)
  const second = cache.getEncryptionMaterial('k', 1)
  t.like(second, { messagesEncrypted: 3, bytesEncrypted: 151 })
})

test('encrypt and decrypt entries are kept apart by type', (t) => {
  const cache = getLocalCryptographicMaterialsCache(10)
  cache.putEncryptionMaterial('e', encryption(), 0, 1000)
  cache.putDecryptionMaterial('d', decryption(), 1000)
  t.false(cache.getDecryptionMaterial('e'))
  t.false(cache.getEncryptionMaterial('d', 0))
  t.truthy(cache.getDecryptionMaterial('d'))
  t.truthy(cache.getEncryptionMaterial('e', 0))
})

test('a put under an existing key replaces the entry and wipes the old one', (t) => {
  const cache = getLocalCryptographicMaterialsCache(10)
  const first = encryption(1)
  const reasons: EvictionReason[] = []
  cache.putEncryptionMaterial('k', first, 0, 1000, (r) => reasons.push(r))
  cache.putEncryptionMaterial('k', encryption(2), 0, 1000)
  t.true(wiped(first))
  t.deepEqual(reasons, ['replaced'])
  t.is(cache.size, 1)
})

test('del wipes, reports its reason, and a throwing listener does not break the cache', (t) => {
  const cache = getLocalCryptographicMaterialsCache(10)
  const m = encryption()
  cache.putEncryptionMaterial('k', m, 0, 1000, () => {
    throw new Error('listener bug')
  })
  cache.del('k', 'byteLimit')
  t.true(wiped(m))
  t.is(cache.size, 0)
  t.is(cache.getStats().evictions.byteLimit, 1)
  cache.del('absent')
  t.is(cache.getStats().evictions.deleted, 0)
})

test('arguments are checked', (t) => {
  for (const capacity of [-1, 1.5, Number.NaN, Infinity]) {
    t.throws(
      () => getLocalCryptographicMaterialsCache(capacity),
      { instanceOf: InvalidArgumentError },
      String(capacity),
    )
  }
  for (const frequency of [0, -5, Number.NaN, 2 ** 31]) {
    t.throws(
      () => getLocalCryptographicMaterialsCache(1, frequency),
      { instanceOf: InvalidArgumentError },
      String(frequency),
    )
  }
  const cache = getLocalCryptographicMaterialsCache(1)
  t.throws(() => cache.putEncryptionMaterial('k', encryption(), -1, 1000), { instanceOf: InvalidArgumentError })
  t.throws(() => cache.putEncryptionMaterial('k', encryption(), 0, 0), { instanceOf: InvalidArgumentError })
  t.throws(() => cache.putDecryptionMaterial('k', decryption(), Number.NaN), { instanceOf: InvalidArgumentError })
  t.throws(() => cache.getEncryptionMaterial('k', -1), { instanceOf: InvalidArgumentError })
})
