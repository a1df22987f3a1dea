// Message header v1/v2: incremental parsing of untrusted bytes and exact serialization (data-format/message-header.md).
import { InvalidArgumentError, LimitExceededError, MalformedMessageError, UnsupportedError } from '../core/errors'
import { hex4 } from '../core/policy'
import { AlgorithmSuite, findSuite } from '../core/suites'
import {
  EncryptionContext,
  decodeUtf8Strict,
  parseContext,
  rememberSerializedContext,
  serializedContextEntries,
} from './encryption-context'
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
  /** The whole header (body and auth) as received, the private copy the other views point into: what a signature covers first. */
  readonly headerBytes: Buffer
}

export interface HeaderLimits {
  readonly maxEncryptedDataKeys: number | false
}

export type HeaderParseResult =
  { readonly done: false; readonly needMore: number } | ({ readonly done: true } & ParsedHeader)

const V1_TYPE = 0x80
export const IV_LENGTH = 12
export const TAG_LENGTH = 16
export const ZERO_IV = Buffer.alloc(IV_LENGTH)
/** The empty context (AAD length 0), shared: it is frozen. */
const NO_CONTEXT: EncryptionContext = Object.freeze({})

/**
 * Parses a header from the start of `bytes`. Too few bytes is not an error: the result says how
 * many more are needed at least, so a stream can feed chunks. Every length read is bounded by the
 * bytes present before anything is allocated.
 *
 * The header is copied once, and every Buffer the result holds (message id, EDK fields, suite
 * data, header body, IV, tag) is a view into that private copy: the bytes the header tag later
 * authenticates are exactly the bytes parsed here, whatever the caller does to `bytes` meanwhile,
 * and nothing returned aliases the caller's buffer.
 */
export function parseHeader(bytes: Buffer, limits: HeaderLimits): HeaderParseResult {
  try {
    return parseComplete(bytes, limits)
  } catch (e) {
    if (e instanceof NeedMoreBytes) return { done: false, needMore: e.needed }
    throw e
  }
}

/** Where an EDK's fields sit in the header, until the header is copied. */
interface EdkAt {
  readonly providerId: string
  readonly info: number
  readonly infoLength: number
  readonly key: number
  readonly keyLength: number
}

function parseComplete(bytes: Buffer, limits: HeaderLimits): { readonly done: true } & ParsedHeader {
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
  const messageIdAt = r.position
  r.skip(suite.messageIdLength)
  const aadLength = r.uint16()
  const aadAt = r.position
  // Strings are decoded straight from the caller's bytes: they are immutable once made.
  const parsedContext = aadLength === 0 ? undefined : parseContext(r.bytesView(aadLength))
  const encryptionContext: EncryptionContext = parsedContext ? parsedContext.context : NO_CONTEXT
  const edkPlaces = parseEncryptedDataKeys(r, limits)
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
  const suiteDataAt = r.position
  if (version === 2) r.skip(suite.suiteDataLength)
  const bodyLength = r.position
  if (version === 1) r.skip(IV_LENGTH)
  r.skip(TAG_LENGTH)
  const headerLength = r.position

  // One copy of body and authentication; everything below is a view into it.
  const own = Buffer.allocUnsafe(headerLength)
  bytes.copy(own, 0, 0, headerLength)
  // A keyring that needs the context as AAD gets these bytes instead of a re-encoding.
  if (parsedContext?.canonical) rememberSerializedContext(encryptionContext, own.subarray(aadAt, aadAt + aadLength))
  const encryptedDataKeys: EncryptedDataKey[] = []
  for (const e of edkPlaces) {
    const rawInfo = own.subarray(e.info, e.info + e.infoLength)
    // providerInfo may be binary (raw AES puts an IV in it): keep a lossy string for display and
    // matching by prefix, and the exact bytes in rawInfo.
    encryptedDataKeys.push(
      new EncryptedDataKey({
        providerId: e.providerId,
        providerInfo: rawInfo.toString('utf8'),
        encryptedDataKey: own.subarray(e.key, e.key + e.keyLength),
        rawInfo,
      }),
    )
  }
  const messageId = own.subarray(messageIdAt, messageIdAt + suite.messageIdLength)
  const header = messageHeaderOf({
    version,
    suiteId,
    messageId,
    encryptionContext,
    encryptedDataKeys,
    contentType,
    frameLength,
    suiteData: own.subarray(suiteDataAt, suiteDataAt + suite.suiteDataLength),
  })
  return {
    done: true,
    header,
    suite,
    headerBody: own.subarray(0, bodyLength),
    headerIv: version === 1 ? own.subarray(bodyLength, bodyLength + IV_LENGTH) : ZERO_IV,
    headerAuthTag: own.subarray(headerLength - TAG_LENGTH, headerLength),
    headerLength,
    headerBytes: own,
  }
}

