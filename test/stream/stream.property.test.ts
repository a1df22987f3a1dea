// Property tests of encryptStream/decryptStream on every backend: generated messages in generated chunks round-trip; a damaged message fails the stream with a typed error, having released only a prefix of the plaintext (never the final frame), never hanging.
import test from 'ava'
import fc from 'fast-check'
import { FC_RUNS, mutated, mutations, unchanged } from '../format/properties'
import { hex4 } from '../session/fixtures'
import { finalFrameLength, messageSpec, readerFor, refusal, samplesFor, withinTime } from '../session/property-helpers'
import { BACKEND_NAMES, chunksOf, clientFor, keyring, runThrough } from './helpers'
import { aesKeyring } from '../session/fixtures'

/** Chunk sizes for the writer: single bytes, small odd sizes, whole frames and bigger. */
const chunkSizes = fc.array(
  fc.oneof(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 5000 })),
  { minLength: 1, maxLength: 6 },
)

for (const backend of BACKEND_NAMES) {
  test(`[${backend}] generated messages written in generated chunks round-trip through encryptStream and decryptStream`, async (t) => {
    await fc.assert(
      fc.asyncProperty(messageSpec, chunkSizes, chunkSizes, async (spec, inSizes, outSizes) => {
        const client = clientFor(backend, spec.suiteId)
        const sealed = await withinTime(
          'encryptStream',
          runThrough(
            client.encryptStream(keyring(), {
              suiteId: spec.suiteId,
              frameLength: spec.frameLength,
              encryptionContext: spec.context,
            }),
            chunksOf(spec.plaintext, inSizes),
          ),
        )
        if (sealed.error) throw sealed.error
        const opened = await withinTime(
          'decryptStream',
          runThrough(readerFor(backend).decryptStream(keyring()), chunksOf(sealed.bytes, outSizes)),
        )
        if (opened.error) throw opened.error
        return opened.bytes.equals(spec.plaintext)
      }),
      { numRuns: FC_RUNS.messages },
    )
    t.pass()
  })

  test(`[${backend}] a damaged message of any suite, in any chunks, fails decryptStream with a typed error after releasing only a prefix of the plaintext without its final frame`, async (t) => {
    const samples = await samplesFor(backend)
    const reader = readerFor(backend)
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...samples), mutations(), chunkSizes, async (sample, edits, sizes) => {
        const bad = mutated(sample.message, edits)
        fc.pre(!unchanged(sample.message, bad))
        const got = await withinTime(
          'decryptStream',
          runThrough(reader.decryptStream(aesKeyring()), chunksOf(bad, sizes)),
        )
        const what = `${hex4(sample.suiteId)} (${sample.plaintext.length} bytes, frames of ${sample.frameLength})`
        if (!got.error)
          throw new Error(`${what}: a damaged message ended the stream cleanly with ${got.bytes.length} bytes`)
        const wrong = refusal(got.error)
        if (wrong) throw new Error(`${what}: ${wrong}`)
        if (!sample.plaintext.subarray(0, got.bytes.length).equals(got.bytes))
          throw new Error(`${what}: released bytes are not a prefix of the plaintext`)
        const max = sample.plaintext.length - finalFrameLength(sample)
        if (got.bytes.length > max)
          throw new Error(`${what}: released ${got.bytes.length} bytes, more than the ${max} before the final frame`)
      }),
      { numRuns: FC_RUNS.tampered * 2 },
    )
    t.pass()
  })
}
