// encryptStream/decryptStream on every backend and suite: round trips at any chunking, the one-shot bytes under the test random source, and interop both ways with the official streams.
import test from 'ava'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { setRandomSourceForTesting } from '../../lib/core/random'
import { MessageHeader } from '../../lib/format/header'
import { parseHeader } from '../../lib/format/header'
import { frameRefs, scanBody } from '../../lib/format/body-table'
import {
  ALL_SUITE_IDS,
  BACKEND_NAMES,
  chunksOf,
  clientFor,
  keyring,
  officialClientFor,
  officialKeyring,
  plaintextOf,
  runThrough,
} from './helpers'

const hex = (id: number): string => `0x${id.toString(16).padStart(4, '0')}`

for (const backend of BACKEND_NAMES) {
  test(`[${backend}] every suite: encryptStream → decryptStream at any chunking gives the plaintext back, and both emit MessageHeader first`, async (t) => {
    for (const suiteId of ALL_SUITE_IDS) {
      const client = clientFor(backend, suiteId)
      for (const [size, frameLength] of [
        [0, 16],
        [1, 16],
        [15, 16],
        [16, 16],
        [17, 16],
        [53, 16],
        [10_000, 4096],
      ] as const) {
        const plaintext = plaintextOf(size, suiteId)
        for (const sizes of [[1], [7], [frameLength + 3], [100_000]]) {
          const where = `${hex(suiteId)} ${size}/${frameLength} chunks ${sizes[0]}`
          const enc = client.encryptStream(keyring(), { suiteId, frameLength, encryptionContext: { where } })
          const events: string[] = []
          enc.on('MessageHeader', (h: MessageHeader) => events.push(`header ${h.suiteId}`))
          enc.on('data', () => events.push('data'))
          const encrypted = await runThrough(enc, chunksOf(plaintext, sizes))
          t.is(encrypted.error, undefined, where)
          t.is(events[0], `header ${suiteId}`, `${where}: MessageHeader before the first byte`)
          const dec = client.decryptStream(keyring())
          let decHeader: MessageHeader | undefined
          let dataBeforeHeader = false
          dec.on('data', () => (dataBeforeHeader ||= decHeader === undefined))
          dec.on('MessageHeader', (h: MessageHeader) => (decHeader = h))
          const decrypted = await runThrough(dec, chunksOf(encrypted.bytes, sizes))
          t.is(decrypted.error, undefined, where)
          t.true(decrypted.bytes.equals(plaintext), `${where}: plaintext`)
          t.is(decHeader?.encryptionContext.where, where)
          t.false(dataBeforeHeader, `${where}: no plaintext before MessageHeader`)
          // The one-shot API reads what the stream wrote.
          t.true(
            (await client.decrypt(keyring(), encrypted.bytes)).plaintext.equals(plaintext),
            `${where}: one-shot decrypt`,
          )
        }
      }
    }
  })
}

/** SHA-256 in counter mode over a seed: reproducible, different for every draw. */
function seededSource(seed: string): (out: Uint8Array) => void {
  let counter = 0
  return (out) => {
    for (let o = 0; o < out.length; o += 32)
      out.set(
        createHash('sha256')
          .update(seed)
          .update(String(counter++))
          .digest()
          .subarray(0, Math.min(32, out.length - o)),
        o,
      )
  }
}

/** Header and body: what a signature covers (the ECDSA nonce is OpenSSL's, never the test source). */
function unsignedPart(message: Buffer): Buffer {
  const header = parseHeader(message, { maxEncryptedDataKeys: false })
  if (!header.done) throw new Error('truncated header')
  const body = scanBody(message, header.headerLength, header.header.contentType, header.header.frameLength, {})
  if (frameRefs(body).length === 0) throw new Error('no frames')
  return message.subarray(0, body.end)
}

/** Plaintext size per frame length, so every frame length is crossed a few times without slow tests. */
const GRID: ReadonlyArray<{ frameLength: number; size: number }> = [
  { frameLength: 1, size: 300 },
  { frameLength: 17, size: 10_007 },
  { frameLength: 4096, size: 300_001 },
  { frameLength: 65536, size: 2 * 1024 * 1024 + 3 },
  { frameLength: 1 << 20, size: 17 * 1024 * 1024 + 5 },
]
const CHUNKS = [1, 1000, 65536, 1 << 20, 16 << 20]

