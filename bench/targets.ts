// The issue-3 targets, evaluated against this run: one summary line per target (target, measured, met/missed).
import type { ImplName } from './impls'
import type { RssReport } from './rss-child'
import type { CaseResult } from './runner'
import { formatMB, formatRate, MB } from './table'

type Check =
  | { kind: 'rate'; label: string; impl: ImplName; cases: Cases; min: number; unit: 'msg/s' | 'MB/s' }
  | { kind: 'ratio'; label: string; num: ImplName; den: ImplName; cases: Cases; min: number }
  | { kind: 'rssExtra'; label: string; impl: ImplName; maxBytes: number }

/** One case id, or a pattern over several (then the worst one counts and is named). */
type Cases = string | RegExp

interface Target {
  text: string
  checks: Check[]
}

export interface CheckOutcome {
  label: string
  /** undefined: not measured in this run (filtered out, --quick, skipped or failed). */
  measured: number | undefined
  /** The case the (worst) value came from. */
  caseId: string | undefined
  threshold: number
  met: boolean | undefined
  text: string
}

export interface TargetOutcome {
  target: string
  status: 'met' | 'missed' | 'not measured' | 'partly measured, met so far'
  checks: CheckOutcome[]
}

const rate = (impl: ImplName, cases: Cases, min: number, label: string, unit: 'msg/s' | 'MB/s' = 'msg/s'): Check => ({
  kind: 'rate',
  label,
  impl,
  cases,
  min,
  unit,
})
const ratio = (num: ImplName, cases: Cases, min: number, label: string, den: ImplName = 'official'): Check => ({
  kind: 'ratio',
  label,
  num,
  den,
  cases,
  min,
})
const matches = (cases: Cases, id: string): boolean => (typeof cases === 'string' ? cases === id : cases.test(id))

export const TARGETS: Target[] = [
  {
    text: '1 KiB 0x0478 encrypt and decrypt: >= 100,000 msg/s sequential (>= 45x official)',
    checks: [
      rate('native', 'msg 1KiB 0x0478 encrypt seq', 100_000, 'encrypt'),
      ratio('native', 'msg 1KiB 0x0478 encrypt seq', 45, 'encrypt vs official'),
      rate('native', 'msg 1KiB 0x0478 decrypt seq', 100_000, 'decrypt'),
      ratio('native', 'msg 1KiB 0x0478 decrypt seq', 45, 'decrypt vs official'),
    ],
  },
  {
    text: '16 MiB 0x0478, 4 KiB frames: >= 2 GB/s on one thread (one pinned core here)',
    checks: [
      rate('native', '1core 16MiB 0x0478 f4KiB encrypt', 2000, 'encrypt', 'MB/s'),
      rate('native', '1core 16MiB 0x0478 f4KiB decrypt', 2000, 'decrypt', 'MB/s'),
    ],
  },
  {
    text: '16 MiB 0x0478, 4 KiB frames: >= 3.5 GB/s using both cores (>= 20x official)',
    checks: [
      rate('native', '16MiB 0x0478 f4KiB encrypt', 3500, 'encrypt', 'MB/s'),
      ratio('native', '16MiB 0x0478 f4KiB encrypt', 20, 'encrypt vs official'),
      rate('native', '16MiB 0x0478 f4KiB decrypt', 3500, 'decrypt', 'MB/s'),
      ratio('native', '16MiB 0x0478 f4KiB decrypt', 20, 'decrypt vs official'),
    ],
  },
  {
    text: '16 MiB, 64 KiB+ frames (0x0478): >= 5 GB/s using both cores (worst of 64 KiB and 1 MiB frames)',
    checks: [
      rate('native', /^16MiB 0x0478 f(64KiB|1MiB) encrypt$/, 5000, 'encrypt', 'MB/s'),
      rate('native', /^16MiB 0x0478 f(64KiB|1MiB) decrypt$/, 5000, 'decrypt', 'MB/s'),
    ],
  },
  {
    text: '256 MiB buffer encrypt (0x0478, 4 KiB frames): >= 1.2 GB/s, peak RSS <= plaintext + output + 32 MB',
    checks: [
      rate('native', '256MiB 0x0478 f4KiB encrypt', 1200, 'encrypt', 'MB/s'),
      { kind: 'rssExtra', label: 'peak RSS extra', impl: 'native', maxBytes: 32 * MB },
    ],
  },
  {
    text: '1 KiB 0x0578: encrypt >= 750 msg/s sequential, >= 1,500 with 4 in flight; decrypt >= 1,700 sequential, >= 3,000 with 4 in flight',
    checks: [
      rate('native', 'msg 1KiB 0x0578 encrypt seq', 750, 'encrypt seq'),
      rate('native', 'msg 1KiB 0x0578 encrypt x4', 1500, 'encrypt x4'),
      rate('native', 'msg 1KiB 0x0578 decrypt seq', 1700, 'decrypt seq'),
      rate('native', 'msg 1KiB 0x0578 decrypt x4', 3000, 'decrypt x4'),
    ],
  },
  {
    text: 'JS backend: >= 10x official on 1 KiB messages (0x0478, worst of seq/x4)',
    checks: [
      ratio('js', /^msg 1KiB 0x0478 encrypt /, 10, 'encrypt'),
      ratio('js', /^msg 1KiB 0x0478 decrypt /, 10, 'decrypt'),
    ],
  },
  {
    text: 'JS backend: >= 2.5x official on 16 MiB (worst over the measured suites and frame lengths)',
    checks: [ratio('js', /^16MiB .* encrypt$/, 2.5, 'encrypt'), ratio('js', /^16MiB .* decrypt$/, 2.5, 'decrypt')],
  },
]

