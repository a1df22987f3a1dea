// Property tests of one-shot encrypt/decrypt on every backend: generated messages round-trip; any mutation, cut, insertion or trailing bytes is refused with a typed error, never plaintext, never a hang.
import test from 'ava'
import fc from 'fast-check'
import { FC_RUNS, mutated, mutations, unchanged } from '../format/properties'
import { aesKeyring, BACKENDS, clientFor, hex4 } from './fixtures'
import { messageSpec, readerFor, refusal, samplesFor, withinTime } from './property-helpers'

for (const backend of BACKENDS) {
  test(`[${backend}] generated messages of every suite, frame length and context round-trip through encrypt and decrypt`, async (t) => {
    await fc.assert(
      fc.asyncProperty(messageSpec, async (spec) => {
        const keyring = aesKeyring()
        const { result, messageHeader } = await withinTime(
          'encrypt',
          clientFor(spec.suiteId, backend).encrypt(keyring, spec.plaintext, {
            suiteId: spec.suiteId,
            frameLength: spec.frameLength,
            encryptionContext: spec.context,
          }),
        )
        const opened = await withinTime('decrypt', readerFor(backend).decrypt(keyring, result))
        if (!opened.plaintext.equals(spec.plaintext)) return false
        if (messageHeader.suiteId !== spec.suiteId || opened.messageHeader.frameLength !== spec.frameLength)
          return false
        return Object.entries(spec.context).every(([k, v]) => opened.messageHeader.encryptionContext[k] === v)
      }),
      { numRuns: FC_RUNS.messages },
    )
    t.pass()
  })

  test(`[${backend}] any mutation, cut, insertion or trailing bytes of a message of any suite is refused with a typed error, never plaintext`, async (t) => {
    const samples = await samplesFor(backend)
    const keyring = aesKeyring()
    const reader = readerFor(backend)
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...samples), mutations(), async (sample, edits) => {
        const bad = mutated(sample.message, edits)
        fc.pre(!unchanged(sample.message, bad))
        try {
          const { plaintext } = await withinTime('decrypt', reader.decrypt(keyring, bad))
          throw new Error(`${hex4(sample.suiteId)}: a damaged message decrypted to ${plaintext.length} bytes`)
        } catch (e) {
          const wrong = refusal(e)
          if (wrong) throw new Error(`${hex4(sample.suiteId)}: ${wrong}`, { cause: e })
        }
      }),
      { numRuns: FC_RUNS.tampered * 3 },
    )
    t.pass()
  })
}
