#!/usr/bin/env node
// npm run test:asan: builds the addon with AddressSanitizer + UBSan (cmake-js, ESDK_SANITIZE=ON) into build-asan/,
// then runs the native-facing ava tests (test/backend, test/session, test/batch, test/stream without its 1 GiB and S3
// runs, test/vectors) on that build.
// Exits non-zero when ava fails, when any sanitizer report appears (in the output or in any process's
// sanitizer log), when LeakSanitizer finds a leak allocated through our addon, or when the tests did
// not actually run on the sanitized addon.
//
//   npm run test:asan [-- --skip-tsc] [-- --clean] [-- --no-vectors] [-- --no-leaks]
//     --skip-tsc    do not run `npm run build` first (CI: `npm test` has just compiled)
//     --clean       wipe build-asan/ and configure from scratch (default: incremental)
//     --no-vectors  leave test/vectors out (about 15 s here)
//     --no-leaks    LeakSanitizer off (detect_leaks=0)
'use strict'

const { spawn, spawnSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')

const root = path.resolve(__dirname, '..')
const outDir = path.join(root, 'build-asan')
const addonPath = path.join(outDir, 'Release', 'esdk_native.node')
const args = new Set(process.argv.slice(2))
for (const a of args) {
  if (!['--skip-tsc', '--clean', '--no-vectors', '--no-leaks'].includes(a)) fail(`unknown argument ${a}`)
}

const TEST_GLOBS = [
  'test/backend/**/*.test.ts',
  'test/session/**/*.test.ts',
  'test/batch/**/*.test.ts',
  ...['round-trip', 'tamper', 'flow', 'caching'].map((name) => `test/stream/${name}.test.ts`),
]
if (!args.has('--no-vectors')) TEST_GLOBS.push('test/vectors/**/*.test.ts')

// What counts as a sanitizer finding, wherever it shows up (LeakSanitizer's reports are judged apart, below).
const SANITIZER_REPORT = /ERROR: AddressSanitizer|SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer)|runtime error:/
const LEAK_HEADER = /^=+\d*=+ERROR: LeakSanitizer: detected memory leaks\s*$/m
// A leak is ours when its allocation stack passes through the addon (our code, or OpenSSL called from it)...
const OUR_FRAME = /esdk_native\.node|esdk::/
// ...unless it is state that lives as long as its owner, which is not gone at exit:
//   - Node-API's record of an external (napi_create_external): a handle JS still held when the process exited
//     (node does not finalize live externals at exit; what we own behind it shows as an indirect leak);
//   - OpenSSL's per-thread state, made on first use on each thread (the error queue behind ERR_set_mark, the
//     per-thread DRBGs behind RAND_priv_bytes / RAND_bytes): libuv's pool threads are never joined at exit,
//     so OPENSSL_thread_stop never runs for them. One set per thread, not per call;
//   - V8's own heap pages (MemoryAllocator::AllocatePage): a garbage collection that an allocation from inside an
//     addon call set off grows the heap; the isolate keeps its pages until teardown, which node skips at exit.
//     One per heap page, whoever's allocation happened to trigger the collection.
const EXCUSED_LEAK =
  / in (napi_create_external|ERR_set_mark|ERR_get_state|ossl_err_get_state_int|RAND_get0_private|RAND_get0_public|RAND_get0_primary|v8::internal::MemoryAllocator::AllocatePage)[ (]/
const leaks = {
  checked: !args.has('--no-leaks'),
  processes: 0,
  ours: 0,
  excused: 0,
  indirect: 0,
  theirs: 0,
  theirBytes: 0,
}

function log(msg) {
  process.stdout.write(`[test:asan] ${msg}\n`)
}

function fail(msg) {
  process.stdout.write(`[test:asan] ${msg}\n`)
  process.stdout.write(`test:asan: FAILED (${msg.split('\n')[0]})\n`)
  process.exit(1)
}

function seconds(start) {
  return `${((Date.now() - start) / 1000).toFixed(1)}s`
}

function run(cmd, argv, env) {
  const r = spawnSync(cmd, argv, { cwd: root, env, stdio: 'inherit' })
  if (r.error) fail(`${path.basename(cmd)} ${argv.join(' ')}: ${r.error.message}`)
  if (r.status !== 0) fail(`${path.basename(cmd)} ${argv.join(' ')} exited ${r.status ?? r.signal}`)
}

/** gcc's own path for a runtime library; gcc prints the bare name back when it has none. */
function gccLibrary(name) {
  const r = spawnSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' })
  const file = (r.stdout || '').trim()
  if (r.status !== 0 || !path.isAbsolute(file) || !fs.existsSync(file))
    fail(`gcc has no ${name} (is gcc with libsanitizer installed?)`)
  return file
}

const timings = {}

// 1. The sanitized addon. Node's own headers (and its OpenSSL headers) from the running node's prefix, as
//    build:cmake does: cmake-js must never try to download them.
{
  const started = Date.now()
  const nodedir = path.dirname(path.dirname(process.execPath))
  if (!fs.existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) {
    fail(`no Node headers under ${nodedir}/include/node (cmake-js would try to download them)`)
  }
  const env = { ...process.env, npm_config_nodedir: nodedir }
  const cmakeJs = [
    require.resolve('cmake-js/bin/cmake-js'),
    '--log-level',
    'warn',
    '--directory',
    root,
    '--out',
    outDir,
  ]
  if (args.has('--clean')) fs.rmSync(outDir, { recursive: true, force: true })
  log(`building ${path.relative(root, addonPath)} (ESDK_SANITIZE=ON, nodedir ${nodedir})`)
  // configure every time, so ESDK_SANITIZE=ON is in force even in a reused build dir; the build is incremental.
  run(process.execPath, [cmakeJs[0], 'configure', ...cmakeJs.slice(1), '--CDESDK_SANITIZE=ON'], env)
  run(process.execPath, [cmakeJs[0], 'build', ...cmakeJs.slice(1)], env)
  if (!fs.existsSync(addonPath)) fail(`the build produced no ${addonPath}`)
  const image = fs.readFileSync(addonPath)
  for (const marker of ['__asan_report_', '__ubsan_handle_']) {
    if (!image.includes(marker))
      fail(`${addonPath} is not instrumented (no ${marker}* references): was ESDK_SANITIZE honoured?`)
  }
  timings.build = seconds(started)
}

// 2. The compiled tests (build/test, build/lib).
if (!args.has('--skip-tsc')) {
  const started = Date.now()
  log('compiling TypeScript (npm run build)')
  run(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
    process.env,
  )
  timings.tsc = seconds(started)
}
if (!fs.existsSync(path.join(root, 'build', 'lib', 'index.js')))
  fail('build/lib/index.js is missing: run npm run build')

// 3. The sanitizer environment. libasan must come first in the process's library list, hence LD_PRELOAD into
//    node itself; libubsan is NEEDED by the addon and needs no preload. Leak detection is on, but node leaks by
//    design at exit (about a hundred allocations of its own: V8, ICU, its OpenSSL setup), so LeakSanitizer does
//    not touch the exit status (exitcode=0) and its reports are sorted here instead: a leak whose allocation
//    stack passes through esdk_native.node fails the run, node's own are counted in the summary. Node-API runs
//    every pending finalizer when the environment is torn down, so a native object owned by a JS handle that
//    was never collected is freed at exit and is no false positive. ASan writes its reports to a file per process (log_path), so a report from a child process
//    whose stderr a test swallows is still seen. GCC 12's libubsan ignores log_path next to ASan and reports on
//    stderr; the build makes UBSan findings fatal (-fno-sanitize-recover=all), so such a child still exits 1.
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'esdk-asan-'))
const logDir = path.join(work, 'logs')
const auditDir = path.join(work, 'audit')
fs.mkdirSync(logDir)
fs.mkdirSync(auditDir)
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }))
// Loaded into every node process of the run (NODE_OPTIONS=--require): at exit it records which esdk_native.node
// and which sanitizer runtimes the process had mapped, so we can tell that ava's workers ran on the ASan addon.
const auditHook = path.join(work, 'audit-hook.js')
fs.writeFileSync(
  auditHook,
  `'use strict';
process.on('exit', () => {
  try {
    const fs = require('fs');
    const mapped = new Set();
    for (const line of fs.readFileSync('/proc/self/maps', 'utf8').split('\\n')) {
      const file = line.split(/\\s+/).slice(5).join(' ');
      if (/esdk_native\\.node$|libasan\\.so|libubsan\\.so/.test(file)) mapped.add(file);
    }
    fs.writeFileSync(${JSON.stringify(auditDir)} + '/' + process.pid + '.json',
      JSON.stringify({ pid: process.pid, argv: process.argv, mapped: [...mapped] }));
  } catch {}
});
`,
)

