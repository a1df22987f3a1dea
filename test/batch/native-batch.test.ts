// The native batch entry points: argument checks with typed errors, the calling-thread and thread-pool paths, shared signing keys on the pool, per-message outcomes.
import test from 'ava'
import { NativeBatchFunctions, hasBatchFunctions } from '../../lib/backend/native-types'
import { BATCH_POOL_MIN_MESSAGES } from '../../lib/backend/native-batch'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { eachBackend, nativeOnly } from '../backend/backends'
import { clientFor, keyring, messages, officialDecrypt, plaintextOf, policyFor } from './helpers'

function batchAddon<T>(addon: T): T & NativeBatchFunctions {
  if (!hasBatchFunctions(addon as never)) throw new Error('the addon has no batch entry points')
  return addon as T & NativeBatchFunctions
}

/** One unsigned 0x0478 run with `n` empty messages: the smallest valid sealBatch input. */
function sealInput(n: number) {
  const header = Buffer.alloc(120)
  header[0] = 2
  header.writeUInt16BE(0x0478, 1)
  const capacity = 120 + 16 + 8 + 12 + 4 + 16
  const table = new Float64Array(n * 3)
  for (let i = 0; i < n; i++) {
    table[3 * i + 1] = i * capacity
    table[3 * i + 2] = capacity
  }
  return {
    runs: [
      {
        suiteId: 0x0478,
        dataKey: Buffer.alloc(32, 1),
        header,
        messageIdOffset: 3,
        extraAad: Buffer.alloc(0),
        frameLength: 4096,
        signingKey: undefined,
        sharedKey: 0 as const,
      },
    ],
    plaintexts: Array.from({ length: n }, () => Buffer.alloc(0)),
    table,
    messageIds: Buffer.alloc(32 * n, 9),
    out: Buffer.alloc(capacity * n),
    lengths: new Float64Array(n),
  }
}

nativeOnly('sealBatch: a valid table seals; bad tables, overlaps and wrong types throw typed errors', (t, raw) => {
  const addon = batchAddon(raw)
  const ok = sealInput(3)
  addon.sealBatch(ok.runs, ok.plaintexts, ok.table, ok.messageIds, ok.out, ok.lengths)
  t.deepEqual([...ok.lengths], [ok.out.length / 3, ok.out.length / 3, ok.out.length / 3])

  const call = (change: (i: ReturnType<typeof sealInput>) => void) => {
    const i = sealInput(3)
    change(i)
    return () => addon.sealBatch(i.runs, i.plaintexts, i.table, i.messageIds, i.out, i.lengths)
  }
  t.throws(
    call((i) => (i.table = new Float64Array(8))),
    { code: 'ERR_ESDK_NATIVE_BATCH_TABLE' },
  )
  t.throws(
    call((i) => void (i.table[3] = 1)),
    { code: 'ERR_ESDK_NATIVE_BATCH_TABLE' },
    'run index out of range',
  )
  t.throws(
    call((i) => void (i.table[4] = 0)),
    { code: 'ERR_ESDK_NATIVE_BATCH_TABLE' },
    'rows overlap',
  )
  t.throws(
    call((i) => void (i.table[8] = 1e9)),
    { code: 'ERR_ESDK_NATIVE_BATCH_TABLE' },
    'capacity past the output',
  )
  t.throws(
    call((i) => void (i.table[1] = 0.5)),
    { code: 'ERR_ESDK_NATIVE_BATCH_TABLE' },
    'not an integer',
  )
  t.throws(
    call((i) => (i.plaintexts = [i.out.subarray(0, 4), Buffer.alloc(0), Buffer.alloc(0)])),
    { code: 'ERR_ESDK_NATIVE_OVERLAP' },
  )
  t.throws(
    call((i) => (i.runs = 'runs' as never)),
    { code: 'ERR_ESDK_NATIVE_ARG_TYPE' },
  )
  t.throws(
    call((i) => (i.runs = [{ ...(i.runs[0] as object), suiteId: 0x9999 }] as never)),
    { code: 'ERR_ESDK_NATIVE_SUITE' },
  )
  t.throws(
    call((i) => (i.runs = [{ ...(i.runs[0] as object), dataKey: Buffer.alloc(16) }] as never)),
    { code: 'ERR_ESDK_NATIVE_KEY_LENGTH' },
  )
  const wiped = sealInput(3)
  wiped.out.fill(0xaa)
  wiped.runs = [{ ...(wiped.runs[0] as (typeof wiped.runs)[0]), dataKey: Buffer.alloc(16) }]
  t.throws(() => addon.sealBatch(wiped.runs, wiped.plaintexts, wiped.table, wiped.messageIds, wiped.out, wiped.lengths))
  t.true(
    wiped.out.every((b) => b === 0),
    'a failed batch leaves its output zeroed',
  )
})

