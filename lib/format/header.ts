// Message header v1/v2: incremental parsing of untrusted bytes and exact serialization (data-format/message-header.md).
import { LimitExceededError, MalformedMessageError, UnsupportedError } from '../core/errors'
import { hex4 } from '../core/policy'
import { AlgorithmSuite, findSuite } from '../core/suites'
import { EncryptionContext, decodeUtf8Strict, parseContextEntries, serializeHeaderAad } from './encryption-context'
import { ByteReader, ByteWriter, NeedMoreBytes } from './reader'

export enum ContentType {
  NO_FRAMING = 1,
  FRAMED_DATA = 2,
}

/** An encrypted data key as carried in the header; `rawInfo` keeps providerInfo's exact bytes. */
export class EncryptedDataKey {
  readonly providerId: string
  readonly providerInfo: string
  readonly encryptedDataKey: Uint8Array
  readonly rawInfo: Uint8Array
  constructor(input: { providerId: string; providerInfo: string; encryptedDataKey: Uint8Array; rawInfo?: Uint8Array }) {
    this.providerId = input.providerId
    this.providerInfo = input.providerInfo
    this.encryptedDataKey = input.encryptedDataKey
    this.rawInfo = input.rawInfo ?? Buffer.from(input.providerInfo, 'utf8')
    Object.freeze(this)
  }
}

/** The header as the official SDK reports it in `messageHeader`. */
export interface MessageHeader {
  readonly version: 1 | 2
  /** v1 only: the customer-authenticated encrypted data type, 0x80. */
  readonly type?: 128
  readonly suiteId: number
  readonly messageId: Buffer
  readonly encryptionContext: EncryptionContext
  readonly encryptedDataKeys: readonly EncryptedDataKey[]
  readonly contentType: ContentType
  readonly headerIvLength: 12
  readonly frameLength: number
  /** v2 only: the 32-byte key commitment. */
  readonly suiteData?: Buffer
}

export interface ParsedHeader {
  readonly header: MessageHeader
  readonly suite: AlgorithmSuite
  /** The header body exactly as received: what the header tag and the signature cover. */
  readonly headerBody: Buffer
  /** v1 carries the header auth IV; v2 uses twelve zero bytes. */
  readonly headerIv: Buffer
  readonly headerAuthTag: Buffer
  /** Header body plus authentication: where the body starts. */
  readonly headerLength: number
}

export interface HeaderLimits {
  readonly maxEncryptedDataKeys: number | false
}

export type HeaderParseResult = { readonly done: false; readonly needMore: number } | ({ readonly done: true } & ParsedHeader)

const V1_TYPE = 0x80
export const IV_LENGTH = 12
export const TAG_LENGTH = 16
export const ZERO_IV = Buffer.alloc(IV_LENGTH)

/**
 * Parses a header from the start of `bytes`. Too few bytes is not an error: the result says how
 * many more are needed at least, so a stream can feed chunks. Every length read is bounded by the
 * bytes present before anything is allocated.
 */
export function parseHeader(bytes: Buffer, limits: HeaderLimits): HeaderParseResult {
  try {
    return { done: true, ...parseComplete(bytes, limits) }
  } catch (e) {
    if (e instanceof NeedMoreBytes) return { done: false, needMore: e.needed }
    throw e
  }
}

function parseComplete(bytes: Buffer, limits: HeaderLimits): ParsedHeader {
  const r = new ByteReader(bytes)
  const version = r.uint8()
  if (version !== 1 && version !== 2) throw new MalformedMessageError(`unknown message format version ${version}`)
  if (version === 1) {
    const type = r.uint8()
    if (type !== V1_TYPE) throw new MalformedMessageError(`unknown message type 0x${type.toString(16)}`)
  }
  const suiteId = r.uint16()
  const suite = findSuite(suiteId)
  if (!suite) throw new UnsupportedError(`unknown algorithm suite 0x${hex4(suiteId)}`)
  if (suite.messageFormat !== version) {
    throw new MalformedMessageError(`suite 0x${hex4(suiteId)} is not valid in message format ${version}`)
  }
  const messageId = Buffer.from(r.bytesView(suite.messageIdLength))
  const aadLength = r.uint16()
  const encryptionContext = Object.freeze(parseContextEntries(r.bytesView(aadLength)))
  const encryptedDataKeys = parseEncryptedDataKeys(r, limits)
  const contentType = r.uint8()
  if (contentType !== ContentType.NO_FRAMING && contentType !== ContentType.FRAMED_DATA) {
    throw new MalformedMessageError(`unknown content type ${contentType}`)
  }
  if (version === 1) {
    const reserved = r.uint32()
    if (reserved !== 0) throw new MalformedMessageError('reserved header bytes are not zero')
    const ivLength = r.uint8()
    if (ivLength !== IV_LENGTH) throw new MalformedMessageError(`header IV length ${ivLength} is not 12`)
  }
  const frameLength = r.uint32()
  if (contentType === ContentType.FRAMED_DATA && frameLength === 0) {
    throw new MalformedMessageError('framed message with frame length 0')
  }
  if (contentType === ContentType.NO_FRAMING && frameLength !== 0) {
    throw new MalformedMessageError('non-framed message with a non-zero frame length')
  }
  const suiteData = version === 2 ? Buffer.from(r.bytesView(suite.suiteDataLength)) : undefined
  const headerBody = Buffer.from(bytes.subarray(0, r.position))
  const headerIv = version === 1 ? Buffer.from(r.bytesView(IV_LENGTH)) : ZERO_IV
  const headerAuthTag = Buffer.from(r.bytesView(TAG_LENGTH))
  const header: MessageHeader = Object.freeze({
    version,
    ...(version === 1 ? { type: V1_TYPE as 128 } : {}),
    suiteId,
    messageId,
    encryptionContext,
    encryptedDataKeys,
    contentType,
    headerIvLength: IV_LENGTH,
    frameLength,
    ...(suiteData ? { suiteData } : {}),
  })
  return { header, suite, headerBody, headerIv, headerAuthTag, headerLength: r.position }
}

