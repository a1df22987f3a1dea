#!/usr/bin/env node
// npm run test:asan: builds the addon with AddressSanitizer + UBSan (cmake-js, ESDK_SANITIZE=ON) into build-asan/,
// then runs the native-facing ava tests (test/backend, test/session, test/batch, test/vectors) on that build.
// Exits non-zero when ava fails, when any sanitizer report appears (in the output or in any process's
// sanitizer log), or when the tests did not actually run on the sanitized addon.
//
//   npm run test:asan [-- --skip-tsc] [-- --clean] [-- --no-vectors]
//     --skip-tsc    do not run `npm run build` first (CI: `npm test` has just compiled)
//     --clean       wipe build-asan/ and configure from scratch (default: incremental)
//     --no-vectors  leave test/vectors out (about 15 s here)
'use strict';

const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'build-asan');
const addonPath = path.join(outDir, 'Release', 'esdk_native.node');
const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (!['--skip-tsc', '--clean', '--no-vectors'].includes(a)) fail(`unknown argument ${a}`);
}

const TEST_GLOBS = ['test/backend/**/*.test.ts', 'test/session/**/*.test.ts', 'test/batch/**/*.test.ts'];
if (!args.has('--no-vectors')) TEST_GLOBS.push('test/vectors/**/*.test.ts');

// What counts as a sanitizer finding, wherever it shows up.
const SANITIZER_REPORT = /ERROR: (AddressSanitizer|LeakSanitizer)|SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer)|runtime error:/;

function log(msg) {
  process.stdout.write(`[test:asan] ${msg}\n`);
}

function fail(msg) {
  process.stdout.write(`[test:asan] ${msg}\n`);
  process.stdout.write(`test:asan: FAILED (${msg.split('\n')[0]})\n`);
  process.exit(1);
}

function seconds(start) {
  return `${((Date.now() - start) / 1000).toFixed(1)}s`;
}

