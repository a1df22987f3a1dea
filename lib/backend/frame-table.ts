// A message body as the compact frame table the backends read (offsets into the message), scanned without per-frame allocations.
import { LimitExceededError, MalformedMessageError } from '../core/errors'
import { BodyLimits, FINAL_FRAME_MARKER, FrameRef, MAX_FRAMES, parseBody } from '../format/body'
import { ContentType, IV_LENGTH, TAG_LENGTH } from '../format/header'
import { FRAME_KIND_CODE, FRAME_TABLE_STRIDE } from './native-types'

/** Frames as rows of FRAME_TABLE_STRIDE float64 (native/frame_table.h): IV, ciphertext and tag offsets into `source`. */
export interface BodyTable {
  readonly source: Uint8Array
  readonly table: Float64Array
  readonly frameCount: number
  readonly plaintextLength: number
  /** Offset just past the body in `source`. */
  readonly end: number
}

/*
 * Tables are carved out of shared 64 KiB slabs, as Buffer.allocUnsafe carves Node's pool: a
 * fresh ArrayBuffer per message costs a backing-store allocation, and a small `new
 * Float64Array(n)` lives on the V8 heap, which the addon would make V8 move off on every call.
 * Tables hold offsets and lengths only, nothing secret.
 */
const SLAB_ELEMENTS = 8192
let slab = new ArrayBuffer(SLAB_ELEMENTS * 8)
let slabUsed = 0

/** A zeroed Float64Array of `length` elements, off the V8 heap. */
export function float64Table(length: number): Float64Array {
  if (length > SLAB_ELEMENTS >>> 2) return new Float64Array(new ArrayBuffer(length * 8))
  if (slabUsed + length > SLAB_ELEMENTS) {
    slab = new ArrayBuffer(SLAB_ELEMENTS * 8)
    slabUsed = 0
  }
  const table = new Float64Array(slab, slabUsed * 8, length)
  slabUsed += length
  return table
}

const FRAME_OVERHEAD = 4 + IV_LENGTH + TAG_LENGTH
const MIN_FINAL_FRAME = 8 + IV_LENGTH + 4 + TAG_LENGTH

function truncated(): never {
  throw new MalformedMessageError('message body is truncated')
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] as number) * 0x1000000 + (((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)))
}

/**
 * Scans the framed body that starts at `start`, with the checks and error messages of
 * format/body.ts parseBody (SPEC-NOTES 14-15: sequence numbers from 1, exactly one final frame,
 * last, no longer than the frame length; maxBodySize per frame), but writing one table row per
 * frame instead of three Buffer views and an object: a 16 MiB message of 4 KiB frames would
 * otherwise spend milliseconds allocating.
 */
