// Concurrent misses for one entry share one backing call; failures reach every waiter; limits still hold under concurrency.
import test from 'ava'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { CountingKeyring, client, edkFingerprint, rawAesKeyring } from './helpers'

function setup(options: { capacity?: number; maxMessagesEncrypted?: number; delayMs?: number } = {}) {
  const keyring = new CountingKeyring()
  keyring.delayMs = options.delayMs ?? 20
  const cache = getLocalCryptographicMaterialsCache(options.capacity ?? 100)
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache,
    maxAge: 60_000,
    ...(options.maxMessagesEncrypted === undefined ? {} : { maxMessagesEncrypted: options.maxMessagesEncrypted }),
  })
  return { keyring, cache, cmm }
}

const N = 50

test(`${N} concurrent cold encrypts make one backing call and share one data key`, async (t) => {
  const { keyring, cmm } = setup()
  const results = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      client().encrypt(cmm, Buffer.from(`message ${i}`), { encryptionContext: { k: 'v' } }),
    ),
  )
  t.is(keyring.encryptCalls, 1)
  t.is(new Set(results.map((r) => edkFingerprint(r.messageHeader.encryptedDataKeys))).size, 1)
  for (const [i, r] of results.entries())
    t.is((await client().decrypt(rawAesKeyring(), r.result)).plaintext.toString(), `message ${i}`)
  t.like(cmm.getStats().encrypt, { requests: N, misses: 1, coalesced: N - 1, hits: 0, backingCalls: 1 })
})

test('concurrent cold encrypts for different contexts make one backing call per context', async (t) => {
  const { keyring, cmm } = setup()
  const tenants = ['a', 'b', 'c', 'd']
  const runs = tenants.flatMap((tenant) =>
    Array.from({ length: 10 }, () => client().encrypt(cmm, Buffer.from(tenant), { encryptionContext: { tenant } })),
  )
  const results = await Promise.all(runs)
  t.is(keyring.encryptCalls, tenants.length)
  const keysByTenant = new Map<string, Set<string>>()
  for (const r of results) {
    const tenant = r.messageHeader.encryptionContext.tenant ?? ''
    const set = keysByTenant.get(tenant) ?? new Set<string>()
    set.add(edkFingerprint(r.messageHeader.encryptedDataKeys))
    keysByTenant.set(tenant, set)
  }
  for (const tenant of tenants) t.is(keysByTenant.get(tenant)?.size, 1, tenant)
})

test(`${N} concurrent cold decrypts of one message make one backing call`, async (t) => {
  const { keyring, cmm } = setup()
  const { result } = await client().encrypt(rawAesKeyring(), Buffer.from('decrypt me'), {
    encryptionContext: { k: 'v' },
  })
  const outs = await Promise.all(Array.from({ length: N }, () => client().decrypt(cmm, result)))
  t.is(keyring.decryptCalls, 1)
  for (const o of outs) t.is(o.plaintext.toString(), 'decrypt me')
  t.like(cmm.getStats().decrypt, { requests: N, misses: 1, coalesced: N - 1 })
})

test('a failed backing call fails every request waiting on it; the next request tries again', async (t) => {
  const { keyring, cmm, cache } = setup()
  keyring.failNext = 1
  const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => client().encrypt(cmm, Buffer.from('x'))))
  t.is(keyring.encryptCalls, 1)
  t.true(outcomes.every((o) => o.status === 'rejected' && o.reason === keyring.failure))
  t.is(cache.size, 0)
  await client().encrypt(cmm, Buffer.from('x'))
  t.is(keyring.encryptCalls, 2)
  t.like(cmm.getStats().encrypt, { misses: 2, coalesced: 9 })
})

test('limits hold under concurrency: maxMessagesEncrypted 2 with 10 concurrent encrypts gives 5 data keys of 2 messages', async (t) => {
  const { keyring, cmm } = setup({ maxMessagesEncrypted: 2, delayMs: 5 })
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => client().encrypt(cmm, Buffer.from(`m${i}`))))
  const perKey = new Map<string, number>()
  for (const r of results) {
    const k = edkFingerprint(r.messageHeader.encryptedDataKeys)
    perKey.set(k, (perKey.get(k) ?? 0) + 1)
  }
  t.is(keyring.encryptCalls, 5)
  t.deepEqual([...perKey.values()], [2, 2, 2, 2, 2])
})

test('capacity 0 caches nothing: concurrent requests still all succeed, one backing call each', async (t) => {
  const { keyring, cmm, cache } = setup({ capacity: 0, delayMs: 2 })
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => client().encrypt(cmm, Buffer.from(`m${i}`))))
  t.is(results.length, 8)
  t.is(keyring.encryptCalls, 8)
  t.is(cache.size, 0)
  for (const [i, r] of results.entries())
    t.is((await client().decrypt(rawAesKeyring(), r.result)).plaintext.toString(), `m${i}`)
  t.is(cmm.getStats().evictions.capacity, 8)
})

test('a failed backing decrypt fails every request waiting on it; the next request tries again', async (t) => {
  const { keyring, cmm, cache } = setup()
  const { result } = await client().encrypt(rawAesKeyring(), Buffer.from('decrypt me'))
  keyring.failNext = 1
  const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => client().decrypt(cmm, result)))
  t.is(keyring.decryptCalls, 1)
  t.true(outcomes.every((o) => o.status === 'rejected'))
  t.is(cache.size, 0)
  t.is((await client().decrypt(cmm, result)).plaintext.toString(), 'decrypt me')
  t.is(keyring.decryptCalls, 2)
  t.like(cmm.getStats().decrypt, { misses: 2, coalesced: 9 })
})
