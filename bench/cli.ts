// The cli group (`--only cli`): whole `esdk` processes beside the official SDK driven by an equivalent script: a big file each way (wall MB/s, peak RSS), start-up to first byte, a directory of small files with --jobs 2 and caching.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { renderTable } from './table'

export const CLI_CASE_ID = 'cli esdk command'

const ROOT = path.join(__dirname, '..', '..')
const ESDK = path.join(ROOT, 'bin', 'esdk.js')
const OFFICIAL = path.join(__dirname, 'cli-official.js')
const TIME = '/usr/bin/time'
/** `node -e COPY_SCRIPT from to`: a plain stream copy with the esdk command's read size (lib/cli/operation.ts). */
const COPY_SCRIPT = [
  "const fs = require('node:fs')",
  "const { pipeline } = require('node:stream/promises')",
  'const [from, to] = process.argv.slice(1)',
  'pipeline(fs.createReadStream(from, { highWaterMark: 1 << 20 }), fs.createWriteStream(to)).catch((e) => {',
  '  console.error(e)',
  '  process.exitCode = 1',
  '})',
].join('\n')

export interface CliRow {
  readonly what: string
  /** 'node': a bare `node -e 0` or a plain file copy, the floor a start-up or big-file figure sits on. */
  readonly impl: 'esdk' | 'official' | 'node'
  /** Median wall seconds over the runs. */
  readonly seconds: number
  /** Median peak RSS (MB, 10^6), when /usr/bin/time is there. */
  readonly peakMb: number | undefined
  /** MB/s or files/s, per the case. */
  readonly rate: number | undefined
  readonly unit: 'MB/s' | 'files/s' | 'ms'
  readonly runs: number
}

interface Sample {
  seconds: number
  peakMb: number | undefined
}

/**
 * The environment of every timed process: this one's without NODE_EXTRA_CA_CERTS. Node 20 reads and parses that
 * file of certificates at every start, before any script runs (about 90 ms of CPU here for the system bundle), and
 * nothing measured here opens a TLS connection: it is a cost of the machine's set-up, paid alike by esdk, the
 * official SDK and `node -e 0`, that a default install does not have. The start-up rows show it once, as a floor.
 */
const BENCH_ENV: NodeJS.ProcessEnv = (() => {
  const env = { ...process.env }
  delete env.NODE_EXTRA_CA_CERTS
  return env
})()

