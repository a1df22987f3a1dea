// encryptBatch through a caching CMM: every record counts against the limits, exactly as one-by-one encrypts would, and a limit reached mid-batch takes a fresh data key for the rest.
import test from 'ava'
import { EsdkClient } from '../../lib/api/client'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { MessageHeader } from '../../lib/format/header'
import { eachBackend } from '../backend/backends'
import { BATCH_DATA_KEYS_IN_FLIGHT } from '../../lib/materials/caching/batch-prefetch'
import { NodeEncryptionMaterial } from '../../lib/materials/materials'
import { CountingKeyring, REQUIRE, edkFingerprint, suite } from '../caching/helpers'
import { InvalidArgumentError } from '../../lib/core/errors'
import { clientFor, keyring, messages, officialDecrypt, plaintextOf } from './helpers'

function caching(
  limits: { maxMessagesEncrypted?: number; maxBytesEncrypted?: number; capacity?: number },
  backing = keyring(),
) {
  return new NodeCachingMaterialsManager({
    backingMaterials: backing,
    cache: getLocalCryptographicMaterialsCache(limits.capacity ?? 10),
    maxAge: 60_000,
    ...limits,
  })
}

/** The data key of each message, as a small integer in order of first use. */
function keyPattern(headers: readonly MessageHeader[]): number[] {
  const seen = new Map<string, number>()
  return headers.map((h) => {
    const print = edkFingerprint(h.encryptedDataKeys)
    if (!seen.has(print)) seen.set(print, seen.size)
    return seen.get(print) as number
  })
}

async function batchHeaders(
  client: EsdkClient,
  cmm: NodeCachingMaterialsManager,
  sizes: readonly number[],
): Promise<MessageHeader[]> {
  const entries = await client.encryptBatch(
    cmm,
    sizes.map((s, i) => plaintextOf(s, i)),
    { suiteId: 0x0478, encryptionContext: { limits: 'yes' }, messageHeaders: true },
  )
  return entries.map((e) => {
    if (!e.ok || !e.messageHeader) throw new Error(e.ok ? 'no header' : e.error.message)
    return e.messageHeader
  })
}

async function oneByOneHeaders(
  client: EsdkClient,
  cmm: NodeCachingMaterialsManager,
  sizes: readonly number[],
): Promise<MessageHeader[]> {
  const headers: MessageHeader[] = []
  for (const [i, s] of sizes.entries())
    headers.push(
      (await client.encrypt(cmm, plaintextOf(s, i), { suiteId: 0x0478, encryptionContext: { limits: 'yes' } }))
        .messageHeader,
    )
  return headers
}

eachBackend(
  'maxMessagesEncrypted crossed twice mid-batch: 7 + 7 + 6 records per data key, as one by one',
  async (t, backend) => {
    const client = clientFor(backend)
    const sizes = Array.from({ length: 20 }, () => 10)
    const batch = caching({ maxMessagesEncrypted: 7 })
    const pattern = keyPattern(await batchHeaders(client, batch, sizes))
    t.deepEqual(pattern, [...Array<number>(7).fill(0), ...Array<number>(7).fill(1), ...Array<number>(6).fill(2)])
    t.like(batch.getStats().encrypt, { misses: 3, hits: 17 })
    t.is(batch.getStats().evictions.messageLimit, 2)
    t.deepEqual(keyPattern(await oneByOneHeaders(client, caching({ maxMessagesEncrypted: 7 }), sizes)), pattern)
  },
)

eachBackend(
  'maxBytesEncrypted crossed mid-batch with mixed sizes; a record over the limit alone bypasses the cache',
  async (t, backend) => {
    const client = clientFor(backend)
    const sizes = [400, 300, 200, 100, 500, 1200, 50, 450, 10, 0, 600]
    const batch = caching({ maxBytesEncrypted: 1000 })
    const batchPattern = keyPattern(await batchHeaders(client, batch, sizes))
    const oneByOne = caching({ maxBytesEncrypted: 1000 })
    t.deepEqual(batchPattern, keyPattern(await oneByOneHeaders(client, oneByOne, sizes)))
    t.deepEqual(batch.getStats().encrypt, oneByOne.getStats().encrypt)
    t.is(batch.getStats().bypasses.overByteLimit, 1)
    // 400+300+200+100 fit 1000; 500 starts a new key; 1200 bypasses; 50+450 join the second; ...
    t.is(batchPattern[0], batchPattern[3])
    t.not(batchPattern[3], batchPattern[4])
  },
)

