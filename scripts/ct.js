#!/usr/bin/env node
// npm run ct: builds the constant-time harnesses (test/native/ct, CMake with ESDK_CT=ON) and runs each under its checker,
// valgrind memcheck (P-384, ECDSA key/nonce/signing, RSA implicit rejection) or MemorySanitizer (VAES GCM, which
// valgrind cannot execute); fails on any report, and also when a canary with a planted secret-dependent branch and
// table index is NOT reported (so a checker that sees nothing cannot pass). Prints one summary line.
//
//   npm run ct [-- --clean] [-- --no-msan]
//     --clean     wipe build-ct/ and build-ct-msan/ first (default: incremental)
//     --no-msan   skip the MemorySanitizer half (no clang); the summary says it was skipped
'use strict'

const { spawnSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const root = path.resolve(__dirname, '..')
const args = new Set(process.argv.slice(2))
for (const a of args) {
  if (!['--clean', '--no-msan'].includes(a)) fail(`unknown argument ${a}`)
}
const suppressions = path.join(root, 'test', 'native', 'ct', 'openssl.supp')
const started = Date.now()

function log(msg) {
  process.stdout.write(`[ct] ${msg}\n`)
}

function fail(msg) {
  process.stdout.write(`ct: FAILED (${msg})\n`)
  process.exit(1)
}

function which(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : null
}

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, ...opts })
  if (r.error) fail(`${cmd}: ${r.error.message}`)
  return r
}

function mustRun(cmd, argv, opts) {
  const r = run(cmd, argv, opts)
  if (r.status !== 0) {
    process.stdout.write(r.stdout + r.stderr)
    fail(`${path.basename(cmd)} ${argv.join(' ')} exited ${r.status ?? r.signal}`)
  }
  return r
}

// Node's own headers (with its OpenSSL headers) from the running node's prefix, as build:cmake does.
const nodedir = path.dirname(path.dirname(process.execPath))
if (!fs.existsSync(path.join(nodedir, 'include', 'node', 'openssl', 'crypto.h')))
  fail(`no OpenSSL headers under ${nodedir}/include/node`)
if (!which('cmake')) fail('cmake not found')
if (!which('valgrind')) fail('valgrind not found (apt-get install valgrind)')

function build(dir, extra) {
  const out = path.join(root, dir)
  if (args.has('--clean')) fs.rmSync(out, { recursive: true, force: true })
  const t = Date.now()
  mustRun('cmake', [
    '-S',
    root,
    '-B',
    out,
    '-DESDK_CT=ON',
    `-DNODE_INCLUDE_DIR=${path.join(nodedir, 'include', 'node')}`,
    '-DCMAKE_BUILD_TYPE=Release',
    ...extra,
  ])
  mustRun('nice', ['-n', '10', 'cmake', '--build', out, '-j', '2'])
  log(`built ${dir} in ${((Date.now() - t) / 1000).toFixed(1)}s`)
  return path.join(out, 'test', 'native', 'ct')
}

const results = []

/** Runs one harness; `expectReport` for the canaries. Records calls, reports and suppressed OpenSSL reports. */
function check(label, argv, env, { expectReport, checker }) {
  const t = Date.now()
  const r = run('nice', ['-n', '10', ...argv], { env: { ...process.env, ...env } })
  const text = `${r.stdout}\n${r.stderr}`
  const seconds = ((Date.now() - t) / 1000).toFixed(1)
  let reports
  let suppressed = 0
  if (checker === 'valgrind') {
    const m = /ERROR SUMMARY: (\d+) errors from \d+ contexts \(suppressed: (\d+) from \d+\)/.exec(text)
    if (!m) {
      process.stdout.write(text)
      fail(`${label}: no valgrind summary (exit ${r.status ?? r.signal})`)
    }
    reports = Number(m[1])
    suppressed = Number(m[2])
  } else {
    reports = (text.match(/WARNING: MemorySanitizer/g) ?? []).length
  }
  const calls = /ct-harness \S+: (\d+) calls/.exec(text)
  let ok
  if (expectReport) {
    ok = reports > 0 && r.status !== 0
  } else {
    // exit 2 is a failed functional check in the harness; the checker's error exit is 42 (valgrind) or 1 (MSan).
    ok = reports === 0 && r.status === 0 && calls !== null
    if (r.status === 77 && /SKIPPED/.test(text)) {
      results.push({
        label,
        status: 'skipped',
        detail: text
          .trim()
          .split('\n')
          .find((l) => /SKIPPED/.test(l)),
      })
      log(`${label}: skipped`)
      return
    }
  }
  if (!ok) process.stdout.write(text)
  const detail = expectReport
    ? `${reports} report(s), as planted`
    : `${calls ? calls[1] : '?'} calls, ${reports} reports${checker === 'valgrind' ? `, ${suppressed} OpenSSL-internal suppressed` : ''}`
  results.push({ label, status: ok ? 'ok' : 'FAILED', detail, seconds })
  log(`${label}: ${ok ? 'ok' : 'FAILED'} (${detail}; ${seconds}s)`)
}

// 1. valgrind memcheck over the GCC build (the addon's compiler), ESDK_CT_VALGRIND.
{
  const bin = build('build-ct', [])
  const valgrind = [
    'valgrind',
    '--tool=memcheck',
    '--error-exitcode=42',
    '--track-origins=yes',
    '--num-callers=20',
    `--suppressions=${suppressions}`,
  ]
  check(
    'canary (valgrind)',
    [...valgrind, path.join(bin, 'ct_canary')],
    {},
    { expectReport: true, checker: 'valgrind' },
  )
  for (const name of ['ct_p384', 'ct_rsa']) {
    check(`${name} (valgrind)`, [...valgrind, path.join(bin, name)], {}, { expectReport: false, checker: 'valgrind' })
  }
  // Which OpenSSL the harnesses ran on (the system libcrypto) versus the headers (Node's) and node's own copy.
  const version = /ct-harness openssl: (.*)/.exec(run(path.join(bin, 'ct_rsa'), []).stdout)
  log(`OpenSSL: ${version ? version[1] : 'unknown'}; node ${process.version} has ${process.versions.openssl}`)
}

// 2. MemorySanitizer over clang for the VAES GCM.
if (args.has('--no-msan')) {
  results.push({ label: 'ct_gcm (msan)', status: 'skipped', detail: '--no-msan' })
} else {
  const clang = ['clang++-19', 'clang++'].map(which).find(Boolean)
  if (!clang) fail('no clang++ for the MemorySanitizer harness (or pass --no-msan)')
  const bin = build('build-ct-msan', ['-DESDK_CT_MSAN=ON', `-DCMAKE_CXX_COMPILER=${clang}`])
  const env = { MSAN_OPTIONS: 'halt_on_error=1:exitcode=1' }
  check('canary (msan)', [path.join(bin, 'ct_canary_msan')], env, { expectReport: true, checker: 'msan' })
  check('ct_gcm (msan)', [path.join(bin, 'ct_gcm')], env, { expectReport: false, checker: 'msan' })
}

const failed = results.filter((r) => r.status === 'FAILED')
const line = results.map((r) => `${r.label} ${r.status}${r.detail ? ` [${r.detail}]` : ''}`).join('; ')
const total = `${((Date.now() - started) / 1000).toFixed(1)}s`
if (failed.length > 0) {
  process.stdout.write(`ct: FAILED (${failed.length} of ${results.length}): ${line}; ${total}\n`)
  process.exit(1)
}
process.stdout.write(`ct: clean: ${line}; ${total}\n`)
