// Message body structure: body AAD and frame IV layout, frame sequencing, final-frame bounds, truncation and non-framed limits.
import test, { ExecutionContext } from 'ava'
import { LimitExceededError, MalformedMessageError } from '../../lib/core/errors'
import { FrameRef, MAX_FRAMES, bodyAad, framedBodySize, frameIv, parseFooter, scanFooter } from '../../lib/format/body'
import { BodyLimits, frameRefs, scanBody } from '../../lib/format/body-table'
import { ContentType, parseHeader } from '../../lib/format/header'
import { officialMessage } from './official-messages'
import { finalFrame, regularFrame, u16, u32, u64 } from './spec-bytes'

const ascii = (s: string): Buffer => Buffer.from(s, 'ascii')

/** scanBody seen as FrameRef views (what these tests compare). */
function parseBody(
  bytes: Buffer,
  start: number,
  contentType: ContentType,
  frameLength: number,
  limits: BodyLimits,
): { frames: FrameRef[]; plaintextLength: number; end: number } {
  const body = scanBody(bytes, start, contentType, frameLength, limits)
  return { frames: frameRefs(body), plaintextLength: body.plaintextLength, end: body.end }
}

test('body AAD = message id ‖ content string ‖ uint32 sequence number ‖ uint64 content length, with the spec strings', (t) => {
  const id16 = Buffer.alloc(16, 0x42)
  const id32 = Buffer.alloc(32, 0x43)
  t.deepEqual(
    bodyAad(id16, { kind: 'frame', sequenceNumber: 2 }, 4096),
    Buffer.concat([id16, ascii('AWSKMSEncryptionClient Frame'), u32(2), u64(4096)]),
  )
  t.deepEqual(
    bodyAad(id32, { kind: 'final', sequenceNumber: 7 }, 0),
    Buffer.concat([id32, ascii('AWSKMSEncryptionClient Final Frame'), u32(7), u64(0)]),
  )
  t.deepEqual(
    bodyAad(id16, { kind: 'single', sequenceNumber: 1 }, 2 ** 36 - 32),
    Buffer.concat([id16, ascii('AWSKMSEncryptionClient Single Block'), u32(1), Buffer.from('0000000fffffffe0', 'hex')]),
  )
  t.deepEqual(
    bodyAad(id16, { kind: 'frame', sequenceNumber: 0xfffffffe }, 0xffffffff),
    Buffer.concat([
      id16,
      ascii('AWSKMSEncryptionClient Frame'),
      Buffer.from('fffffffe', 'hex'),
      Buffer.from('00000000ffffffff', 'hex'),
    ]),
  )
})

test('frame IV on encrypt = 8 zero bytes ‖ uint32 big-endian sequence number', (t) => {
  t.is(frameIv(1).toString('hex'), '000000000000000000000001')
  t.is(frameIv(0x01020304).toString('hex'), '000000000000000001020304')
  t.is(frameIv(0xfffffffe).toString('hex'), '0000000000000000fffffffe')
})

const PREFIX = Buffer.alloc(5, 0x99) // stands in for the header: parsing starts at an offset

function body(...parts: Buffer[]): Buffer {
  return Buffer.concat([PREFIX, ...parts])
}

function malformed(t: ExecutionContext, bytes: Buffer, frameLength: number, what: string): void {
  const err = t.throws(
    () => parseBody(bytes, PREFIX.length, ContentType.FRAMED_DATA, frameLength, {}),
    { instanceOf: MalformedMessageError },
    what,
  )
  t.is(err?.code, 'MALFORMED_MESSAGE', what)
}

test('a well-formed framed body parses into its frames', (t) => {
  const bytes = body(regularFrame(1, 8), regularFrame(2, 8), finalFrame(3, 5))
  const layout = parseBody(bytes, PREFIX.length, ContentType.FRAMED_DATA, 8, {})
  t.deepEqual(
    layout.frames.map((f) => [f.kind, f.sequenceNumber, f.ciphertext.length]),
    [
      ['frame', 1, 8],
      ['frame', 2, 8],
      ['final', 3, 5],
    ],
  )
  t.deepEqual(layout.frames[0]?.iv, Buffer.alloc(12, 1))
  t.deepEqual(layout.frames[2]?.tag, Buffer.alloc(16, 0xdd))
  t.is(layout.plaintextLength, 21)
  t.is(layout.end, bytes.length)
})

