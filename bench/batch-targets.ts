// The issue-9 lines of the target summary: batch records/s against the targets, KMS within 10% of raw AES, 0x0578 against P-384 signing, the one-shot line.
import type { CaseResult } from './runner'
import { formatRatio, formatRate } from './table'

export interface BatchTargetLine {
  target: string
  status: 'met' | 'missed' | 'reported' | 'not measured'
  measured: string
}

function rate(results: readonly CaseResult[], id: string, impl: 'native' | 'js' | 'official'): number | undefined {
  const m = results.find((r) => r.case.id === id)?.results[impl]
  return m?.status === 'ok' ? m.rate : undefined
}

const fmt = (v: number | undefined): string => (v === undefined ? 'not measured' : formatRate(v, 'msg/s'))

export function evaluateBatchTargets(
  results: readonly CaseResult[],
  p384SignPerSecond: number | undefined,
  oneShotMsg: number | undefined,
): BatchTargetLine[] {
  const lines: BatchTargetLine[] = []
  const judged = (target: string, value: number | undefined, ok: boolean, measured: string): void => {
    lines.push({ target, status: value === undefined ? 'not measured' : ok ? 'met' : 'missed', measured })
  }
  for (const [op, goal] of [
    ['encrypt', 250_000],
    ['decrypt', 200_000],
  ] as const) {
    const id = `batch 500x1KiB 0x0478 ${op} cached-aes`
    const n = rate(results, id, 'native')
    const o = rate(results, id, 'official')
    const ratio = n !== undefined && o !== undefined ? n / o : undefined
    judged(
      `0x0478 1 KiB ${op}, caching CMM over raw AES, batches of 500: >= ${goal.toLocaleString('en-US')} records/s and >= 100x official`,
      n,
      n !== undefined && n >= goal && ratio !== undefined && ratio >= 100,
      `native ${fmt(n)} (${formatRatio(n, o)} official ${fmt(o)}; ${n !== undefined ? ((n / goal) * 100).toFixed(0) : '-'}% of the target)`,
    )
    const k = rate(results, `batch 500x1KiB 0x0478 ${op} cached-kms`, 'native')
    const kmsCalls = results.find((r) => r.case.id === `batch 500x1KiB 0x0478 ${op} cached-kms`)?.results.native?.kms
    judged(
      `the same ${op} with a KMS keyring through the stand-in: within 10% of the raw AES figure`,
      k,
      k !== undefined && n !== undefined && k >= 0.9 * n,
      `native ${fmt(k)} (${formatRatio(k, n)} of raw AES); KMS calls ${kmsCalls ? `${kmsCalls.calls} for ${kmsCalls.messages.toLocaleString('en-US')} records` : '-'}`,
    )
  }
  const signed = rate(results, 'batch 500x1KiB 0x0578 encrypt cached-aes', 'native')
  judged(
    '0x0578 1 KiB encrypt, batches of 500: >= 2,000 records/s on 2 cores',
    signed,
    signed !== undefined && signed >= 2_000,
    `native ${fmt(signed)} (${formatRatio(signed, rate(results, 'batch 500x1KiB 0x0578 encrypt cached-aes', 'official'))} official); OpenSSL P-384 sign (node:crypto, one thread) ${p384SignPerSecond === undefined ? '-' : Math.round(p384SignPerSecond).toLocaleString('en-US')}/s, x2 cores ${p384SignPerSecond === undefined ? '-' : Math.round(2 * p384SignPerSecond).toLocaleString('en-US')}/s`,
  )
  const single = rate(results, 'batch one-shot 1KiB 0x0478 encrypt seq', 'native')
  lines.push({
    target: 'the single-message path stays as fast as before (1 KiB 0x0478 one-shot encrypt, same run)',
    status: single === undefined ? 'not measured' : 'reported',
    measured: `native ${fmt(single)} msg/s (raw AES keyring, sequential)${oneShotMsg !== undefined ? `; messages group msg 1KiB 0x0478 encrypt seq ${fmt(oneShotMsg)}` : ''}`,
  })
  return lines
}

export function formatBatchTargets(lines: readonly BatchTargetLine[]): string {
  return [
    '== Issue 9 targets (batch API)',
    ...lines.map((l) => `[${l.status.toUpperCase()}] ${l.target}\n    ${l.measured}`),
  ].join('\n')
}
