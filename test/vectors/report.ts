// Summaries of vector results: the per-set table, failure and pending listings, the final line, and the JSON file.
import * as fs from 'node:fs'
import { VectorResult } from './run'

const FAILURES_SHOWN = 5

export interface SetSummary {
  readonly name: string
  readonly total: number
  readonly passed: number
  readonly failed: number
  readonly pending: number
  readonly needsNetwork: number
  readonly pendingByKeyring: Readonly<Record<string, number>>
  readonly failures: ReadonlyArray<{ readonly id: string; readonly detail: string }>
}

export interface Totals {
  readonly passed: number
  readonly failed: number
  readonly pending: number
  readonly needsNetwork: number
}

export function summarize(name: string, results: readonly VectorResult[]): SetSummary {
  const count = (status: VectorResult['status']): number => results.filter((r) => r.status === status).length
  const pendingByKeyring: Record<string, number> = {}
  for (const r of results)
    if (r.status === 'pending') pendingByKeyring[r.keyring] = (pendingByKeyring[r.keyring] ?? 0) + 1
  return {
    name,
    total: results.length,
    passed: count('passed'),
    failed: count('failed'),
    pending: count('pending'),
    needsNetwork: count('needs-network'),
    pendingByKeyring,
    failures: results.filter((r) => r.status === 'failed').map((r) => ({ id: r.id, detail: r.detail ?? '' })),
  }
}

export function totalsOf(sets: readonly SetSummary[]): Totals {
  const sum = (pick: (s: SetSummary) => number): number => sets.reduce((n, s) => n + pick(s), 0)
  return {
    passed: sum((s) => s.passed),
    failed: sum((s) => s.failed),
    pending: sum((s) => s.pending),
    needsNetwork: sum((s) => s.needsNetwork),
  }
}

export function finalLine(t: Totals, note?: string): string {
  return `vectors: ${t.passed} passed, ${t.failed} failed, ${t.pending} pending${note ? ` (${note})` : ''}`
}

export function printTable(sets: readonly SetSummary[], print: (line: string) => void): void {
  const header = ['set', 'total', 'passed', 'failed', 'pending', 'needs network']
  const totals = totalsOf(sets)
  const rows = sets.map((s) => [s.name, s.total, s.passed, s.failed, s.pending, s.needsNetwork].map(String))
  rows.push([
    'all',
    String(sets.reduce((n, s) => n + s.total, 0)),
    ...[totals.passed, totals.failed, totals.pending, totals.needsNetwork].map(String),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
  print(line(header))
  print(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const [i, row] of rows.entries()) {
    if (i === rows.length - 1) print(widths.map((w) => '-'.repeat(w)).join('  '))
    print(line(row))
  }
}

export function printDetails(sets: readonly SetSummary[], print: (line: string) => void): void {
  for (const s of sets) {
    for (const [keyring, n] of Object.entries(s.pendingByKeyring)) print(`pending   ${s.name}: ${n} x ${keyring}`)
  }
  for (const s of sets) {
    if (s.failures.length === 0) continue
    print('')
    print(`FAILED in ${s.name}: ${s.failures.length} (first ${Math.min(FAILURES_SHOWN, s.failures.length)})`)
    for (const f of s.failures.slice(0, FAILURES_SHOWN)) print(`  ${f.id}: ${f.detail}`)
  }
}

export function writeJson(file: string, report: unknown): void {
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
}