// Serial: the test random source is process-wide, and another test drawing from it meanwhile would change the bytes.
for (const backend of BACKEND_NAMES) {
  test.serial(
    `[${backend}] under the test random source, encryptStream writes the one-shot bytes for every suite, chunk sizes 1 B..16 MiB and frame lengths 1 B..1 MiB (signed: up to the footer)`,
    async (t) => {
      for (const suiteId of ALL_SUITE_IDS) {
        const client = clientFor(backend, suiteId)
        for (const { frameLength, size } of GRID) {
          // The big cases on two suites only (one signed), the small ones on all: the frame logic does not depend on the suite.
          if (size > 400_000 && suiteId !== 0x0478 && suiteId !== 0x0578) continue
          const plaintext = plaintextOf(size, frameLength)
          const options = { suiteId, frameLength, encryptionContext: { grid: String(frameLength) } }
          setRandomSourceForTesting(seededSource(`${suiteId}/${frameLength}`))
          let oneShot: Buffer
          try {
            oneShot = (await client.encrypt(keyring(), plaintext, options)).result
          } finally {
            setRandomSourceForTesting(undefined)
          }
          for (const chunk of CHUNKS) {
            if (chunk === 1 && size > 20_000) continue
            if (chunk > 1 << 20 && size < 1 << 20) continue
            setRandomSourceForTesting(seededSource(`${suiteId}/${frameLength}`))
            let streamed: Buffer
            try {
              const out = await runThrough(client.encryptStream(keyring(), options), chunksOf(plaintext, [chunk]))
              if (out.error) throw out.error
              streamed = out.bytes
            } finally {
              setRandomSourceForTesting(undefined)
            }
            const where = `${hex(suiteId)} frame ${frameLength} chunk ${chunk}`
            if (suiteId === 0x0214 || suiteId === 0x0346 || suiteId === 0x0378 || suiteId === 0x0578) {
              t.true(
                unsignedPart(streamed).equals(unsignedPart(oneShot)),
                `${where}: the one-shot bytes up to the footer`,
              )
              t.true(
                (await client.decrypt(keyring(), streamed)).plaintext.equals(plaintext),
                `${where}: its footer verifies`,
              )
            } else {
              t.true(streamed.equals(oneShot), `${where}: the one-shot bytes`)
            }
          }
        }
      }
    },
  )
}

for (const backend of BACKEND_NAMES) {
  test(`[${backend}] interop with the official streams, both ways, every suite`, async (t) => {
    for (const suiteId of ALL_SUITE_IDS) {
      const ours = clientFor(backend, suiteId)
      const theirs = officialClientFor(suiteId)
      const plaintext = plaintextOf(70_001, suiteId)
      const where = hex(suiteId)
      // Ours → official.
      const mine = await runThrough(
        ours.encryptStream(keyring(), { suiteId, frameLength: 4096, encryptionContext: { from: 'ours' } }),
        chunksOf(plaintext, [5000]),
      )
      t.is(mine.error, undefined, where)
      const opened = await runThrough(theirs.decryptStream(officialKeyring()), chunksOf(mine.bytes, [3333]))
      t.is(opened.error, undefined, `${where}: official decryptStream`)
      t.true(opened.bytes.equals(plaintext), `${where}: ours → official`)
      // Official → ours.
      const encrypted = await runThrough(
        theirs.encryptStream(officialKeyring(), {
          suiteId: suiteId as never,
          frameLength: 4096,
          encryptionContext: { from: 'official' },
        }),
        chunksOf(plaintext, [7000]),
      )
      t.is(encrypted.error, undefined, `${where}: official encryptStream`)
      const decrypted = await runThrough(ours.decryptStream(keyring()), chunksOf(encrypted.bytes, [2048]))
      t.is(decrypted.error, undefined, `${where}: our decryptStream`)
      t.true(decrypted.bytes.equals(plaintext), `${where}: official → ours`)
    }
  })
}

test('encrypt(keyring, readable) and decrypt(keyring, readable) still drain streams', async (t) => {
  const client = clientFor(BACKEND_NAMES[BACKEND_NAMES.length - 1] ?? 'js')
  const plaintext = plaintextOf(12_345)
  const { result } = await client.encrypt(keyring(), Readable.from(chunksOf(plaintext, [1000])))
  const { plaintext: back } = await client.decrypt(keyring(), Readable.from(chunksOf(result, [777])))
  t.true(back.equals(plaintext))
})
