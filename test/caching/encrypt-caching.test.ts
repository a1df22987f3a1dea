// Encrypt through the caching CMM: one data key per entry within limits, limits and max age force a new one, bypasses, and the requested suite is the suite written.
import test from 'ava'
import { KeyringError } from '../../lib/core/errors'
import { CommitmentPolicy } from '../../lib/core/policy'
import { NodeDefaultCryptographicMaterialsManager } from '../../lib/materials/default-cmm'
import { EncryptionRequest, NodeMaterialsManager, DecryptionRequest } from '../../lib/materials/keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import {
  CountingKeyring,
  FORBID,
  FakeClock,
  IDENTITY_SUITES,
  REQUIRE,
  client,
  edkFingerprint,
  rawAesKeyring,
  suite,
} from './helpers'

const PUBLIC_KEY = 'aws-crypto-public-key'

function setup(
  options: {
    maxAge?: number
    maxMessagesEncrypted?: number
    maxBytesEncrypted?: number
    capacity?: number
    clock?: FakeClock
  } = {},
) {
  const keyring = new CountingKeyring()
  const clock = options.clock ?? new FakeClock()
  const cache = getLocalCryptographicMaterialsCache(options.capacity ?? 100, undefined, { now: clock.now })
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache,
    maxAge: options.maxAge ?? 60_000,
    now: clock.now,
    ...(options.maxMessagesEncrypted === undefined ? {} : { maxMessagesEncrypted: options.maxMessagesEncrypted }),
    ...(options.maxBytesEncrypted === undefined ? {} : { maxBytesEncrypted: options.maxBytesEncrypted }),
  })
  return { keyring, cache, cmm, clock }
}

/** Encrypts with our client and returns the EDK fingerprint (one per data key) and header. */
async function encrypt(
  cmm: NodeMaterialsManager,
  plaintext: Buffer,
  options: { suiteId?: number; policy?: CommitmentPolicy; context?: Record<string, string> } = {},
) {
  const { result, messageHeader } = await client(options.policy ?? REQUIRE).encrypt(cmm, plaintext, {
    encryptionContext: options.context ?? { purpose: 'caching' },
    ...(options.suiteId === undefined ? {} : { suiteId: options.suiteId }),
  })
  return { result, header: messageHeader, dataKey: edkFingerprint(messageHeader.encryptedDataKeys) }
}

test('N sequential encrypts within the limits make one backing call and share one data key', async (t) => {
  const { keyring, cmm } = setup()
  const keys = new Set<string>()
  const plaintext = Buffer.from('one data key for all of these')
  for (let i = 0; i < 25; i++) {
    const { result, dataKey } = await encrypt(cmm, plaintext)
    keys.add(dataKey)
    const { plaintext: back } = await client().decrypt(rawAesKeyring(), result)
    t.deepEqual(back, plaintext)
  }
  t.is(keyring.encryptCalls, 1)
  t.is(keys.size, 1)
  const stats = cmm.getStats()
  t.like(stats.encrypt, { requests: 25, hits: 24, misses: 1, coalesced: 0, bypasses: 0, backingCalls: 1 })
})

test('maxMessagesEncrypted: each data key encrypts at most that many messages', async (t) => {
  const { keyring, cmm } = setup({ maxMessagesEncrypted: 3 })
  const perKey = new Map<string, number>()
  for (let i = 0; i < 10; i++) {
    const { dataKey } = await encrypt(cmm, Buffer.from('m'))
    perKey.set(dataKey, (perKey.get(dataKey) ?? 0) + 1)
  }
  t.is(keyring.encryptCalls, 4)
  t.deepEqual([...perKey.values()], [3, 3, 3, 1])
  t.is(cmm.getStats().evictions.messageLimit, 3)
})