/**
 * A header whose bytes equal `like`'s everywhere but the message id and (v2) the commitment, as
 * the records of one batch under one data key do: parsed without decoding the context and EDKs
 * again, sharing `like`'s (frozen) context and EDK objects, with its own private copy and views as
 * parseHeader makes them. undefined when any other byte differs (or the bytes are too short): the
 * caller then parses in full. Equal bytes passed every check parseHeader made on `like`.
 */
export function parseHeaderLike(bytes: Buffer, like: ParsedHeader): ParsedHeader | undefined {
  const { suite, headerLength } = like
  const bodyLength = like.headerBody.length
  const v2 = suite.messageFormat === 2
  const idStart = v2 ? 3 : 4
  const idEnd = idStart + suite.messageIdLength
  const sameUntil = v2 ? bodyLength - suite.suiteDataLength : bodyLength
  if (bytes.length < headerLength) return undefined
  if (
    bytes.compare(like.headerBody, 0, idStart, 0, idStart) !== 0 ||
    bytes.compare(like.headerBody, idEnd, sameUntil, idEnd, sameUntil) !== 0
  )
    return undefined
  const own = Buffer.allocUnsafe(headerLength)
  bytes.copy(own, 0, 0, headerLength)
  const h = like.header
  const header = messageHeaderOf({
    version: h.version,
    suiteId: h.suiteId,
    messageId: own.subarray(idStart, idEnd),
    encryptionContext: h.encryptionContext,
    // Frozen already (messageHeaderOf froze it for `like`): freezing again changes nothing.
    encryptedDataKeys: h.encryptedDataKeys as EncryptedDataKey[],
    contentType: h.contentType,
    frameLength: h.frameLength,
    suiteData: v2 ? own.subarray(sameUntil, bodyLength) : undefined,
  })
  return {
    header,
    suite,
    headerBody: own.subarray(0, bodyLength),
    headerIv: v2 ? ZERO_IV : own.subarray(bodyLength, bodyLength + IV_LENGTH),
    headerAuthTag: own.subarray(headerLength - TAG_LENGTH, headerLength),
    headerLength,
    headerBytes: own,
  }
}

/** The frozen MessageHeader for a message's fields: v2 carries its suite data, v1 its type byte. Freezes (and so takes) the EDK array. */
export function messageHeaderOf(fields: {
  version: 1 | 2
  suiteId: number
  messageId: Buffer
  encryptionContext: EncryptionContext
  encryptedDataKeys: EncryptedDataKey[]
  contentType: ContentType
  frameLength: number
  /** v2 only. */
  suiteData: Buffer | undefined
}): MessageHeader {
  const { version, suiteId, messageId, encryptionContext, contentType, frameLength } = fields
  const encryptedDataKeys = Object.freeze(fields.encryptedDataKeys)
  return version === 2
    ? Object.freeze({
        version,
        suiteId,
        messageId,
        encryptionContext,
        encryptedDataKeys,
        contentType,
        headerIvLength: IV_LENGTH,
        frameLength,
        suiteData: fields.suiteData ?? Buffer.alloc(0),
      })
    : Object.freeze({
        version,
        type: V1_TYPE as 128,
        suiteId,
        messageId,
        encryptionContext,
        encryptedDataKeys,
        contentType,
        headerIvLength: IV_LENGTH,
        frameLength,
      })
}

/**
 * The header bytes that decide a message's decryption materials, as a string key: the suite id,
 * the encryption context and the encrypted data keys (the header body less the message id and the
 * fields after the EDKs). Two messages with equal keys need the same unwrap.
 */
export function materialsKeyOf(parsed: ParsedHeader): string {
  const body = parsed.headerBody
  const v2 = parsed.suite.messageFormat === 2
  const idStart = v2 ? 3 : 4
  // After the EDKs: content type, then v2 frame length and suite data, v1 reserved, IV length and frame length.
  const edkEnd = body.length - (v2 ? 1 + 4 + parsed.suite.suiteDataLength : 1 + 4 + 1 + 4)
  return (
    body.toString('latin1', idStart - 2, idStart) +
    body.toString('latin1', idStart + parsed.suite.messageIdLength, edkEnd)
  )
}