eachBackend('an entry partly used before the batch serves what it has left, then a fresh key', async (t, backend) => {
  const client = clientFor(backend)
  const cmm = caching({ maxMessagesEncrypted: 5 })
  const before = await oneByOneHeaders(client, cmm, [1, 1, 1])
  const during = await batchHeaders(client, cmm, [1, 1, 1, 1, 1, 1])
  const pattern = keyPattern([...before, ...during])
  t.deepEqual(pattern, [0, 0, 0, 0, 0, 1, 1, 1, 1])
})

eachBackend(
  'the reservation is atomic: a concurrent one-shot encrypt never lands inside a batch',
  async (t, backend) => {
    const client = clientFor(backend)
    const cmm = caching({ maxMessagesEncrypted: 10 })
    const [batch, single] = await Promise.all([
      batchHeaders(client, cmm, Array(10).fill(1)),
      oneByOneHeaders(client, cmm, [1]),
    ])
    const pattern = keyPattern([...batch, ...single])
    t.deepEqual(pattern.slice(0, 10), Array(10).fill(0), 'the batch took the whole entry')
    t.is(pattern[10], 1, 'the one-shot encrypt got the next key')
  },
)

eachBackend(
  'over an asynchronous keyring, a failed backing call fails the records its key would have served, and the batch goes on',
  async (t, backend) => {
    const client = clientFor(backend)
    const counting = new CountingKeyring(keyring())
    counting.failNext = 1
    const cmm = caching({ maxMessagesEncrypted: 3 }, counting as unknown as ReturnType<typeof keyring>)
    const entries = await client.encryptBatch(
      cmm,
      Array.from({ length: 7 }, (_, i) => plaintextOf(5, i)),
      { suiteId: 0x0478 },
    )
    t.deepEqual(
      entries.map((e) => (e.ok ? 'ok' : e.error.code)),
      ['KEYRING', 'KEYRING', 'KEYRING', 'ok', 'ok', 'ok', 'ok'],
    )
    t.is(counting.encryptCalls, 3)
    for (const e of entries) if (e.ok) t.is((await officialDecrypt(e.result)).plaintext.length, 5)
  },
)

test('signed suites through the cache: records of one data key share its signing key, and each verifies', async (t) => {
  const { jsBackend } = await import('../../lib/backend/js-backend')
  const client = clientFor(jsBackend)
  const cmm = caching({ maxMessagesEncrypted: 4 })
  const entries = await client.encryptBatch(
    cmm,
    Array.from({ length: 6 }, (_, i) => plaintextOf(64, i)),
    { suiteId: 0x0578, messageHeaders: true },
  )
  const keys = entries.map((e) => (e.ok ? e.messageHeader?.encryptionContext['aws-crypto-public-key'] : undefined))
  t.is(new Set(keys.slice(0, 4)).size, 1)
  t.not(keys[3], keys[4])
  for (const m of messages(entries)) t.is((await officialDecrypt(m)).plaintext.length, 64)
})

/** A slow keyring (a KMS stand-in) that records how many of its calls were in flight at once. */
class OverlapKeyring extends CountingKeyring {
  inFlight = 0
  maxInFlight = 0

  protected override async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    try {
      return await super._onEncrypt(material)
    } finally {
      this.inFlight--
    }
  }
}

function overlapping(delayMs: number): OverlapKeyring {
  const k = new OverlapKeyring(keyring())
  k.delayMs = delayMs
  return k
}

eachBackend(
  'over a slow keyring, the data keys a batch needs are fetched at once, and each serves exactly the records one by one would give it',
  async (t, backend) => {
    const client = clientFor(backend)
    const sizes = Array.from({ length: 48 }, () => 10)
    const slow = overlapping(40)
    const cmm = caching({ maxMessagesEncrypted: 5 }, slow as unknown as ReturnType<typeof keyring>)
    const pattern = keyPattern(await batchHeaders(client, cmm, sizes))
    t.is(slow.encryptCalls, 10, 'one backing call per fresh entry, none more')
    t.is(slow.maxInFlight, 10, 'all ten in flight together')
    t.deepEqual(
      pattern,
      sizes.map((_, i) => Math.floor(i / 5)),
    )
    t.like(cmm.getStats().encrypt, { misses: 10, hits: 38 })
    t.is(cmm.getStats().evictions.messageLimit, 9)
    const oneByOne = caching({ maxMessagesEncrypted: 5 })
    t.deepEqual(keyPattern(await oneByOneHeaders(client, oneByOne, sizes)), pattern)
    t.deepEqual(cmm.getStats().encrypt, oneByOne.getStats().encrypt)
  },
)

