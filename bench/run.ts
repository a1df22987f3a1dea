// `npm run bench`: environment first, then every group (native | js | official side by side, with ratios), the KMS
// group, the one-core run, peak RSS, and the issue-3 and issue-4 target summaries; --json FILE keeps it all. See options.ts.
import { randomBytes } from 'node:crypto'
import * as os from 'node:os'
import { buildGroups, throughputTiming } from './cases'
import type { Case } from './cases'
import { collectEnvironment, formatEnvironment, formatLoad } from './env'
import { dropPlaintexts, Fixtures } from './fixtures'
import { collectGarbage } from './gc'
import { createImpls, IMPL_NAMES } from './impls'
import { writeJsonReport } from './json'
import { keyringTable, measureKeyringGroup } from './keyrings'
import { measureBatchGroup } from './batch'
import { buildBatchGroup } from './batch-cases'
import { evaluateBatchTargets, formatBatchTargets } from './batch-targets'
import type { BatchTargetLine } from './batch-targets'
import { measureKmsGroup } from './kms'
import { measureStreamGroup } from './stream'
import { kinesisTable, measureKinesisGroup } from './kinesis'
import { buildStreamGroup } from './stream-cases'
import { evaluateStreamTargets, formatStreamTargets, streamRssTable } from './stream-targets'
import type { StreamTargetLine } from './stream-targets'
import { buildKmsGroup } from './kms-cases'
import { evaluateKmsTarget, formatKmsTarget } from './kms-targets'
import type { RunReport } from './json'
import { measureOneCore, oneCoreCases } from './one-core'
import { buildPrimitiveCases, measurePrimitives, primitivesTable } from './primitives'
import type { PrimitiveResult } from './primitives'
import { measureStartup, STARTUP_CASE_ID, startupTable } from './startup'
import type { StartupRow } from './startup'
import { CLI_CASE_ID, cliTable, measureCli } from './cli'
import type { CliRow } from './cli'
import type { OneCoreOutcome } from './one-core'
import { parseOptions, USAGE } from './options'
import { measureRss, RSS_CASE_ID } from './rss'
import type { RssReport } from './rss-child'
import { CaseResult, measureCase } from './runner'
import { groupTable, kmsTable, oneCoreTable, rssTable } from './table'
import { evaluateTargets, formatTargets } from './targets'

