// Property tests of the frame scanner over generated bodies: exact rows, "need more" at every cut, frames out of order refused, and only typed errors (with rows in bounds) for any mutation.
import test from 'ava'
import fc from 'fast-check'
import { EsdkError } from '../../lib/core/errors'
import { BodyTable, FRAME_ROW, float64Table, scanBody, scanFrame, scanNonFramed } from '../../lib/format/body-table'
import { ContentType } from '../../lib/format/header'
import { finalFrame, regularFrame, u64 } from './spec-bytes'
import { FC_RUNS, mutated, mutations } from './properties'

interface BodyModel {
  readonly frameLength: number
  readonly fullFrames: number
  readonly finalLength: number
  /** Bytes before the body (a header's place). */
  readonly start: number
}

const bodyModel: fc.Arbitrary<BodyModel> = fc
  .record({
    frameLength: fc.integer({ min: 1, max: 64 }),
    fullFrames: fc.integer({ min: 0, max: 8 }),
    finalFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    start: fc.integer({ min: 0, max: 40 }),
  })
  .map((r) => ({
    frameLength: r.frameLength,
    fullFrames: r.fullFrames,
    finalLength: Math.floor(r.finalFraction * r.frameLength),
    start: r.start,
  }))

function frames(m: BodyModel): Buffer[] {
  const out: Buffer[] = []
  for (let i = 1; i <= m.fullFrames; i++) out.push(regularFrame(i, m.frameLength))
  out.push(finalFrame(m.fullFrames + 1, m.finalLength))
  return out
}

function bodyBytes(m: BodyModel): Buffer {
  return Buffer.concat([Buffer.alloc(m.start, 0x99), ...frames(m)])
}

const BODY_ERRORS = new Set(['MALFORMED_MESSAGE', 'LIMIT_EXCEEDED'])