test('maxBytesEncrypted: an entry that this plaintext would take over the limit is evicted, not used', async (t) => {
  const { keyring, cmm } = setup({ maxBytesEncrypted: 100 })
  const perKey = new Map<string, number>()
  for (let i = 0; i < 7; i++) {
    const { dataKey } = await encrypt(cmm, Buffer.alloc(40, i))
    perKey.set(dataKey, (perKey.get(dataKey) ?? 0) + 1)
  }
  // 40 + 40 = 80 fits; a third 40 would make 120 > 100.
  t.deepEqual([...perKey.values()], [2, 2, 2, 1])
  t.is(keyring.encryptCalls, 4)
  t.is(cmm.getStats().evictions.byteLimit, 3)
})

test('maxBytesEncrypted is inclusive: exactly the limit is allowed, one byte more is not', async (t) => {
  const { keyring, cmm } = setup({ maxBytesEncrypted: 100 })
  const a = await encrypt(cmm, Buffer.alloc(100))
  const b = await encrypt(cmm, Buffer.alloc(0))
  t.is(a.dataKey, b.dataKey, '100 + 0 bytes still within the limit')
  const c = await encrypt(cmm, Buffer.alloc(1))
  t.not(c.dataKey, a.dataKey)
  t.is(keyring.encryptCalls, 2)
})

test('a plaintext larger than maxBytesEncrypted bypasses the cache and leaves the entry alone', async (t) => {
  const { keyring, cmm } = setup({ maxBytesEncrypted: 64 })
  const small = await encrypt(cmm, Buffer.alloc(10))
  const big1 = await encrypt(cmm, Buffer.alloc(65))
  const big2 = await encrypt(cmm, Buffer.alloc(65))
  const small2 = await encrypt(cmm, Buffer.alloc(10))
  t.is(small.dataKey, small2.dataKey, 'the cached entry still serves small messages')
  t.not(big1.dataKey, big2.dataKey, 'each oversized message has its own data key')
  t.is(keyring.encryptCalls, 3)
  t.is(cmm.getStats().bypasses.overByteLimit, 2)
})

test('maxAge: an entry serves until its age reaches maxAge (fake clock), then a new data key is made', async (t) => {
  const { keyring, cmm, clock } = setup({ maxAge: 1000 })
  const first = await encrypt(cmm, Buffer.from('x'))
  clock.advance(999)
  const second = await encrypt(cmm, Buffer.from('x'))
  t.is(second.dataKey, first.dataKey)
  clock.advance(1)
  const third = await encrypt(cmm, Buffer.from('x'))
  t.not(third.dataKey, first.dataKey)
  t.is(keyring.encryptCalls, 2)
  t.is(cmm.getStats().evictions.expired, 1)
})

test('maxAge is enforced by the manager even when the cache itself never expires entries', async (t) => {
  // The cache's clock stands still, so only the manager's own age check can see the entry is old.
  const keyring = new CountingKeyring()
  const frozen = new FakeClock()
  const managerClock = new FakeClock()
  const cache = getLocalCryptographicMaterialsCache(10, undefined, { now: frozen.now })
  const cmm = new NodeCachingMaterialsManager({ backingMaterials: keyring, cache, maxAge: 500, now: managerClock.now })
  const a = await encrypt(cmm, Buffer.from('x'))
  managerClock.advance(500)
  const b = await encrypt(cmm, Buffer.from('x'))
  t.not(a.dataKey, b.dataKey)
  t.is(keyring.encryptCalls, 2)
  t.is(cmm.getStats().evictions.expired, 1)
})