function run(cmd, argv, env) {
  const r = spawnSync(cmd, argv, { cwd: root, env, stdio: 'inherit' });
  if (r.error) fail(`${path.basename(cmd)} ${argv.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) fail(`${path.basename(cmd)} ${argv.join(' ')} exited ${r.status ?? r.signal}`);
}

/** gcc's own path for a runtime library; gcc prints the bare name back when it has none. */
function gccLibrary(name) {
  const r = spawnSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' });
  const file = (r.stdout || '').trim();
  if (r.status !== 0 || !path.isAbsolute(file) || !fs.existsSync(file)) fail(`gcc has no ${name} (is gcc with libsanitizer installed?)`);
  return file;
}

const timings = {};

// 1. The sanitized addon. Node's own headers (and its OpenSSL headers) from the running node's prefix, as
//    build:cmake does: cmake-js must never try to download them.
{
  const started = Date.now();
  const nodedir = path.dirname(path.dirname(process.execPath));
  if (!fs.existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) {
    fail(`no Node headers under ${nodedir}/include/node (cmake-js would try to download them)`);
  }
  const env = { ...process.env, npm_config_nodedir: nodedir };
  const cmakeJs = [require.resolve('cmake-js/bin/cmake-js'), '--log-level', 'warn', '--directory', root, '--out', outDir];
  if (args.has('--clean')) fs.rmSync(outDir, { recursive: true, force: true });
  log(`building ${path.relative(root, addonPath)} (ESDK_SANITIZE=ON, nodedir ${nodedir})`);
  // configure every time, so ESDK_SANITIZE=ON is in force even in a reused build dir; the build is incremental.
  run(process.execPath, [cmakeJs[0], 'configure', ...cmakeJs.slice(1), '--CDESDK_SANITIZE=ON'], env);
  run(process.execPath, [cmakeJs[0], 'build', ...cmakeJs.slice(1)], env);
  if (!fs.existsSync(addonPath)) fail(`the build produced no ${addonPath}`);
  const image = fs.readFileSync(addonPath);
  for (const marker of ['__asan_report_', '__ubsan_handle_']) {
    if (!image.includes(marker)) fail(`${addonPath} is not instrumented (no ${marker}* references): was ESDK_SANITIZE honoured?`);
  }
  timings.build = seconds(started);
}

// 2. The compiled tests (build/test, build/lib).
if (!args.has('--skip-tsc')) {
  const started = Date.now();
  log('compiling TypeScript (npm run build)');
  run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], process.env);
  timings.tsc = seconds(started);
}
if (!fs.existsSync(path.join(root, 'build', 'lib', 'index.js'))) fail('build/lib/index.js is missing: run npm run build');

// 3. The sanitizer environment. libasan must come first in the process's library list, hence LD_PRELOAD into
//    node itself; libubsan is NEEDED by the addon and needs no preload. Leak detection is off: node leaks by
//    design at exit. ASan writes its reports to a file per process (log_path), so a report from a child process
//    whose stderr a test swallows is still seen. GCC 12's libubsan ignores log_path next to ASan and reports on
//    stderr; the build makes UBSan findings fatal (-fno-sanitize-recover=all), so such a child still exits 1.
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'esdk-asan-'));
const logDir = path.join(work, 'logs');
const auditDir = path.join(work, 'audit');
fs.mkdirSync(logDir);
fs.mkdirSync(auditDir);
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
// Loaded into every node process of the run (NODE_OPTIONS=--require): at exit it records which esdk_native.node
// and which sanitizer runtimes the process had mapped, so we can tell that ava's workers ran on the ASan addon.
const auditHook = path.join(work, 'audit-hook.js');
fs.writeFileSync(auditHook, `'use strict';
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
`);

const sanitizerEnv = {
  ...process.env,
  ESDK_BACKEND: 'native',
  ESDK_NATIVE_ADDON_PATH: addonPath,
  // Our VAES code, not what the load-time race picks: instrumented, it loses to the uninstrumented OpenSSL
  // inside node, and frames must run through the code the sanitizers are here to check.
  ESDK_GCM_IMPL: 'vaes',
  LD_PRELOAD: [gccLibrary('libasan.so'), process.env.LD_PRELOAD].filter(Boolean).join(':'),
  ASAN_OPTIONS: `detect_leaks=0:abort_on_error=1:log_path=${logDir}/asan`,
  UBSAN_OPTIONS: `halt_on_error=1:print_stacktrace=1:log_path=${logDir}/ubsan`,
  NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require ${auditHook}`].filter(Boolean).join(' '),
};

/** Every sanitizer log any process wrote, printed; true when one holds a report. */
function sanitizerLogs() {
  let found = false;
  for (const name of fs.readdirSync(logDir).sort()) {
    const text = fs.readFileSync(path.join(logDir, name), 'utf8');
    if (text.trim() === '') continue;
    process.stdout.write(`[test:asan] ---- sanitizer log ${name} ----\n${text}\n[test:asan] ---- end ${name} ----\n`);
    if (SANITIZER_REPORT.test(text)) found = true;
  }
  return found;
}

