// Buffers handed back and forth: a writer that reuses its chunks once the stream returns them, a reader that returns the stream's output chunks. Returned memory is scribbled on at once, so a chunk returned too early (still queued, still read by a call in flight, still out with a reader) shows as wrong bytes or a failed message.
import test from 'ava'
import { randomBytes } from 'node:crypto'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AuthenticationError } from '../../lib/core/errors'
import { MessageDuplex } from '../../lib/stream/message-duplex'
import { BACKEND_NAMES, clientFor, keyring } from './helpers'

const MiB = 1024 * 1024

/** A source that reuses a small set of buffers: each is refilled only after the stream handed it back, and scribbled on the moment it is. */
class ReusingSource extends Readable {
  private at = 0
  private readonly spare: Buffer[] = []
  readonly made = new Set<ArrayBufferLike>()
  returned = 0
  private turn = 0

  constructor(
    private readonly data: Buffer,
    private readonly sizes: readonly number[],
  ) {
    super({ highWaterMark: 1 })
  }

  giveBack(chunk: Buffer): void {
    if (!this.made.has(chunk.buffer)) throw new Error('handed back a chunk this source never wrote')
    this.returned++
    const whole = Buffer.from(chunk.buffer, 0, chunk.buffer.byteLength)
    whole.fill(0xa5)
    this.spare.push(whole)
  }

  override _read(): void {
    if (this.at >= this.data.length) {
      this.push(null)
      return
    }
    const size = Math.min(this.sizes[this.turn++ % this.sizes.length] as number, this.data.length - this.at)
    let into = this.spare.findIndex((b) => b.length >= size)
    const buffer = into >= 0 ? (this.spare.splice(into, 1)[0] as Buffer) : this.fresh(size)
    into = this.at
    this.data.copy(buffer, 0, into, into + size)
    this.at += size
    // Pushed on a later turn, as a file read would be: the stream may run calls meanwhile.
    setImmediate(() => this.push(buffer.subarray(0, size)))
  }

  private fresh(size: number): Buffer {
    const b = Buffer.allocUnsafeSlow(Math.max(size, 2 * MiB))
    this.made.add(b.buffer)
    return b
  }
}

/**
 * A sink that keeps up to `hold` chunks before returning the oldest, and every 50th until the end (returns out of
 * order), checking that none changed while held (the stream must not carve new output from memory still out),
 * then scribbles on what it returned.
 */
function returningSink(
  stream: MessageDuplex,
  hold: number,
): { sink: Writable; bytes: () => Buffer; stats: { returned: number; stores: Set<ArrayBufferLike> } } {
  const copies: Buffer[] = []
  const held: { chunk: Buffer; copy: Buffer }[] = []
  const stragglers: { chunk: Buffer; copy: Buffer }[] = []
  const stats = { returned: 0, stores: new Set<ArrayBufferLike>() }
  const giveBack = (from = held): void => {
    const oldest = from.shift()
    if (!oldest) return
    if (!oldest.chunk.equals(oldest.copy)) throw new Error('an output chunk changed while the reader still held it')
    stream.returnOutput(oldest.chunk)
    oldest.chunk.fill(0x5a)
    stats.returned++
  }
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const copy = Buffer.from(chunk)
      copies.push(copy)
      stats.stores.add(chunk.buffer)
      ;(copies.length % 50 === 0 ? stragglers : held).push({ chunk, copy })
      try {
        while (held.length > hold) giveBack()
        done()
      } catch (e) {
        done(e as Error)
      }
    },
    final(done) {
      try {
        while (held.length > 0) giveBack()
        while (stragglers.length > 0) giveBack(stragglers)
        done()
      } catch (e) {
        done(e as Error)
      }
    },
  })
  return { sink, bytes: () => Buffer.concat(copies), stats }
}

function asDuplex(stream: unknown): MessageDuplex {
  if (!(stream instanceof MessageDuplex)) throw new Error('expected one of our message streams')
  return stream
}