function scanOrError(
  bytes: Buffer,
  start: number,
  contentType: ContentType,
  frameLength: number,
  maxBodySize?: number,
): BodyTable | EsdkError {
  try {
    return scanBody(bytes, start, contentType, frameLength, { maxBodySize })
  } catch (e) {
    if (e instanceof EsdkError) return e
    throw new Error(`scanBody threw a non-EsdkError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, {
      cause: e,
    })
  }
}

/** The invariants the backends rely on for any table scanBody returns. */
function rowsInBounds(body: BodyTable, start: number, frameLength: number, framed: boolean): boolean {
  const n = body.source.length
  let at = start
  let total = 0
  for (let i = 0; i < body.frameCount; i++) {
    const r = i * FRAME_ROW
    const [iv, ct, length, tag, seq, kind] = [0, 1, 2, 3, 4, 5].map((k) => body.table[r + k] as number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ]
    const last = i === body.frameCount - 1
    if (!framed)
      return (
        body.frameCount === 1 &&
        kind === 2 &&
        seq === 1 &&
        iv === start &&
        ct === start + 20 &&
        tag === ct + length &&
        tag + 16 === body.end &&
        body.end <= n
      )
    if (seq !== i + 1 || kind !== (last ? 1 : 0)) return false
    const head = kind === 1 ? 8 : 4
    if (iv !== at + head || ct !== iv + 12 + (kind === 1 ? 4 : 0) || tag !== ct + length || tag + 16 > n) return false
    if (kind === 0 ? length !== frameLength : length > frameLength) return false
    at = tag + 16
    total += length
  }
  return at === body.end && total === body.plaintextLength
}

test('a generated framed body scans to exactly its rows, wherever it starts and whatever follows', (t) => {
  fc.assert(
    fc.property(bodyModel, fc.uint8Array({ maxLength: 20 }), (m, after) => {
      const bytes = Buffer.concat([bodyBytes(m), after])
      const body = scanBody(bytes, m.start, ContentType.FRAMED_DATA, m.frameLength, {})
      return (
        body.frameCount === m.fullFrames + 1 &&
        body.plaintextLength === m.fullFrames * m.frameLength + m.finalLength &&
        body.end === bytes.length - after.length &&
        rowsInBounds(body, m.start, m.frameLength, true)
      )
    }),
    { numRuns: FC_RUNS.parser },
  )
  t.pass()
})

test('scanFrame at every cut of a frame says "need more" with an honest lower bound, and the whole frame completes it', (t) => {
  fc.assert(
    fc.property(bodyModel, (m) => {
      const table = float64Table(FRAME_ROW)
      let at = 0
      const all = frames(m)
      const body = Buffer.concat(all)
      for (const [i, frame] of all.entries()) {
        for (let cut = at; cut < at + frame.length; cut++) {
          const r = scanFrame(body.subarray(0, cut), at, m.frameLength, i + 1, table, 0, {})
          if (!(r < 0 && cut - r <= at + frame.length)) return false
        }
        const next = scanFrame(body, at, m.frameLength, i + 1, table, 0, {})
        if (next !== at + frame.length) return false
        at = next
      }
      // A body cut anywhere is malformed for the one-shot scan.
      for (let cut = 0; cut < body.length; cut += Math.max(1, Math.floor(body.length / 50))) {
        const r = scanOrError(body.subarray(0, cut), 0, ContentType.FRAMED_DATA, m.frameLength)
        if (!(r instanceof EsdkError && r.code === 'MALFORMED_MESSAGE')) return false
      }
      return true
    }),
    { numRuns: FC_RUNS.parser },
  )
  t.pass()
})

test('frames reordered, repeated, dropped or added after the final frame are refused as malformed', (t) => {
  const shapes = fc.oneof(
    fc.constant('swap' as const),
    fc.constant('repeat' as const),
    fc.constant('drop' as const),
    fc.constant('final-early' as const),
    fc.constant('frame-after-final' as const),
    fc.constant('no-final' as const),
  )
  fc.assert(
    fc.property(bodyModel, shapes, fc.nat(), (m, shape, pick) => {
      const fs = frames(m)
      const n = fs.length
      let order: Buffer[]
      switch (shape) {
        case 'swap': {
          fc.pre(n >= 2)
          const i = pick % (n - 1)
          order = [...fs]
          ;[order[i], order[i + 1]] = [fs[i + 1] as Buffer, fs[i] as Buffer]
          break
        }
        case 'repeat': {
          // A regular frame twice (the final frame twice is a frame after the final one: below).
          fc.pre(n >= 2)
          const i = pick % (n - 1)
          order = [...fs.slice(0, i + 1), fs[i] as Buffer, ...fs.slice(i + 1)]
          break
        }
        case 'drop': {
          fc.pre(n >= 2)
          const i = pick % (n - 1)
          order = [...fs.slice(0, i), ...fs.slice(i + 1)]
          break
        }
        case 'final-early':
          fc.pre(n >= 2)
          order = [finalFrame(1, Math.min(m.finalLength, m.frameLength)), ...fs.slice(1)]
          break
        case 'frame-after-final':
          order = [...fs, regularFrame(n + 1, m.frameLength)]
          break
        case 'no-final':
          order = fs.slice(0, -1)
          break
      }
      const bytes = Buffer.concat(order)
      const r = scanOrError(bytes, 0, ContentType.FRAMED_DATA, m.frameLength)
      // What follows a final frame is not the scanner's to see: the body ends at the final frame,
      // and the message-level check (trailing bytes) refuses what comes after it.
      if (shape === 'frame-after-final')
        return !(r instanceof EsdkError) && r.end === bytes.length - (4 + 12 + m.frameLength + 16)
      if (shape === 'final-early') return !(r instanceof EsdkError) && r.frameCount === 1 && r.end < bytes.length
      return r instanceof EsdkError && r.code === 'MALFORMED_MESSAGE'
    }),
    { numRuns: FC_RUNS.parser },
  )
  t.pass()
})

test('a frame longer than maxBodySize is LIMIT_EXCEEDED, one at the limit is not', (t) => {
  fc.assert(
    fc.property(bodyModel, (m) => {
      const bytes = bodyBytes(m)
      const largest = m.fullFrames > 0 ? m.frameLength : m.finalLength
      const at = scanOrError(bytes, m.start, ContentType.FRAMED_DATA, m.frameLength, largest)
      if (at instanceof EsdkError) return false
      if (largest === 0) return true
      const over = scanOrError(bytes, m.start, ContentType.FRAMED_DATA, m.frameLength, largest - 1)
      return over instanceof EsdkError && over.code === 'LIMIT_EXCEEDED'
    }),
    { numRuns: FC_RUNS.parser },
  )
  t.pass()
})

test('any mutation of a framed or non-framed body gives rows in bounds or a typed EsdkError, never anything else', (t) => {
  fc.assert(
    fc.property(bodyModel, fc.boolean(), mutations(), (m, framed, edits) => {
      const original = framed
        ? bodyBytes(m)
        : Buffer.concat([
            Buffer.alloc(m.start, 0x99),
            Buffer.alloc(12, 7),
            u64(m.finalLength + m.frameLength),
            Buffer.alloc(m.finalLength + m.frameLength, 0xcc),
            Buffer.alloc(16, 0xdd),
          ])
      const bytes = mutated(original, edits)
      const r = scanOrError(
        bytes,
        Math.min(m.start, bytes.length),
        framed ? ContentType.FRAMED_DATA : ContentType.NO_FRAMING,
        m.frameLength,
      )
      if (r instanceof EsdkError) return BODY_ERRORS.has(r.code)
      return rowsInBounds(r, Math.min(m.start, bytes.length), m.frameLength, framed)
    }),
    { numRuns: FC_RUNS.mutations },
  )
  t.pass()
})

test('random bytes as a body never make the scanner throw anything but a typed EsdkError; declared lengths are bounded before use', (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 400 }),
      fc.integer({ min: 1, max: 0xffffffff }),
      fc.boolean(),
      (bytes, frameLength, framed) => {
        const r = scanOrError(
          Buffer.from(bytes),
          0,
          framed ? ContentType.FRAMED_DATA : ContentType.NO_FRAMING,
          frameLength,
        )
        if (r instanceof EsdkError) return BODY_ERRORS.has(r.code)
        return rowsInBounds(r, 0, frameLength, framed)
      },
    ),
    { numRuns: FC_RUNS.mutations },
  )
  t.pass()
})

test('a non-framed body scans to its one row; every cut is "need more" for scanNonFramed', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 30 }), (length, start) => {
      const body = Buffer.concat([
        Buffer.alloc(start, 1),
        Buffer.alloc(12, 2),
        u64(length),
        Buffer.alloc(length, 3),
        Buffer.alloc(16, 4),
      ])
      const table = float64Table(FRAME_ROW)
      if (scanNonFramed(body, start, table, 0, {}) !== body.length || table[2] !== length || table[5] !== 2)
        return false
      for (let cut = start; cut < body.length; cut++) {
        const r = scanNonFramed(body.subarray(0, cut), start, table, 0, {})
        if (!(r < 0 && cut - r <= body.length)) return false
      }
      return true
    }),
    { numRuns: FC_RUNS.parser },
  )
  t.pass()
})