test('a body that is only a final frame (empty or short plaintext) parses', (t) => {
  const empty = parseBody(body(finalFrame(1, 0)), PREFIX.length, ContentType.FRAMED_DATA, 4096, {})
  t.is(empty.plaintextLength, 0)
  t.is(empty.frames.length, 1)
})

test('a final frame exactly as long as the frame length is accepted (as the Dafny SDKs write it)', (t) => {
  const layout = parseBody(body(regularFrame(1, 8), finalFrame(2, 8)), PREFIX.length, ContentType.FRAMED_DATA, 8, {})
  t.is(layout.plaintextLength, 16)
})

test('sequence numbers must start at 1 and increase by one', (t) => {
  malformed(t, body(regularFrame(2, 8), finalFrame(3, 1)), 8, 'starts at 2')
  malformed(t, body(regularFrame(0, 8), finalFrame(1, 1)), 8, 'starts at 0')
  malformed(t, body(finalFrame(2, 1)), 8, 'lone final frame numbered 2')
  malformed(t, body(regularFrame(1, 8), regularFrame(3, 8), finalFrame(4, 1)), 8, 'skips 2')
  malformed(t, body(regularFrame(1, 8), regularFrame(1, 8), finalFrame(2, 1)), 8, 'repeats 1')
  malformed(t, body(regularFrame(1, 8), regularFrame(2, 8), finalFrame(2, 1)), 8, 'final repeats 2')
  malformed(t, body(regularFrame(1, 8), finalFrame(5, 1)), 8, 'final jumps to 5')
})

test('a final frame longer than the frame length is refused', (t) => {
  malformed(t, body(finalFrame(1, 9)), 8, 'final 9 > 8')
  malformed(t, body(regularFrame(1, 8), finalFrame(2, 4097)), 8, 'final 4097 > 8')
  // The declared length is checked before any content is read.
  malformed(t, body(finalFrame(1, 0, 0xffffffff)), 8, 'declared 2^32-1, no content')
})

test('every truncation of a framed body is malformed, never a different error', (t) => {
  const full = body(regularFrame(1, 8), regularFrame(2, 8), finalFrame(3, 3))
  for (let n = PREFIX.length; n < full.length; n++) malformed(t, full.subarray(0, n), 8, `cut at ${n}`)
})

test('a body without a final frame is malformed', (t) => {
  malformed(t, body(regularFrame(1, 8), regularFrame(2, 8)), 8, 'no final frame')
})

function nonFramed(length: number, present = length): Buffer {
  return body(Buffer.alloc(12, 7), u64(length), Buffer.alloc(present, 0xcc), Buffer.alloc(16, 0xdd))
}

test('a non-framed body parses as one single block with sequence number 1', (t) => {
  const layout = parseBody(nonFramed(10), PREFIX.length, ContentType.NO_FRAMING, 0, {})
  t.is(layout.frames.length, 1)
  t.is(layout.frames[0]?.kind, 'single')
  t.is(layout.frames[0]?.sequenceNumber, 1)
  t.is(layout.plaintextLength, 10)
  t.is(layout.end, PREFIX.length + 12 + 8 + 10 + 16)
})

test('non-framed content over 2^36 - 32 bytes is refused from its length field', (t) => {
  t.throws(() => parseBody(nonFramed(2 ** 36 - 31, 0), PREFIX.length, ContentType.NO_FRAMING, 0, {}), {
    instanceOf: MalformedMessageError,
  })
  // 2^36 - 32 itself is legal, so with the bytes absent it is only truncated.
  t.throws(() => parseBody(nonFramed(2 ** 36 - 32, 0), PREFIX.length, ContentType.NO_FRAMING, 0, {}), {
    instanceOf: MalformedMessageError,
  })
})

test('maxBodySize refuses a larger non-framed body before reading its content', (t) => {
  const err = t.throws(
    () => parseBody(nonFramed(1000, 0), PREFIX.length, ContentType.NO_FRAMING, 0, { maxBodySize: 999 }),
    {
      instanceOf: LimitExceededError,
    },
  )
  t.is(err?.code, 'LIMIT_EXCEEDED')
  t.notThrows(() => parseBody(nonFramed(1000), PREFIX.length, ContentType.NO_FRAMING, 0, { maxBodySize: 1000 }))
})