eachBackend(
  'a batch needing many data keys keeps at most BATCH_DATA_KEYS_IN_FLIGHT backing calls in flight',
  async (t, backend) => {
    const client = clientFor(backend)
    const slow = overlapping(5)
    const cmm = caching({ maxMessagesEncrypted: 2 }, slow as unknown as ReturnType<typeof keyring>)
    const count = 2 * (BATCH_DATA_KEYS_IN_FLIGHT * 2 + 3)
    const pattern = keyPattern(await batchHeaders(client, cmm, Array<number>(count).fill(1)))
    t.is(slow.encryptCalls, count / 2)
    t.is(slow.maxInFlight, BATCH_DATA_KEYS_IN_FLIGHT)
    t.deepEqual(
      pattern,
      pattern.map((_, i) => Math.floor(i / 2)),
    )
  },
)

eachBackend(
  'over a slow keyring, one-shot encrypts started with a batch wait for its data keys and never land inside it',
  async (t, backend) => {
    const client = clientFor(backend)
    const slow = overlapping(20)
    const cmm = caching({ maxMessagesEncrypted: 5 }, slow as unknown as ReturnType<typeof keyring>)
    const [batch, ...singles] = await Promise.all([
      batchHeaders(client, cmm, Array<number>(20).fill(1)),
      oneByOneHeaders(client, cmm, [1]),
      oneByOneHeaders(client, cmm, [1]),
      oneByOneHeaders(client, cmm, [1]),
    ])
    const pattern = keyPattern([...batch, ...singles.flat()])
    t.deepEqual(
      pattern.slice(0, 20),
      [0, 1, 2, 3].flatMap((k) => Array<number>(5).fill(k)),
    )
    t.deepEqual(pattern.slice(20), [4, 4, 4], 'the one-shots share the next data key')
    t.is(slow.encryptCalls, 5)
  },
)

eachBackend(
  'over a slow keyring, a failed call among the concurrent ones fails only the records its key would have served',
  async (t, backend) => {
    const client = clientFor(backend)
    const slow = overlapping(10)
    // The second call fails: the records of the second data key, and no others.
    const inner = slow.failure
    let calls = 0
    const failing = new (class extends OverlapKeyring {
      protected override async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
        if (++calls === 2) {
          await new Promise((r) => setTimeout(r, 10))
          throw inner
        }
        return super._onEncrypt(material)
      }
    })(keyring())
    failing.delayMs = 10
    const cmm = caching({ maxMessagesEncrypted: 3 }, failing as unknown as ReturnType<typeof keyring>)
    const entries = await client.encryptBatch(
      cmm,
      Array.from({ length: 10 }, (_, i) => plaintextOf(5, i)),
      { suiteId: 0x0478 },
    )
    t.deepEqual(
      entries.map((e) => (e.ok ? 'ok' : e.error.code)),
      ['ok', 'ok', 'ok', 'KEYRING', 'KEYRING', 'KEYRING', 'ok', 'ok', 'ok', 'ok'],
    )
    t.is(calls, 4)
    t.true(failing.maxInFlight >= 2, 'the calls overlapped')
    for (const e of entries) if (e.ok) t.is((await officialDecrypt(e.result)).plaintext.length, 5)
  },
)

test('plaintext lengths that are not non-negative safe integers are refused before any backing call', async (t) => {
  const counting = new CountingKeyring(keyring())
  const cmm = caching({}, counting as unknown as ReturnType<typeof keyring>)
  const request = {
    suite: suite(0x0478),
    encryptionContext: {},
    commitmentPolicy: REQUIRE,
  }
  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
    const error = t.throws(() => cmm.getEncryptionMaterialsForBatch(request, [10, bad]), {
      instanceOf: InvalidArgumentError,
    })
    t.regex(error?.message ?? '', /plaintext lengths/)
  }
  t.is(counting.encryptCalls, 0)
  t.is(cmm.getStats().encrypt.requests, 0)
  // Zero is a length like any other.
  const runs = await cmm.getEncryptionMaterialsForBatch(request, [0, 0])
  t.deepEqual(
    runs.map((r) => r.count),
    [2],
  )
  t.is(counting.encryptCalls, 1)
})
