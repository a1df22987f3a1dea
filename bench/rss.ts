// Parent side of the peak-RSS measurement: one fresh child per implementation, run one after another.
import { RSS_FRAME, RSS_SIZE, RSS_SUITE, sizeLabel, suiteLabel } from './cases'
import { runChild } from './child-process'
import type { ImplName } from './impls'
import type { RssReport } from './rss-child'

export const RSS_CASE_ID = `rss ${sizeLabel(RSS_SIZE)} ${suiteLabel(RSS_SUITE)} f${sizeLabel(RSS_FRAME)} encrypt`

function one(impl: ImplName): Promise<RssReport> {
  return runChild<RssReport>('rss-child', [impl, String(RSS_SIZE), String(RSS_SUITE), String(RSS_FRAME)], {
    timeoutMs: 180_000,
  }).catch((err: unknown): RssReport => ({
    impl,
    status: 'failed',
    note: err instanceof Error ? err.message : String(err),
  }))
}

/**
 * Peak RSS does not depend on the CPU share a child gets, so --quick runs the children at once (wall time of the
 * slowest); the full run starts them one after another.
 */
export async function measureRss(impls: readonly ImplName[], concurrent: boolean): Promise<RssReport[]> {
  if (concurrent) return Promise.all(impls.map(one))
  const reports: RssReport[] = []
  for (const impl of impls) reports.push(await one(impl))
  return reports
}
