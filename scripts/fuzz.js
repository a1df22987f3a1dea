#!/usr/bin/env node
// npm run fuzz: builds the libFuzzer targets of test/native/fuzz (cmake -DESDK_FUZZ=ON, clang, ASan + UBSan), seeds their corpora from ../shared/test-vectors into a temporary folder, runs each for a time or a count and prints executions and coverage per target.
//
//   npm run fuzz [-- --time 30] [-- --runs 100000] [-- --targets open_message,rsa_unwrap] [-- --json out.json]
//     --time S       seconds per target (libFuzzer -max_total_time; default 10)
//     --time-for a=S,b=S  seconds for these targets (the campaign gives the slow public-key targets less)
//     --runs N       executions per target instead (libFuzzer -runs)
//     --targets a,b  only these targets (names of test/native/fuzz/*.cc)
//     --vectors DIR  the official vectors (default ../shared/test-vectors from the repo root, or ESDK_TEST_VECTORS)
//     --work DIR     keep corpora, keys and crash artifacts here instead of a temporary folder
//     --json FILE    also write the summary as JSON
//     --no-build     use build-fuzz/ as it is
// Exit status: 0 when every target ran clean; 1 on any crash, sanitizer report or broken invariant (the
// input is kept under <work>/artifacts and the path printed); 2 when clang is not installed.
'use strict'

const { spawn, spawnSync } = require('child_process')
const crypto = require('crypto')
const fs = require('fs')
const os = require('os')
const path = require('path')
const { Command } = require('commander')

const root = path.resolve(__dirname, '..')
const buildDir = path.join(root, 'build-fuzz')

const program = new Command()
  .name('fuzz')
  .option('--time <seconds>', 'seconds per target', (v) => positive(v, '--time'))
  .option('--time-for <list>', 'seconds for some targets: name=S,name=S (overrides --time)')
  .option('--runs <count>', 'executions per target', (v) => positive(v, '--runs'))
  .option('--targets <names>', 'comma-separated target names')
  .option(
    '--vectors <dir>',
    'official test vectors',
    process.env.ESDK_TEST_VECTORS || path.resolve(root, '..', 'shared', 'test-vectors'),
  )
  .option('--work <dir>', 'keep corpora and artifacts here')
  .option('--json <file>', 'write the summary as JSON')
  .option('--no-build', 'do not (re)build build-fuzz/')
  .parse(process.argv)
const opts = program.opts()

