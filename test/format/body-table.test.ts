// scanFrame and scanBody: rows match an independent slicer, "need more" is exact at every cut, structure errors are typed.
import test from 'ava'
import { randomBytes } from 'node:crypto'
import { LimitExceededError, MalformedMessageError } from '../../lib/core/errors'
import {
  FRAME_ROW,
  float64Table,
  frameRefs,
  scanBody,
  scanFrame,
  scanNonFramed,
  writeFrameRows,
} from '../../lib/format/body-table'
import { ContentType } from '../../lib/format/header'
import { finalFrame, regularFrame, u64 } from './spec-bytes'

const PREFIX = 5

/** A framed body laid out as the spec says, with random contents, after PREFIX filler bytes. */
function framedBody(plaintextLength: number, frameLength: number): Buffer {
  const parts: Buffer[] = [Buffer.alloc(PREFIX, 0x77)]
  const full = Math.floor(plaintextLength / frameLength)
  for (let seq = 1; seq <= full; seq++)
    parts.push(Buffer.concat([regularFrame(seq, 0).subarray(0, 16), randomBytes(frameLength + 16)]))
  const last = plaintextLength - full * frameLength
  parts.push(Buffer.concat([finalFrame(full + 1, 0).subarray(0, 24), randomBytes(last + 16)]))
  const bytes = Buffer.concat(parts)
  // finalFrame(seq, 0) wrote a declared length of 0: put the real one in.
  bytes.writeUInt32BE(last, bytes.length - last - 16 - 4)
  return bytes
}

/** Where each frame of framedBody starts and ends, computed from the spec layout alone. */
function expectedRows(plaintextLength: number, frameLength: number): { start: number; end: number; row: number[] }[] {
  const rows: { start: number; end: number; row: number[] }[] = []
  const full = Math.floor(plaintextLength / frameLength)
  let o = PREFIX
  for (let seq = 1; seq <= full; seq++) {
    rows.push({
      start: o,
      end: o + 4 + 12 + frameLength + 16,
      row: [o + 4, o + 16, frameLength, o + 16 + frameLength, seq, 0],
    })
    o += 4 + 12 + frameLength + 16
  }
  const last = plaintextLength - full * frameLength
  rows.push({ start: o, end: o + 8 + 12 + 4 + last + 16, row: [o + 8, o + 24, last, o + 24 + last, full + 1, 1] })
  return rows
}

test('scanBody writes one row per frame at the offsets the spec layout gives', (t) => {
  for (const [size, frameLength] of [
    [0, 1],
    [1, 1],
    [5, 1],
    [0, 4096],
    [4095, 4096],
    [4096, 4096],
    [4097, 4096],
    [10_000, 1000],
    [77, 7],
  ] as const) {
    const bytes = framedBody(size, frameLength)
    const body = scanBody(bytes, PREFIX, ContentType.FRAMED_DATA, frameLength, {})
    const want = expectedRows(size, frameLength)
    t.is(body.frameCount, want.length)
    t.is(body.plaintextLength, size)
    t.is(body.end, bytes.length)
    t.deepEqual(
      Array.from(body.table),
      want.flatMap((w) => w.row),
      `${size}/${frameLength}`,
    )
    const refs = frameRefs(body)
    t.deepEqual(
      refs.map((f) => f.kind),
      want.map((_, i) => (i === want.length - 1 ? 'final' : 'frame')),
    )
  }
})

test('scanFrame at every cut: need-more with the exact missing count, then the same row once complete', (t) => {
  const frameLength = 16
  const bytes = framedBody(50, frameLength)
  const want = expectedRows(50, frameLength)
  for (const [index, frame] of want.entries()) {
    for (let cut = frame.start; cut <= frame.end; cut++) {
      const table = float64Table(FRAME_ROW)
      const result = scanFrame(bytes.subarray(0, cut), frame.start, frameLength, index + 1, table, 0, {})
      if (cut === frame.end) {
        t.is(result, frame.end, `frame ${index + 1} complete`)
        t.deepEqual(Array.from(table), frame.row)
        continue
      }
      t.true(result < 0, `frame ${index + 1} cut at ${cut}`)
      // The missing count never overshoots the frame (a stream may wait for exactly that much), and
      // once the fixed-size fields are in, it is exactly the rest of the frame.
      t.true(cut - result <= frame.end, `frame ${index + 1} cut at ${cut} asks for too much`)
      const fixed = frame.start + (index === want.length - 1 ? 8 + 12 + 4 : 4)
      if (cut >= fixed) t.is(cut - result, frame.end)
      t.true(
        Array.from(table).every((v) => v === 0),
        'no row written for an incomplete frame',
      )
    }
  }
})

test('scanFrame refuses wrong sequence numbers, early final markers and long final frames as malformed', (t) => {
  const table = float64Table(FRAME_ROW)
  const cases: [string, Buffer, number][] = [
    ['sequence 2 where 1 was expected', regularFrame(2, 8), 1],
    ['sequence 0', regularFrame(0, 8), 1],
    ['a repeated sequence number', regularFrame(3, 8), 4],
    ['final frame numbered 5 where 2 was expected', finalFrame(5, 1), 2],
    ['final frame longer than the frame length', finalFrame(1, 9), 1],
    ['final frame declaring 2^32-1 bytes (no content present)', finalFrame(1, 0, 0xffffffff), 1],
  ]
  for (const [what, frame, expected] of cases) {
    const err = t.throws(
      () => scanFrame(frame, 0, 8, expected, table, 0, {}),
      { instanceOf: MalformedMessageError },
      what,
    )
    t.is(err?.code, 'MALFORMED_MESSAGE', what)
  }
})

