// Measures the batch group: the implementations per CMM setup, checks before timing, records/s, KMS calls for the KMS variant, and a P-384 signing reference.
import { createSign, generateKeyPairSync, randomBytes, randomFillSync } from 'node:crypto'
import { BATCH_RECORD_SIZE, BATCH_RECORDS } from './batch-cases'
import type { BatchCase, BatchGroup, BatchMaterials } from './batch-cases'
import { createBatchImpls, officialChecker } from './batch-impls'
import type { BatchImpl, BatchSetup } from './batch-impls'
import type { ImplName } from './impls'
import { countCalls } from './kms-calls'
import { startKmsHost } from './kms-host'
import type { KmsHost, KmsServerMode } from './kms-host'
import { benchmarkAsync } from './runner'
import type { CaseResult, Measurement } from './runner'

export interface BatchOutcome {
  group: BatchGroup
  results: CaseResult[]
  /** node:crypto (OpenSSL) P-384 ECDSA signatures of 1 KiB per second on one thread, measured in this run. */
  p384SignPerSecond: number | undefined
}

/** 500 distinct 1 KiB records cut from one random buffer. */
function makeRecords(): Buffer[] {
  const all = randomFillSync(Buffer.allocUnsafe(BATCH_RECORDS * BATCH_RECORD_SIZE))
  return Array.from({ length: BATCH_RECORDS }, (_, i) =>
    all.subarray(i * BATCH_RECORD_SIZE, (i + 1) * BATCH_RECORD_SIZE),
  )
}

function sameAll(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  return a.length === b.length && a.every((x, i) => x.equals(b[i] as Buffer))
}

async function warmUp(fn: () => Promise<unknown>, seconds: number): Promise<void> {
  const end = performance.now() + seconds * 1000
  do await fn()
  while (performance.now() < end)
}

/** Rough single-thread rate of OpenSSL's P-384 signing (through node:crypto) over 1 KiB: the reference for the 0x0578 target. */
function measureP384Sign(seconds: number): number {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' })
  const data = randomBytes(BATCH_RECORD_SIZE)
  const end = performance.now() + seconds * 1000
  const start = performance.now()
  let n = 0
  do {
    createSign('SHA384').update(data).sign(privateKey)
    n++
  } while (performance.now() < end)
  return (n * 1000) / (performance.now() - start)
}

export async function measureBatchGroup(
  group: BatchGroup,
  mode: KmsServerMode,
  progress: (text: string) => void,
): Promise<BatchOutcome> {
  const needsKms = group.cases.some((c) => c.materials === 'cached-kms')
  const host: KmsHost | undefined = needsKms ? await startKmsHost(mode) : undefined
  const setup: BatchSetup = { wrappingKey: randomBytes(32), kms: host }
  const records = makeRecords()
  // One set of implementations (and so of caches) per CMM setup: decrypt cases open what the encrypt cases made.
  const implsFor = new Map<BatchMaterials, Record<ImplName, BatchImpl>>()
  const sealed = new Map<string, Buffer[]>()
  const results: CaseResult[] = []
  try {
    for (const [index, c] of group.cases.entries()) {
      progress(`[${group.id} ${index + 1}/${group.cases.length}] ${c.id}`)
      let impls = implsFor.get(c.materials)
      if (!impls) {
        impls = createBatchImpls(c.materials, setup)
        implsFor.set(c.materials, impls)
      }
      results.push(await measureBatchCase(c, impls, records, sealed, setup, host))
    }
    const p384SignPerSecond = group.cases.some((c) => c.suiteId === 0x0578) ? measureP384Sign(1) : undefined
    const where = host ? [`the KMS stand-in ran ${host.where}`] : []
    return { group: { ...group, notes: [...group.notes, ...where] }, results, p384SignPerSecond }
  } finally {
    await host?.close()
  }
}

async function measureBatchCase(
  c: BatchCase,
  impls: Record<ImplName, BatchImpl>,
  records: readonly Buffer[],
  sealed: Map<string, Buffer[]>,
  setup: BatchSetup,
  host: KmsHost | undefined,
): Promise<CaseResult> {
  const out: CaseResult['results'] = {}
  const check = officialChecker(c.materials, setup)
  for (const name of c.impls) {
    const impl = impls[name]
    if (!impl.available) {
      out[name] = { impl: name, status: 'skipped', note: impl.note }
      continue
    }
    const checkStart = performance.now()
    const key = `${name} ${c.materials} ${c.suiteId}`
    const checks: string[] = []
    let messages: Buffer[]
    try {
      messages = sealed.get(key) ?? (await impl.encrypt(records, c.suiteId))
      sealed.set(key, messages)
      // Every record of the batch is its own message the official SDK reads back.
      if (!sameAll(await check(messages), records)) throw new Error('the official SDK did not read back every record')
      checks.push(`${messages.length} messages decrypt with the official SDK`)
      if (c.op === 'decrypt') {
        if (!sameAll(await impl.decrypt(messages), records)) throw new Error('its own decrypt did not round-trip')
        checks.push('round-trip through its own decrypt')
      }
    } catch (e) {
      out[name] = { impl: name, status: 'failed', note: e instanceof Error ? e.message : String(e) }
      continue
    }
    const checkSeconds = (performance.now() - checkStart) / 1000
    const fn = c.op === 'encrypt' ? () => impl.encrypt(records, c.suiteId) : () => impl.decrypt(messages)
    const timing = c.timingFor?.[name] ?? c.timing
    try {
      const timingStart = performance.now()
      if (timing.warmup > 0) await warmUp(fn, timing.warmup)
      let iterations = 0
      const timed = (): Promise<unknown> => {
        iterations++
        return fn()
      }
      if (host && c.materials === 'cached-kms') await host.clearCalls()
      const stats = await benchmarkAsync(`${c.id} ${name}`, timed, timing)
      const kms =
        host && c.materials === 'cached-kms' ? countCalls(await host.counters(), iterations * c.records) : undefined
      const m: Measurement = {
        impl: name,
        status: 'ok',
        rate: stats.hz * c.records,
        ...stats,
        checks,
        seconds: {
          checks: Math.round(checkSeconds * 1000) / 1000,
          timing: Math.round(performance.now() - timingStart) / 1000,
        },
        ...(kms ? { kms } : {}),
      }
      out[name] = m
    } catch (e) {
      out[name] = { impl: name, status: 'failed', note: `while timing: ${e instanceof Error ? e.message : String(e)}` }
    }
  }
  return { case: c, unit: 'msg/s', results: out }
}
