// The issue-8 lines of the target summary, and the stream group's RSS table.
import type { CaseResult } from './runner'
import { COLLECTED, type RssRow } from './stream'
import { formatRatio, formatRate } from './table'

export interface StreamTargetLine {
  target: string
  status: 'met' | 'missed' | 'not measured'
  measured: string
}

const MB = 1024 * 1024

function rateOf(
  results: readonly CaseResult[],
  suffix: string,
  impl: 'native' | 'js' | 'official',
): number | undefined {
  const m = results.find((r) => r.case.id.endsWith(suffix))?.results[impl]
  return m?.status === 'ok' ? m.rate : undefined
}

const mbps = (v: number | undefined): string => (v === undefined ? 'not measured' : formatRate(v, 'MB/s'))

export function evaluateStreamTargets(
  results: readonly CaseResult[],
  sha384: number,
  rss: readonly RssRow[],
): StreamTargetLine[] {
  const lines: StreamTargetLine[] = []
  const judge = (target: string, values: readonly (number | undefined)[], ok: boolean, measured: string): void => {
    lines.push({
      target,
      status: values.some((v) => v === undefined) ? 'not measured' : ok ? 'met' : 'missed',
      measured,
    })
  }
  for (const [frame, goal] of [
    ['64KiB', 1500],
    ['4KiB', 1000],
  ] as const) {
    for (const op of ['encrypt', 'decrypt'] as const) {
      const suffix = `0x0478 f${frame} ${op}`
      const n = rateOf(results, suffix, 'native')
      const j = rateOf(results, suffix, 'js')
      const o = rateOf(results, suffix, 'official')
      judge(
        `0x0478 ${op}, ${frame} frames: native >= ${goal.toLocaleString('en-US')} MB/s and >= 10x official; js >= 3x official`,
        [n, j, o],
        n !== undefined && o !== undefined && j !== undefined && n >= goal && n >= 10 * o && j >= 3 * o,
        `native ${mbps(n)} (${formatRatio(n, o)} official), js ${mbps(j)} (${formatRatio(j, o)}), official ${mbps(o)}`,
      )
    }
  }
  for (const op of ['encrypt', 'decrypt'] as const) {
    for (const frame of ['64KiB', '4KiB'] as const) {
      const suffix = `0x0578 f${frame} ${op}`
      const n = rateOf(results, suffix, 'native')
      const o = rateOf(results, suffix, 'official')
      judge(
        `0x0578 ${op}, ${frame} frames: native >= 90% of one core's SHA-384 and >= 4x official`,
        [n, o],
        n !== undefined && o !== undefined && n >= 0.9 * sha384 && n >= 4 * o,
        `native ${mbps(n)} = ${n === undefined ? '-' : ((n / sha384) * 100).toFixed(0)}% of SHA-384 ${mbps(sha384)}; ${formatRatio(n, o)} official ${mbps(o)}`,
      )
    }
  }
  for (const impl of ['native', 'js'] as const) {
    // Judged on the peaks as a user sees them (no forced GC); the collected peaks and the runtime's floor say how much of that is V8 sweeping late.
    const mine = rss.filter((r) => r.impl === impl && !r.mode.endsWith(COLLECTED))
    const collected = rss.filter((r) => r.impl === impl && r.mode.endsWith(COLLECTED))
    const worst = Math.max(...mine.map((r) => r.extraRss ?? Number.POSITIVE_INFINITY))
    const list = (rows: readonly RssRow[]): string =>
      rows
        .map(
          (r) =>
            `${r.mode.replace(` ${COLLECTED}`, '')} ${r.extraRss === undefined ? '-' : (r.extraRss / MB).toFixed(1)}`,
        )
        .join(', ')
    const floor = rss.find((r) => r.impl === 'runtime')
    judge(
      `peak RSS over the baseline for 1 GiB, ${impl}, every direction: <= 32 MB`,
      mine.length === 0 ? [undefined] : mine.map((r) => r.extraRss),
      worst <= 32 * MB,
      `${list(mine)} MB; with a GC every 4 MiB: ${list(collected)} MB; official: ${list(rss.filter((r) => r.impl === 'official'))} MB; runtime floor (plain Transform): ${floor?.extraRss === undefined ? '-' : (floor.extraRss / MB).toFixed(1)} MB`,
    )
  }
  return lines
}

export function formatStreamTargets(lines: readonly StreamTargetLine[]): string {
  return [
    '== Issue 8 targets (streams)',
    ...lines.map((l) => `   [${l.status}] ${l.target}\n            ${l.measured}`),
  ].join('\n')
}

export function streamRssTable(rows: readonly RssRow[]): string {
  const modes = [...new Set(rows.filter((r) => r.impl !== 'runtime').map((r) => r.mode))]
  const impls = ['native', 'js', 'official'] as const
  const lines = [
    '== Streams: peak RSS over the baseline, 1 GiB, 0x0478 at 4 KiB frames, one fresh process each (MB = 2^20 B)',
    `   ${'mode'.padEnd(16)}${impls.map((i) => i.padStart(12)).join('')}`,
  ]
  for (const mode of modes) {
    const cells = impls.map((impl) => {
      const r = rows.find((x) => x.mode === mode && x.impl === impl)
      return (r?.extraRss === undefined ? (r ? 'failed' : '-') : (r.extraRss / MB).toFixed(1)).padStart(12)
    })
    lines.push(`   ${mode.padEnd(16)}${cells.join('')}`)
  }
  const floor = rows.find((r) => r.impl === 'runtime')
  if (floor)
    lines.push(
      `   runtime floor (a plain Transform, one fresh output per chunk, no crypto): ${floor.extraRss === undefined ? 'failed' : (floor.extraRss / MB).toFixed(1)} MB`,
    )
  const failed = rows.filter((r) => r.note)
  return [...lines, ...failed.map((r) => `   ${r.mode} ${r.impl}: ${r.note ?? ''}`)].join('\n')
}
