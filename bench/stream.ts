// Measures the stream group: the three implementations' streams, checked against the official SDK first, timed with Benchmark.js, the one-core SHA-384 rate beside them, and peak RSS per direction in fresh children.
import * as official from '@aws-crypto/client-node'
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Duplex, Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { buildClient, getBackendInfo, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../lib'
import { MiB } from './cases'
import type { Case } from './cases'
import { ENCRYPTION_CONTEXT } from './impls'
import type { ImplName } from './impls'
import { benchmarkAsync } from './runner'
import type { CaseResult, Measurement } from './runner'
import { GiB, STREAM_CHUNK } from './stream-cases'
import type { StreamGroup } from './stream-cases'

interface StreamImpl {
  name: ImplName
  available: boolean
  note: string | undefined
  encryptStream(suiteId: number, frameLength: number): Duplex
  decryptStream(): Duplex
}

function createStreamImpls(wrappingKey: Buffer): Record<ImplName, StreamImpl> {
  const ourKeyring = new RawAesKeyringNode({
    keyName: 'stream',
    keyNamespace: 'bench',
    unencryptedMasterKey: wrappingKey,
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  const theirKeyring = new official.RawAesKeyringNode({
    keyName: 'stream',
    keyNamespace: 'bench',
    unencryptedMasterKey: new Uint8Array(wrappingKey),
    wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  const ours = (name: 'native' | 'js'): StreamImpl => {
    const available = name === 'js' || getBackendInfo().backend === 'native'
    const client = available ? buildClient({ backend: name }) : undefined
    return {
      name,
      available,
      note: available ? undefined : 'the native backend is not available here',
      encryptStream: (suiteId, frameLength) =>
        (client as NonNullable<typeof client>).encryptStream(ourKeyring, {
          suiteId,
          frameLength,
          encryptionContext: ENCRYPTION_CONTEXT,
        }),
      decryptStream: () => (client as NonNullable<typeof client>).decryptStream(ourKeyring),
    }
  }
  const theirs = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  return {
    native: ours('native'),
    js: ours('js'),
    official: {
      name: 'official',
      available: true,
      note: undefined,
      encryptStream: (suiteId, frameLength) =>
        theirs.encryptStream(theirKeyring, {
          suiteId: suiteId as official.AlgorithmSuiteIdentifier,
          frameLength,
          encryptionContext: { ...ENCRYPTION_CONTEXT },
        }) as unknown as Duplex,
      decryptStream: () => theirs.decryptStream(theirKeyring) as unknown as Duplex,
    },
  }
}

/** `size` bytes in 64 KiB views of one pattern chunk: a source that costs almost nothing itself. */
function patternSource(size: number): Readable {
  const pattern = Buffer.alloc(STREAM_CHUNK)
  for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 7 + 3) & 0xff
  let sent = 0
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null)
      const n = Math.min(STREAM_CHUNK, size - sent)
      sent += n
      this.push(pattern.subarray(0, n))
    },
  })
}

/** A held message fed in 64 KiB views. */
function bufferSource(message: Buffer): Readable {
  let at = 0
  return new Readable({
    read() {
      if (at >= message.length) return void this.push(null)
      this.push(message.subarray(at, at + STREAM_CHUNK))
      at += STREAM_CHUNK
    },
  })
}

async function countThrough(source: Readable, stream: Duplex): Promise<number> {
  let bytes = 0
  await pipeline(
    source,
    stream,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length
        callback()
      },
    }),
  )
  return bytes
}

async function collect(source: Readable, stream: Duplex): Promise<Buffer> {
  const parts: Buffer[] = []
  await pipeline(
    source,
    stream,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        parts.push(chunk)
        callback()
      },
    }),
  )
  return Buffer.concat(parts)
}

/** Before timing: this implementation's streamed message decrypts with the official SDK, and it decrypts the official one. */
async function check(impl: StreamImpl, theirs: StreamImpl, c: Case): Promise<string[]> {
  const plaintext = randomBytes(MiB + 17)
  const mine = await collect(Readable.from([plaintext]), impl.encryptStream(c.suiteId, c.frameLength))
  const byOfficial = await collect(bufferSource(mine), theirs.decryptStream())
  if (!byOfficial.equals(plaintext)) throw new Error('the official SDK does not decrypt its stream')
  const theirMessage = await collect(Readable.from([plaintext]), theirs.encryptStream(c.suiteId, c.frameLength))
  if (!(await collect(bufferSource(theirMessage), impl.decryptStream())).equals(plaintext))
    throw new Error('it does not decrypt the official stream')
  return ['streamed 1 MiB decrypts with official', 'decrypts official stream']
}

/** One core's SHA-384 rate (node:crypto, 1 MiB updates over 256 MiB), MB/s. */
export function measureSha384(): number {
  const block = randomBytes(MiB)
  let best = 0
  for (let round = 0; round < 3; round++) {
    const hash = createHash('sha384')
    const start = performance.now()
    for (let i = 0; i < 256; i++) hash.update(block)
    hash.digest()
    best = Math.max(best, (256 * MiB) / 1e6 / ((performance.now() - start) / 1000))
  }
  return best
}

export interface StreamOutcome {
  results: CaseResult[]
  sha384: number
  rss: RssRow[]
}

