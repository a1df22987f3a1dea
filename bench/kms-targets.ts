// The issue-4 line of the target summary: KMS-keyring rates uncached vs cached, vs official, and KMS calls (reported only).
import type { ImplName } from './impls'
import type { CaseResult } from './runner'
import { formatPer1000, formatRatio, formatRate } from './table'

export const KMS_TARGET =
  '1 KiB messages/s with a KMS keyring through the local KMS stand-in, uncached vs cached, ours and the official SDK, with the KMS calls each made'

export interface KmsTargetOutcome {
  target: string
  /** No numeric target is given: the figures are reported, not judged. */
  status: 'reported' | 'not measured'
  lines: string[]
}

const IMPLS: ImplName[] = ['native', 'js', 'official']

function okRate(r: CaseResult | undefined, impl: ImplName): number | undefined {
  const m = r?.results[impl]
  return m?.status === 'ok' ? m.rate : undefined
}

/** "native 1,234 (1.10x official, 35x uncached)": the rate, its ratio to official and, for cached rows, the speed-up. */
function implText(r: CaseResult, impl: ImplName, uncached: CaseResult | undefined): string {
  const v = okRate(r, impl)
  if (v === undefined) return `${impl} ${r.results[impl]?.status ?? '-'}`
  const parts: string[] = []
  if (impl !== 'official') parts.push(`${formatRatio(v, okRate(r, 'official'))} official`)
  // An x4 row is compared with the sequential uncached one (there is no uncached x4 case).
  if (uncached) parts.push(`${formatRatio(v, okRate(uncached, impl))} uncached${r.case.inFlight === 1 ? '' : ' seq'}`)
  return `${impl} ${formatRate(v, 'msg/s')}${parts.length ? ` (${parts.join(', ')})` : ''}`
}

export function evaluateKmsTarget(results: CaseResult[]): KmsTargetOutcome {
  const kms = results.filter((r) => r.case.group === 'kms')
  const lines = kms.map((r) => {
    const uncachedId = r.case.id.replace(' cached ', ' uncached ').replace(/ x4$/, ' seq')
    const uncached = r.case.id.includes(' cached ') ? kms.find((u) => u.case.id === uncachedId) : undefined
    const rates = IMPLS.map((i) => implText(r, i, uncached)).join(', ')
    const calls = IMPLS.map((i) => formatPer1000(r.results[i])).join(' / ')
    return `${r.case.id.replace(/^kms 1KiB /, '')}: ${rates} msg/s; KMS calls per 1,000 msgs ${calls}`
  })
  return { target: KMS_TARGET, status: kms.length ? 'reported' : 'not measured', lines }
}

export function formatKmsTarget(o: KmsTargetOutcome): string {
  return [
    '== Issue 4 target (no numeric target: rates, ratios and KMS calls; calls are native / js / official)',
    `[${o.status.toUpperCase()}] ${o.target}`,
    ...o.lines.map((l) => `    ${l}`),
  ].join('\n')
}