function okRate(r: CaseResult | undefined, impl: ImplName): number | undefined {
  const m = r?.results[impl]
  return m?.status === 'ok' ? m.rate : undefined
}

function evaluate(check: Check, results: CaseResult[], rss: RssReport[]): CheckOutcome {
  let measured: number | undefined
  let caseId: string | undefined
  if (check.kind === 'rssExtra') {
    const r = rss.find((x) => x.impl === check.impl && x.status === 'ok')
    measured = r?.extraBytes
    caseId = r ? 'rss' : undefined
  } else {
    // The worst measured value over the matching cases.
    for (const r of results.filter((x) => matches(check.cases, x.case.id))) {
      const v =
        check.kind === 'rate'
          ? okRate(r, check.impl)
          : ((n, d) => (n !== undefined && d !== undefined && d > 0 ? n / d : undefined))(
              okRate(r, check.num),
              okRate(r, check.den),
            )
      if (v !== undefined && (measured === undefined || v < measured)) {
        measured = v
        caseId = r.case.id
      }
    }
  }
  const threshold = check.kind === 'rssExtra' ? check.maxBytes : check.min
  if (measured === undefined)
    return { label: check.label, measured, caseId, threshold, met: undefined, text: `${check.label}: not measured` }
  const where = caseId && check.kind !== 'rssExtra' && typeof check.cases !== 'string' ? ` (${caseId})` : ''
  if (check.kind === 'rssExtra') {
    const met = measured <= threshold
    const text = `${check.label} ${formatMB(measured)} MB (<= ${formatMB(threshold)})${met ? ' met' : ` MISSED by ${formatMB(measured - threshold)} MB`}`
    return { label: check.label, measured, caseId, threshold, met, text }
  }
  const met = measured >= threshold
  const value =
    check.kind === 'rate' ? `${formatRate(measured, check.unit)} ${check.unit}` : `${measured.toFixed(1)}x ${check.den}`
  const goal = check.kind === 'rate' ? formatRate(threshold, check.unit) : `${threshold}x`
  const miss = met
    ? ' met'
    : ` MISSED: ${Math.round((100 * measured) / threshold)}% of ${goal}, needs ${(threshold / measured).toFixed(1)}x more`
  return {
    label: check.label,
    measured,
    caseId,
    threshold,
    met,
    text: `${check.label} ${value}${where} (>= ${goal})${miss}`,
  }
}

export function evaluateTargets(results: CaseResult[], rss: RssReport[]): TargetOutcome[] {
  return TARGETS.map((t) => {
    const checks = t.checks.map((c) => evaluate(c, results, rss))
    const measured = checks.filter((c) => c.met !== undefined)
    const status: TargetOutcome['status'] =
      measured.length === 0
        ? 'not measured'
        : measured.some((c) => c.met === false)
          ? 'missed'
          : measured.length < checks.length
            ? 'partly measured, met so far'
            : 'met'
    return { target: t.text, status, checks }
  })
}

export function formatTargets(outcomes: TargetOutcome[]): string {
  const lines = ['== Issue 3 targets (this run; ratios are against the official SDK measured in the same run)']
  for (const o of outcomes) {
    lines.push(`[${o.status.toUpperCase()}] ${o.target}`)
    lines.push(`    ${o.checks.map((c) => c.text).join(' | ')}`)
  }
  return lines.join('\n')
}
