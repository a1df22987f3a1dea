// decryptStream never stalls on a damaged message whose bytes and end all arrived while a call was in flight: a cut one byte into the body, a footer length that shrank; both fail at once instead of waiting for input that will never come.
import test from 'ava'
import { TransparentKeyring } from '../materials/test-keyrings'
import { specEncrypt } from '../session/spec-encrypt'
import { readerFor, withinTime } from '../session/property-helpers'
import { parseHeader } from '../../lib/format/header'
import { findSuite } from '../../lib/core/suites'
import { BACKEND_NAMES, chunksOf, runThrough } from './helpers'

// Found by the tamper matrix (test/session/tamper-matrix.ts): each of these left the stream neither ended nor failed.
const NAME = 'stall'
const keyring = (): TransparentKeyring => new TransparentKeyring(NAME)

function message(suiteId: number, framed: boolean): Buffer {
  const plaintext = Buffer.from('twenty bytes of text')
  const dataKey = Buffer.alloc(findSuite(suiteId)?.keyLengthBytes ?? 32, 0x21)
  return framed
    ? specEncrypt({
        suiteId,
        dataKey,
        edkName: NAME,
        frameLength: 16,
        frames: [
          { plaintext: plaintext.subarray(0, 16), final: false },
          { plaintext: plaintext.subarray(16), final: true },
        ],
      })
    : specEncrypt({ suiteId, dataKey, edkName: NAME, frameLength: 0, nonFramed: { plaintext } })
}

for (const backend of BACKEND_NAMES) {
  test(`[${backend}] a message cut one byte into its body fails, whatever the chunking (the end arrives while the keyring is asked)`, async (t) => {
    for (const [suiteId, framed] of [
      [0x0178, true],
      [0x0578, true],
      [0x0178, false],
    ] as const) {
      const m = message(suiteId, framed)
      const header = parseHeader(m, { maxEncryptedDataKeys: false })
      if (!header.done) return t.fail('header')
      const cut = m.subarray(0, header.headerLength + 1)
      for (const size of [1, 11, cut.length]) {
        const got = await withinTime(
          `cut ${suiteId} in chunks of ${size}`,
          runThrough(readerFor(backend).decryptStream(keyring()), chunksOf(cut, [size])),
        )
        t.is(
          got.error?.code,
          'MALFORMED_MESSAGE',
          `0x${suiteId.toString(16)} ${framed ? 'framed' : 'non-framed'}, chunks of ${size}`,
        )
        t.is(got.bytes.length, 0)
      }
    }
  })

  test(`[${backend}] a signed message whose footer length shrank fails once its bytes are all queued (they arrive before the body is opened)`, async (t) => {
    for (const framed of [true, false]) {
      const m = message(0x0578, framed)
      // The footer is uint16 length ‖ DER signature, last in the message (message-footer.md): shrink the length by 4.
      let at = m.length - 2
      while (at > 0 && m.readUInt16BE(at) !== m.length - at - 2) at--
      const bad = Buffer.from(m)
      bad.writeUInt16BE(m.readUInt16BE(at) - 4, at)
      for (const size of [11, bad.length]) {
        const got = await withinTime(
          `footer, chunks of ${size}`,
          runThrough(readerFor(backend).decryptStream(keyring()), chunksOf(bad, [size])),
        )
        t.truthy(got.error, `${framed ? 'framed' : 'non-framed'}, chunks of ${size}: fails`)
        t.regex(got.error?.code ?? '', /MALFORMED_MESSAGE|AUTHENTICATION_FAILED/)
      }
    }
  })
}