const sanitizerEnv = {
  ...process.env,
  ESDK_BACKEND: 'native',
  ESDK_NATIVE_ADDON_PATH: addonPath,
  // The instrumented VAES code is slower than OpenSSL's uninstrumented EVP, so the load-time race
  // would pick EVP and leave our own GCM unchecked: pin it.
  ESDK_GCM_IMPL: process.env.ESDK_GCM_IMPL ?? 'vaes',
  LD_PRELOAD: [gccLibrary('libasan.so'), process.env.LD_PRELOAD].filter(Boolean).join(':'),
  ASAN_OPTIONS: `detect_leaks=${leaks.checked ? 1 : 0}:abort_on_error=1:log_path=${logDir}/asan`,
  LSAN_OPTIONS: 'exitcode=0',
  UBSAN_OPTIONS: `halt_on_error=1:print_stacktrace=1:log_path=${logDir}/ubsan`,
  NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require ${auditHook}`].filter(Boolean).join(' '),
}

/**
 * A LeakSanitizer report split into the leaks whose allocation went through our addon and node's own;
 * `rest` is the log without the leak report (anything else there is judged as before).
 */
function sortLeaks(text) {
  const at = text.search(LEAK_HEADER)
  if (at < 0) return { rest: text, ours: [], excused: 0, indirect: 0, theirs: 0, theirBytes: 0 }
  const end = text.indexOf('SUMMARY: AddressSanitizer:', at)
  const report = end < 0 ? text.slice(at) : text.slice(at, text.indexOf('\n', end) + 1 || text.length)
  const blocks = report.split(/\n(?=(?:Direct|Indirect) leak of )/).filter((b) => /^(Direct|Indirect) leak of /.test(b))
  // Every leaked graph has a root, a direct leak: judging the direct ones judges the graph. An indirect
  // leak through our frames is counted; it is reachable from a root that is either ours (and fails) or excused.
  const mine = blocks.filter((b) => OUR_FRAME.test(b))
  const ours = mine.filter((b) => /^Direct/.test(b) && !EXCUSED_LEAK.test(b))
  const excused = mine.filter((b) => /^Direct/.test(b) && EXCUSED_LEAK.test(b)).length
  const indirect = mine.filter((b) => /^Indirect/.test(b)).length
  const theirs = blocks.filter((b) => !OUR_FRAME.test(b))
  const theirBytes = theirs.reduce((n, b) => n + Number((/leak of (\d+) byte/.exec(b) ?? [0, 0])[1]), 0)
  return {
    rest: text.slice(0, at) + text.slice(at + report.length),
    ours,
    excused,
    indirect,
    theirs: theirs.length,
    theirBytes,
  }
}

/** Every sanitizer log any process wrote, printed (node's own and excused leaks only counted); true when one holds a non-leak report. */
function sanitizerLogs() {
  let found = false
  for (const name of fs.readdirSync(logDir).sort()) {
    const text = fs.readFileSync(path.join(logDir, name), 'utf8')
    if (text.trim() === '') continue
    const sorted = sortLeaks(text)
    if (sorted.rest !== text) leaks.processes++
    leaks.theirs += sorted.theirs
    leaks.theirBytes += sorted.theirBytes
    leaks.ours += sorted.ours.length
    leaks.excused += sorted.excused
    leaks.indirect += sorted.indirect
    const shown = [sorted.rest.trim(), ...sorted.ours].filter((part) => part !== '').join('\n')
    if (shown !== '')
      process.stdout.write(`[test:asan] ---- sanitizer log ${name} ----\n${shown}\n[test:asan] ---- end ${name} ----\n`)
    // Our leaks are printed here and counted in `leaks.ours` (their own problem line below).
    if (SANITIZER_REPORT.test(sorted.rest)) found = true
  }
  return found
}

// 4. Preflight: in this environment the loader picks the ASan build, selects native, and the sanitizer runtimes
//    are really in the process.
{
  const script = `
const info = require(${JSON.stringify(path.join(root, 'build', 'lib', 'index.js'))}).getBackendInfo();
const maps = require('fs').readFileSync('/proc/self/maps', 'utf8');
process.stdout.write(JSON.stringify({ backend: info.backend, addonPath: info.addonPath, reasons: info.reasons,
  asan: /libasan\\.so/.test(maps), ubsan: /libubsan\\.so/.test(maps), addonMapped: maps.includes(${JSON.stringify(addonPath)}) }));`
  const r = spawnSync(process.execPath, ['-e', script], { cwd: root, env: sanitizerEnv, encoding: 'utf8' })
  let info
  try {
    info = JSON.parse(r.stdout)
  } catch {
    sanitizerLogs()
    fail(`preflight did not run (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`)
  }
  const problems = []
  if (info.backend !== 'native')
    problems.push(`getBackendInfo().backend is ${info.backend}: ${info.reasons.join('; ')}`)
  if (info.addonPath !== addonPath) problems.push(`getBackendInfo().addonPath is ${info.addonPath}, not ${addonPath}`)
  if (!info.asan || !info.ubsan)
    problems.push(`sanitizer runtimes not mapped (libasan ${info.asan}, libubsan ${info.ubsan})`)
  if (!info.addonMapped) problems.push('the ASan addon is not mapped into the process')
  if (problems.length > 0) fail(`preflight: ${problems.join('; ')}`)
  log(`preflight: backend native, addon ${info.addonPath}, libasan + libubsan mapped`)
}

// 5. The tests.
;(async () => {
  const started = Date.now()
  const avaCli = path.join(root, 'node_modules', 'ava', 'entrypoints', 'cli.mjs')
  log(`ava ${TEST_GLOBS.join(' ')}`)
  const output = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [avaCli, '--tap', ...TEST_GLOBS], {
      cwd: root,
      env: sanitizerEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let text = ''
    const tee = (stream) => (chunk) => {
      stream.write(chunk)
      text += chunk.toString('utf8')
    }
    child.stdout.on('data', tee(process.stdout))
    child.stderr.on('data', tee(process.stderr))
    child.on('error', reject)
    child.on('close', (status, signal) => resolve({ text, status, signal }))
  })
  timings.tests = seconds(started)

  const lines = output.text.split('\n')
  const passed = lines.filter((l) => /^ok \d+/.test(l) && !/# SKIP/.test(l))
  const skipped = lines.filter((l) => /^ok \d+.*# SKIP/.test(l))
  const failed = lines.filter((l) => /^not ok \d+/.test(l) && !/# TODO/.test(l))
  const problems = []
  if (output.status !== 0) problems.push(`ava exited ${output.status ?? output.signal}`)
  if (failed.length > 0) problems.push(`${failed.length} test(s) failed`)
  if (SANITIZER_REPORT.test(output.text)) problems.push('sanitizer report in the test output')
  if (sanitizerLogs()) problems.push('sanitizer report in a sanitizer log (printed above)')

  // Did the tests run on the sanitized addon?
  const nativePassed = passed.filter((l) => /\[native\]/.test(l)).length
  if (nativePassed === 0) problems.push('no [native] test passed')
  const nativeSkipped = skipped.filter((l) => /\[native\]/.test(l))
  if (nativeSkipped.length > 0)
    problems.push(`native tests skipped (addon unavailable in the worker?):\n  ${nativeSkipped.join('\n  ')}`)
  const audits = fs.readdirSync(auditDir).map((f) => JSON.parse(fs.readFileSync(path.join(auditDir, f), 'utf8')))
  const workers = audits.filter((a) => /[\\/]ava[\\/]lib[\\/]worker[\\/]/.test(a.argv[1] ?? ''))
  const onAsan = workers.filter((w) => w.mapped.includes(addonPath))
  const elsewhere = workers.filter((w) => w.mapped.some((m) => /esdk_native\.node$/.test(m) && m !== addonPath))
  const unsanitized = workers.filter((w) => !w.mapped.some((m) => /libasan\.so/.test(m)))
  if (workers.length === 0) problems.push('no ava worker process reported back (audit hook)')
  if (onAsan.length === 0) problems.push('no ava worker loaded the ASan addon')
  if (elsewhere.length > 0)
    problems.push(
      `${elsewhere.length} ava worker(s) loaded another esdk_native.node: ${[...new Set(elsewhere.flatMap((w) => w.mapped.filter((m) => /esdk_native\.node$/.test(m))))].join(', ')}`,
    )
  if (unsanitized.length > 0) problems.push(`${unsanitized.length} ava worker(s) ran without libasan`)

  if (leaks.ours > 0) problems.push(`${leaks.ours} leak(s) allocated through esdk_native.node (printed above)`)
  const leakLine = leaks.checked
    ? `leaks: ${leaks.ours} through the addon (${leaks.excused} live-at-exit handle or per-thread OpenSSL records, ${leaks.indirect} indirect, excused); ` +
      `node's own ${leaks.theirs} report(s), ${leaks.theirBytes} bytes, over ${leaks.processes} process exit(s)`
    : 'leaks: not checked (--no-leaks)'
  const counts =
    `${passed.length} passed (${nativePassed} [native]), ${failed.length} failed, ${skipped.length} skipped; ` +
    `${onAsan.length}/${workers.length} ava workers on the ASan addon; ${leakLine}`
  const time = Object.entries(timings)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')
  if (problems.length > 0) {
    for (const p of problems) log(`problem: ${p}`)
    process.stdout.write(
      `test:asan: FAILED (${problems.map((p) => p.split('\n')[0]).join('; ')}); ${counts}; ${time}\n`,
    )
    process.exit(1)
  }
  process.stdout.write(`test:asan: clean, ${counts}; ${time}\n`)
})().catch((err) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)))
