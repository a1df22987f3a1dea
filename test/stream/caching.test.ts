// Streams through a caching CMM: with plaintextLength a streamed message is served from the cache and counted against its byte limit; without one the cache is bypassed, and getStats() says why.
import test from 'ava'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { CountingKeyring } from '../caching/helpers'
import { BACKEND_NAMES, clientFor, plaintextOf, runThrough } from './helpers'

function cachingCmm(keyring: CountingKeyring, maxBytesEncrypted = 1_000_000): NodeCachingMaterialsManager {
  return new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: getLocalCryptographicMaterialsCache(10),
    maxAge: 60_000,
    maxBytesEncrypted,
    maxMessagesEncrypted: 100,
  })
}

for (const backend of BACKEND_NAMES) {
  const client = clientFor(backend, 0x0478)

  test(`[${backend}] streams that declare plaintextLength share one data key until the byte limit runs out`, async (t) => {
    const keyring = new CountingKeyring()
    const cmm = cachingCmm(keyring, 250_000)
    const plaintext = plaintextOf(100_000)
    for (let i = 0; i < 5; i++) {
      const out = await runThrough(client.encryptStream(cmm, { suiteId: 0x0478, plaintextLength: plaintext.length }), [
        plaintext,
      ])
      t.is(out.error, undefined)
      t.true((await client.decrypt(keyring, out.bytes)).plaintext.equals(plaintext))
    }
    // 100 kB each against a 250 kB limit: two messages per data key, so keys for 1-2, 3-4 and 5.
    t.is(keyring.encryptCalls, 3)
    const stats = cmm.getStats()
    t.is(stats.encrypt.hits, 2)
    t.is(stats.encrypt.misses, 3)
    t.is(stats.bypasses.noPlaintextLength, 0)
  })

  test(`[${backend}] streams without plaintextLength bypass the cache, and getStats() counts them under noPlaintextLength`, async (t) => {
    const keyring = new CountingKeyring()
    const cmm = cachingCmm(keyring)
    for (let i = 0; i < 3; i++) {
      const out = await runThrough(client.encryptStream(cmm, { suiteId: 0x0478 }), [plaintextOf(1000)])
      t.is(out.error, undefined)
    }
    t.is(keyring.encryptCalls, 3)
    const stats = cmm.getStats()
    t.is(stats.bypasses.noPlaintextLength, 3)
    t.is(stats.encrypt.hits, 0)
  })

  test(`[${backend}] decryptStream through the caching CMM unwraps a data key once`, async (t) => {
    const keyring = new CountingKeyring()
    const cmm = cachingCmm(keyring)
    const plaintext = plaintextOf(20_000)
    const message = await runThrough(client.encryptStream(keyring, { suiteId: 0x0478 }), [plaintext])
    for (let i = 0; i < 3; i++) {
      const out = await runThrough(client.decryptStream(cmm), [message.bytes])
      t.true(out.bytes.equals(plaintext))
    }
    t.is(keyring.decryptCalls, 1)
  })
}