// Big chunks put runs on the native thread pool (a call in flight while the queue moved on); small ones gather
// frames across chunks; 4 KiB frames make many runs per chunk; small chunks only carve many runs from each slab.
const CASES = [
  { frameLength: 4096, sizes: [65536, 50_000] },
  { frameLength: 4096, sizes: [3 * MiB, 100_000, 1 * MiB + 7] },
  { frameLength: 65536, sizes: [1 * MiB + 64 * 1024, 17, 2 * MiB] },
] as const

for (const backend of BACKEND_NAMES) {
  for (const suiteId of [0x0478, 0x0578]) {
    for (const { frameLength, sizes } of CASES) {
      test(`[${backend}] 0x${suiteId.toString(16)} ${frameLength}-byte frames, chunks of ${sizes.join('/')} bytes: reused both ways, round-trip exactly`, async (t) => {
        const client = clientFor(backend, suiteId)
        const plaintext = randomBytes(9 * MiB + 12_345)

        const encrypt = asDuplex(client.encryptStream(keyring(), { suiteId, frameLength }))
        const plainSource = new ReusingSource(plaintext, sizes)
        encrypt.returnInputTo((chunk) => plainSource.giveBack(chunk))
        encrypt.willReturnOutput()
        const cipherSink = returningSink(encrypt, 3)
        await pipeline(plainSource, encrypt, cipherSink.sink)
        const ciphertext = cipherSink.bytes()

        // The plain message, checked by the stream without any reuse.
        const plain = await client.decrypt(keyring(), ciphertext)
        t.true(plain.plaintext.equals(plaintext))

        const decrypt = asDuplex(client.decryptStream(keyring()))
        const cipherSource = new ReusingSource(ciphertext, sizes)
        decrypt.returnInputTo((chunk) => cipherSource.giveBack(chunk))
        decrypt.willReturnOutput()
        const plainSink = returningSink(decrypt, 40)
        let headerContext: Record<string, string> | undefined
        decrypt.on('MessageHeader', (h: { encryptionContext: Record<string, string> }) => {
          headerContext = h.encryptionContext
        })
        await pipeline(cipherSource, decrypt, plainSink.sink)
        t.true(plainSink.bytes().equals(plaintext))
        t.deepEqual(headerContext, plain.messageHeader.encryptionContext)

        // Reuse happened: most input chunks came back, and the outputs were carved from far fewer stores than chunks.
        t.true(plainSource.returned > 5, `${plainSource.returned} plaintext chunks handed back`)
        t.true(cipherSource.returned > 5, `${cipherSource.returned} ciphertext chunks handed back`)
        t.true(plainSource.made.size <= 6, `${plainSource.made.size} source buffers`)
        t.true(
          plainSink.stats.stores.size < plainSink.stats.returned,
          `${plainSink.stats.stores.size} stores for ${plainSink.stats.returned} chunks`,
        )
      })
    }
  }
}

test('a stream that fails hands nothing more back', async (t) => {
  const client = clientFor(BACKEND_NAMES[BACKEND_NAMES.length - 1] as 'js' | 'native', 0x0478)
  const ciphertext = (await client.encrypt(keyring(), randomBytes(3 * MiB), { suiteId: 0x0478, frameLength: 4096 }))
    .result
  // A flipped byte in the last frame's tag: every earlier frame is fine.
  ciphertext[ciphertext.length - 1] = (ciphertext[ciphertext.length - 1] as number) ^ 1
  const decrypt = asDuplex(client.decryptStream(keyring()))
  const source = new ReusingSource(ciphertext, [512 * 1024])
  let afterFailure = 0
  let failed = false
  decrypt.on('error', () => {
    failed = true
  })
  decrypt.returnInputTo((chunk) => {
    if (failed) afterFailure++
    source.giveBack(chunk)
  })
  await t.throwsAsync(pipeline(source, decrypt, new Writable({ write: (_c, _e, done) => done() })), {
    instanceOf: AuthenticationError,
  })
  t.true(failed)
  t.is(afterFailure, 0)
})
