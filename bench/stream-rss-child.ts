// One streamed encrypt or decrypt of SIZE bytes in its own process (ours on a backend, or the official SDK), printing its peak RSS over the baseline as JSON: the stream group's RSS table and test/stream/memory.test.ts read it.
// With ESDK_RSS_COLLECT_EVERY_MIB=N (and node --expose-gc) a scavenge runs after every N MiB of input, so the peak
// measures what the stream itself holds rather than how late the runtime's GC sweeps dead buffers. A scavenge, not a
// full collection: the outputs die young, and under load a full collection every 4 MiB slowed a 1 GiB run tenfold.
import { createReadStream, createWriteStream } from 'node:fs'
import { Readable, Transform, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as official from '@aws-crypto/client-node'
import { procStatus, resetPeak } from './proc-memory'
import { buildClient } from '../lib/api/client'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../lib/materials/raw-aes-keyring'

type Mode = 'encrypt-memory' | 'encrypt-file' | 'decrypt-file' | 'roundtrip-memory' | 'floor-memory'

const [mode, impl, sizeText, frameText, suiteText, inputPath, outputPath] = process.argv.slice(2) as [
  Mode,
  'js' | 'native' | 'official',
  string,
  string,
  string,
  string?,
  string?,
]
const size = Number(sizeText)
const frameLength = Number(frameText)
const suiteId = Number(suiteText)
const CHUNK = 64 * 1024
const COLLECT_EVERY = Number(process.env.ESDK_RSS_COLLECT_EVERY_MIB ?? 0) * 1024 * 1024
const collect = (globalThis as { gc?: (options?: { type: 'minor' }) => void }).gc
if (COLLECT_EVERY > 0 && !collect) throw new Error('ESDK_RSS_COLLECT_EVERY_MIB needs node --expose-gc')

const WRAPPING_KEY = Buffer.alloc(32, 9)
interface StreamClient {
  encryptStream(
    keyring: never,
    options: { suiteId: number; frameLength: number; encryptionContext?: Record<string, string> },
  ): NodeJS.ReadWriteStream
  decryptStream(keyring: never): NodeJS.ReadWriteStream
}
const ours = (): { client: StreamClient; keyring: unknown } => ({
  client: buildClient({ backend: impl === 'native' ? 'native' : 'js' }) as unknown as StreamClient,
  keyring: new RawAesKeyringNode({
    keyName: 'memory',
    keyNamespace: 'stream-memory',
    unencryptedMasterKey: WRAPPING_KEY,
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  }),
})
const theirs = (): { client: StreamClient; keyring: unknown } => ({
  client: official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT) as unknown as StreamClient,
  keyring: new official.RawAesKeyringNode({
    keyName: 'memory',
    keyNamespace: 'stream-memory',
    unencryptedMasterKey: new Uint8Array(WRAPPING_KEY),
    wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  }),
})
const { client, keyring: keyringObject } = impl === 'official' ? theirs() : ours()
const keyring = keyringObject as never

/** SIZE bytes in 64 KiB chunks cut from one pattern buffer: an in-memory source that holds nothing itself. */
function patternSource(total: number): Readable {
  const pattern = Buffer.alloc(CHUNK)
  for (let i = 0; i < CHUNK; i++) pattern[i] = (i * 7) & 0xff
  let sent = 0
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null)
        return
      }
      const n = Math.min(CHUNK, total - sent)
      sent += n
      this.push(pattern.subarray(0, n))
    },
  })
}

/** A sink that only counts. */
function countingSink(): { sink: Writable; count: () => number } {
  let bytes = 0
  return {
    sink: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length
        callback()
      },
    }),
    count: () => bytes,
  }
}

/** A Transform that allocates one fresh output a little larger than each chunk and copies the chunk into it. */
function copyingTransform(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const out = Buffer.allocUnsafe(chunk.length + 512)
      chunk.copy(out)
      callback(null, out)
    },
  })
}

/** The input as it is, with a scavenge after every COLLECT_EVERY bytes when that is set (no copy, no extra stage otherwise). */
function input(source: Readable): Readable[] {
  if (COLLECT_EVERY <= 0 || !collect) return [source]
  let sinceCollect = 0
  return [
    source,
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        sinceCollect += chunk.length
        if (sinceCollect >= COLLECT_EVERY) {
          sinceCollect = 0
          collect({ type: 'minor' })
        }
        callback(null, chunk)
      },
    }),
  ]
}

async function run(): Promise<number> {
  const options = { suiteId, frameLength, encryptionContext: { memory: 'test' } }
  const { sink, count } = countingSink()
  switch (mode) {
    case 'floor-memory':
      // The platform's own floor: a Transform that allocates one fresh output a little larger than
      // each 64 KiB chunk (as a frame run is), what any stream producing new bytes pays in V8's GC.
      await pipeline([...input(patternSource(size)), copyingTransform(), sink])
      return count()
    case 'encrypt-memory':
      await pipeline([...input(patternSource(size)), client.encryptStream(keyring, options), sink])
      return count()
    case 'roundtrip-memory':
      await pipeline([
        ...input(patternSource(size)),
        client.encryptStream(keyring, options),
        client.decryptStream(keyring),
        sink,
      ])
      return count()
    case 'encrypt-file':
      await pipeline([
        ...input(createReadStream(inputPath ?? '')),
        client.encryptStream(keyring, options),
        createWriteStream(outputPath ?? ''),
      ])
      return size
    case 'decrypt-file':
      await pipeline([
        ...input(createReadStream(inputPath ?? '')),
        client.decryptStream(keyring),
        outputPath ? createWriteStream(outputPath) : sink,
      ])
      return outputPath ? size : count()
  }
}

async function main(): Promise<void> {
  // Warm up (module loading, first materials, the native self-test) before the baseline.
  await pipeline(
    patternSource(1 << 20),
    client.encryptStream(keyring, { suiteId, frameLength }),
    client.decryptStream(keyring),
    countingSink().sink,
  )
  // The peak must cover the run only: not the warm-up, and not the parent's RSS at fork, which getrusage's
  // maxRSS starts from in a child (a 550 MB bench parent made every child report 550 MB).
  if (!resetPeak()) throw new Error('cannot reset the peak RSS (/proc/self/clear_refs): no measurement')
  const baseline = procStatus('VmRSS') ?? process.memoryUsage().rss
  const started = process.hrtime.bigint()
  const bytes = await run()
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const peak = procStatus('VmHWM') ?? Number.NaN
  process.stdout.write(
    `${JSON.stringify({ mode, impl, size, bytes, seconds, baselineRss: baseline, peakRss: peak, extraRss: peak - baseline })}\n`,
  )
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