for (const id of IDENTITY_SUITES) {
  test(`identity-KDF suite 0x${id.toString(16).padStart(4, '0')} is never cached: every encrypt is a new data key`, async (t) => {
    const { keyring, cmm, cache } = setup()
    const keys = new Set<string>()
    for (let i = 0; i < 3; i++) {
      const { dataKey, header, result } = await encrypt(cmm, Buffer.from('identity'), { suiteId: id, policy: FORBID })
      t.is(header.suiteId, id)
      keys.add(dataKey)
      const back = await client(FORBID).decrypt(cmm, result)
      t.is(back.plaintext.toString(), 'identity')
    }
    t.is(keys.size, 3)
    t.is(keyring.encryptCalls, 3)
    t.is(keyring.decryptCalls, 3, 'decrypt of an identity-KDF message bypasses too')
    t.is(cache.size, 0)
    const stats = cmm.getStats()
    t.is(stats.bypasses.identityKdf, 6)
    t.like(stats.encrypt, { bypasses: 3, hits: 0, misses: 0 })
    t.like(stats.decrypt, { bypasses: 3, hits: 0, misses: 0 })
  })
}

test('an encrypt request without a plaintext length bypasses the cache (official behaviour)', async (t) => {
  const { keyring, cmm, cache } = setup()
  const request: EncryptionRequest = { suite: suite(0x0478), encryptionContext: {}, commitmentPolicy: REQUIRE }
  const a = await cmm.getEncryptionMaterials(request)
  const b = await cmm.getEncryptionMaterials(request)
  t.notDeepEqual(a.getUnencryptedDataKey(), b.getUnencryptedDataKey())
  t.is(keyring.encryptCalls, 2)
  t.is(cache.size, 0)
  t.is(cmm.getStats().bypasses.noPlaintextLength, 2)
})

for (const plaintextLength of [1.5, Number.NaN, Number.POSITIVE_INFINITY, -1]) {
  test(`an encrypt request whose plaintext length is ${plaintextLength} bypasses the cache`, async (t) => {
    const { keyring, cmm, cache } = setup()
    const request: EncryptionRequest = {
      suite: suite(0x0478),
      encryptionContext: {},
      commitmentPolicy: REQUIRE,
      plaintextLength,
    }
    await cmm.getEncryptionMaterials(request)
    await cmm.getEncryptionMaterials(request)
    t.is(keyring.encryptCalls, 2)
    t.is(cache.size, 0)
    t.is(cmm.getStats().bypasses.noPlaintextLength, 2)
  })
}

test('the suite written is the suite requested: 0x0178 and 0x0378 alternating under FORBID', async (t) => {
  const { keyring, cmm } = setup()
  const requested = [0x0178, 0x0378, 0x0178, 0x0378, 0x0378, 0x0178, 0x0178, 0x0378]
  for (const id of requested) {
    const { header, result } = await encrypt(cmm, Buffer.from('suite'), { suiteId: id, policy: FORBID })
    t.is(header.suiteId, id, `asked 0x${id.toString(16)}, header says 0x${header.suiteId.toString(16)}`)
    t.is((await client(FORBID).decrypt(rawAesKeyring(), result)).messageHeader.suiteId, id)
  }
  t.is(keyring.encryptCalls, 2, 'one entry per suite')
})

test('a request without a suite has its own entry, distinct from the one for the default suite asked by id', async (t) => {
  const { keyring, cmm } = setup()
  const none1 = await encrypt(cmm, Buffer.from('x'), { policy: FORBID })
  const byId = await encrypt(cmm, Buffer.from('x'), { policy: FORBID, suiteId: 0x0378 })
  const none2 = await encrypt(cmm, Buffer.from('x'), { policy: FORBID })
  t.is(none1.header.suiteId, 0x0378)
  t.is(byId.header.suiteId, 0x0378)
  t.is(none1.dataKey, none2.dataKey)
  t.not(none1.dataKey, byId.dataKey)
  t.is(keyring.encryptCalls, 2)
})

