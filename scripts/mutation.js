#!/usr/bin/env node
// npm run mutation: mutation testing (StrykerJS, its command test runner) of the security checks in lib/format,
// lib/session, the caching CMM and the KMS discovery filters. Stryker mutates the compiled build/lib/*.js in its
// sandbox copy (never in this work tree) and, per mutant, runs the ava test files that bear on that area; a mutant
// a test run does not fail "survived". Survivors are mapped back to the TypeScript line through the build's source
// maps and checked against docs/mutation-survivors.md, where each one needs a written reason (or a test that
// kills it).
//
//   npm run mutation [-- --area format] [-- --area session] [-- --concurrency 2] [-- --no-build]
//     --area NAME       only this area (repeatable): format, session, caching, kms-filters
//     --concurrency N   mutants run at once (default 3)
//     --no-build        use build/ as it is
//     --report          only summarize the Stryker reports already in reports/mutation
// Writes reports/mutation/<area>.json (Stryker's report) and reports/mutation/summary.json (scores, survivors,
// reasons). Exit status: 0 when every survivor has a reason; 1 when one has none; 2 on a Stryker failure.
'use strict'

const { spawnSync } = require('child_process')
const fs = require('fs')
const path = require('path')
const { SourceMap } = require('module')
const { Command } = require('commander')

const root = path.resolve(__dirname, '..')
const reportDir = path.join(root, 'reports', 'mutation')
const reasonsFile = path.join(root, 'docs', 'mutation-survivors.md')

/**
 * What each area mutates (compiled files) and the tests that judge it. The lists stay small enough that one
 * run of them takes seconds: Stryker's command runner has no per-test coverage, so every mutant runs them all.
 */
const AREAS = {
  format: {
    mutate: ['build/lib/format/*.js'],
    tests: [
      'test/format/*.test.ts',
      '!test/format/body-table.property.test.ts',
      '!test/format/header.property.test.ts',
    ],
  },
  // Two runs, each with the tests of its side: the whole list for every mutant would take hours.
  session: {
    parts: [
      {
        mutate: [
          'build/lib/session/decrypt-message.js',
          'build/lib/session/decrypt-setup.js',
          'build/lib/session/open-records.js',
          'build/lib/session/streamed-decryption.js',
        ],
        tests: [
          'test/session/commitment-policy.test.ts',
          'test/session/key-commitment.test.ts',
          'test/session/materials-checks.test.ts',
          'test/session/pool-wipe.test.ts',
          'test/session/tamper.test.ts',
          'test/session/trailing-bytes.test.ts',
          'test/materials/required-context-cmm.test.ts',
          'test/batch/decrypt-batch.test.ts',
          'test/stream/tamper.test.ts',
        ],
      },
      {
        mutate: [
          'build/lib/session/encrypt-message.js',
          'build/lib/session/encrypt-setup.js',
          'build/lib/session/seal-records.js',
          'build/lib/session/streamed-encryption.js',
        ],
        tests: [
          'test/session/commitment-policy.test.ts',
          'test/session/limits.test.ts',
          'test/session/message-structure.test.ts',
          'test/session/reserved-prefix.test.ts',
          'test/session/materials-checks.test.ts',
          'test/session/encrypt-materials-checks.test.ts',
          'test/session/signing-key-disposal.test.ts',
          'test/materials/required-context-cmm.test.ts',
          'test/api/message-header.test.ts',
          'test/api/returned-headers.test.ts',
          'test/session/data-key-wipe.test.ts',
          'test/batch/seal-failure.test.ts',
          'test/interop/interop-suites.test.ts',
          'test/interop/interop-contexts.test.ts',
          'test/batch/encrypt-batch.test.ts',
          'test/batch/backends-identical.test.ts',
          'test/stream/flow.test.ts',
          'test/stream/official-flow.test.ts',
        ],
      },
    ],
  },
  caching: {
    mutate: ['build/lib/materials/caching/caching-cmm.js'],
    tests: [
      'test/caching/encrypt-caching.test.ts',
      'test/caching/decrypt-caching.test.ts',
      'test/caching/hygiene.test.ts',
      'test/caching/concurrency.test.ts',
      'test/caching/options.test.ts',
      'test/caching/sync-path.test.ts',
      'test/caching/stats.test.ts',
      'test/caching/uncacheable-materials.test.ts',
      'test/caching/batch-runs.test.ts',
      'test/batch/caching-batch.test.ts',
      'test/stream/caching.test.ts',
    ],
  },
  'kms-filters': {
    mutate: [
      'build/lib/materials/kms/discovery-filter.js',
      'build/lib/materials/kms/mrk-match.js',
      'build/lib/materials/kms/mrk-discovery-keyring.js',
      'build/lib/materials/kms/kms-keyring.js',
    ],
    tests: [
      'test/kms/keyrings-unit.test.ts',
      'test/kms/kms-keyring.test.ts',
      'test/kms/mrk-keyrings.test.ts',
      'test/kms/arn.test.ts',
    ],
  },
}

