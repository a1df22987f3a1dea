// Byte builders that follow the spec layouts (data-format/message-header.md, message-body.md) without using lib/format.

export function u8(n: number): Buffer {
  return Buffer.from([n & 0xff])
}

export function u16(n: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n)
  return b
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

export function u64(n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}

function bytes(v: string | Buffer): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v
}

/** Length-prefixed field: uint16 length ‖ bytes. */
export function lv(v: string | Buffer): Buffer {
  const b = bytes(v)
  return Buffer.concat([u16(b.length), b])
}

/** Encryption context entries exactly in the given order: uint16 count ‖ (key, value)*. No sorting. */
export function contextEntries(
  pairs: ReadonlyArray<readonly [string | Buffer, string | Buffer]>,
  count = pairs.length,
): Buffer {
  return Buffer.concat([u16(count), ...pairs.map(([k, v]) => Buffer.concat([lv(k), lv(v)]))])
}

export interface EdkSpec {
  readonly providerId: string | Buffer
  readonly providerInfo: string | Buffer
  readonly key: Buffer
}

export const SAMPLE_EDK: EdkSpec = { providerId: 'ns', providerInfo: 'name', key: Buffer.alloc(48, 0xab) }

export function edkBytes(edks: readonly EdkSpec[], count = edks.length): Buffer {
  return Buffer.concat([
    u16(count),
    ...edks.map((e) => Buffer.concat([lv(e.providerId), lv(e.providerInfo), lv(e.key)])),
  ])
}

export interface V1HeaderSpec {
  version?: number
  type?: number
  suiteId?: number
  messageId?: Buffer
  /** The serialized context entries (without the outer uint16 length). */
  aad?: Buffer
  edks?: Buffer
  contentType?: number
  reserved?: Buffer
  ivLength?: number
  frameLength?: number
  headerIv?: Buffer
  tag?: Buffer
}

/** v1 header body: version ‖ type ‖ suite ‖ message id(16) ‖ AAD ‖ EDKs ‖ content type ‖ reserved(4) ‖ IV length ‖ frame length. */
export function v1HeaderBody(s: V1HeaderSpec = {}): Buffer {
  const aad = s.aad ?? Buffer.alloc(0)
  return Buffer.concat([
    u8(s.version ?? 1),
    u8(s.type ?? 0x80),
    u16(s.suiteId ?? 0x0178),
    s.messageId ?? Buffer.alloc(16, 0x11),
    u16(aad.length),
    aad,
    s.edks ?? edkBytes([SAMPLE_EDK]),
    u8(s.contentType ?? 2),
    s.reserved ?? Buffer.alloc(4),
    u8(s.ivLength ?? 12),
    u32(s.frameLength ?? 4096),
  ])
}

/** v1 header: body ‖ header IV(12) ‖ tag(16). */
export function v1Header(s: V1HeaderSpec = {}): Buffer {
  return Buffer.concat([v1HeaderBody(s), s.headerIv ?? Buffer.alloc(12, 0x22), s.tag ?? Buffer.alloc(16, 0x33)])
}

export interface V2HeaderSpec {
  version?: number
  suiteId?: number
  messageId?: Buffer
  aad?: Buffer
  edks?: Buffer
  contentType?: number
  frameLength?: number
  suiteData?: Buffer
  tag?: Buffer
}

/** v2 header body: version ‖ suite ‖ message id(32) ‖ AAD ‖ EDKs ‖ content type ‖ frame length ‖ suite data(32). */
export function v2HeaderBody(s: V2HeaderSpec = {}): Buffer {
  const aad = s.aad ?? Buffer.alloc(0)
  return Buffer.concat([
    u8(s.version ?? 2),
    u16(s.suiteId ?? 0x0478),
    s.messageId ?? Buffer.alloc(32, 0x44),
    u16(aad.length),
    aad,
    s.edks ?? edkBytes([SAMPLE_EDK]),
    u8(s.contentType ?? 2),
    u32(s.frameLength ?? 4096),
    s.suiteData ?? Buffer.alloc(32, 0x55),
  ])
}

/** v2 header: body ‖ tag(16); no IV is stored. */
export function v2Header(s: V2HeaderSpec = {}): Buffer {
  return Buffer.concat([v2HeaderBody(s), s.tag ?? Buffer.alloc(16, 0x66)])
}

/** Regular frame: uint32 sequence ‖ IV(12) ‖ ciphertext(frame length) ‖ tag(16). */
export function regularFrame(seq: number, ciphertextLength: number): Buffer {
  return Buffer.concat([u32(seq), Buffer.alloc(12, seq), Buffer.alloc(ciphertextLength, 0xcc), Buffer.alloc(16, 0xdd)])
}

/** Final frame: FF FF FF FF ‖ uint32 sequence ‖ IV(12) ‖ uint32 content length ‖ ciphertext ‖ tag(16). */
export function finalFrame(seq: number, contentLength: number, declaredLength = contentLength): Buffer {
  return Buffer.concat([
    u32(0xffffffff),
    u32(seq),
    Buffer.alloc(12, seq),
    u32(declaredLength),
    Buffer.alloc(contentLength, 0xee),
    Buffer.alloc(16, 0xdd),
  ])
}
