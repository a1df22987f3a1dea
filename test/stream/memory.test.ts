// Bounded memory: a 1 GiB message through encryptStream and decryptStream (in memory, and file to file) on both backends peaks at a small, size-independent RSS over the baseline.
import test, { ExecutionContext } from 'ava'
import { spawnSync } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import { BACKEND_NAMES, BackendName } from './helpers'

const PROGRAM = path.join(__dirname, '..', '..', 'bench', 'stream-rss-child.js')
const GiB = 1024 * 1024 * 1024
const SMALL = 64 * 1024 * 1024
const MB = 1024 * 1024

interface Measured {
  readonly bytes: number
  readonly extraRss: number
  readonly seconds: number
}

function measure(mode: string, backend: BackendName, size: number, input?: string, output?: string): Measured {
  const args = [
    PROGRAM,
    mode,
    backend,
    String(size),
    '4096',
    String(0x0478),
    ...(input ? [input] : []),
    ...(output ? [output] : []),
  ]
  const r = spawnSync(process.execPath, ['--expose-gc', ...args], {
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, ESDK_RSS_COLLECT_EVERY_MIB: String(COLLECT_EVERY_MIB) },
  })
  if (r.status !== 0) throw new Error(`${mode} ${backend} ${size}: exit ${String(r.status)}: ${r.stderr}`)
  return JSON.parse(r.stdout) as Measured
}

async function writePatternFile(file: string, size: number): Promise<void> {
  const out = createWriteStream(file)
  const chunk = Buffer.alloc(1024 * 1024)
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 13) & 0xff
  for (let written = 0; written < size; written += chunk.length) {
    if (!out.write(chunk.subarray(0, Math.min(chunk.length, size - written))))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()))
  }
  out.end()
  await finished(out)
}

/*
 * Peak RSS without help is mostly dead output waiting for V8 to sweep it, and V8's schedule differs
 * by runtime and load (Node 24 sweeps external memory later than 20 and 22: the same pipeline peaked
 * anywhere from +95 to +186 MB there). That measures the GC, not the stream. So the child runs a
 * scavenge after every 4 MiB of input (the outputs die young), and what is left is what the stream
 * holds, measured from a peak reset at the baseline (bench/proc-memory.ts): it must stay
 * under a small bound and not grow from 64 MiB to 1 GiB (a stream that kept what it released would
 * grow by the gigabyte). The peaks without forced collections are in the bench's stream group.
 */
const COLLECT_EVERY_MIB = 4
// Quiet, the runs measure 10-30 MB and grow a few MB; under a load average of 15, up to +34 MB and +21 MB
// (scavenges come late, and a buffer that survives two is promoted until a full collection). A stream keeping
// 160 bytes of each 4 KiB frame it passed would grow by 40 MB over the gigabyte.
const PEAK = 96 * MB
const GROWTH = 40 * MB

function bounded(t: ExecutionContext, what: string, small: Measured, big: Measured): void {
  t.log(
    `${what}: +${(small.extraRss / MB).toFixed(1)} MB at 64 MiB, +${(big.extraRss / MB).toFixed(1)} MB at 1 GiB (${(GiB / MB / big.seconds).toFixed(0)} MiB/s, collecting every ${COLLECT_EVERY_MIB} MiB)`,
  )
  t.true(big.extraRss <= PEAK, `${what}: +${big.extraRss} bytes at 1 GiB`)
  t.true(
    big.extraRss - small.extraRss <= GROWTH,
    `${what}: grew by ${big.extraRss - small.extraRss} bytes from 64 MiB to 1 GiB`,
  )
}

for (const backend of BACKEND_NAMES) {
  test.serial(
    `[${backend}] 1 GiB in memory through encryptStream, and through encryptStream → decryptStream: peak RSS bounded and flat from 64 MiB`,
    (t) => {
      for (const mode of ['encrypt-memory', 'roundtrip-memory']) {
        const small = measure(mode, backend, SMALL)
        const big = measure(mode, backend, GiB)
        t.true(big.bytes >= GiB, `${mode}: every byte went through`)
        bounded(t, mode, small, big)
      }
    },
  )

  test.serial(
    `[${backend}] a 1 GiB file encrypted to a file and decrypted to a file: peak RSS bounded and flat from 64 MiB`,
    async (t) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'esdk-stream-memory-'))
      try {
        for (const size of [SMALL, GiB]) {
          await writePatternFile(path.join(dir, `plain-${size}`), size)
        }
        const results: Record<string, Measured> = {}
        for (const size of [SMALL, GiB]) {
          const plain = path.join(dir, `plain-${size}`)
          results[`encrypt-${size}`] = measure('encrypt-file', backend, size, plain, `${plain}.enc`)
          results[`decrypt-${size}`] = measure('decrypt-file', backend, size, `${plain}.enc`, `${plain}.dec`)
          rmSync(plain)
          rmSync(`${plain}.enc`)
          rmSync(`${plain}.dec`)
        }
        for (const op of ['encrypt', 'decrypt']) {
          bounded(t, `${op}-file`, results[`${op}-${SMALL}`] as Measured, results[`${op}-${GiB}`] as Measured)
        }
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  )
}