test('every truncation of a non-framed body is malformed', (t) => {
  const full = nonFramed(5)
  for (let n = PREFIX.length; n < full.length; n++) {
    t.throws(
      () => parseBody(full.subarray(0, n), PREFIX.length, ContentType.NO_FRAMING, 0, {}),
      { instanceOf: MalformedMessageError },
      `cut at ${n}`,
    )
  }
})

test('the footer is uint16 length ‖ signature, and a short one is malformed', (t) => {
  const footer = Buffer.concat([PREFIX, u16(3), Buffer.from([1, 2, 3])])
  const parsed = parseFooter(footer, PREFIX.length)
  t.deepEqual(parsed.signature, Buffer.from([1, 2, 3]))
  t.is(parsed.end, footer.length)
  for (let n = PREFIX.length; n < footer.length; n++) {
    t.throws(
      () => parseFooter(footer.subarray(0, n), PREFIX.length),
      { instanceOf: MalformedMessageError },
      `cut at ${n}`,
    )
    // Incrementally, a short footer says how many more bytes it needs at least.
    const partial = scanFooter(footer.subarray(0, n), PREFIX.length)
    t.deepEqual(
      partial,
      { needMore: n < PREFIX.length + 2 ? PREFIX.length + 2 - n : footer.length - n },
      `scan cut at ${n}`,
    )
  }
})

test('framedBodySize: full frames then a final frame, empty on an exact multiple (like the JS SDK)', (t) => {
  // regular frame = 4 + 12 + L + 16; final frame = 4 + 4 + 12 + 4 + n + 16
  t.deepEqual(framedBodySize(8192, 4096), {
    size: 2 * (4 + 12 + 4096 + 16) + (4 + 4 + 12 + 4 + 0 + 16),
    fullFrames: 2,
    finalLength: 0,
  })
  t.deepEqual(framedBodySize(5, 4096), { size: 4 + 4 + 12 + 4 + 5 + 16, fullFrames: 0, finalLength: 5 })
  t.deepEqual(framedBodySize(0, 4096), { size: 40, fullFrames: 0, finalLength: 0 })
  t.throws(() => framedBodySize(2 ** 32, 1), { instanceOf: LimitExceededError })
})

for (const [plaintextLength, frameLength] of [
  [100, 64],
  [128, 64],
  [0, 64],
] as const) {
  test(`an official message body (${plaintextLength} bytes at frame ${frameLength}) parses to the frames and size the formula predicts`, async (t) => {
    const { bytes } = await officialMessage(0x0478, Buffer.alloc(plaintextLength, 3), { frameLength })
    const header = parseHeader(bytes, { maxEncryptedDataKeys: false })
    if (!header.done) return t.fail('header incomplete')
    const layout = parseBody(bytes, header.headerLength, ContentType.FRAMED_DATA, frameLength, {})
    const expected = framedBodySize(plaintextLength, frameLength)
    t.is(layout.plaintextLength, plaintextLength)
    t.is(layout.end, bytes.length, 'unsigned suite: the body ends the message')
    t.is(layout.end - header.headerLength, expected.size)
    t.is(layout.frames.length, expected.fullFrames + 1)
    t.is(layout.frames.at(-1)?.kind, 'final')
    t.is(layout.frames.at(-1)?.ciphertext.length, expected.finalLength)
    layout.frames.forEach((f, i) => t.deepEqual(f.iv, frameIv(i + 1), `frame ${i + 1} IV`))
  })
}

test('framedBodySize: a plaintext needing exactly 2^32 - 2 frames is sized, one frame more is refused', (t) => {
  // Frame length 1: n bytes make n full frames and an empty final frame, so n + 1 frames in all.
  const most = framedBodySize(MAX_FRAMES - 1, 1)
  t.is(most.fullFrames, MAX_FRAMES - 1)
  t.is(most.finalLength, 0)
  t.is(most.size, (MAX_FRAMES - 1) * (4 + 12 + 1 + 16) + (8 + 12 + 4 + 16))
  t.throws(() => framedBodySize(MAX_FRAMES, 1), { instanceOf: LimitExceededError })
})