nativeOnly('sealBatchAsync: the same checks before anything is queued, then the callback', async (t, raw) => {
  const addon = batchAddon(raw)
  const bad = sealInput(2)
  t.throws(
    () =>
      addon.sealBatchAsync(
        bad.runs,
        bad.plaintexts,
        new Float64Array(1),
        bad.messageIds,
        bad.out,
        bad.lengths,
        2,
        () => undefined,
      ),
    {
      code: 'ERR_ESDK_NATIVE_BATCH_TABLE',
    },
  )
  const good = sealInput(40)
  await new Promise<void>((resolve, reject) =>
    addon.sealBatchAsync(good.runs, good.plaintexts, good.table, good.messageIds, good.out, good.lengths, 2, (e) =>
      e ? reject(e) : resolve(),
    ),
  )
  const sync = sealInput(40)
  addon.sealBatch(sync.runs, sync.plaintexts, sync.table, sync.messageIds, sync.out, sync.lengths)
  t.true(good.out.equals(sync.out), 'the pool writes what the calling thread writes')
})

for (const n of [3, BATCH_POOL_MIN_MESSAGES + 40]) {
  eachBackend(
    `${n} records (${n < BATCH_POOL_MIN_MESSAGES ? 'calling thread' : 'thread pool'}), one tampered: it alone fails, the others open`,
    async (t, backend) => {
      const client = clientFor(backend)
      const input = Array.from({ length: n }, (_, i) => plaintextOf(300 + i, i))
      const sealed = messages(await client.encryptBatch(keyring(), input, { suiteId: 0x0478 }))
      const bad = Math.floor(n / 2)
      const tampered = Buffer.from(sealed[bad] as Buffer)
      tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1
      const out = await client.decryptBatch(
        keyring(),
        sealed.map((m, i) => (i === bad ? tampered : m)),
      )
      out.forEach((e, i) => {
        if (i === bad) t.is(e.ok ? 'ok' : e.error.code, 'AUTHENTICATION_FAILED')
        else t.true(e.ok && e.plaintext.equals(input[i] as Buffer), `record ${i}`)
      })
    },
  )
}

eachBackend(
  '200 records sharing one cached P-384 signing key, signed on the pool: every signature verifies (official SDK)',
  async (t, backend) => {
    const client = clientFor(backend, policyFor(0x0578))
    const cmm = new NodeCachingMaterialsManager({
      backingMaterials: keyring(),
      cache: getLocalCryptographicMaterialsCache(10),
      maxAge: 60_000,
    })
    const input = Array.from({ length: 200 }, (_, i) => plaintextOf(64, i))
    const entries = await client.encryptBatch(cmm, input, { suiteId: 0x0578, messageHeaders: true })
    const keys = new Set(
      entries.map((e) => (e.ok ? e.messageHeader?.encryptionContext['aws-crypto-public-key'] : 'failed')),
    )
    t.is(keys.size, 1, 'one cached signing key')
    const sealed = messages(entries)
    const signatures = new Set(sealed.map((m) => m.subarray(m.length - 90).toString('hex')))
    t.is(signatures.size, 200, 'no two signatures alike (a nonce is never reused)')
    for (const [i, m] of sealed.entries())
      t.true((await officialDecrypt(m)).plaintext.equals(input[i] as Buffer), `record ${i}`)
    const opened = await client.decryptBatch(cmm, sealed)
    t.true(opened.every((e, i) => e.ok && e.plaintext.equals(input[i] as Buffer)))
  },
)

eachBackend('default CMM, 0x0578: a fresh signing key per record, on the pool', async (t, backend) => {
  const client = clientFor(backend, policyFor(0x0578))
  const input = Array.from({ length: 30 }, (_, i) => plaintextOf(1024, i))
  const entries = await client.encryptBatch(keyring(), input, { suiteId: 0x0578, messageHeaders: true })
  const keys = new Set(
    entries.map((e) => (e.ok ? e.messageHeader?.encryptionContext['aws-crypto-public-key'] : 'failed')),
  )
  t.is(keys.size, 30)
  for (const [i, m] of messages(entries).entries())
    t.true((await officialDecrypt(m)).plaintext.equals(input[i] as Buffer))
})

test('the batch entry points are optional: the loader does not require them', async (t) => {
  const { CRYPTO_FUNCTIONS } = await import('../../lib/backend/native-backend')
  const { BATCH_FUNCTIONS } = await import('../../lib/backend/native-types')
  for (const name of BATCH_FUNCTIONS) t.false((CRYPTO_FUNCTIONS as readonly string[]).includes(name))
})