export async function measureStreamGroup(group: StreamGroup, progress: (text: string) => void): Promise<StreamOutcome> {
  const impls = createStreamImpls(randomBytes(32))
  const results: CaseResult[] = []
  progress('[stream] SHA-384 reference')
  const sha384 = measureSha384()
  for (const [i, c] of group.cases.entries()) {
    const row: Partial<Record<ImplName, Measurement>> = {}
    for (const name of c.impls) {
      const impl = impls[name]
      progress(`[stream ${i + 1}/${group.cases.length}] ${c.id} ${name}`)
      if (!impl.available) {
        row[name] = { impl: name, status: 'skipped', note: impl.note }
        continue
      }
      const size = name === 'official' ? group.officialSize : c.size
      try {
        const checkStart = performance.now()
        const checks = await check(impl, impls.official, c)
        const checkSeconds = (performance.now() - checkStart) / 1000
        // A decrypt case times the implementation's own message, made once and held.
        const message =
          c.op === 'decrypt'
            ? await collect(patternSource(size), impl.encryptStream(c.suiteId, c.frameLength))
            : undefined
        const timed = async (): Promise<void> => {
          const bytes = message
            ? await countThrough(bufferSource(message), impl.decryptStream())
            : await countThrough(patternSource(size), impl.encryptStream(c.suiteId, c.frameLength))
          if (message ? bytes !== size : bytes <= size) throw new Error(`streamed ${bytes} bytes for ${size}`)
        }
        const timing = c.timingFor?.[name] ?? c.timing
        const start = performance.now()
        const stats = await benchmarkAsync(`${c.id} ${name}`, timed, timing)
        row[name] = {
          impl: name,
          status: 'ok',
          rate: (stats.hz * size) / 1e6,
          hz: stats.hz,
          rme: stats.rme,
          samples: stats.samples,
          mean: stats.mean,
          checks,
          seconds: { checks: checkSeconds, timing: (performance.now() - start) / 1000 },
        }
      } catch (e) {
        row[name] = { impl: name, status: 'failed', note: e instanceof Error ? e.message : String(e) }
      }
    }
    results.push({ case: c, unit: 'MB/s', results: row })
  }
  return { results, sha384, rss: await measureStreamRss(group.cases[0]?.size ?? GiB, progress) }
}

/** The suffix of an RSS row measured with a scavenge (minor GC) after every 4 MiB of input. */
export const COLLECTED = '(gc/4MiB)'

export interface RssRow {
  mode: string
  /** 'runtime' is the floor row: no crypto, a plain Transform. */
  impl: ImplName | 'runtime'
  size: number
  /** Peak RSS over the process's baseline, bytes; undefined when the child failed. */
  extraRss: number | undefined
  note?: string
}

/**
 * Peak RSS of one fresh child per implementation and direction (bench/stream-rss-child.ts), 0x0478
 * at 4 KiB frames: in-memory source to a counting sink, file to file, and the encrypted file back
 * to a counting sink.
 */
async function measureStreamRss(size: number, progress: (text: string) => void): Promise<RssRow[]> {
  const child = path.join(__dirname, 'stream-rss-child.js')
  const dir = mkdtempSync(path.join(tmpdir(), 'esdk-bench-stream-'))
  const rows: RssRow[] = []
  try {
    const plain = path.join(dir, 'plain')
    await writePatternFile(plain, size)
    // collected: a scavenge after every 4 MiB of input, so the peak is what the stream holds rather than how late V8 sweeps.
    const run = (mode: string, impl: ImplName, collected: boolean, input?: string, output?: string): RssRow => {
      const label = collected ? `${mode} ${COLLECTED}` : mode
      progress(`[stream rss] ${label} ${impl}`)
      const args = [
        ...(collected ? ['--expose-gc'] : []),
        child,
        mode,
        impl,
        String(size),
        '4096',
        String(0x0478),
        ...(input ? [input] : []),
        ...(output ? [output] : []),
      ]
      const env = collected ? { ...process.env, ESDK_RSS_COLLECT_EVERY_MIB: '4' } : process.env
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 900_000, env })
      if (r.status !== 0)
        return {
          mode: label,
          impl,
          size,
          extraRss: undefined,
          note: (r.stderr || `exit ${String(r.status)}`).split('\n')[0],
        }
      return { mode: label, impl, size, extraRss: (JSON.parse(r.stdout) as { extraRss: number }).extraRss }
    }
    for (const collected of [false, true]) {
      for (const impl of ['native', 'js', 'official'] as const) {
        if (impl === 'native' && getBackendInfo().backend !== 'native') continue
        if (collected && impl === 'official') continue
        const encrypted = `${plain}.${impl}.enc`
        rows.push(run('encrypt-memory', impl, collected))
        rows.push(run('encrypt-file', impl, collected, plain, encrypted))
        rows.push(run('decrypt-file', impl, collected, encrypted))
        rmSync(encrypted, { force: true })
      }
    }
    // The runtime's own floor: a plain Transform allocating one fresh output per chunk, no crypto.
    rows.push({ ...run('floor-memory', 'js', false), impl: 'runtime' })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return rows
}

/** Writes `size` pattern bytes to `file`: the plaintext the file modes read. */
async function writePatternFile(file: string, size: number): Promise<void> {
  await pipeline(patternSource(size), createWriteStream(file))
}
