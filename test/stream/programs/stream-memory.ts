// Runs one streamed encrypt or decrypt of SIZE bytes in its own process and prints its peak RSS over the baseline as JSON (the memory test and the bench read it).
import { createReadStream, createWriteStream } from 'node:fs'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { buildClient } from '../../../lib/api/client'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../../lib/materials/raw-aes-keyring'

type Mode = 'encrypt-memory' | 'encrypt-file' | 'decrypt-file' | 'roundtrip-memory'

const [mode, backend, sizeText, frameText, suiteText, inputPath, outputPath] = process.argv.slice(2) as [Mode, 'js' | 'native', string, string, string, string?, string?]
const size = Number(sizeText)
const frameLength = Number(frameText)
const suiteId = Number(suiteText)
const CHUNK = 64 * 1024

const keyring = new RawAesKeyringNode({
  keyName: 'memory',
  keyNamespace: 'stream-memory',
  unencryptedMasterKey: Buffer.alloc(32, 9),
  wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
})
const client = buildClient({ backend })

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

async function run(): Promise<number> {
  const options = { suiteId, frameLength, encryptionContext: { memory: 'test' } }
  const { sink, count } = countingSink()
  switch (mode) {
    case 'encrypt-memory':
      await pipeline(patternSource(size), client.encryptStream(keyring, options), sink)
      return count()
    case 'roundtrip-memory':
      await pipeline(patternSource(size), client.encryptStream(keyring, options), client.decryptStream(keyring), sink)
      return count()
    case 'encrypt-file':
      await pipeline(createReadStream(inputPath ?? ''), client.encryptStream(keyring, options), createWriteStream(outputPath ?? ''))
      return size
    case 'decrypt-file':
      await pipeline(createReadStream(inputPath ?? ''), client.decryptStream(keyring), outputPath ? createWriteStream(outputPath) : sink)
      return outputPath ? size : count()
  }
}

async function main(): Promise<void> {
  // Warm up (module loading, first materials, the native self-test) before the baseline.
  await pipeline(patternSource(1 << 20), client.encryptStream(keyring, { suiteId, frameLength }), client.decryptStream(keyring), countingSink().sink)
  const baseline = process.memoryUsage().rss
  const started = process.hrtime.bigint()
  const bytes = await run()
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const peak = process.resourceUsage().maxRSS * 1024
  process.stdout.write(`${JSON.stringify({ mode, backend, size, bytes, seconds, baselineRss: baseline, peakRss: peak, extraRss: peak - baseline })}\n`)
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
