// Message body layout: frame and non-framed structure, body AAD and sizes (data-format/message-body.md, message-body-aad.md).
import { LimitExceededError, MalformedMessageError } from '../core/errors'
import { ContentType, IV_LENGTH, TAG_LENGTH } from './header'
import { ByteReader, NeedMoreBytes } from './reader'

export const FINAL_FRAME_MARKER = 0xffffffff
/** Sequence numbers are uint32 and start at 1, and the final-frame marker is reserved. */
export const MAX_FRAMES = 0xfffffffe
/** Non-framed content is limited to 2^36 - 32 bytes (AES-GCM's per-IV limit). */
export const MAX_NON_FRAMED_LENGTH = 2 ** 36 - 32

export const CONTENT_FRAME = Buffer.from('AWSKMSEncryptionClient Frame', 'ascii')
export const CONTENT_FINAL_FRAME = Buffer.from('AWSKMSEncryptionClient Final Frame', 'ascii')
export const CONTENT_SINGLE_BLOCK = Buffer.from('AWSKMSEncryptionClient Single Block', 'ascii')

/** One authenticated unit of the body: views into the message bytes, nothing copied. */
export interface FrameRef {
  readonly sequenceNumber: number
  readonly iv: Buffer
  readonly ciphertext: Buffer
  readonly tag: Buffer
  readonly kind: 'frame' | 'final' | 'single'
}

/** Body AAD = message id ‖ content string ‖ uint32 sequence number ‖ uint64 content length. */
export function bodyAad(messageId: Buffer, frame: Pick<FrameRef, 'kind' | 'sequenceNumber'>, contentLength: number): Buffer {
  const content = frame.kind === 'frame' ? CONTENT_FRAME : frame.kind === 'final' ? CONTENT_FINAL_FRAME : CONTENT_SINGLE_BLOCK
  const aad = Buffer.allocUnsafe(messageId.length + content.length + 12)
  let o = messageId.copy(aad, 0)
  o += content.copy(aad, o)
  o = aad.writeUInt32BE(frame.sequenceNumber, o)
  o = aad.writeUInt32BE(Math.floor(contentLength / 0x100000000), o)
  aad.writeUInt32BE(contentLength >>> 0, o)
  return aad
}

/** Frame IV on encrypt: 8 zero bytes ‖ uint32 sequence number (SPEC-NOTES 13). */
export function frameIv(sequenceNumber: number): Buffer {
  const iv = Buffer.alloc(IV_LENGTH)
  iv.writeUInt32BE(sequenceNumber, 8)
  return iv
}

export interface BodyLayout {
  readonly frames: readonly FrameRef[]
  readonly plaintextLength: number
  /** Offset just past the body in the parsed bytes. */
  readonly end: number
}

export interface BodyLimits {
  /** Largest content length of any one frame (or of a non-framed body), as the official SDK checks it. */
  readonly maxBodySize?: number
}

function checkBodySize(length: number, limits: BodyLimits): void {
  if (limits.maxBodySize !== undefined && length > limits.maxBodySize) {
    throw new LimitExceededError(`maxBodySize exceeded. A body part of ${length} bytes exceeds maxBodySize ${limits.maxBodySize}`)
  }
}

/** Parses the whole body structure starting at `start`; throws MalformedMessageError if it is cut short. */
export function parseBody(bytes: Buffer, start: number, contentType: ContentType, frameLength: number, limits: BodyLimits): BodyLayout {
  const r = new ByteReader(bytes, start)
  try {
    return contentType === ContentType.NO_FRAMING ? parseNonFramed(r, limits) : parseFramed(r, frameLength, limits)
  } catch (e) {
    if (e instanceof NeedMoreBytes) throw new MalformedMessageError('message body is truncated')
    throw e
  }
}

function parseNonFramed(r: ByteReader, limits: BodyLimits): BodyLayout {
  const iv = r.bytesView(IV_LENGTH)
  const length = r.uint64()
  if (length > MAX_NON_FRAMED_LENGTH) throw new MalformedMessageError('non-framed content exceeds 2^36 - 32 bytes')
  checkBodySize(length, limits)
  const ciphertext = r.bytesView(length)
  const tag = r.bytesView(TAG_LENGTH)
  return { frames: [{ sequenceNumber: 1, iv, ciphertext, tag, kind: 'single' }], plaintextLength: length, end: r.position }
}

function parseFramed(r: ByteReader, frameLength: number, limits: BodyLimits): BodyLayout {
  const frames: FrameRef[] = []
  let plaintextLength = 0
  for (let expected = 1; ; expected++) {
    const frame = readFrame(r, frameLength, expected)
    checkBodySize(frame.ciphertext.length, limits)
    frames.push(frame)
    plaintextLength += frame.ciphertext.length
    if (frame.kind === 'final') return { frames, plaintextLength, end: r.position }
  }
}

/** Reads one frame; exported so a stream can read frame by frame (NeedMoreBytes means wait for more). */
export function readFrame(r: ByteReader, frameLength: number, expectedSequence: number): FrameRef {
  const first = r.uint32()
  const final = first === FINAL_FRAME_MARKER
  const sequenceNumber = final ? r.uint32() : first
  if (sequenceNumber !== expectedSequence) {
    throw new MalformedMessageError(`frame sequence number ${sequenceNumber} where ${expectedSequence} was expected`)
  }
  if (sequenceNumber > MAX_FRAMES) throw new MalformedMessageError('too many frames')
  const iv = r.bytesView(IV_LENGTH)
  let length = frameLength
  if (final) {
    length = r.uint32()
    if (length > frameLength) throw new MalformedMessageError('final frame is longer than the frame length')
  }
  const ciphertext = r.bytesView(length)
  const tag = r.bytesView(TAG_LENGTH)
  return { sequenceNumber, iv, ciphertext, tag, kind: final ? 'final' : 'frame' }
}

/** The exact size of a framed body for a plaintext, as this library writes it (empty final frame on exact multiples, like the JS SDK). */
export function framedBodySize(plaintextLength: number, frameLength: number): { size: number; fullFrames: number; finalLength: number } {
  const fullFrames = Math.floor(plaintextLength / frameLength)
  const finalLength = plaintextLength - fullFrames * frameLength
  if (fullFrames + 1 > MAX_FRAMES) throw new LimitExceededError('plaintext needs more than 2^32 - 2 frames at this frame length')
  const size = fullFrames * (4 + IV_LENGTH + frameLength + TAG_LENGTH) + (8 + IV_LENGTH + 4 + finalLength + TAG_LENGTH)
  return { size, fullFrames, finalLength }
}

/** Footer: uint16 length ‖ DER signature (data-format/message-footer.md). */
export function parseFooter(bytes: Buffer, start: number): { signature: Buffer; end: number } {
  const r = new ByteReader(bytes, start)
  try {
    const signature = r.bytesView(r.uint16())
    return { signature, end: r.position }
  } catch (e) {
    if (e instanceof NeedMoreBytes) throw new MalformedMessageError('message footer is truncated')
    throw e
  }
}
