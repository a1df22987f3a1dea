// Plain-text tables: one per group (native | js | official | ratios; KMS calls for the KMS group), one-core and peak RSS.
import type { Group, Unit } from './cases'
import type { ImplName } from './impls'
import type { RssReport } from './rss-child'
import type { CaseResult, Measurement } from './runner'

type Align = 'l' | 'r'

export function renderTable(headers: string[], rows: string[][], align: Align[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (align[i] === 'l' ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd()
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

export function formatRate(value: number, unit: Unit): string {
  if (unit === 'msg/s' || value >= 100) return Math.round(value).toLocaleString('en-US')
  return value.toFixed(1)
}

export function formatRatio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !(b > 0)) return '-'
  const r = a / b
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}x`
}

export const MB = 1e6
export function formatMB(bytes: number): string {
  return (bytes / MB).toFixed(1)
}

/** Collects footnotes for skipped/failed cells so the table stays narrow. */
class Footnotes {
  private readonly notes: string[] = []
  ref(text: string): number {
    let i = this.notes.indexOf(text)
    if (i < 0) i = this.notes.push(text) - 1
    return i + 1
  }
  render(): string[] {
    return this.notes.map((n, i) => `  [${i + 1}] ${n}`)
  }
}

function cell(m: Measurement | undefined, unit: Unit, notes: Footnotes): string {
  if (!m) return '-'
  if (m.status === 'skipped') return `skipped[${notes.ref(m.note ?? 'skipped')}]`
  if (m.status === 'failed' || m.rate === undefined) return `FAILED[${notes.ref(m.note ?? 'failed')}]`
  return `${formatRate(m.rate, unit)} ±${(m.rme ?? 0).toFixed(1)}% n${m.samples ?? 0}`
}

const rate = (r: CaseResult, impl: ImplName): number | undefined => {
  const m = r.results[impl]
  return m?.status === 'ok' ? m.rate : undefined
}

export function groupTable(group: Group, results: CaseResult[]): string {
  const notes = new Footnotes()
  const rows = results.map((r) => [
    r.case.id,
    cell(r.results.native, group.unit, notes),
    cell(r.results.js, group.unit, notes),
    cell(r.results.official, group.unit, notes),
    formatRatio(rate(r, 'native'), rate(r, 'official')),
    formatRatio(rate(r, 'js'), rate(r, 'official')),
    formatRatio(rate(r, 'native'), rate(r, 'js')),
  ])
  const headers = [`case (${group.unit})`, 'native', 'js', 'official', 'native/official', 'js/official', 'native/js']
  const out = [
    `== ${group.title}`,
    ...group.notes.map((n) => `   ${n}`),
    renderTable(headers, rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r']),
  ]
  const foot = notes.render()
  return [...out, ...(foot.length ? ['notes:', ...foot] : [])].join('\n')
}

/** KMS calls per 1,000 messages: 1000 (uncached) down to 0.0; "-" where not measured. */
export function formatPer1000(m: Measurement | undefined): string {
  const per = m?.status === 'ok' ? m.kms?.per1000 : undefined
  if (per === undefined) return '-'
  return per >= 100 ? Math.round(per).toLocaleString('en-US') : per.toFixed(1)
}

function callTotals(m: Measurement | undefined): string {
  const k = m?.status === 'ok' ? m.kms : undefined
  return k ? `${k.calls.toLocaleString('en-US')}/${k.messages.toLocaleString('en-US')}` : '-'
}

/** The KMS group: the rates and ratios of groupTable, then each implementation's KMS calls in the timed run. */
export function kmsTable(group: Group, results: CaseResult[]): string {
  const notes = new Footnotes()
  const impls: ImplName[] = ['native', 'js', 'official']
  const rows = results.map((r) => [
    r.case.id,
    ...impls.map((i) => cell(r.results[i], group.unit, notes)),
    formatRatio(rate(r, 'native'), rate(r, 'official')),
    formatRatio(rate(r, 'js'), rate(r, 'official')),
    impls.map((i) => formatPer1000(r.results[i])).join(' / '),
    impls.map((i) => callTotals(r.results[i])).join(' / '),
  ])
  const headers = [
    `case (${group.unit})`,
    'native',
    'js',
    'official',
    'native/official',
    'js/official',
    'KMS calls/1k msgs n / j / o',
    'calls/msgs n / j / o',
  ]
  const out = [
    `== ${group.title}`,
    ...group.notes.map((n) => `   ${n}`),
    renderTable(headers, rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']),
  ]
  const foot = notes.render()
  return [...out, ...(foot.length ? ['notes:', ...foot] : [])].join('\n')
}

/** One-core native figures beside the unpinned (both cores) ones from the 16 MiB table. */
export function oneCoreTable(results: CaseResult[], bothCores: (caseId: string) => Measurement | undefined): string {
  const notes = new Footnotes()
  const rows = results.map((r) => {
    const both = bothCores(r.case.id.replace(/^1core /, ''))
    const one = r.results.native
    return [
      r.case.id,
      cell(one, 'MB/s', notes),
      cell(both, 'MB/s', notes),
      formatRatio(both?.status === 'ok' ? both.rate : undefined, one?.status === 'ok' ? one.rate : undefined),
    ]
  })
  const out = [
    '== One core: native in a child pinned with taskset -c 0 (every thread on one CPU), MB/s',
    renderTable(['case (MB/s)', 'native, one core', 'native, both cores', 'both/one'], rows, ['l', 'r', 'r', 'r']),
  ]
  const foot = notes.render()
  return [...out, ...(foot.length ? ['notes:', ...foot] : [])].join('\n')
}

export function rssTable(caseId: string, reports: RssReport[]): string {
  const notes = new Footnotes()
  const rows = reports.map((r) => {
    if (r.status !== 'ok' || r.peakBytes === undefined) {
      const mark = `${r.status === 'skipped' ? 'skipped' : 'FAILED'}[${notes.ref(r.note ?? r.status)}]`
      return [r.impl, mark, '-', '-', '-']
    }
    return [
      r.impl,
      formatMB(r.peakBytes),
      formatMB(r.baselineBytes ?? 0),
      `${formatMB(r.extraBytes ?? 0)}`,
      `baseline + plaintext + output + ${formatMB(r.extraBytes ?? 0)} MB`,
    ]
  })
  const source = reports.find((r) => r.source)?.source ?? 'n/a'
  const out = [
    `== Peak RSS, ${caseId}: one fresh process per implementation (${source}), MB = 10^6 bytes`,
    '   baseline = RSS after loading and a 64 KiB warm-up message, before the plaintext exists; extra = peak - baseline - plaintext - output',
    renderTable(['implementation', 'peak MB', 'baseline MB', 'extra MB', 'peak ='], rows, ['l', 'r', 'r', 'r', 'l']),
  ]
  const foot = notes.render()
  return [...out, ...(foot.length ? ['notes:', ...foot] : [])].join('\n')
}
