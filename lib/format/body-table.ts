// The one body layout: frames scanned from untrusted bytes into rows of a Float64 table (offsets into one source), "need more" as a result (data-format/message-body.md).
import { LimitExceededError, MalformedMessageError } from '../core/errors'
import { FINAL_FRAME_MARKER, FrameRef, MAX_FRAMES, MAX_NON_FRAMED_LENGTH } from './body'
import { ContentType, IV_LENGTH, TAG_LENGTH } from './header'

/**
 * Row layout, shared with native/frame_table.h (keep in step): IV offset, ciphertext offset,
 * ciphertext length, tag offset, sequence number, kind. Float64 because offsets and a
 * non-framed length can exceed 2^32.
 */
export const FRAME_ROW = 6
/** Frame kinds as native/frame_table.h numbers them. */
export const FRAME_KIND_CODE = { frame: 0, final: 1, single: 2 } as const
const KINDS = ['frame', 'final', 'single'] as const

/** Frames as table rows whose offsets point into `source`. */
export interface BodyTable {
  readonly source: Uint8Array
  readonly table: Float64Array
  readonly frameCount: number
  readonly plaintextLength: number
  /** Offset just past the last row's tag in `source`. */
  readonly end: number
}

export interface BodyLimits {
  /** Largest content length of any one frame (or of a non-framed body), as the official SDK checks it. */
  readonly maxBodySize?: number
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

/** Bytes of a regular frame around its content, and the least a final frame can take. */
export const FRAME_OVERHEAD = 4 + IV_LENGTH + TAG_LENGTH
export const MIN_FINAL_FRAME = 8 + IV_LENGTH + 4 + TAG_LENGTH

function u32(b: Uint8Array, o: number): number {
  return (
    (b[o] as number) * 0x1000000 + (((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number))
  )
}

function checkBodySize(length: number, limits: BodyLimits): void {
  if (limits.maxBodySize !== undefined && length > limits.maxBodySize) {
    throw new LimitExceededError(
      `maxBodySize exceeded. A body part of ${length} bytes exceeds maxBodySize ${limits.maxBodySize}`,
    )
  }
}

/**
 * Reads the frame that starts at `at` and writes its row at `table[row..]`. Returns the offset
 * just past it, or, when `bytes` ends inside it, a negative number: minus the count of further
 * bytes it needs at least (never an error, so a stream can feed chunks). Structure errors throw
 * (data-format/message-body.md "Sequence Number", "Final Frame": sequence numbers from
 * `expectedSequence` on, a final frame no longer than the frame length); `maxBodySize` is
 * checked per frame once its length is known.
 */
export function scanFrame(
  bytes: Uint8Array,
  at: number,
  frameLength: number,
  expectedSequence: number,
  table: Float64Array,
  row: number,
  limits: BodyLimits,
): number {
  const n = bytes.length
  let o = at
  if (o + 4 > n) return n - (o + 4)
  const first = u32(bytes, o)
  o += 4
  const final = first === FINAL_FRAME_MARKER
  let sequenceNumber = first
  if (final) {
    if (o + 4 > n) return n - (o + 4)
    sequenceNumber = u32(bytes, o)
    o += 4
  }
  if (sequenceNumber !== expectedSequence)
    throw new MalformedMessageError(`frame sequence number ${sequenceNumber} where ${expectedSequence} was expected`)
  if (sequenceNumber > MAX_FRAMES) throw new MalformedMessageError('too many frames')
  const iv = o
  o += IV_LENGTH
  let length = frameLength
  if (final) {
    if (o + 4 > n) return n - (o + 4)
    length = u32(bytes, o)
    o += 4
    if (length > frameLength) throw new MalformedMessageError('final frame is longer than the frame length')
  }
  checkBodySize(length, limits)
  const ciphertext = o
  const tag = o + length
  o = tag + TAG_LENGTH
  if (o > n) return n - o
  table[row] = iv
  table[row + 1] = ciphertext
  table[row + 2] = length
  table[row + 3] = tag
  table[row + 4] = sequenceNumber
  table[row + 5] = final ? FRAME_KIND_CODE.final : FRAME_KIND_CODE.frame
  return o
}

/** The non-framed body at `at` (IV ‖ uint64 length ‖ ciphertext ‖ tag) as one row, with scanFrame's contract. */
export function scanNonFramed(
  bytes: Uint8Array,
  at: number,
  table: Float64Array,
  row: number,
  limits: BodyLimits,
): number {
  const n = bytes.length
  const lengthAt = at + IV_LENGTH
  if (lengthAt + 8 > n) return n - (lengthAt + 8)
  const length = u32(bytes, lengthAt) * 0x100000000 + u32(bytes, lengthAt + 4)
  if (length > MAX_NON_FRAMED_LENGTH) throw new MalformedMessageError('non-framed content exceeds 2^36 - 32 bytes')
  checkBodySize(length, limits)
  const ciphertext = lengthAt + 8
  const tag = ciphertext + length
  const end = tag + TAG_LENGTH
  if (end > n) return n - end
  table[row] = at
  table[row + 1] = ciphertext
  table[row + 2] = length
  table[row + 3] = tag
  table[row + 4] = 1
  table[row + 5] = FRAME_KIND_CODE.single
  return end
}

function truncated(): never {
  throw new MalformedMessageError('message body is truncated')
}

/**
 * The whole body starting at `start`, for a message held in memory: every frame up to and
 * including the final one (or the non-framed body). A body cut short is malformed here.
 */
export function scanBody(
  bytes: Uint8Array,
  start: number,
  contentType: ContentType,
  frameLength: number,
  limits: BodyLimits,
): BodyTable {
  if (contentType === ContentType.NO_FRAMING) {
    const table = float64Table(FRAME_ROW)
    const end = scanNonFramed(bytes, start, table, 0, limits)
    if (end < 0) truncated()
    return { source: bytes, table, frameCount: 1, plaintextLength: table[2] as number, end }
  }
  // Every regular frame takes FRAME_OVERHEAD + frameLength bytes and the final one at least
  // MIN_FINAL_FRAME, which bounds the rows a complete body can need.
  let table = float64Table(
    (Math.floor(Math.max(0, bytes.length - start - MIN_FINAL_FRAME) / (FRAME_OVERHEAD + frameLength)) + 1) * FRAME_ROW,
  )
  let o = start
  let plaintextLength = 0
  for (let row = 0; ; row += FRAME_ROW) {
    if (row + FRAME_ROW > table.length) {
      // Only a truncated body with tiny frames outgrows the estimate; it fails a few frames on.
      const grown = float64Table(table.length * 2)
      grown.set(table)
      table = grown
    }
    o = scanFrame(bytes, o, frameLength, row / FRAME_ROW + 1, table, row, limits)
    if (o < 0) truncated()
    plaintextLength += table[row + 2] as number
    if (table[row + 5] === FRAME_KIND_CODE.final) {
      const used = row + FRAME_ROW
      return {
        source: bytes,
        table: used === table.length ? table : table.subarray(0, used),
        frameCount: used / FRAME_ROW,
        plaintextLength,
        end: o,
      }
    }
  }
}

/** The rows as FrameRef views into the source (for code that works frame by frame: the JS backend, tests). */
export function frameRefs(body: Pick<BodyTable, 'source' | 'table' | 'frameCount'>): FrameRef[] {
  const { source, table } = body
  const buffer = Buffer.from(source.buffer, source.byteOffset, source.byteLength)
  const frames: FrameRef[] = []
  for (let row = 0; row < body.frameCount * FRAME_ROW; row += FRAME_ROW) {
    const iv = table[row] as number
    const ciphertext = table[row + 1] as number
    const length = table[row + 2] as number
    const tag = table[row + 3] as number
    frames.push({
      iv: buffer.subarray(iv, iv + IV_LENGTH),
      ciphertext: buffer.subarray(ciphertext, ciphertext + length),
      tag: buffer.subarray(tag, tag + TAG_LENGTH),
      sequenceNumber: table[row + 4] as number,
      kind: KINDS[table[row + 5] as number] ?? 'frame',
    })
  }
  return frames
}

/** One row per FrameRef view, each view's position given by `offsetOf` (its offset in the table's source). */
export function writeFrameRows(
  table: Float64Array,
  frames: readonly FrameRef[],
  offsetOf: (view: Uint8Array) => number,
): void {
  frames.forEach((f, i) => {
    const row = i * FRAME_ROW
    table[row] = offsetOf(f.iv)
    table[row + 1] = offsetOf(f.ciphertext)
    table[row + 2] = f.ciphertext.byteLength
    table[row + 3] = offsetOf(f.tag)
    table[row + 4] = f.sequenceNumber
    table[row + 5] = FRAME_KIND_CODE[f.kind]
  })
}
