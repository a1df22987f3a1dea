// The bytes encrypt writes: header fields, frame layout and sizes, read back by a spec-only reader and by the official SDK.
import test from 'ava'
import { PARALLEL_THRESHOLD } from '../../lib/backend/native-backend'
import { MultiKeyringNode } from '../../lib/materials/multi-keyring'
import { TransparentKeyring } from '../materials/test-keyrings'
import {
  BACKENDS,
  ALL_SUITE_IDS,
  aesKeyring,
  clientFor,
  hex4,
  officialAesKeyring,
  officialReader,
  suite,
} from './fixtures'
import { specDecrypt } from './spec-decrypt'

const FILL = 0x6b

/** The AES keyring makes the data key (so the official SDK can read the message); the transparent child reveals it to the spec reader. */
function keyring(): MultiKeyringNode {
  return new MultiKeyringNode({ generator: aesKeyring(), children: [new TransparentKeyring('reveal', FILL)] })
}

function revealedKey(message: Buffer, keyLength: number, messageIdLength: number): Buffer {
  // The transparent EDK holds the data key as is; find it through the EDK list by the spec layout.
  let o = messageIdLength === 16 ? 4 + 16 : 3 + 32
  o += 2 + message.readUInt16BE(o)
  const count = message.readUInt16BE(o)
  o += 2
  for (let i = 0; i < count; i++) {
    const fields: Buffer[] = []
    for (let f = 0; f < 3; f++) {
      const n = message.readUInt16BE(o)
      fields.push(message.subarray(o + 2, o + 2 + n))
      o += 2 + n
    }
    if (fields[0]?.toString() === 'transparent' && fields[2]?.length === keyLength) return Buffer.from(fields[2])
  }
  throw new Error('no transparent EDK')
}

const FRAME = 64

for (const backend of BACKENDS) {
  for (const suiteId of ALL_SUITE_IDS) {
    test(`[${backend}] ${hex4(suiteId)}: header fields, frames and sizes follow the spec; the spec reader and the official SDK both decrypt`, async (t) => {
      const s = suite(suiteId)
      const plaintext = Buffer.alloc(150, 0x21) // two full frames of 64, a final frame of 22
      const { result, messageHeader } = await clientFor(suiteId, backend).encrypt(keyring(), plaintext, {
        suiteId,
        frameLength: FRAME,
        encryptionContext: { purpose: 'structure' },
      })
      const dataKey = revealedKey(result, s.keyLengthBytes, s.messageIdLength)
      const m = specDecrypt(result, dataKey)
      t.deepEqual(m.plaintext, plaintext)
      t.is(m.version, s.messageFormat)
      t.is(m.suiteId, suiteId)
      t.deepEqual(m.messageId, messageHeader.messageId)
      t.is(m.messageId.length, s.messageFormat === 2 ? 32 : 16)
      t.is(m.contentType, 2, 'always framed')
      t.is(m.frameLength, FRAME)
      t.is(m.edkCount, 2)
      t.is(m.encryptionContext.purpose, 'structure')
      t.is('aws-crypto-public-key' in m.encryptionContext, s.signature !== undefined)
      t.is(m.suiteData?.length, s.commitment ? 32 : undefined)
      t.is(m.headerLength, m.headerBodyLength + (s.messageFormat === 1 ? 28 : 16))

      t.deepEqual(
        m.frames.map((f) => [f.sequenceNumber, f.final, f.contentLength]),
        [
          [1, false, 64],
          [2, false, 64],
          [3, true, 22],
        ],
      )
      for (const f of m.frames)
        t.is(f.iv.toString('hex'), '0000000000000000' + f.sequenceNumber.toString(16).padStart(8, '0'))
      t.is(m.bodyLength, 2 * (4 + 12 + FRAME + 16) + (4 + 4 + 12 + 4 + 22 + 16))
      const footer = m.signatureLength === undefined ? 0 : 2 + m.signatureLength
      t.is(result.length, m.headerLength + m.bodyLength + footer)
      t.is(m.signatureLength === undefined, s.signature === undefined)

      const official = await officialReader.decrypt(officialAesKeyring(), result)
      t.deepEqual(official.plaintext, plaintext)
    })
  }

  test(`[${backend}] an exact multiple of the frame length ends with an empty final frame (8192 bytes at 4096: two full frames)`, async (t) => {
    const plaintext = Buffer.alloc(8192, 0x42)
    const { result } = await clientFor(0x0578, backend).encrypt(keyring(), plaintext, { frameLength: 4096 })
    const m = specDecrypt(result, revealedKey(result, 32, 32))
    t.deepEqual(
      m.frames.map((f) => [f.sequenceNumber, f.final, f.contentLength]),
      [
        [1, false, 4096],
        [2, false, 4096],
        [3, true, 0],
      ],
    )
    t.is(m.bodyLength, 2 * (4 + 12 + 4096 + 16) + (4 + 4 + 12 + 4 + 0 + 16))
    t.deepEqual(m.plaintext, plaintext)
    t.deepEqual((await officialReader.decrypt(officialAesKeyring(), result)).plaintext, plaintext)
  })

  test(`[${backend}] a message over the native thread-pool threshold (sealed asynchronously there) has the spec's layout and the official SDK reads it`, async (t) => {
    const plaintext = Buffer.alloc(PARALLEL_THRESHOLD + 1, 0x37)
    const frameLength = 256 * 1024
    const { result, messageHeader } = await clientFor(0x0578, backend).encrypt(keyring(), plaintext, { frameLength })
    const m = specDecrypt(result, revealedKey(result, 32, 32))
    t.deepEqual(m.messageId, messageHeader.messageId)
    t.deepEqual(m.suiteData, messageHeader.version === 2 ? messageHeader.suiteData : undefined)
    t.deepEqual(
      m.frames.map((f) => [f.sequenceNumber, f.final, f.contentLength]),
      [
        [1, false, frameLength],
        [2, false, frameLength],
        [3, false, frameLength],
        [4, false, frameLength],
        [5, true, 1],
      ],
    )
    t.is(result.length, m.headerLength + m.bodyLength + 2 + (m.signatureLength ?? 0), 'no footer room left over')
    t.true(m.plaintext.equals(plaintext))
    t.true((await officialReader.decrypt(officialAesKeyring(), result)).plaintext.equals(plaintext))
  })

  test(`[${backend}] an empty plaintext is a single empty final frame`, async (t) => {
    const { result } = await clientFor(0x0478, backend).encrypt(keyring(), Buffer.alloc(0), { suiteId: 0x0478 })
    const m = specDecrypt(result, revealedKey(result, 32, 32))
    t.deepEqual(
      m.frames.map((f) => [f.sequenceNumber, f.final, f.contentLength]),
      [[1, true, 0]],
    )
    t.is(m.plaintext.length, 0)
  })

  test(`[${backend}] the default frame length is 4096`, async (t) => {
    const { result, messageHeader } = await clientFor(0x0478, backend).encrypt(keyring(), 'x', { suiteId: 0x0478 })
    t.is(messageHeader.frameLength, 4096)
    t.is(specDecrypt(result, revealedKey(result, 32, 32)).frameLength, 4096)
  })

  test(`[${backend}] every message gets a fresh message id`, async (t) => {
    const ids = new Set<string>()
    for (let i = 0; i < 8; i++)
      ids.add(
        (
          await clientFor(0x0478, backend).encrypt(keyring(), 'x', { suiteId: 0x0478 })
        ).messageHeader.messageId.toString('hex'),
      )
    t.is(ids.size, 8)
  })
}