function main() {
  const program = new Command()
    .name('mutation')
    .option('--area <name>', 'only this area (repeatable)', (v, all) => [...all, v], [])
    .option('--concurrency <n>', 'mutants run at once', (v) => Number.parseInt(v, 10), 3)
    .option('--no-build', 'use build/ as it is')
    .option('--report', 'only summarize the reports on disk')
    .parse()
  const opts = program.opts()
  const areas = opts.area.length > 0 ? opts.area : Object.keys(AREAS)
  for (const a of areas) if (!AREAS[a]) fail(`unknown area ${a} (one of ${Object.keys(AREAS).join(', ')})`)
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) fail('--concurrency needs a positive integer')

  if (opts.report) return Promise.resolve(report(areas))
  if (opts.build) run('npm', ['run', 'build'])
  fs.mkdirSync(reportDir, { recursive: true })
  return runAreas(areas, opts.concurrency).then(() => report(areas))
}

/** The summary of every area with a Stryker report on disk, from those reports; prints the areas just run. */
function report(ran) {
  const reasons = readReasons()
  const summary = { areas: {} }
  for (const area of Object.keys(AREAS)) {
    const mutants = []
    for (const part of AREAS[area].parts || [AREAS[area]]) {
      const file = reportFile(area, part)
      if (!fs.existsSync(file)) continue
      const { files } = JSON.parse(fs.readFileSync(file, 'utf8'))
      for (const [fileName, { mutants: list }] of Object.entries(files))
        for (const m of list) mutants.push({ ...m, fileName })
    }
    if (mutants.length > 0) summary.areas[area] = summarize(area, mutants, reasons)
  }
  summary.overall = totals(Object.values(summary.areas))
  fs.writeFileSync(path.join(reportDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n')
  return print(
    summary,
    ran.filter((a) => summary.areas[a]),
  )
}

/** One report per area, or per part where an area runs in parts (named after the part's first file). */
function reportFile(area, part) {
  const name = AREAS[area].parts ? `${area}-${path.basename(part.mutate[0], '.js')}` : area
  return path.join(reportDir, `${name}.json`)
}

async function runAreas(areas, concurrency) {
  // Loaded here so that --help works without the devDependency.
  const { Stryker } = require('@stryker-mutator/core')
  for (const area of areas)
    for (const part of AREAS[area].parts || [AREAS[area]]) await runPart(Stryker, area, part, concurrency)
}

async function runPart(Stryker, area, { mutate, tests }, concurrency) {
  const files = expandTests(tests)
  // The tests look for ../shared/test-vectors above the repo root; the sandbox sits deeper, so name it.
  process.env.ESDK_TEST_VECTORS = process.env.ESDK_TEST_VECTORS || path.resolve(root, '..', 'shared', 'test-vectors')
  const command = ['node', 'node_modules/ava/entrypoints/cli.mjs', '--fail-fast', '--concurrency', '2', ...files]
  console.log(`\n== ${area}: ${mutate.join(' ')}\n   tests: ${files.length} files`)
  const stryker = new Stryker({
    testRunner: 'command',
    commandRunner: { command: command.join(' ') },
    mutate,
    concurrency,
    // The command runner cannot tell which tests cover a mutant: every mutant runs the whole command.
    coverageAnalysis: 'off',
    mutator: { excludedMutations: EXCLUDED_MUTATORS },
    timeoutMS: 20000,
    timeoutFactor: 2,
    disableTypeChecks: false,
    // One temp folder per area, so that areas can run side by side.
    tempDirName: `.stryker-tmp-${area}`,
    cleanTempDir: true,
    ignorePatterns: ['/.stryker-tmp*/', '/build-*/', '/.ci-cache/', '/reports/', '/*.tgz', '/build/lib/cli/*.v8-cache'],
    reporters: ['json', 'progress'],
    jsonReporter: { fileName: path.relative(root, reportFile(area, { mutate })) },
    logLevel: 'info',
    fileLogLevel: 'off',
    allowConsoleColors: false,
  })
  return stryker.runMutationTest()
}

/** Test globs (with ! exclusions) to the files as ava wants them. */
function expandTests(patterns) {
  const include = []
  const exclude = new Set()
  for (const p of patterns) {
    const neg = p.startsWith('!')
    const list = glob(neg ? p.slice(1) : p)
    if (neg) list.forEach((f) => exclude.add(f))
    else include.push(...list)
  }
  return [...new Set(include)].filter((f) => !exclude.has(f)).sort()
}

/** `dir/*.suffix` or a plain path: all this script needs. */
function glob(pattern) {
  const star = pattern.indexOf('*')
  if (star < 0) {
    if (!fs.existsSync(path.join(root, pattern))) fail(`no test file ${pattern}`)
    return [pattern]
  }
  const dir = path.dirname(pattern)
  const suffix = path.basename(pattern).slice(1)
  return fs
    .readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith(suffix))
    .map((f) => `${dir}/${f}`)
}

/**
 * Not mutated: string literals are almost all error-message text here, and their mutants (each message emptied)
 * tripled the run time for no check; the strings that are checks (provider ids, the reserved prefix) have tests
 * comparing them byte for byte.
 */
const EXCLUDED_MUTATORS = ['StringLiteral']

const DETECTED = new Set(['Killed', 'Timeout'])
const UNDETECTED = new Set(['Survived', 'NoCoverage'])

function summarize(area, mutants, reasons) {
  // Mutants with no TypeScript line are in what tsc adds ("use strict", the __esModule marker): not our code.
  const ours = mutants
    .filter((m) => !EXCLUDED_MUTATORS.includes(m.mutatorName))
    .map((m) => ({ m, at: originalPosition(m.fileName, m.location.start) }))
    .filter(({ at }) => at.line > 0)
  const counts = {}
  for (const { m } of ours) counts[m.status] = (counts[m.status] || 0) + 1
  const survivors = ours
    .filter(({ m }) => UNDETECTED.has(m.status))
    .map(({ m, at }) => {
      const key = `${at.file}:${at.line}`
      return {
        at: key,
        mutator: m.mutatorName,
        replacement: oneLine(m.replacement || ''),
        original: oneLine(at.source),
        reason: reasons.get(key),
      }
    })
    .sort((a, b) => a.at.localeCompare(b.at, 'en', { numeric: true }))
  const explained = survivors.filter((s) => s.reason).length
  return { ...totals([{ counts, explained }]), counts, survivors }
}

function totals(list) {
  const counts = {}
  for (const a of list) for (const [k, v] of Object.entries(a.counts)) counts[k] = (counts[k] || 0) + v
  const sum = (set) => Object.entries(counts).reduce((n, [k, v]) => n + (set.has(k) ? v : 0), 0)
  const detected = sum(DETECTED)
  const valid = detected + sum(UNDETECTED)
  const explained = list.reduce((n, a) => n + (a.explained || 0), 0)
  const survived = sum(UNDETECTED)
  return {
    mutants: Object.values(counts).reduce((n, v) => n + v, 0),
    valid,
    detected,
    survived,
    explained,
    score: valid === 0 ? null : Math.round((1000 * detected) / valid) / 10,
    // Counting survivors with a written reason (equivalent mutants, messages) as accounted for.
    scoreExplained: valid === 0 ? null : Math.round((1000 * (detected + explained)) / valid) / 10,
  }
}

const maps = new Map()

/** A position in build/lib/x.js back to lib/x.ts through the build's source map (Stryker's report: 1-based). */
function originalPosition(fileName, start) {
  const abs = path.resolve(root, fileName)
  if (!maps.has(abs)) {
    const map = JSON.parse(fs.readFileSync(`${abs}.map`, 'utf8'))
    const source = path.resolve(path.dirname(abs), map.sources[0])
    maps.set(abs, { map: new SourceMap(map), source, lines: fs.readFileSync(source, 'utf8').split('\n') })
  }
  const { map, source, lines } = maps.get(abs)
  const entry = map.findEntry(start.line - 1, start.column - 1)
  const line = entry && entry.originalLine !== undefined ? entry.originalLine + 1 : 0
  return { file: path.relative(root, source), line, source: lines[line - 1] || '' }
}

/** docs/mutation-survivors.md: lines "- `lib/x.ts:123` ... : reason". */
function readReasons() {
  const reasons = new Map()
  if (!fs.existsSync(reasonsFile)) return reasons
  for (const line of fs.readFileSync(reasonsFile, 'utf8').split('\n')) {
    const m = /^- `([^`]+:\d+)`[^:]*: (.+)$/.exec(line)
    if (m) reasons.set(m[1], m[2])
  }
  return reasons
}

function print(summary, ran) {
  console.log('\narea          mutants  killed+timeout  survived  score  (with reasons)')
  const row = (name, a) =>
    console.log(
      `${name.padEnd(13)} ${String(a.valid).padStart(7)}  ${String(a.detected).padStart(14)}  ` +
        `${String(a.survived).padStart(8)}  ${String(a.score).padStart(5)}%  ${a.scoreExplained}%`,
    )
  for (const [name, a] of Object.entries(summary.areas)) row(name, a)
  row('all', summary.overall)
  let missing = 0
  for (const name of ran) {
    for (const s of summary.areas[name].survivors) {
      if (s.reason) continue
      missing++
      console.log(`  no reason: ${s.at} ${s.mutator} -> ${s.replacement}   | ${s.original.trim()}`)
    }
  }
  if (missing > 0) console.log(`\n${missing} survivors without a reason in docs/mutation-survivors.md`)
  return missing > 0 ? 1 : 0
}

function oneLine(s) {
  return s.replace(/\s+/g, ' ').slice(0, 160)
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed`)
}

function fail(message) {
  console.error(`mutation: ${message}`)
  process.exit(2)
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e)
    process.exit(2)
  },
)
