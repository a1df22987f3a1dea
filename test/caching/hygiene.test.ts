// Key material hygiene: callers get copies of cached data keys, the session's wipe never reaches the cache, and evicted entries are wiped.
import test from 'ava'
import { BadStateError } from '../../lib/core/errors'
import { NodeDefaultCryptographicMaterialsManager } from '../../lib/materials/default-cmm'
import { DecryptionRequest, EncryptionRequest, NodeMaterialsManager } from '../../lib/materials/keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { FakeClock, REQUIRE, client, rawAesKeyring, suite } from './helpers'

/** A backing CMM that keeps every material it hands out and the data key buffer inside it. */
class RecordingCmm implements NodeMaterialsManager {
  readonly encrypted: { material: NodeEncryptionMaterial; key: Buffer }[] = []
  readonly decrypted: { material: NodeDecryptionMaterial; key: Buffer }[] = []
  private readonly inner = new NodeDefaultCryptographicMaterialsManager(rawAesKeyring())

  async getEncryptionMaterials(request: EncryptionRequest): Promise<NodeEncryptionMaterial> {
    const material = await this.inner.getEncryptionMaterials(request)
    this.encrypted.push({ material, key: material.getUnencryptedDataKey() })
    return material
  }

  async decryptMaterials(request: DecryptionRequest): Promise<NodeDecryptionMaterial> {
    const material = await this.inner.decryptMaterials(request)
    this.decrypted.push({ material, key: material.getUnencryptedDataKey() })
    return material
  }
}

const isZero = (b: Buffer): boolean => b.every((x) => x === 0)

function request(plaintextLength = 10): EncryptionRequest {
  return { suite: suite(0x0478), encryptionContext: { a: 'b' }, commitmentPolicy: REQUIRE, plaintextLength }
}

test('every caller gets its own copy of the data key; wiping one touches neither the others nor the entry', async (t) => {
  const backing = new RecordingCmm()
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: backing,
    cache: getLocalCryptographicMaterialsCache(10),
    maxAge: 60_000,
  })
  const a = await cmm.getEncryptionMaterials(request())
  const b = await cmm.getEncryptionMaterials(request())
  const cached = backing.encrypted[0]
  if (!cached) return t.fail('no backing call')
  t.is(backing.encrypted.length, 1)
  t.not(a.getUnencryptedDataKey(), cached.key, 'the first caller does not get the entry itself')
  t.not(a.getUnencryptedDataKey(), b.getUnencryptedDataKey())
  t.deepEqual(a.getUnencryptedDataKey(), cached.key)
  a.zeroUnencryptedDataKey()
  t.false(isZero(b.getUnencryptedDataKey()))
  t.false(isZero(cached.key))
  const c = await cmm.getEncryptionMaterials(request())
  t.deepEqual(c.getUnencryptedDataKey(), cached.key)
  t.is(c.encryptedDataKeys.length, cached.material.encryptedDataKeys.length)
  t.not(c.encryptedDataKeys, cached.material.encryptedDataKeys, 'the EDK list is the caller’s own array')
})

test('the session wipes its materials after every message, and the cached key survives it', async (t) => {
  const backing = new RecordingCmm()
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: backing,
    cache: getLocalCryptographicMaterialsCache(10),
    maxAge: 60_000,
  })
  for (let i = 0; i < 5; i++) {
    const { result } = await client().encrypt(cmm, Buffer.from(`s${i}`))
    t.is((await client().decrypt(cmm, result)).plaintext.toString(), `s${i}`)
    t.is((await client().decrypt(cmm, result)).plaintext.toString(), `s${i}`)
  }
  t.is(backing.encrypted.length, 1)
  t.false(isZero(backing.encrypted[0]?.key ?? Buffer.alloc(1)))
})

test('eviction wipes the cached data key: limits, capacity, expiry, clear', async (t) => {
  const clock = new FakeClock()
  const backing = new RecordingCmm()
  const cache = getLocalCryptographicMaterialsCache(1, undefined, { now: clock.now })
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: backing,
    cache,
    maxAge: 1000,
    maxMessagesEncrypted: 1,
    now: clock.now,
  })

  await cmm.getEncryptionMaterials(request())
  await cmm.getEncryptionMaterials(request())
  t.true(isZero(backing.encrypted[0]?.key ?? Buffer.alloc(0)), 'evicted for the message limit')
  t.throws(() => backing.encrypted[0]?.material.getUnencryptedDataKey(), { instanceOf: BadStateError })

  await cmm.getEncryptionMaterials({ ...request(), encryptionContext: { other: 'context' } })
  t.true(isZero(backing.encrypted[1]?.key ?? Buffer.alloc(0)), 'evicted for capacity')

  clock.advance(1000)
  cache.evictExpired()
  t.true(isZero(backing.encrypted[2]?.key ?? Buffer.alloc(0)), 'evicted when expired')

  await cmm.getEncryptionMaterials(request())
  t.false(isZero(backing.encrypted[3]?.key ?? Buffer.alloc(0)))
  cache.clear()
  t.true(isZero(backing.encrypted[3]?.key ?? Buffer.alloc(0)), 'wiped by clear()')
  t.like(cmm.getStats().evictions, { messageLimit: 1, capacity: 1, expired: 1, cleared: 1 })
})

test('decrypt entries are copied and wiped the same way', async (t) => {
  const backing = new RecordingCmm()
  const cache = getLocalCryptographicMaterialsCache(10)
  const cmm = new NodeCachingMaterialsManager({ backingMaterials: backing, cache, maxAge: 60_000 })
  const { result } = await client().encrypt(rawAesKeyring(), Buffer.from('d'))
  await client().decrypt(cmm, result)
  await client().decrypt(cmm, result)
  const entry = backing.decrypted[0]
  if (!entry) return t.fail('no backing call')
  t.is(backing.decrypted.length, 1)
  t.false(isZero(entry.key), 'the sessions wiped their copies, not the entry')
  cache.clear()
  t.true(isZero(entry.key))
})

test('materials that are not cached are returned as they came, with no copy left behind', async (t) => {
  const backing = new RecordingCmm()
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: backing,
    cache: getLocalCryptographicMaterialsCache(10),
    maxAge: 60_000,
  })
  const bypassed = await cmm.getEncryptionMaterials({
    suite: suite(0x0478),
    encryptionContext: {},
    commitmentPolicy: REQUIRE,
  })
  t.true(bypassed === backing.encrypted[0]?.material)
})
