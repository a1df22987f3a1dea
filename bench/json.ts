// The --json FILE report: environment, options, every measurement with its ratios (and KMS calls), RSS, one-core, targets.
import type { PrimitiveResult } from './primitives'
import type { StartupRow } from './startup'
import type { CliRow } from './cli'
import { mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import type { Group } from './cases'
import type { Environment } from './env'
import type { ImplName } from './impls'
import type { StreamTargetLine } from './stream-targets'
import type { BatchTargetLine } from './batch-targets'
import type { KmsTargetOutcome } from './kms-targets'
import type { OneCoreOutcome } from './one-core'
import type { RssReport } from './rss-child'
import type { CaseResult } from './runner'
import type { TargetOutcome } from './targets'

export interface RunReport {
  schema: 'esdk-native-bench/1'
  mode: 'quick' | 'full'
  filter: string | undefined
  environment: Environment
  finished: { date: string; loadAverage: number[]; durationSeconds: number }
  groups: Array<{ id: Group['id']; title: string; unit: Group['unit']; notes: string[]; results: CaseResult[] }>
  oneCore: OneCoreOutcome | { ok: false; note: string }
  rss: RssReport[]
  /** The primitives group (bench/primitives.ts), when it ran. */
  primitives?: PrimitiveResult[]
  /** Start-up in fresh processes (bench/startup.ts), when it ran. */
  startup?: StartupRow[]
  /** The cli group (bench/cli.ts), when it ran. */
  cli?: CliRow[]
  targets: TargetOutcome[]
  /** Issue 4: reported figures, no threshold. */
  kmsTarget: KmsTargetOutcome
  /** Issue 9 (batch API); empty when the batch group did not run. */
  batchTargets: BatchTargetLine[]
  streamTargets: StreamTargetLine[]
}

function ratio(r: CaseResult, a: ImplName, b: ImplName): number | null {
  const x = r.results[a]
  const y = r.results[b]
  return x?.status === 'ok' && y?.status === 'ok' && x.rate !== undefined && y.rate ? x.rate / y.rate : null
}

/** Adds the three ratios of the table to each case result. */
function withRatios(r: CaseResult): CaseResult & { ratios: Record<string, number | null> } {
  return {
    ...r,
    ratios: {
      'native/official': ratio(r, 'native', 'official'),
      'js/official': ratio(r, 'js', 'official'),
      'native/js': ratio(r, 'native', 'js'),
    },
  }
}

export function writeJsonReport(file: string, report: RunReport): void {
  const out = { ...report, groups: report.groups.map((g) => ({ ...g, results: g.results.map(withRatios) })) }
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`)
}