/** One whole process, timed from here; its peak RSS from /usr/bin/time -f %M (KiB). */
function runOnce(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = BENCH_ENV): Sample {
  const timed = existsSync(TIME)
  const t0 = performance.now()
  const r = timed
    ? spawnSync(TIME, ['-f', 'esdk-bench-rss %M', process.execPath, ...args], {
        cwd,
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'ignore', 'pipe'],
        maxBuffer: 1 << 24,
      })
    : spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] })
  const seconds = (performance.now() - t0) / 1000
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${String(r.status)}: ${r.stderr}`)
  const m = /esdk-bench-rss (\d+)/.exec(r.stderr ?? '')
  return { seconds, peakMb: m ? (Number(m[1]) * 1024) / 1e6 : undefined }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

function measure(
  what: string,
  impl: CliRow['impl'],
  args: readonly string[],
  cwd: string,
  runs: number,
  work: number | undefined,
  unit: CliRow['unit'],
  before?: () => void,
  env?: NodeJS.ProcessEnv,
): CliRow {
  const samples: Sample[] = []
  for (let i = 0; i < runs; i++) {
    before?.()
    samples.push(runOnce(args, cwd, env))
  }
  const seconds = median(samples.map((s) => s.seconds))
  const peaks = samples.map((s) => s.peakMb).filter((p): p is number => p !== undefined)
  return {
    what,
    impl,
    seconds,
    peakMb: peaks.length ? median(peaks) : undefined,
    rate: unit === 'ms' ? seconds * 1000 : work === undefined ? undefined : work / seconds,
    unit,
    runs,
  }
}

/**
 * Writes back what earlier rows left dirty in the page cache (untimed): else each 1 GiB row pays for the ones before
 * it, as the kernel throttles a writer once too much is dirty, and the order of the rows decides the figures.
 */
function settlePageCache(): void {
  spawnSync('sync', [], { stdio: 'ignore' })
}

function writeRandomFile(file: string, bytes: number): void {
  const fd = openSync(file, 'w')
  const chunk = randomBytes(16 * 1024 * 1024)
  for (let left = bytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(left, chunk.length))
  closeSync(fd)
}

export function measureCli(quick: boolean): CliRow[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'esdk-cli-bench-'))
  try {
    const key = path.join(dir, 'bench.key')
    writeFileSync(key, randomBytes(32))
    const w = ['-w', 'provider=raw-aes', `key=file:${key}`, 'namespace=cli-bench', 'name=bench']
    const big = quick ? 256 * 1024 * 1024 : 1024 * 1024 * 1024
    const label = quick ? '256 MiB' : '1 GiB'
    writeRandomFile(path.join(dir, 'big'), big)
    // One run each: a 1 GiB round trip and 10,000 files through the official SDK take minutes on a loaded machine.
    const runs = 1
    const rows: CliRow[] = []
    const suite = ['--algorithm', 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY', '--frame-length', '65536']
    // The floor under both directions: the same file copied by a Node process through the same kind of stream
    // pipeline (1 MiB reads, a file write stream), no crypto. What this machine's disk and page cache allow.
    rows.push(
      measure(
        `${label} copy, no crypto (the floor)`,
        'node',
        ['-e', COPY_SCRIPT, 'big', 'big.copy'],
        dir,
        runs,
        big / 1e6,
        'MB/s',
        settlePageCache,
      ),
    )
    rmSync(path.join(dir, 'big.copy'), { force: true })
    rows.push(
      measure(
        `${label} encrypt (0x0478, 64 KiB frames)`,
        'esdk',
        [ESDK, '-e', '-i', 'big', '-o', 'big.esdk', '-S', ...w, ...suite, '-q'],
        dir,
        runs,
        big / 1e6,
        'MB/s',
        settlePageCache,
      ),
    )
    rows.push(
      measure(
        `${label} encrypt (0x0478, 64 KiB frames)`,
        'official',
        [OFFICIAL, 'encrypt', 'big', 'big.official', key],
        dir,
        runs,
        big / 1e6,
        'MB/s',
        settlePageCache,
      ),
    )
    rows.push(
      measure(
        `${label} decrypt`,
        'esdk',
        [ESDK, '-d', '-i', 'big.esdk', '-o', 'big.back', '-S', ...w, '-q'],
        dir,
        runs,
        big / 1e6,
        'MB/s',
        settlePageCache,
      ),
    )
    rows.push(
      measure(
        `${label} decrypt`,
        'official',
        [OFFICIAL, 'decrypt', 'big.official', 'big.official.back', key],
        dir,
        runs,
        big / 1e6,
        'MB/s',
        settlePageCache,
      ),
    )
    for (const f of ['big', 'big.esdk', 'big.back', 'big.official', 'big.official.back'])
      rmSync(path.join(dir, f), { force: true })

    const startRuns = quick ? 5 : 15
    writeFileSync(path.join(dir, 'one'), 'x')
    rows.push(measure('start-up: node -e 0 (the floor)', 'node', ['-e', '0'], dir, startRuns, undefined, 'ms'))
    if (process.env.NODE_EXTRA_CA_CERTS !== undefined) {
      rows.push(
        measure(
          "start-up: node -e 0 with this machine's NODE_EXTRA_CA_CERTS",
          'node',
          ['-e', '0'],
          dir,
          startRuns,
          undefined,
          'ms',
          undefined,
          process.env,
        ),
      )
    }
    rows.push(measure('start-up: --version', 'esdk', [ESDK, '--version'], dir, startRuns, undefined, 'ms'))
    rows.push(
      measure(
        'start-up: 1-byte file to stdout (0x0478)',
        'esdk',
        [ESDK, '-e', '-i', 'one', '-o', '-', '-S', ...w, ...suite],
        dir,
        startRuns,
        undefined,
        'ms',
      ),
    )
    rows.push(
      measure(
        'start-up: 1-byte file to stdout (0x0478)',
        'official',
        [OFFICIAL, 'encrypt', 'one', '-', key],
        dir,
        startRuns,
        undefined,
        'ms',
      ),
    )

    const count = quick ? 1000 : 10_000
    const files = path.join(dir, 'files')
    mkdirSync(files)
    const body = randomBytes(4096)
    for (let i = 0; i < count; i++) writeFileSync(path.join(files, `f${i}`), body)
    const fresh = (out: string) => () => rmSync(path.join(dir, out), { recursive: true, force: true })
    const prepare = (out: string) => () => {
      fresh(out)()
      mkdirSync(path.join(dir, out))
    }
    const dirRuns = 1
    rows.push(
      measure(
        `${count} x 4 KiB files (0x0478), --jobs 2, caching`,
        'esdk',
        [
          ESDK,
          '-e',
          '-r',
          '-i',
          'files',
          '-o',
          'out-esdk',
          '-S',
          ...w,
          '--algorithm',
          'AES_256_GCM_HKDF_SHA512_COMMIT_KEY',
          '--jobs',
          '2',
          '--caching',
          'capacity=100',
          'max_age=60',
          '-q',
        ],
        dir,
        dirRuns,
        count,
        'files/s',
        prepare('out-esdk'),
      ),
    )
    rows.push(
      measure(
        `${count} x 4 KiB files (0x0478), --jobs 2, caching`,
        'official',
        [OFFICIAL, 'encrypt-dir', 'files', 'out-official', key, '2'],
        dir,
        dirRuns,
        count,
        'files/s',
        fresh('out-official'),
      ),
    )
    return rows
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function cliTable(rows: readonly CliRow[]): string {
  const fmt = (r: CliRow): string =>
    r.rate === undefined ? '-' : r.unit === 'ms' ? `${r.rate.toFixed(0)} ms` : `${r.rate.toFixed(0)} ${r.unit}`
  const body = rows.map((r) => {
    const other = rows.find(
      (o) => o.what.split(' (')[0] === r.what.split(' (')[0] && o.impl !== r.impl && o.impl === 'official',
    )
    const ratio =
      r.impl === 'esdk' && other?.rate !== undefined && r.rate !== undefined
        ? r.unit === 'ms'
          ? other.rate / r.rate
          : r.rate / other.rate
        : undefined
    return [
      r.what,
      r.impl,
      fmt(r),
      r.peakMb === undefined ? '-' : `${r.peakMb.toFixed(0)} MB`,
      ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
      String(r.runs),
    ]
  })
  return [
    'cli: whole processes (wall time from spawn to exit, median of runs; peak RSS from /usr/bin/time; NODE_EXTRA_CA_CERTS unset, as on a default install); ratio = esdk vs official (higher is better)',
    renderTable(['case', 'impl', 'rate', 'peak RSS', 'esdk/official', 'runs'], body, ['l', 'l', 'r', 'r', 'r', 'r']),
    cliTargets(rows),
  ].join('\n')
}

/** Issue 10's targets: >= 1 GB/s each way and peak RSS <= 100 MB for the big file, start-up <= 150 ms, >= 5,000 files/s. */
export function cliTargets(rows: readonly CliRow[]): string {
  const esdk = (prefix: string): CliRow | undefined => rows.find((r) => r.impl === 'esdk' && r.what.startsWith(prefix))
  const line = (name: string, value: number | undefined, ok: (v: number) => boolean, shown: string): string =>
    `  ${value === undefined ? 'n/a ' : ok(value) ? 'met ' : 'MISS'}  ${name}: ${shown}`
  const enc = rows.find((r) => r.impl === 'esdk' && r.what.includes('encrypt (0x0478'))
  const dec = rows.find((r) => r.impl === 'esdk' && r.what.endsWith(' decrypt'))
  const ver = esdk('start-up: --version')
  const first = esdk('start-up: 1-byte')
  // Where a target sits above what the machine itself does, the floors say how far from them we are.
  const copy = rows.find((r) => r.impl === 'node' && r.what.includes('copy'))?.rate
  const bare = rows.find((r) => r.what === 'start-up: node -e 0 (the floor)')?.rate
  const ofCopy = (rate: number | undefined): string =>
    rate === undefined || copy === undefined
      ? ''
      : ` (${((100 * rate) / copy).toFixed(0)}% of the no-crypto copy's ${copy.toFixed(0)} MB/s)`
  const overBare = (ms: number | undefined): string =>
    ms === undefined || bare === undefined ? '' : ` (${(ms - bare).toFixed(0)} ms above node -e 0)`
  const files = rows.find((r) => r.impl === 'esdk' && r.unit === 'files/s')
  return [
    'issue 10 targets (one run on a shared machine: noisy)',
    line(
      'big file encrypt >= 1000 MB/s',
      enc?.rate,
      (v) => v >= 1000,
      `${enc?.rate?.toFixed(0) ?? '-'} MB/s${ofCopy(enc?.rate)}`,
    ),
    line(
      'big file decrypt >= 1000 MB/s',
      dec?.rate,
      (v) => v >= 1000,
      `${dec?.rate?.toFixed(0) ?? '-'} MB/s${ofCopy(dec?.rate)}`,
    ),
    line(
      'big file peak RSS <= 100 MB',
      Math.max(enc?.peakMb ?? 0, dec?.peakMb ?? 0) || undefined,
      (v) => v <= 100,
      `${Math.max(enc?.peakMb ?? 0, dec?.peakMb ?? 0).toFixed(0)} MB`,
    ),
    line(
      'start-up (--version) <= 150 ms',
      ver?.rate,
      (v) => v <= 150,
      `${ver?.rate?.toFixed(0) ?? '-'} ms${overBare(ver?.rate)}`,
    ),
    line(
      'start-up to first byte (1-byte file) <= 150 ms',
      first?.rate,
      (v) => v <= 150,
      `${first?.rate?.toFixed(0) ?? '-'} ms${overBare(first?.rate)}`,
    ),
    line('small files >= 5000 files/s', files?.rate, (v) => v >= 5000, `${files?.rate?.toFixed(0) ?? '-'} files/s`),
  ].join('\n')
}
