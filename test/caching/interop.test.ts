// Interop: messages written through our caching CMM open with the official SDK and vice versa, and the official one's N-keys-for-N-cold-requests behaviour that ours avoids.
import test from 'ava'
import { aesPair, official, officialClient, ourClient, ours } from '../interop/helpers'
import { CountingKeyring, edkFingerprint } from './helpers'

const keys = aesPair({ keyName: 'caching-interop' })

const CASES = [
  { id: 0x0478, policy: 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' },
  { id: 0x0578, policy: 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' },
  { id: 0x0178, policy: 'FORBID_ENCRYPT_ALLOW_DECRYPT' },
  { id: 0x0378, policy: 'FORBID_ENCRYPT_ALLOW_DECRYPT' },
  { id: 0x0214, policy: 'FORBID_ENCRYPT_ALLOW_DECRYPT' },
] as const

for (const { id, policy } of CASES) {
  const hex = `0x${id.toString(16).padStart(4, '0')}`

  test(`${hex}: messages from our caching CMM (one data key) decrypt with the official SDK`, async (t) => {
    const counting = new CountingKeyring(keys.ours)
    const cmm = new ours.NodeCachingMaterialsManager({
      backingMaterials: counting,
      cache: ours.getLocalCryptographicMaterialsCache(10),
      maxAge: 60_000,
    })
    for (let i = 0; i < 3; i++) {
      const { result, messageHeader } = await ourClient(policy).encrypt(cmm, Buffer.from(`ours ${i}`), {
        suiteId: id,
        encryptionContext: { side: 'ours' },
      })
      t.is(messageHeader.suiteId, id)
      const { plaintext, messageHeader: officialHeader } = await officialClient(policy).decrypt(keys.official, result)
      t.is(plaintext.toString(), `ours ${i}`)
      t.is(officialHeader.suiteId, id)
    }
    t.is(counting.encryptCalls, 1)
  })

  test(`${hex}: messages from the official caching CMM decrypt through our caching CMM, one keyring call`, async (t) => {
    const officialCmm = new official.NodeCachingMaterialsManager({
      backingMaterials: keys.official,
      cache: official.getLocalCryptographicMaterialsCache(10),
      maxAge: 60_000,
    })
    const ciphertexts: Buffer[] = []
    for (let i = 0; i < 3; i++) {
      const { result } = await officialClient(policy).encrypt(officialCmm, Buffer.from(`official ${i}`), {
        suiteId: id,
        encryptionContext: { side: 'official' },
      })
      ciphertexts.push(result)
    }
    const counting = new CountingKeyring(keys.ours)
    const cmm = new ours.NodeCachingMaterialsManager({
      backingMaterials: counting,
      cache: ours.getLocalCryptographicMaterialsCache(10),
      maxAge: 60_000,
    })
    for (const [i, c] of ciphertexts.entries()) {
      t.is((await ourClient(policy).decrypt(cmm, c)).plaintext.toString(), `official ${i}`)
      t.is((await ourClient(policy).decrypt(cmm, c)).plaintext.toString(), `official ${i}`)
    }
    t.is(counting.decryptCalls, 1, 'the official caching CMM reused one data key, so all three share one decrypt entry')
  })
}

test('N concurrent cold encrypts: the official caching CMM makes several data keys, ours makes one', async (t) => {
  const n = 20
  const officialCmm = new official.NodeCachingMaterialsManager({
    backingMaterials: keys.official,
    cache: official.getLocalCryptographicMaterialsCache(10),
    maxAge: 60_000,
  })
  const ourCmm = new ours.NodeCachingMaterialsManager({
    backingMaterials: keys.ours,
    cache: ours.getLocalCryptographicMaterialsCache(10),
    maxAge: 60_000,
  })
  const officialRuns = await Promise.all(
    Array.from({ length: n }, () =>
      officialClient('REQUIRE_ENCRYPT_REQUIRE_DECRYPT').encrypt(officialCmm, Buffer.from('x')),
    ),
  )
  const ourRuns = await Promise.all(
    Array.from({ length: n }, () => ourClient('REQUIRE_ENCRYPT_REQUIRE_DECRYPT').encrypt(ourCmm, Buffer.from('x'))),
  )
  const officialKeys = new Set(
    officialRuns.map((r) => edkFingerprint(r.messageHeader.encryptedDataKeys.map((e) => new ours.EncryptedDataKey(e)))),
  )
  const ourKeys = new Set(ourRuns.map((r) => edkFingerprint(r.messageHeader.encryptedDataKeys)))
  t.log(`official: ${officialKeys.size} data keys for ${n} concurrent cold encrypts; ours: ${ourKeys.size}`)
  t.true(officialKeys.size > 1)
  t.is(ourKeys.size, 1)
  // A raw AES keyring answers synchronously: the first request fills the entry before the others
  // run, so they are plain hits (with an async keyring they would wait for it: concurrency.test).
  const stats = ourCmm.getStats()
  t.is(stats.misses, 1)
  t.is(stats.hits + stats.coalesced, n - 1)
})
