// The "one thread" figures: the 16 MiB 0x0478 4 KiB-frame cases for the native backend in a child pinned to one CPU
// (taskset -c 0, so the libuv pool cannot use the second core). Compare with the unpinned 16 MiB table.
import { Case, DEFAULT_FRAME, MiB, Timing, sizeLabel, suiteLabel } from './cases'
import { hasTaskset, runChild } from './child-process'
import type { CaseResult } from './runner'

export const ONE_CORE_SIZE = 16 * MiB
export const ONE_CORE_SUITE = 0x0478

export function oneCoreCases(timing: Timing): Case[] {
  return (['encrypt', 'decrypt'] as const).map((op) => ({
    id: `1core ${sizeLabel(ONE_CORE_SIZE)} ${suiteLabel(ONE_CORE_SUITE)} f${sizeLabel(DEFAULT_FRAME)} ${op}`,
    group: 'throughput16' as const,
    size: ONE_CORE_SIZE,
    suiteId: ONE_CORE_SUITE,
    frameLength: DEFAULT_FRAME,
    op,
    inFlight: 1 as const,
    impls: ['native'],
    timing,
  }))
}

export type OneCoreOutcome = { ok: true; results: CaseResult[] } | { ok: false; note: string }

export async function measureOneCore(cases: Case[]): Promise<OneCoreOutcome> {
  if (!hasTaskset()) return { ok: false, note: 'taskset is not available (Linux util-linux): no one-core run' }
  try {
    return {
      ok: true,
      results: await runChild<CaseResult[]>('one-core-child', [JSON.stringify(cases)], {
        pinCpu: 0,
        timeoutMs: 300_000,
      }),
    }
  } catch (err) {
    return { ok: false, note: err instanceof Error ? err.message : String(err) }
  }
}