function parseEncryptedDataKeys(r: ByteReader, limits: HeaderLimits): readonly EncryptedDataKey[] {
  const count = r.uint16()
  if (count === 0) throw new MalformedMessageError('message has no encrypted data keys')
  // Enforced as soon as the count is read, before any EDK is parsed (SPEC-NOTES 9).
  if (limits.maxEncryptedDataKeys !== false && count > limits.maxEncryptedDataKeys) {
    throw new LimitExceededError(`message has ${count} encrypted data keys, more than the maximum ${limits.maxEncryptedDataKeys}`)
  }
  const edks: EncryptedDataKey[] = []
  for (let i = 0; i < count; i++) {
    const providerId = decodeUtf8Strict(r.bytesView(r.uint16()), 'EDK provider id')
    const rawInfo = Buffer.from(r.bytesView(r.uint16()))
    const encryptedDataKey = Buffer.from(r.bytesView(r.uint16()))
    // providerInfo may be binary (raw AES puts an IV in it): keep a lossy string for display and
    // matching by prefix, and the exact bytes in rawInfo.
    edks.push(new EncryptedDataKey({ providerId, providerInfo: rawInfo.toString('utf8'), encryptedDataKey, rawInfo }))
  }
  return Object.freeze(edks)
}

export interface HeaderFields {
  readonly suite: AlgorithmSuite
  readonly messageId: Buffer
  readonly encryptionContext: EncryptionContext
  readonly encryptedDataKeys: readonly EncryptedDataKey[]
  readonly frameLength: number
  readonly suiteData?: Buffer
}

/** Serializes a framed header body (everything the header auth tag covers). */
export function serializeHeaderBody(f: HeaderFields): Buffer {
  const aad = serializeHeaderAad(f.encryptionContext)
  const edks = f.encryptedDataKeys.map((edk) => ({
    id: Buffer.from(edk.providerId, 'utf8'),
    info: edk.rawInfo,
    key: edk.encryptedDataKey,
  }))
  if (edks.length === 0 || edks.length > 0xffff) throw new MalformedMessageError('bad encrypted data key count')
  let edkSize = 2
  for (const e of edks) {
    if (e.id.length > 0xffff || e.info.length > 0xffff || e.key.length > 0xffff) {
      throw new MalformedMessageError('encrypted data key field exceeds 65535 bytes')
    }
    edkSize += 6 + e.id.length + e.info.length + e.key.length
  }
  const v2 = f.suite.messageFormat === 2
  const size = (v2 ? 1 : 2) + 2 + f.messageId.length + aad.length + edkSize + 1 + (v2 ? 4 + 32 : 4 + 1 + 4)
  const w = new ByteWriter(Buffer.allocUnsafe(size))
  w.uint8(f.suite.messageFormat)
  if (!v2) w.uint8(V1_TYPE)
  w.uint16(f.suite.id).raw(f.messageId).raw(aad).uint16(edks.length)
  for (const e of edks) w.uint16(e.id.length).raw(e.id).uint16(e.info.length).raw(e.info).uint16(e.key.length).raw(e.key)
  w.uint8(ContentType.FRAMED_DATA)
  if (v2) {
    w.uint32(f.frameLength)
    if (!f.suiteData || f.suiteData.length !== 32) throw new MalformedMessageError('v2 header needs 32 bytes of suite data')
    w.raw(f.suiteData)
  } else {
    w.uint32(0).uint8(IV_LENGTH).uint32(f.frameLength)
  }
  if (w.offset !== size) throw new MalformedMessageError('header size mismatch')
  return w.bytes
}