function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`)
}

function tookSince(start: number): string {
  return `took ${((performance.now() - start) / 1000).toFixed(1)} s`
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  if (options.help) {
    console.log(USAGE)
    return
  }
  const started = performance.now()
  const environment = collectEnvironment()
  console.log(formatEnvironment(environment))

  const impls = createImpls(randomBytes(32))
  const selected = (c: { id: string }): boolean => !options.only || options.only.test(c.id)
  console.log(
    `mode              ${options.quick ? '--quick (fewer cases, short timing: coarse)' : 'full'}${options.only ? `; --only ${options.only.source}` : ''}`,
  )
  for (const name of IMPL_NAMES)
    if (!impls[name].available) console.log(`note              ${name} not measured: ${impls[name].note}`)
  console.log(
    "checks            before timing, each implementation's message must round-trip and (ours) decrypt with the official SDK",
  )
  console.log('')

  const fixtures = new Fixtures(impls.official)
  const groups = buildGroups(options.quick).map((g) => ({ ...g, cases: g.cases.filter(selected) }))
  const reportGroups: RunReport['groups'] = []
  const all: CaseResult[] = []
  for (const group of groups) {
    if (group.cases.length === 0) continue
    const groupStart = performance.now()
    const results: CaseResult[] = []
    for (const [i, c] of group.cases.entries()) {
      progress(`[${group.id} ${i + 1}/${group.cases.length}] ${c.id}`)
      results.push(await measureCase(c, group.unit, impls, fixtures))
    }
    progress('')
    fixtures.clear()
    dropPlaintexts()
    collectGarbage()
    console.log(groupTable(group, results))
    console.log(`   (${tookSince(groupStart)})`)
    console.log('')
    reportGroups.push({ id: group.id, title: group.title, unit: group.unit, notes: group.notes, results })
    all.push(...results)
  }

  let primitives: PrimitiveResult[] | undefined
  const primitiveCases = buildPrimitiveCases().filter(selected)
  if (primitiveCases.length > 0) {
    progress('[primitives]')
    const primitivesStart = performance.now()
    primitives = await measurePrimitives(primitiveCases, options.quick)
    progress('')
    console.log(primitivesTable(primitives))
    console.log(`   (${tookSince(primitivesStart)})`)
    console.log('')
  }

  let startup: StartupRow[] | undefined
  if (selected({ id: STARTUP_CASE_ID })) {
    progress('[startup] fresh processes')
    const startupStart = performance.now()
    startup = measureStartup(options.quick ? 5 : 15)
    progress('')
    console.log(startupTable(startup))
    console.log(`   (${tookSince(startupStart)})`)
    console.log('')
  }

  let cli: CliRow[] | undefined
  if (selected({ id: CLI_CASE_ID })) {
    progress('[cli] esdk processes')
    const cliStart = performance.now()
    cli = measureCli(options.quick)
    progress('')
    console.log(cliTable(cli))
    console.log(`   (${tookSince(cliStart)})`)
    console.log('')
  }

  const kmsGroup = buildKmsGroup(options.quick)
  const kmsCases = kmsGroup.cases.filter(selected)
  if (kmsCases.length > 0) {
    const kmsStart = performance.now()
    const { group, results } = await measureKmsGroup({ ...kmsGroup, cases: kmsCases }, options.kmsServer, progress)
    progress('')
    collectGarbage()
    console.log(kmsTable(group, results))
    console.log(`   (${tookSince(kmsStart)})`)
    console.log('')
    reportGroups.push({ id: group.id, title: group.title, unit: group.unit, notes: group.notes, results })
    all.push(...results)
  }

  // The keyrings group (issue 12): one line per new keyring; `--only keyring` runs just it.
  if (selected({ id: 'keyrings' })) {
    const keyringStart = performance.now()
    const { rows, notes } = await measureKeyringGroup(options.quick, progress)
    progress('')
    console.log(keyringTable(rows, notes))
    console.log(`   (${tookSince(keyringStart)})`)
    console.log('')
  }

  let batchTargets: BatchTargetLine[] = []
  const batchGroup = buildBatchGroup(options.quick)
  const batchCases = batchGroup.cases.filter(selected)
  if (batchCases.length > 0) {
    const batchStart = performance.now()
    const outcome = await measureBatchGroup({ ...batchGroup, cases: batchCases }, options.kmsServer, progress)
    progress('')
    collectGarbage()
    console.log(kmsTable(outcome.group, outcome.results))
    console.log(`   (${tookSince(batchStart)})`)
    console.log('')
    reportGroups.push({
      id: outcome.group.id,
      title: outcome.group.title,
      unit: outcome.group.unit,
      notes: outcome.group.notes,
      results: outcome.results,
    })
    all.push(...outcome.results)
    const msg = all.find((r) => r.case.id === 'msg 1KiB 0x0478 encrypt seq')?.results.native
    batchTargets = evaluateBatchTargets(
      outcome.results,
      outcome.p384SignPerSecond,
      msg?.status === 'ok' ? msg.rate : undefined,
    )
  }

  if (!options.only || options.only.test('kinesis')) {
    const kinesisStart = performance.now()
    console.log('')
    console.log(kinesisTable(await measureKinesisGroup(options.quick, progress)))
    console.log(
      `   (${tookSince(kinesisStart)}; the official SDK swapped in behind the same handler: one encrypt per record, 100 in flight, over its caching CMM)`,
    )
  }
  let streamTargets: StreamTargetLine[] = []
  const streamGroup = buildStreamGroup(options.quick)
  const streamCases = streamGroup.cases.filter(selected)
  if (streamCases.length > 0) {
    const streamStart = performance.now()
    collectGarbage()
    const outcome = await measureStreamGroup({ ...streamGroup, cases: streamCases }, progress)
    progress('')
    console.log(groupTable(streamGroup, outcome.results))
    console.log(`   SHA-384, one core, this run: ${outcome.sha384.toFixed(0)} MB/s`)
    console.log(streamRssTable(outcome.rss))
    console.log(`   (${tookSince(streamStart)})`)
    console.log('')
    reportGroups.push({
      id: streamGroup.id,
      title: streamGroup.title,
      unit: streamGroup.unit,
      notes: streamGroup.notes,
      results: outcome.results,
    })
    all.push(...outcome.results)
    streamTargets = evaluateStreamTargets(outcome.results, outcome.sha384, outcome.rss)
  }

  let oneCore: OneCoreOutcome = { ok: false, note: 'not run (--no-one-core)' }
  const coreCases: Case[] = oneCoreCases(throughputTiming(options.quick)).filter(selected)
  if (options.oneCore && coreCases.length > 0) {
    progress('[one core] taskset -c 0 child')
    const coreStart = performance.now()
    oneCore = await measureOneCore(coreCases)
    progress('')
    if (oneCore.ok) {
      all.push(...oneCore.results)
      const unpinned = (id: string) => all.find((r) => r.case.id === id)?.results.native
      console.log(oneCoreTable(oneCore.results, unpinned))
    } else console.log(`== One core: not measured: ${oneCore.note}`)
    console.log(`   (${tookSince(coreStart)})`)
    console.log('')
  } else if (options.oneCore) oneCore = { ok: false, note: 'filtered out by --only' }

  let rss: RssReport[] = []
  if (options.rss && selected({ id: RSS_CASE_ID })) {
    progress(`[rss] one child per implementation${options.quick ? ', concurrently' : ''}`)
    const rssStart = performance.now()
    // The official SDK's footprint does not change with our code: --quick leaves it to the full run.
    const rssImpls = options.quick ? IMPL_NAMES.filter((n) => n !== 'official') : IMPL_NAMES
    rss = await measureRss(rssImpls, options.quick)
    progress('')
    console.log(rssTable(RSS_CASE_ID, rss))
    if (options.quick)
      console.log('   official SDK: measured in the full run only (its footprint does not change with this code)')
    console.log(`   (${tookSince(rssStart)})`)
    console.log('')
  }

  const targets = evaluateTargets(all, rss)
  console.log(formatTargets(targets))
  const kmsTarget = evaluateKmsTarget(all)
  console.log(formatKmsTarget(kmsTarget))
  if (batchTargets.length > 0) console.log(formatBatchTargets(batchTargets))
  if (streamTargets.length > 0) console.log(formatStreamTargets(streamTargets))
  const durationSeconds = (performance.now() - started) / 1000
  const finished = { date: new Date().toISOString(), loadAverage: os.loadavg(), durationSeconds }
  console.log('')
  console.log(`finished in ${durationSeconds.toFixed(1)} s; load average now ${formatLoad(finished.loadAverage)}`)

  if (options.json) {
    writeJsonReport(options.json, {
      schema: 'esdk-native-bench/1',
      mode: options.quick ? 'quick' : 'full',
      filter: options.only?.source,
      environment,
      finished,
      groups: reportGroups,
      oneCore,
      rss,
      ...(primitives ? { primitives } : {}),
      ...(startup ? { startup } : {}),
      ...(cli ? { cli } : {}),
      targets,
      kmsTarget,
      batchTargets,
      streamTargets,
    })
    console.log(`results written to ${options.json}`)
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err))
  process.exitCode = 1
})
