// Runs the measurements: one Benchmark.js benchmark (deferred mode) per implementation and case, after the fixture checks.
import Benchmark from 'benchmark'
import type { Case, Timing, Unit } from './cases'
import { Fixtures, plaintextOf } from './fixtures'
import type { Impl, ImplName } from './impls'
import type { KmsCallCount, TimingHooks } from './timing-hooks'

export interface Measurement {
  impl: ImplName
  status: 'ok' | 'skipped' | 'failed'
  /** Why it was skipped or failed. */
  note?: string
  /** In the case's unit: messages/s or MB/s (10^6 B/s), in-flight multiplier applied. */
  rate?: number
  /** Benchmark.js hz: iterations of the timed function per second (one iteration = `inFlight` messages). */
  hz?: number
  /** Relative margin of error, percent (Benchmark.js stats.rme, 95% confidence). */
  rme?: number
  samples?: number
  /** Mean seconds per iteration. */
  mean?: number
  /** What was verified before timing. */
  checks?: string[]
  /** Wall-clock seconds spent: fixture checks (0 when reused from an earlier case) and warm-up + Benchmark. */
  seconds?: { checks: number; timing: number }
  /** KMS group only: the calls the stand-in saw during the timed run. */
  kms?: KmsCallCount
}

export interface CaseResult {
  case: Case
  unit: Unit
  results: Partial<Record<ImplName, Measurement>>
}

interface BenchStats {
  hz: number
  rme: number
  samples: number
  mean: number
}

/** Times `fn` with Benchmark.js in deferred mode; rejects if any call failed. */
export function benchmarkAsync(name: string, fn: () => Promise<unknown>, timing: Timing): Promise<BenchStats> {
  return new Promise((resolve, reject) => {
    let failure: unknown
    const bench = new Benchmark(name, {
      defer: true,
      maxTime: timing.maxTime,
      minSamples: timing.minSamples,
      ...(timing.minTime === undefined ? {} : { minTime: timing.minTime }),
      fn(deferred: Benchmark.Deferred) {
        fn().then(
          () => deferred.resolve(),
          (err: unknown) => {
            failure ??= err
            deferred.resolve()
          },
        )
      },
    })
    bench.on('complete', () => {
      const error = failure ?? (bench as Benchmark & { error?: unknown }).error
      if (error !== undefined) return reject(error instanceof Error ? error : new Error(String(error)))
      resolve({ hz: bench.hz, rme: bench.stats.rme, samples: bench.stats.sample.length, mean: bench.stats.mean })
    })
    bench.run({ async: true })
  })
}

/** A few untimed calls first (JIT, lazily built state); at least one call, then until `seconds` have passed. */
async function warmUp(fn: () => Promise<unknown>, seconds: number): Promise<void> {
  if (seconds <= 0) return
  const end = performance.now() + seconds * 1000
  let calls = 0
  do {
    await fn()
    calls++
  } while (performance.now() < end && calls < 1000)
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

export async function measureCase(
  c: Case,
  unit: Unit,
  impls: Record<ImplName, Impl>,
  fixtures: Fixtures,
  hooks?: TimingHooks,
): Promise<CaseResult> {
  const results: CaseResult['results'] = {}
  const plaintext = plaintextOf(c.size)
  for (const name of c.impls) {
    const impl = impls[name]
    if (!impl.available) {
      results[name] = { impl: name, status: 'skipped', note: impl.note }
      continue
    }
    const checkStart = performance.now()
    const prepared = await fixtures.prepare(impl, c, c.op)
    const checkSeconds = (performance.now() - checkStart) / 1000
    if (!prepared.ok) {
      results[name] = { impl: name, status: 'failed', note: prepared.error }
      continue
    }
    const ciphertext = prepared.ciphertext
    const once: () => Promise<unknown> =
      c.op === 'encrypt' ? () => impl.encrypt(plaintext, c.suiteId, c.frameLength) : () => impl.decrypt(ciphertext)
    const fn: () => Promise<unknown> =
      c.inFlight === 1 ? once : () => Promise.all(Array.from({ length: c.inFlight }, once))
    try {
      const timingStart = performance.now()
      await warmUp(fn, (c.timingFor?.[name] ?? c.timing).warmup)
      let iterations = 0
      const timed = hooks
        ? (): Promise<unknown> => {
            iterations++
            return fn()
          }
        : fn
      await hooks?.before(name)
      const stats = await benchmarkAsync(`${c.id} ${name}`, timed, c.timingFor?.[name] ?? c.timing)
      const extra = hooks ? await hooks.after(name, iterations * c.inFlight) : {}
      const perIteration = unit === 'msg/s' ? c.inFlight : (c.inFlight * c.size) / 1e6
      const seconds = { checks: round3(checkSeconds), timing: round3((performance.now() - timingStart) / 1000) }
      results[name] = {
        impl: name,
        status: 'ok',
        rate: stats.hz * perIteration,
        ...stats,
        checks: prepared.checks,
        seconds,
        ...extra,
      }
    } catch (err) {
      results[name] = { impl: name, status: 'failed', note: `while timing: ${errorText(err)}` }
    }
  }
  return { case: c, unit, results }
}
