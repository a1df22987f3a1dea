// getStats(): the counters match what happened, add up, and say why the backing keyring was called.
import test from 'ava'
import { EncryptionRequest } from '../../lib/materials/keyring'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { CountingKeyring, FORBID, FakeClock, REQUIRE, client, rawAesKeyring, suite } from './helpers'

test('a mixed workload: every counter matches, and the backing calls equal the keyring calls', async (t) => {
  const clock = new FakeClock()
  const keyring = new CountingKeyring()
  const cache = getLocalCryptographicMaterialsCache(2, undefined, { now: clock.now })
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache,
    maxAge: 1000,
    maxMessagesEncrypted: 3,
    maxBytesEncrypted: 1000,
    now: clock.now,
  })

  // Entry A: 1 miss + 2 hits, then the message limit evicts it: 1 miss.
  for (let i = 0; i < 4; i++) await client().encrypt(cmm, Buffer.alloc(10), { encryptionContext: { e: 'A' } })
  // Over the byte limit: bypass.
  await client().encrypt(cmm, Buffer.alloc(1001), { encryptionContext: { e: 'A' } })
  // Identity KDF: bypass.
  await client(FORBID).encrypt(cmm, Buffer.alloc(10), { suiteId: 0x0078 })
  // No plaintext length: bypass.
  const noLength: EncryptionRequest = { suite: suite(0x0478), encryptionContext: {}, commitmentPolicy: REQUIRE }
  await cmm.getEncryptionMaterials(noLength)
  // Entries B and C push A out of the two-entry cache (capacity).
  await client().encrypt(cmm, Buffer.alloc(10), { encryptionContext: { e: 'B' } })
  await client().encrypt(cmm, Buffer.alloc(10), { encryptionContext: { e: 'C' } })
  // Decrypt: miss, hit; then everything expires; decrypt again: miss after an expiry.
  const { result } = await client().encrypt(rawAesKeyring(), Buffer.from('d'))
  await client().decrypt(cmm, result)
  await client().decrypt(cmm, result)
  clock.advance(1000)
  await client().decrypt(cmm, result)

  const stats = cmm.getStats()
  t.like(stats.encrypt, { requests: 9, hits: 2, misses: 4, coalesced: 0, bypasses: 3, backingCalls: 7 })
  t.like(stats.decrypt, { requests: 3, hits: 1, misses: 2, coalesced: 0, bypasses: 0, backingCalls: 2 })
  t.deepEqual(stats.bypasses, { identityKdf: 1, noPlaintextLength: 1, overByteLimit: 1 })
  // Capacity: C pushes out A's second entry, the decrypt entry pushes out B. Expired: C and the decrypt entry.
  t.like(stats.evictions, { messageLimit: 1, capacity: 2, expired: 2, byteLimit: 0, mismatch: 0 })
  t.is(stats.backingCalls, keyring.encryptCalls + keyring.decryptCalls)
  t.is(stats.requests, stats.hits + stats.misses + stats.coalesced + stats.encrypt.bypasses + stats.decrypt.bypasses)
  t.is(stats.uncacheable, 0)
})

test('stats are snapshots: frozen, and later work does not change an earlier one', async (t) => {
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: rawAesKeyring(),
    cache: getLocalCryptographicMaterialsCache(5),
    maxAge: 1000,
  })
  const before = cmm.getStats()
  await client().encrypt(cmm, Buffer.from('x'))
  t.is(before.misses, 0)
  t.is(cmm.getStats().misses, 1)
  t.true(
    Object.isFrozen(before) &&
      Object.isFrozen(before.bypasses) &&
      Object.isFrozen(before.evictions) &&
      Object.isFrozen(before.encrypt),
  )
})

test('the cache reports its own size and evictions, across all managers using it', async (t) => {
  const cache = getLocalCryptographicMaterialsCache(1)
  const a = new NodeCachingMaterialsManager({ backingMaterials: rawAesKeyring(), cache, maxAge: 1000 })
  const b = new NodeCachingMaterialsManager({ backingMaterials: rawAesKeyring(), cache, maxAge: 1000 })
  await client().encrypt(a, Buffer.from('x'))
  await client().encrypt(b, Buffer.from('x'))
  t.like(cache.getStats(), { capacity: 1, size: 1 })
  t.is(cache.getStats().evictions.capacity, 1)
  t.is(a.getStats().evictions.capacity, 1, 'a sees its own entry pushed out by b')
  t.is(b.getStats().evictions.capacity, 0)
})