export function scanFramedBody(bytes: Uint8Array, start: number, frameLength: number, limits: BodyLimits): BodyTable {
  const n = bytes.length
  // Every regular frame takes FRAME_OVERHEAD + frameLength bytes and the final one at least
  // MIN_FINAL_FRAME, which bounds the rows a complete body can need.
  let table = float64Table((Math.floor(Math.max(0, n - start - MIN_FINAL_FRAME) / (FRAME_OVERHEAD + frameLength)) + 1) * FRAME_TABLE_STRIDE)
  const max = limits.maxBodySize
  let o = start
  let plaintextLength = 0
  let row = 0
  for (let expected = 1; ; expected++) {
    if (o + 4 > n) truncated()
    const first = u32(bytes, o)
    o += 4
    const final = first === FINAL_FRAME_MARKER
    let sequenceNumber = first
    if (final) {
      if (o + 4 > n) truncated()
      sequenceNumber = u32(bytes, o)
      o += 4
    }
    if (sequenceNumber !== expected) throw new MalformedMessageError(`frame sequence number ${sequenceNumber} where ${expected} was expected`)
    if (sequenceNumber > MAX_FRAMES) throw new MalformedMessageError('too many frames')
    const iv = o
    if (o + IV_LENGTH > n) truncated()
    o += IV_LENGTH
    let length = frameLength
    if (final) {
      if (o + 4 > n) truncated()
      length = u32(bytes, o)
      o += 4
      if (length > frameLength) throw new MalformedMessageError('final frame is longer than the frame length')
    }
    const ciphertext = o
    if (o + length > n) truncated()
    o += length
    if (o + TAG_LENGTH > n) truncated()
    const tag = o
    o += TAG_LENGTH
    if (max !== undefined && length > max) throw new LimitExceededError(`maxBodySize exceeded. A body part of ${length} bytes exceeds maxBodySize ${max}`)
    if (row + FRAME_TABLE_STRIDE > table.length) {
      // Only a truncated body with tiny frames outgrows the estimate; it fails a few frames on.
      const grown = float64Table(table.length * 2)
      grown.set(table)
      table = grown
    }
    table[row] = iv
    table[row + 1] = ciphertext
    table[row + 2] = length
    table[row + 3] = tag
    table[row + 4] = sequenceNumber
    table[row + 5] = final ? FRAME_KIND_CODE.final : FRAME_KIND_CODE.frame
    row += FRAME_TABLE_STRIDE
    plaintextLength += length
    if (final) {
      const frameCount = row / FRAME_TABLE_STRIDE
      return { source: bytes, table: row === table.length ? table : table.subarray(0, row), frameCount, plaintextLength, end: o }
    }
  }
}

/** The body of a parsed message as a table: framed bodies by scanning, the (decrypt-only) non-framed body through parseBody. */
export function bodyTable(bytes: Buffer, start: number, contentType: ContentType, frameLength: number, limits: BodyLimits): BodyTable {
  if (contentType !== ContentType.NO_FRAMING) return scanFramedBody(bytes, start, frameLength, limits)
  const layout = parseBody(bytes, start, contentType, frameLength, limits)
  return { ...tableOf(bytes, layout.frames), plaintextLength: layout.plaintextLength, end: layout.end }
}

/** One table row per frame, each view's position given by `offsetOf` (its offset in the table's source). */
export function writeFrameRows(table: Float64Array, frames: readonly FrameRef[], offsetOf: (view: Uint8Array) => number): void {
  frames.forEach((f, i) => {
    const row = i * FRAME_TABLE_STRIDE
    table[row] = offsetOf(f.iv)
    table[row + 1] = offsetOf(f.ciphertext)
    table[row + 2] = f.ciphertext.byteLength
    table[row + 3] = offsetOf(f.tag)
    table[row + 4] = f.sequenceNumber
    table[row + 5] = FRAME_KIND_CODE[f.kind]
  })
}

/** Rows for FrameRef views that all point into `bytes`. */
function tableOf(bytes: Buffer, frames: readonly FrameRef[]): { source: Uint8Array; table: Float64Array; frameCount: number } {
  const table = float64Table(frames.length * FRAME_TABLE_STRIDE)
  writeFrameRows(table, frames, (v) => v.byteOffset - bytes.byteOffset)
  return { source: bytes, table, frameCount: frames.length }
}

/** The frames of a table as FrameRef views (for backends that work frame by frame). */
export function framesOf(body: BodyTable): FrameRef[] {
  const { source, table } = body
  const buffer = Buffer.from(source.buffer, source.byteOffset, source.byteLength)
  const kinds = ['frame', 'final', 'single'] as const
  const frames: FrameRef[] = []
  for (let row = 0; row < body.frameCount * FRAME_TABLE_STRIDE; row += FRAME_TABLE_STRIDE) {
    const iv = table[row] as number
    const ciphertext = table[row + 1] as number
    const length = table[row + 2] as number
    const tag = table[row + 3] as number
    frames.push({
      iv: buffer.subarray(iv, iv + IV_LENGTH),
      ciphertext: buffer.subarray(ciphertext, ciphertext + length),
      tag: buffer.subarray(tag, tag + TAG_LENGTH),
      sequenceNumber: table[row + 4] as number,
      kind: kinds[table[row + 5] as number] ?? 'frame',
    })
  }
  return frames
}