test('maxBodySize is checked as soon as a frame length is known, before its content arrives', (t) => {
  const table = float64Table(FRAME_ROW)
  // Only the first 4 bytes of a 4096-byte regular frame: its length is the frame length.
  t.throws(() => scanFrame(regularFrame(1, 4096).subarray(0, 4), 0, 4096, 1, table, 0, { maxBodySize: 4095 }), {
    instanceOf: LimitExceededError,
  })
  t.is(scanFrame(regularFrame(1, 4096), 0, 4096, 1, table, 0, { maxBodySize: 4096 }), 4 + 12 + 4096 + 16)
  // A final frame's own length field decides.
  t.throws(() => scanFrame(finalFrame(1, 100).subarray(0, 24), 0, 4096, 1, table, 0, { maxBodySize: 99 }), {
    instanceOf: LimitExceededError,
  })
  t.is(scanFrame(finalFrame(1, 99), 0, 4096, 1, table, 0, { maxBodySize: 99 }), 8 + 12 + 4 + 99 + 16)
})

test('scanBody: a body without its final frame, or cut anywhere, is malformed', (t) => {
  const bytes = framedBody(40, 16)
  for (let n = PREFIX; n < bytes.length; n++) {
    t.throws(
      () => scanBody(bytes.subarray(0, n), PREFIX, ContentType.FRAMED_DATA, 16, {}),
      { instanceOf: MalformedMessageError },
      `cut at ${n}`,
    )
  }
  const noFinal = Buffer.concat([Buffer.alloc(PREFIX), regularFrame(1, 16), regularFrame(2, 16)])
  t.throws(() => scanBody(noFinal, PREFIX, ContentType.FRAMED_DATA, 16, {}), { instanceOf: MalformedMessageError })
})

test('scanNonFramed: one single-block row, the 2^36 - 32 bound from the length field, need-more at every cut', (t) => {
  const content = randomBytes(37)
  const bytes = Buffer.concat([Buffer.alloc(3), Buffer.alloc(12, 9), u64(37), content, Buffer.alloc(16, 0xdd)])
  const table = float64Table(FRAME_ROW)
  t.is(scanNonFramed(bytes, 3, table, 0, {}), bytes.length)
  t.deepEqual(Array.from(table), [3, 23, 37, 60, 1, 2])
  const [single] = frameRefs({ source: bytes, table, frameCount: 1 })
  t.deepEqual(single?.ciphertext, content)
  for (let cut = 3; cut < bytes.length; cut++) {
    const r = scanNonFramed(bytes.subarray(0, cut), 3, float64Table(FRAME_ROW), 0, {})
    t.true(r < 0 && cut - r <= bytes.length, `cut at ${cut}`)
  }
  const huge = Buffer.concat([Buffer.alloc(12), u64(2 ** 36 - 31)])
  t.throws(() => scanNonFramed(huge, 0, table, 0, {}), { instanceOf: MalformedMessageError })
  t.throws(() => scanNonFramed(Buffer.concat([Buffer.alloc(12), u64(1000)]), 0, table, 0, { maxBodySize: 999 }), {
    instanceOf: LimitExceededError,
  })
  const body = scanBody(bytes, 3, ContentType.NO_FRAMING, 0, {})
  t.is(body.plaintextLength, 37)
  t.is(body.end, bytes.length)
})

test('scanBody: a framed body cut at any length is refused as truncated, never scanned on', (t) => {
  const body = Buffer.concat([regularFrame(1, 16), regularFrame(2, 16), finalFrame(3, 5)])
  t.is(scanBody(body, 0, ContentType.FRAMED_DATA, 16, {}).frameCount, 3)
  for (let n = 0; n < body.length; n++)
    t.throws(() => scanBody(body.subarray(0, n), 0, ContentType.FRAMED_DATA, 16, {}), {
      instanceOf: MalformedMessageError,
      message: /truncated/,
    })
})

/** A FrameRef view's offset in the buffer it was cut from, as native-backend.ts computes it for a contiguous source. */
const offsetIn =
  (source: Buffer) =>
  (view: Uint8Array): number =>
    view.byteOffset - source.byteOffset

test('writeFrameRows turns the FrameRef views back into the rows scanBody wrote', (t) => {
  for (const [size, frameLength] of [
    [0, 1],
    [4097, 4096],
    [77, 7],
  ] as const) {
    const bytes = framedBody(size, frameLength)
    const body = scanBody(bytes, PREFIX, ContentType.FRAMED_DATA, frameLength, {})
    const table = float64Table(body.frameCount * FRAME_ROW)
    writeFrameRows(table, frameRefs(body), offsetIn(bytes))
    t.deepEqual(
      Array.from(table),
      Array.from(body.table.subarray(0, body.frameCount * FRAME_ROW)),
      `${size}/${frameLength}`,
    )
  }
  // A non-framed body's one row, its kind code included.
  const nonFramed = Buffer.concat([Buffer.alloc(12, 9), u64(5), randomBytes(5 + 16)])
  const scanned = float64Table(FRAME_ROW)
  t.is(scanNonFramed(nonFramed, 0, scanned, 0, {}), nonFramed.length)
  const rewritten = float64Table(FRAME_ROW)
  writeFrameRows(rewritten, frameRefs({ source: nonFramed, table: scanned, frameCount: 1 }), offsetIn(nonFramed))
  t.deepEqual(Array.from(rewritten), Array.from(scanned))
})