function parseEncryptedDataKeys(r: ByteReader, limits: HeaderLimits): EdkAt[] {
  const count = r.uint16()
  if (count === 0) throw new MalformedMessageError('message has no encrypted data keys')
  // Enforced as soon as the count is read, before any EDK is parsed (client-apis/decrypt.md "Parse the header").
  if (limits.maxEncryptedDataKeys !== false && count > limits.maxEncryptedDataKeys) {
    throw new LimitExceededError(
      `maxEncryptedDataKeys exceeded. The message has ${count} encrypted data keys, more than the maximum ${limits.maxEncryptedDataKeys}`,
    )
  }
  const edks: EdkAt[] = []
  for (let i = 0; i < count; i++) {
    const providerId = decodeUtf8Strict(r.bytesView(r.uint16()), 'EDK provider id')
    const infoLength = r.uint16()
    const info = r.position
    r.skip(infoLength)
    const keyLength = r.uint16()
    const key = r.position
    r.skip(keyLength)
    edks.push({ providerId, info, infoLength, key, keyLength })
  }
  return edks
}

export interface HeaderFields {
  readonly suite: AlgorithmSuite
  readonly messageId: Buffer
  readonly encryptionContext: EncryptionContext
  readonly encryptedDataKeys: readonly EncryptedDataKey[]
  readonly frameLength: number
  readonly suiteData?: Buffer
}

/** What writeHeaderBody needs beyond the fields, computed once: the size and the serialized context. */
export interface HeaderBodyPlan {
  readonly size: number
  readonly aad: Uint8Array
  readonly providerIdLengths: readonly number[]
}

/** Sizes a framed header body and checks every length field fits, before any output is allocated. */
export function planHeaderBody(f: HeaderFields): HeaderBodyPlan {
  const aad = serializedContextEntries(f.encryptionContext)
  if (aad.length > 0xffff) throw new InvalidArgumentError('serialized encryption context exceeds 65535 bytes')
  const edks = f.encryptedDataKeys
  if (edks.length === 0 || edks.length > 0xffff) throw new MalformedMessageError('bad encrypted data key count')
  const providerIdLengths: number[] = []
  let edkSize = 2
  for (const e of edks) {
    const idLength = Buffer.byteLength(e.providerId, 'utf8')
    if (idLength > 0xffff || e.rawInfo.length > 0xffff || e.encryptedDataKey.length > 0xffff) {
      throw new MalformedMessageError('encrypted data key field exceeds 65535 bytes')
    }
    providerIdLengths.push(idLength)
    edkSize += 6 + idLength + e.rawInfo.length + e.encryptedDataKey.length
  }
  const v2 = f.suite.messageFormat === 2
  if (v2 && (!f.suiteData || f.suiteData.length !== 32))
    throw new MalformedMessageError('v2 header needs 32 bytes of suite data')
  const size = (v2 ? 1 : 2) + 2 + f.messageId.length + 2 + aad.length + edkSize + 1 + (v2 ? 4 + 32 : 4 + 1 + 4)
  return { size, aad, providerIdLengths }
}

/** Writes a framed header body (everything the header auth tag covers) at the start of `out`; returns its length. */
export function writeHeaderBody(f: HeaderFields, plan: HeaderBodyPlan, out: Buffer): number {
  const v2 = f.suite.messageFormat === 2
  const w = new ByteWriter(out)
  w.uint8(f.suite.messageFormat)
  if (!v2) w.uint8(V1_TYPE)
  w.uint16(f.suite.id).raw(f.messageId).uint16(plan.aad.length).raw(plan.aad).uint16(f.encryptedDataKeys.length)
  f.encryptedDataKeys.forEach((e, i) => {
    const idLength = plan.providerIdLengths[i] as number
    w.uint16(idLength)
    // Written straight from the string: the same UTF-8 bytes Buffer.from would make.
    if (out.write(e.providerId, w.offset, idLength, 'utf8') !== idLength)
      throw new MalformedMessageError('header size mismatch')
    w.offset += idLength
    w.uint16(e.rawInfo.length).raw(e.rawInfo).uint16(e.encryptedDataKey.length).raw(e.encryptedDataKey)
  })
  w.uint8(ContentType.FRAMED_DATA)
  if (v2) {
    w.uint32(f.frameLength).raw(f.suiteData as Buffer)
  } else {
    w.uint32(0).uint8(IV_LENGTH).uint32(f.frameLength)
  }
  if (w.offset !== plan.size) throw new MalformedMessageError('header size mismatch')
  return w.offset
}

/** Serializes a framed header body into a Buffer of its own. */
export function serializeHeaderBody(f: HeaderFields): Buffer {
  const plan = planHeaderBody(f)
  const out = Buffer.allocUnsafe(plan.size)
  writeHeaderBody(f, plan, out)
  return out
}
