// Child process (started under `taskset -c 0`): measures the given cases with every thread of the process on one CPU.
// argv: JSON array of Case. Reports CaseResult[].
import { randomBytes } from 'node:crypto'
import type { Case } from './cases'
import { reportToParent } from './child-process'
import { Fixtures } from './fixtures'
import { createImpls } from './impls'
import { CaseResult, measureCase } from './runner'

async function main(): Promise<CaseResult[]> {
  const cases = JSON.parse(process.argv[2] ?? '[]') as Case[]
  const impls = createImpls(randomBytes(32))
  const fixtures = new Fixtures(impls.official)
  const results: CaseResult[] = []
  for (const c of cases) results.push(await measureCase(c, 'MB/s', impls, fixtures))
  return results
}

main().then(reportToParent, (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exitCode = 1
})
