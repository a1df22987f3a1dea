// Message body layout: frame structure constants, body AAD, frame IVs, body sizes and the footer (data-format/message-body.md, message-body-aad.md, message-footer.md).
import { LimitExceededError, MalformedMessageError } from '../core/errors'
import { IV_LENGTH, TAG_LENGTH } from './header'

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

/**
 * Body AAD = message id ‖ content string ‖ uint32 sequence number ‖ uint64 content length
 * (message-body-aad.md), for every frame of a message in one buffer with the message id written
 * once. Each `of` overwrites the last: use it before the next (node:crypto copies AAD it is given).
 */
export class BodyAadWriter {
  private readonly bytes: Buffer
  private readonly idLength: number

  constructor(messageId: Buffer) {
    this.idLength = messageId.length
    this.bytes = Buffer.allocUnsafe(messageId.length + CONTENT_SINGLE_BLOCK.length + 12)
    messageId.copy(this.bytes)
  }

  of(kind: FrameRef['kind'], sequenceNumber: number, contentLength: number): Buffer {
    const content = kind === 'frame' ? CONTENT_FRAME : kind === 'final' ? CONTENT_FINAL_FRAME : CONTENT_SINGLE_BLOCK
    let o = this.idLength + content.copy(this.bytes, this.idLength)
    o = this.bytes.writeUInt32BE(sequenceNumber, o)
    o = this.bytes.writeUInt32BE(Math.floor(contentLength / 0x100000000), o)
    o = this.bytes.writeUInt32BE(contentLength >>> 0, o)
    return this.bytes.subarray(0, o)
  }
}

/** The body AAD of one frame, in a buffer of its own. */
export function bodyAad(
  messageId: Buffer,
  frame: Pick<FrameRef, 'kind' | 'sequenceNumber'>,
  contentLength: number,
): Buffer {
  return new BodyAadWriter(messageId).of(frame.kind, frame.sequenceNumber, contentLength)
}

/** Frame IV on encrypt: 8 zero bytes ‖ uint32 sequence number (client-apis/encrypt.md "Construct a frame"). */
export function frameIv(sequenceNumber: number): Buffer {
  const iv = Buffer.alloc(IV_LENGTH)
  iv.writeUInt32BE(sequenceNumber, 8)
  return iv
}

/** The exact size of a framed body for a plaintext, as this library writes it (empty final frame on exact multiples, like the JS SDK). */
export function framedBodySize(
  plaintextLength: number,
  frameLength: number,
): { size: number; fullFrames: number; finalLength: number } {
  const fullFrames = Math.floor(plaintextLength / frameLength)
  const finalLength = plaintextLength - fullFrames * frameLength
  if (fullFrames + 1 > MAX_FRAMES)
    throw new LimitExceededError('plaintext needs more than 2^32 - 2 frames at this frame length')
  const size = fullFrames * (4 + IV_LENGTH + frameLength + TAG_LENGTH) + (8 + IV_LENGTH + 4 + finalLength + TAG_LENGTH)
  return { size, fullFrames, finalLength }
}

/**
 * Footer: uint16 length ‖ DER signature (data-format/message-footer.md), at `at`. Returns the
 * signature and the offset past it, or how many more bytes it needs at least (a stream's case).
 */
export function scanFooter(bytes: Uint8Array, at: number): { signature: Buffer; end: number } | { needMore: number } {
  if (at + 2 > bytes.length) return { needMore: at + 2 - bytes.length }
  const end = at + 2 + (((bytes[at] as number) << 8) | (bytes[at + 1] as number))
  if (end > bytes.length) return { needMore: end - bytes.length }
  return { signature: Buffer.from(bytes.buffer, bytes.byteOffset + at + 2, end - at - 2), end }
}

/** The footer of a message held in memory; a footer cut short is malformed here. */
export function parseFooter(bytes: Uint8Array, at: number): { signature: Buffer; end: number } {
  const footer = scanFooter(bytes, at)
  if ('needMore' in footer) throw new MalformedMessageError('message footer is truncated')
  return footer
}