test('entries made without a suite never hand a suite to a policy that forbids it', async (t) => {
  // Both clients share the "without suite" entry identifier (the policy is not part of it, caching-cmm.md
  // Appendix A); the hit check refuses the other policy's materials and replaces the entry.
  const { keyring, cmm } = setup()
  const order = [FORBID, REQUIRE, FORBID, REQUIRE, REQUIRE]
  for (const policy of order) {
    const { header, result } = await encrypt(cmm, Buffer.from('p'), { policy })
    t.is(header.suiteId, policy === FORBID ? 0x0378 : 0x0578)
    t.is((await client(FORBID).decrypt(rawAesKeyring(), result)).plaintext.toString(), 'p')
  }
  t.is(keyring.encryptCalls, 4)
  t.is(cmm.getStats().evictions.mismatch, 3)
})

test('signed suites: messages from one entry share the signing key (and public key); a new entry has a new one', async (t) => {
  const { cmm } = setup({ maxMessagesEncrypted: 2 })
  const publicKeys: string[] = []
  for (let i = 0; i < 4; i++) {
    const { header, result } = await encrypt(cmm, Buffer.from(`signed ${i}`), { suiteId: 0x0578 })
    const value = header.encryptionContext[PUBLIC_KEY]
    if (value === undefined) return t.fail('signed message without a public key')
    publicKeys.push(value)
    const back = await client().decrypt(rawAesKeyring(), result)
    t.is(back.plaintext.toString(), `signed ${i}`)
  }
  t.is(publicKeys[0], publicKeys[1])
  t.is(publicKeys[2], publicKeys[3])
  t.not(publicKeys[0], publicKeys[2])
})

test('the backing CMM is asked for materials good for maxBytesEncrypted bytes, not for this one message', async (t) => {
  const seen: (number | undefined)[] = []
  const inner = new NodeDefaultCryptographicMaterialsManager(rawAesKeyring())
  const spy: NodeMaterialsManager = {
    getEncryptionMaterials(request: EncryptionRequest): Promise<NodeEncryptionMaterial> {
      seen.push(request.plaintextLength)
      return inner.getEncryptionMaterials(request)
    },
    decryptMaterials(request: DecryptionRequest): Promise<NodeDecryptionMaterial> {
      return inner.decryptMaterials(request)
    },
  }
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: spy,
    cache: getLocalCryptographicMaterialsCache(5),
    maxAge: 1000,
    maxBytesEncrypted: 4096,
  })
  await encrypt(cmm, Buffer.alloc(10))
  await encrypt(cmm, Buffer.alloc(5000), { context: { other: 'entry' } })
  t.deepEqual(seen, [4096, 5000], 'a miss passes the byte limit; a bypass passes the request as it came')
})

test('materials for a different suite than requested are neither cached nor accepted', async (t) => {
  // A misbehaving backing CMM that ignores the requested suite.
  const inner = new NodeDefaultCryptographicMaterialsManager(rawAesKeyring())
  const wrongSuite: NodeMaterialsManager = {
    getEncryptionMaterials: (request) => inner.getEncryptionMaterials({ ...request, suite: suite(0x0578) }),
    decryptMaterials: (request) => inner.decryptMaterials(request),
  }
  const cache = getLocalCryptographicMaterialsCache(5)
  const cmm = new NodeCachingMaterialsManager({ backingMaterials: wrongSuite, cache, maxAge: 1000 })
  await t.throwsAsync(encrypt(cmm, Buffer.from('x'), { suiteId: 0x0478 }), { instanceOf: KeyringError })
  t.is(cache.size, 0)
  t.is(cmm.getStats().uncacheable, 1)
})

test('different encryption contexts are different entries', async (t) => {
  const { keyring, cmm } = setup()
  const a1 = await encrypt(cmm, Buffer.from('x'), { context: { tenant: 'a' } })
  const b1 = await encrypt(cmm, Buffer.from('x'), { context: { tenant: 'b' } })
  const a2 = await encrypt(cmm, Buffer.from('x'), { context: { tenant: 'a' } })
  t.is(a1.dataKey, a2.dataKey)
  t.not(a1.dataKey, b1.dataKey)
  t.is(keyring.encryptCalls, 2)
})