function positive(v, name) {
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${v}`)
  return n
}

function timeFor(name) {
  for (const item of (opts.timeFor || '').split(',').filter(Boolean)) {
    const [target, seconds] = item.split('=')
    if (target === name) return positive(seconds, `--time-for ${target}`)
  }
  return opts.time || 10
}

function log(msg) {
  process.stdout.write(`[fuzz] ${msg}\n`)
}

function die(msg, code = 1) {
  process.stdout.write(`[fuzz] ${msg}\n`)
  process.exit(code)
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : null
}

/** clang++ when it is installed with libFuzzer's runtime (Debian's clang package brings it), else null. */
function findClang() {
  const clang = which('clang++')
  if (!clang) return null
  const probe = spawnSync(clang, ['-print-file-name=libclang_rt.fuzzer-x86_64.a'], { encoding: 'utf8' })
  const lib = (probe.stdout || '').trim()
  return path.isAbsolute(lib) && fs.existsSync(lib) ? clang : null
}

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' })
  if (r.error) die(`${cmd}: ${r.error.message}`)
  if (r.status !== 0) die(`${path.basename(cmd)} ${argv.join(' ')} exited ${r.status ?? r.signal}`)
}

// ---- seed corpora, built from the official vectors at run time (never copied into the repo) ----

const SUITES = {
  0x0014: 16,
  0x0046: 24,
  0x0078: 32,
  0x0114: 16,
  0x0146: 24,
  0x0178: 32,
  0x0214: 16,
  0x0346: 24,
  0x0378: 32,
  0x0478: 32,
  0x0578: 32,
}
const SIGNED = { 0x0214: 'P-256', 0x0346: 'P-384', 0x0378: 'P-384', 0x0578: 'P-384' }

/** Header fields up to the EDKs of an ESDK message (data-format/message-header.md), or null. */
function parseHeaderStart(msg) {
  try {
    let o = 0
    const version = msg[o++]
    if (version === 1) o++
    else if (version !== 2) return null
    const suite = msg.readUInt16BE(o)
    o += 2
    if (!(suite in SUITES)) return null
    o += version === 1 ? 16 : 32
    const aadLength = msg.readUInt16BE(o)
    o += 2
    const aad = msg.subarray(o, o + aadLength)
    o += aadLength
    const count = msg.readUInt16BE(o)
    o += 2
    const edks = []
    for (let i = 0; i < count; i++) {
      const fields = []
      for (let j = 0; j < 3; j++) {
        const l = msg.readUInt16BE(o)
        o += 2
        fields.push(msg.subarray(o, o + l))
        o += l
      }
      edks.push({ providerId: fields[0], providerInfo: fields[1], ciphertext: fields[2] })
    }
    return { version, suite, aad, edks }
  } catch {
    return null
  }
}

/** The encryption context's key/value pairs. */
function parseContext(aad) {
  const pairs = {}
  if (aad.length === 0) return pairs
  let o = 2
  for (let i = 0, n = aad.readUInt16BE(0); i < n; i++) {
    const kl = aad.readUInt16BE(o)
    const k = aad.subarray(o + 2, o + 2 + kl).toString('utf8')
    o += 2 + kl
    const vl = aad.readUInt16BE(o)
    pairs[k] = aad.subarray(o + 2, o + 2 + vl).toString('utf8')
    o += 2 + vl
  }
  return pairs
}

/** The footer (uint16 length ‖ DER signature) at the end of a signed message, or null. */
function footerOf(msg) {
  for (let l = 8; l <= 104 && l + 2 <= msg.length; l++) {
    const at = msg.length - l - 2
    if (msg.readUInt16BE(at) === l && msg[at + 2] === 0x30) return { at, der: msg.subarray(at + 2) }
  }
  return null
}

function messageSeed(key, msg) {
  const prefix = Buffer.alloc(33)
  key.copy(prefix, 0, 0, Math.min(32, key.length))
  return Buffer.concat([prefix, msg])
}

function buildSeeds(vectors, work) {
  const seeds = {
    open_message: [],
    message_stream: [],
    rsa_unwrap: [],
    ecdsa_verify: [],
    ecdh_derive: [],
    key_wrap: [],
    frame_table: [],
    p384: [],
  }
  const keysDir = path.join(work, 'keys')
  fs.mkdirSync(keysDir, { recursive: true })
  const messages = [] // { key, msg }

  // commitment-v2: committing messages with their data key given.
  const commitment = JSON.parse(
    fs.readFileSync(path.join(vectors, 'commitment-v2', 'commitment-test-vectors.json'), 'utf8'),
  )
  for (const t of commitment.tests)
    messages.push({ key: Buffer.from(t['decrypted-dek'], 'base64'), msg: Buffer.from(t.ciphertext, 'base64') })
  // python-decrypt-oracle: the "null" (all-zero) and "test_counting" (1, 2, 3, ...) data keys.
  const oracle = JSON.parse(
    fs.readFileSync(path.join(vectors, 'python-decrypt-oracle', 'decrypt_vectors.json'), 'utf8'),
  )
  for (const t of oracle) {
    const length = SUITES[parseInt(t['algorithm-suite'], 16)]
    if (t['key-type'] === 'null') messages.push({ key: Buffer.alloc(length), msg: Buffer.from(t.ciphertext, 'base64') })
    else if (t['key-type'] === 'test_counting')
      messages.push({
        key: Buffer.from(Array.from({ length }, (_, i) => i + 1)),
        msg: Buffer.from(t.ciphertext, 'base64'),
      })
  }
  // dafny-4.1.0: raw AES keyring messages, data key unwrapped here with the set's AES keys (framework/raw-aes-keyring.md:
  // provider info = key name ‖ tag bits ‖ IV length ‖ IV, AAD = the serialized encryption context); raw RSA EDKs for rsa_unwrap.
  const dafny = path.join(vectors, 'dafny-4.1.0')
  const keys = JSON.parse(fs.readFileSync(path.join(dafny, 'keys.json'), 'utf8')).keys
  const aesKeys = Object.entries(keys)
    .filter(([, k]) => k.type === 'symmetric')
    .map(([name, k]) => ({ name: Buffer.from(name), key: Buffer.from(k.material, 'base64') }))
  const rsaPem = keys['rsa-4096-private'].material
  fs.writeFileSync(
    path.join(keysDir, 'rsa-private.der'),
    crypto.createPrivateKey(rsaPem).export({ type: 'pkcs8', format: 'der' }),
  )
  for (const file of fs.readdirSync(path.join(dafny, 'ciphertexts')).sort()) {
    const msg = fs.readFileSync(path.join(dafny, 'ciphertexts', file))
    const h = parseHeaderStart(msg)
    if (!h) continue
    for (const edk of h.edks) {
      if (edk.ciphertext.length === 512 && edk.providerInfo.toString().startsWith('rsa-4096')) {
        if (seeds.rsa_unwrap.length < 40)
          seeds.rsa_unwrap.push(Buffer.concat([Buffer.from([SUITES[h.suite]]), edk.ciphertext]))
        continue
      }
      const aes = aesKeys.find(
        (k) =>
          edk.providerInfo.length === k.name.length + 20 && edk.providerInfo.subarray(0, k.name.length).equals(k.name),
      )
      if (!aes) continue
      const iv = edk.providerInfo.subarray(aes.name.length + 8)
      const sealed = edk.ciphertext
      try {
        const d = crypto.createDecipheriv(`aes-${aes.key.length * 8}-gcm`, aes.key, iv)
        d.setAAD(h.aad)
        d.setAuthTag(sealed.subarray(sealed.length - 16))
        const dataKey = Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()])
        messages.push({ key: dataKey, msg })
        if (seeds.key_wrap.length < 60) {
          const aadLength = Buffer.alloc(2)
          aadLength.writeUInt16BE(h.aad.length)
          seeds.key_wrap.push(Buffer.concat([Buffer.from([aes.key.length]), aes.key, iv, aadLength, h.aad, sealed]))
        }
      } catch {
        // Not this key after all.
      }
    }
  }
  // Message targets: every message with its key; the control byte varies how the runs and chunks are cut.
  messages.forEach(({ key, msg }, i) => {
    const seed = messageSeed(key, msg)
    seed[32] = i & 0xff
    seeds.open_message.push(seed)
    seeds.message_stream.push(seed)
  })
  // Signatures of the signed messages: curve ‖ point length ‖ compressed point ‖ digest ‖ DER; their points for ECDH.
  for (const { msg } of messages) {
    const h = parseHeaderStart(msg)
    const curve = h && SIGNED[h.suite]
    if (!curve) continue
    const point = Buffer.from(parseContext(h.aad)['aws-crypto-public-key'] || '', 'base64')
    const footer = footerOf(msg)
    if (point.length === 0 || !footer) continue
    const digest = crypto
      .createHash(curve === 'P-256' ? 'sha256' : 'sha384')
      .update(msg.subarray(0, footer.at))
      .digest()
    if (seeds.ecdsa_verify.length < 80)
      seeds.ecdsa_verify.push(
        Buffer.concat([Buffer.from([curve === 'P-256' ? 0 : 1, point.length]), point, digest, footer.der]),
      )
    const uncompressed = crypto.ECDH.convertKey(
      point,
      curve === 'P-256' ? 'prime256v1' : 'secp384r1',
      undefined,
      undefined,
      'uncompressed',
    )
    if (seeds.ecdh_derive.length < 40)
      seeds.ecdh_derive.push(Buffer.concat([Buffer.from([curve === 'P-256' ? 0 : 1]), uncompressed]))
  }
  // frame_table: well-formed runs in its encoding (test/native/fuzz/frame_table.cc), for the fuzzer to bend.
  const HEADER = [4, 8, 0]
  const LENGTH_FIELD = [0, 4, 8]
  const runs = [
    [[1, 0]],
    [[2, 100]],
    [
      [0, 0],
      [1, 0],
    ],
    [
      [0, 5],
      [0, 5],
      [1, 3],
    ],
    [
      [0, 16],
      [0, 16],
      [0, 16],
      [0, 16],
    ],
    [
      [0, 1],
      [1, 1],
    ],
  ]
  for (const [first, run] of [1, 7].flatMap((f) => runs.map((r) => [f, r]))) {
    const codes = []
    let at = 0
    for (const [kind, length] of run) {
      codes.push(16 + HEADER[kind] - 4, 16 + LENGTH_FIELD[kind], 16 + length, 16, 16, 16 + kind)
      at += HEADER[kind] + 12 + LENGTH_FIELD[kind] + length + 16
    }
    const seed = Buffer.alloc(3 + codes.length * 2)
    seed.writeUInt16BE(at, 0)
    seed[2] = first
    codes.forEach((c, i) => seed.writeUInt16BE(c, 3 + 2 * i))
    seeds.frame_table.push(seed)
  }
  return { seeds, keysDir, messages: messages.length }
}

// ---- running ----

function runTarget(name, binary, corpusDir, seedDir, artifacts, env) {
  return new Promise((resolve) => {
    const args = [
      corpusDir,
      seedDir,
      `-artifact_prefix=${artifacts}${path.sep}${name}-`,
      '-print_final_stats=1',
      '-timeout=20',
      '-rss_limit_mb=2560',
    ]
    if (opts.runs) args.push(`-runs=${opts.runs}`)
    else args.push(`-max_total_time=${timeFor(name)}`)
    const started = Date.now()
    const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('close', (code, signal) => {
      const seconds = (Date.now() - started) / 1000
      const done = [...output.matchAll(/^#(\d+)\s+DONE\s+cov: (\d+) ft: (\d+) corp: (\d+)\/(\S+)/gm)].pop()
      const units = /stat::number_of_executed_units: (\d+)/.exec(output)
      const finding =
        /ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|SUMMARY: \w+Sanitizer|runtime error:|invariant broken|deadly signal/.exec(
          output,
        )
      const crashFile = /Test unit written to (\S+)/.exec(output)
      resolve({
        target: name,
        executions: units ? Number(units[1]) : done ? Number(done[1]) : 0,
        cov: done ? Number(done[2]) : null,
        ft: done ? Number(done[3]) : null,
        corpus: done ? Number(done[4]) : null,
        seconds,
        clean: code === 0 && !finding && !!done,
        exit: code ?? signal,
        finding: finding ? finding[0] : null,
        artifact: crashFile ? crashFile[1] : null,
        tail: code === 0 && !finding ? '' : output.split('\n').slice(-60).join('\n'),
      })
    })
  })
}

function opensslVersions(binary) {
  const cryptoLib =
    spawnSync('sh', ['-c', `ldd ${binary} | grep libcrypto`], { encoding: 'utf8' })
      .stdout.trim()
      .split(/\s+/)[2] || 'libcrypto'
  const openssl = which('openssl')
  const system = openssl ? spawnSync(openssl, ['version'], { encoding: 'utf8' }).stdout.trim() : 'unknown'
  return { node: process.versions.openssl, linked: `${cryptoLib} (${system})` }
}

async function main() {
  if (!findClang()) die('clang++ with libFuzzer is not installed (apt-get install clang)', 2)
  const targetsAll = fs
    .readdirSync(path.join(root, 'test', 'native', 'fuzz'))
    .filter((f) => f.endsWith('.cc'))
    .map((f) => f.slice(0, -3))
    .sort()
  const targets = opts.targets ? opts.targets.split(',') : targetsAll
  for (const t of targets) if (!targetsAll.includes(t)) die(`unknown target ${t} (have ${targetsAll.join(', ')})`)

  const started = Date.now()
  if (opts.build) {
    log('building build-fuzz/ (cmake -DESDK_FUZZ=ON, clang++, ASan + UBSan + libFuzzer)')
    run('cmake', [
      '-S',
      root,
      '-B',
      buildDir,
      '-DESDK_FUZZ=ON',
      '-DCMAKE_CXX_COMPILER=clang++',
      '-DCMAKE_BUILD_TYPE=',
      '--log-level=WARNING',
    ])
    run('cmake', ['--build', buildDir, '-j', String(Math.max(1, Math.min(2, os.cpus().length)))])
  }
  const buildSeconds = (Date.now() - started) / 1000

  const work = opts.work ? path.resolve(opts.work) : fs.mkdtempSync(path.join(os.tmpdir(), 'esdk-fuzz-'))
  const artifacts = path.join(work, 'artifacts')
  fs.mkdirSync(artifacts, { recursive: true })
  const haveVectors = fs.existsSync(path.join(opts.vectors, 'commitment-v2'))
  const { seeds, keysDir, messages } = haveVectors
    ? buildSeeds(path.resolve(opts.vectors), work)
    : { seeds: {}, keysDir: path.join(work, 'keys'), messages: 0 }
  if (haveVectors) log(`seed corpora in ${work} from ${opts.vectors} (${messages} messages with known data keys)`)
  else
    log(
      `!!! no test vectors at ${opts.vectors} (--vectors DIR or ESDK_TEST_VECTORS): every target starts from an EMPTY corpus, and the message targets barely get past the header`,
    )
  const env = {
    ...process.env,
    ESDK_FUZZ_KEYS: keysDir,
    ASAN_OPTIONS: 'abort_on_error=1:detect_leaks=1:allocator_may_return_null=1',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  }

  const results = []
  for (const name of targets) {
    const binary = path.join(buildDir, `fuzz_${name}`)
    if (!fs.existsSync(binary)) die(`no ${binary}: build first (without --no-build)`)
    const seedDir = path.join(work, 'seeds', name)
    const corpusDir = path.join(work, 'corpus', name)
    fs.mkdirSync(seedDir, { recursive: true })
    fs.mkdirSync(corpusDir, { recursive: true })
    ;(seeds[name] || []).forEach((s, i) =>
      fs.writeFileSync(path.join(seedDir, `seed-${String(i).padStart(4, '0')}`), s),
    )
    const r = await runTarget(name, binary, corpusDir, seedDir, artifacts, env)
    r.seeds = (seeds[name] || []).length
    results.push(r)
    log(
      `${name}: ${r.clean ? 'clean' : 'FINDING'}, ${r.executions} executions, cov ${r.cov}, ft ${r.ft}, ${r.seconds.toFixed(1)}s`,
    )
    if (!r.clean) process.stdout.write(`${r.tail}\n`)
  }

  const versions = opensslVersions(path.join(buildDir, `fuzz_${targets[0]}`))
  const total = results.reduce((a, r) => a + r.executions, 0)
  const rows = [['target', 'seeds', 'executions', 'cov', 'ft', 'corpus', 'seconds', 'result']]
  for (const r of results)
    rows.push([
      r.target,
      String(r.seeds),
      String(r.executions),
      String(r.cov),
      String(r.ft),
      String(r.corpus),
      r.seconds.toFixed(1),
      r.clean ? 'clean' : `FAILED (${r.finding || `exit ${r.exit}`})`,
    ])
  rows.push([
    'total',
    '',
    String(total),
    '',
    '',
    '',
    results.reduce((a, r) => a + r.seconds, 0).toFixed(1),
    results.every((r) => r.clean) ? 'clean' : 'FAILED',
  ])
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)))
  process.stdout.write(
    '\n' +
      rows
        .map((row) =>
          row.map((c, i) => (i === 0 || i === row.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '),
        )
        .join('\n') +
      '\n',
  )
  log(`OpenSSL: headers from node ${versions.node}, linked ${versions.linked}; build ${buildSeconds.toFixed(1)}s`)
  for (const r of results) if (r.artifact) log(`${r.target}: input kept at ${r.artifact}`)
  if (opts.json)
    fs.writeFileSync(
      opts.json,
      JSON.stringify({ total, openssl: versions, results: results.map(({ tail, ...r }) => r) }, null, 2),
    )
  if (!opts.work && results.every((r) => r.clean)) fs.rmSync(work, { recursive: true, force: true })
  const clean = results.every((r) => r.clean)
  process.stdout.write(`fuzz: ${clean ? 'clean' : 'FAILED'}: ${results.length} targets, ${total} executions\n`)
  process.exit(clean ? 0 : 1)
}

main().catch((e) => die(e.stack || String(e)))