// 4. Preflight: in this environment the loader picks the ASan build, selects native, and the sanitizer runtimes
//    are really in the process.
{
  const script = `
const info = require(${JSON.stringify(path.join(root, 'build', 'lib', 'index.js'))}).getBackendInfo();
const maps = require('fs').readFileSync('/proc/self/maps', 'utf8');
process.stdout.write(JSON.stringify({ backend: info.backend, addonPath: info.addonPath, reasons: info.reasons,
  asan: /libasan\\.so/.test(maps), ubsan: /libubsan\\.so/.test(maps), addonMapped: maps.includes(${JSON.stringify(addonPath)}) }));`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: root, env: sanitizerEnv, encoding: 'utf8' });
  let info;
  try {
    info = JSON.parse(r.stdout);
  } catch {
    sanitizerLogs();
    fail(`preflight did not run (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  const problems = [];
  if (info.backend !== 'native') problems.push(`getBackendInfo().backend is ${info.backend}: ${info.reasons.join('; ')}`);
  if (info.addonPath !== addonPath) problems.push(`getBackendInfo().addonPath is ${info.addonPath}, not ${addonPath}`);
  if (!info.asan || !info.ubsan) problems.push(`sanitizer runtimes not mapped (libasan ${info.asan}, libubsan ${info.ubsan})`);
  if (!info.addonMapped) problems.push('the ASan addon is not mapped into the process');
  if (problems.length > 0) fail(`preflight: ${problems.join('; ')}`);
  log(`preflight: backend native, addon ${info.addonPath}, libasan + libubsan mapped`);
}

// 5. The tests.
(async () => {
  const started = Date.now();
  const avaCli = path.join(root, 'node_modules', 'ava', 'entrypoints', 'cli.mjs');
  log(`ava ${TEST_GLOBS.join(' ')}`);
  const output = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [avaCli, '--tap', ...TEST_GLOBS], { cwd: root, env: sanitizerEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const tee = (stream) => (chunk) => {
      stream.write(chunk);
      text += chunk.toString('utf8');
    };
    child.stdout.on('data', tee(process.stdout));
    child.stderr.on('data', tee(process.stderr));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ text, status, signal }));
  });
  timings.tests = seconds(started);

  const lines = output.text.split('\n');
  const passed = lines.filter((l) => /^ok \d+/.test(l) && !/# SKIP/.test(l));
  const skipped = lines.filter((l) => /^ok \d+.*# SKIP/.test(l));
  const failed = lines.filter((l) => /^not ok \d+/.test(l) && !/# TODO/.test(l));
  const problems = [];
  if (output.status !== 0) problems.push(`ava exited ${output.status ?? output.signal}`);
  if (failed.length > 0) problems.push(`${failed.length} test(s) failed`);
  if (SANITIZER_REPORT.test(output.text)) problems.push('sanitizer report in the test output');
  if (sanitizerLogs()) problems.push('sanitizer report in a sanitizer log (printed above)');

  // Did the tests run on the sanitized addon?
  const nativePassed = passed.filter((l) => /\[native\]/.test(l)).length;
  if (nativePassed === 0) problems.push('no [native] test passed');
  const nativeSkipped = skipped.filter((l) => /\[native\]/.test(l));
  if (nativeSkipped.length > 0) problems.push(`native tests skipped (addon unavailable in the worker?):\n  ${nativeSkipped.join('\n  ')}`);
  const audits = fs.readdirSync(auditDir).map((f) => JSON.parse(fs.readFileSync(path.join(auditDir, f), 'utf8')));
  const workers = audits.filter((a) => /[\\/]ava[\\/]lib[\\/]worker[\\/]/.test(a.argv[1] ?? ''));
  const onAsan = workers.filter((w) => w.mapped.includes(addonPath));
  const elsewhere = workers.filter((w) => w.mapped.some((m) => /esdk_native\.node$/.test(m) && m !== addonPath));
  const unsanitized = workers.filter((w) => !w.mapped.some((m) => /libasan\.so/.test(m)));
  if (workers.length === 0) problems.push('no ava worker process reported back (audit hook)');
  if (onAsan.length === 0) problems.push('no ava worker loaded the ASan addon');
  if (elsewhere.length > 0) problems.push(`${elsewhere.length} ava worker(s) loaded another esdk_native.node: ${[...new Set(elsewhere.flatMap((w) => w.mapped.filter((m) => /esdk_native\.node$/.test(m))))].join(', ')}`);
  if (unsanitized.length > 0) problems.push(`${unsanitized.length} ava worker(s) ran without libasan`);

  const counts = `${passed.length} passed (${nativePassed} [native]), ${failed.length} failed, ${skipped.length} skipped; ` +
    `${onAsan.length}/${workers.length} ava workers on the ASan addon`;
  const time = Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(', ');
  if (problems.length > 0) {
    for (const p of problems) log(`problem: ${p}`);
    process.stdout.write(`test:asan: FAILED (${problems.map((p) => p.split('\n')[0]).join('; ')}); ${counts}; ${time}\n`);
    process.exit(1);
  }
  process.stdout.write(`test:asan: clean, ${counts}; ${time}\n`);
})().catch((err) => fail(err instanceof Error ? err.stack ?? err.message : String(err)));
