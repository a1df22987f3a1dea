// An independent, spec-only reader of ESDK messages (no lib/ code): given the data key it derives keys, checks every tag and the signature.
import {
  ECDH,
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  createVerify,
  hkdfSync,
  timingSafeEqual,
} from 'node:crypto'

interface SuiteFacts {
  readonly keyLength: number
  readonly kdf: 'sha256' | 'sha384' | 'sha512' | undefined
  readonly signature:
    | {
        readonly hash: 'sha256' | 'sha384'
        readonly curve: 'prime256v1' | 'secp384r1'
        readonly crv: 'P-256' | 'P-384'
      }
    | undefined
}

const P256 = { hash: 'sha256', curve: 'prime256v1', crv: 'P-256' } as const
const P384 = { hash: 'sha384', curve: 'secp384r1', crv: 'P-384' } as const

// framework/algorithm-suites.md
export const SPEC_SUITES: ReadonlyMap<number, SuiteFacts> = new Map<number, SuiteFacts>([
  [0x0014, { keyLength: 16, kdf: undefined, signature: undefined }],
  [0x0046, { keyLength: 24, kdf: undefined, signature: undefined }],
  [0x0078, { keyLength: 32, kdf: undefined, signature: undefined }],
  [0x0114, { keyLength: 16, kdf: 'sha256', signature: undefined }],
  [0x0146, { keyLength: 24, kdf: 'sha256', signature: undefined }],
  [0x0178, { keyLength: 32, kdf: 'sha256', signature: undefined }],
  [0x0214, { keyLength: 16, kdf: 'sha256', signature: P256 }],
  [0x0346, { keyLength: 24, kdf: 'sha384', signature: P384 }],
  [0x0378, { keyLength: 32, kdf: 'sha384', signature: P384 }],
  [0x0478, { keyLength: 32, kdf: 'sha512', signature: undefined }],
  [0x0578, { keyLength: 32, kdf: 'sha512', signature: P384 }],
])

export interface SpecFrame {
  readonly sequenceNumber: number
  readonly final: boolean
  readonly iv: Buffer
  readonly contentLength: number
}

export interface SpecMessage {
  readonly version: number
  readonly suiteId: number
  readonly messageId: Buffer
  readonly encryptionContext: Record<string, string>
  readonly edkCount: number
  readonly contentType: number
  readonly frameLength: number
  readonly suiteData: Buffer | undefined
  readonly headerBodyLength: number
  readonly headerLength: number
  readonly bodyLength: number
  readonly frames: readonly SpecFrame[]
  readonly signatureLength: number | undefined
  readonly plaintext: Buffer
  /** The derived key commitment (committing suites). */
  readonly commitment: Buffer | undefined
}

class Cursor {
  constructor(
    readonly b: Buffer,
    public o = 0,
  ) {}
  u8(): number {
    return this.b.readUInt8(this.o++)
  }
  u16(): number {
    const v = this.b.readUInt16BE(this.o)
    this.o += 2
    return v
  }
  u32(): number {
    const v = this.b.readUInt32BE(this.o)
    this.o += 4
    return v
  }
  take(n: number): Buffer {
    if (this.o + n > this.b.length) throw new Error('spec reader: truncated')
    const v = this.b.subarray(this.o, this.o + n)
    this.o += n
    return v
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n)
  return b
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}

/** The encryption key (and commitment) per framework/transitive-requirements.md "HKDF Encryption Key", "HKDF Commit Key". */
export function specDeriveKey(
  suiteId: number,
  dataKey: Buffer,
  messageId: Buffer,
): { key: Buffer; commitment: Buffer | undefined } {
  const facts = SPEC_SUITES.get(suiteId)
  if (!facts) throw new Error('spec reader: unknown suite')
  if (!facts.kdf) return { key: dataKey, commitment: undefined }
  if (facts.kdf === 'sha512') {
    const key = Buffer.from(
      hkdfSync('sha512', dataKey, messageId, Buffer.concat([u16(suiteId), Buffer.from('DERIVEKEY')]), facts.keyLength),
    )
    const commitment = Buffer.from(hkdfSync('sha512', dataKey, messageId, Buffer.from('COMMITKEY'), 32))
    return { key, commitment }
  }
  const key = Buffer.from(
    hkdfSync(facts.kdf, dataKey, Buffer.alloc(0), Buffer.concat([u16(suiteId), messageId]), facts.keyLength),
  )
  return { key, commitment: undefined }
}

function gcmName(keyLength: number): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  return keyLength === 16 ? 'aes-128-gcm' : keyLength === 24 ? 'aes-192-gcm' : 'aes-256-gcm'
}

/** AES-GCM tag over empty plaintext: the header authentication tag. */
export function specHeaderTag(key: Buffer, iv: Buffer, aad: Buffer): Buffer {
  const c = createCipheriv(gcmName(key.length), key, iv)
  c.setAAD(aad)
  c.final()
  return c.getAuthTag()
}

function open(key: Buffer, iv: Buffer, aad: Buffer, ciphertext: Buffer, tag: Buffer): Buffer {
  const d = createDecipheriv(gcmName(key.length), key, iv)
  d.setAAD(aad)
  d.setAuthTag(tag)
  return Buffer.concat([d.update(ciphertext), d.final()])
}

/** Reads a whole framed message by the spec alone; throws on any mismatch. */
export function specDecrypt(message: Buffer, dataKey: Buffer): SpecMessage {
  const r = new Cursor(message)
  const version = r.u8()
  if (version === 1 && r.u8() !== 0x80) throw new Error('spec reader: type')
  const suiteId = r.u16()
  const facts = SPEC_SUITES.get(suiteId)
  if (!facts) throw new Error('spec reader: suite')
  const messageId = Buffer.from(r.take(version === 1 ? 16 : 32))
  const aad = r.take(r.u16())
  const encryptionContext: Record<string, string> = {}
  if (aad.length > 0) {
    const a = new Cursor(aad)
    const count = a.u16()
    for (let i = 0; i < count; i++) {
      const k = a.take(a.u16()).toString('utf8')
      encryptionContext[k] = a.take(a.u16()).toString('utf8')
    }
  }
  const edkCount = r.u16()
  for (let i = 0; i < edkCount; i++) for (let f = 0; f < 3; f++) r.take(r.u16())
  const contentType = r.u8()
  if (version === 1) {
    if (r.u32() !== 0) throw new Error('spec reader: reserved')
    if (r.u8() !== 12) throw new Error('spec reader: IV length')
  }
  const frameLength = r.u32()
  const suiteData = version === 2 ? Buffer.from(r.take(32)) : undefined
  const headerBodyLength = r.o
  const headerIv = version === 1 ? r.take(12) : Buffer.alloc(12)
  const headerTag = r.take(16)
  const headerLength = r.o

  const { key, commitment } = specDeriveKey(suiteId, dataKey, messageId)
  if (commitment && (!suiteData || !timingSafeEqual(commitment, suiteData)))
    throw new Error('spec reader: commitment mismatch')
  open(key, headerIv, message.subarray(0, headerBodyLength), Buffer.alloc(0), headerTag)

  if (contentType !== 2) throw new Error('spec reader: only framed bodies')
  const frames: SpecFrame[] = []
  const parts: Buffer[] = []
  for (let seq = 1; ; seq++) {
    const first = r.u32()
    const final = first === 0xffffffff
    const sequenceNumber = final ? r.u32() : first
    if (sequenceNumber !== seq) throw new Error('spec reader: sequence')
    const iv = Buffer.from(r.take(12))
    const contentLength = final ? r.u32() : frameLength
    const ciphertext = r.take(contentLength)
    const tag = r.take(16)
    const content = Buffer.from(final ? 'AWSKMSEncryptionClient Final Frame' : 'AWSKMSEncryptionClient Frame', 'ascii')
    parts.push(
      open(key, iv, Buffer.concat([messageId, content, u32(sequenceNumber), u64(contentLength)]), ciphertext, tag),
    )
    frames.push({ sequenceNumber, final, iv, contentLength })
    if (final) break
  }
  const bodyEnd = r.o

  let signatureLength: number | undefined
  if (facts.signature) {
    signatureLength = r.u16()
    const signature = r.take(signatureLength)
    const compressed = Buffer.from(encryptionContext['aws-crypto-public-key'] ?? '', 'base64')
    const point = ECDH.convertKey(compressed, facts.signature.curve, undefined, undefined, 'uncompressed') as Buffer
    const n = (point.length - 1) / 2
    const publicKey = createPublicKey({
      format: 'jwk',
      key: {
        kty: 'EC',
        crv: facts.signature.crv,
        x: point.subarray(1, 1 + n).toString('base64url'),
        y: point.subarray(1 + n).toString('base64url'),
      },
    })
    const ok = createVerify(facts.signature.hash)
      .update(message.subarray(0, bodyEnd))
      .verify({ key: publicKey, dsaEncoding: 'der' }, signature)
    if (!ok) throw new Error('spec reader: signature')
  }
  if (r.o !== message.length) throw new Error('spec reader: trailing bytes')
  return {
    version,
    suiteId,
    messageId,
    encryptionContext,
    edkCount,
    contentType,
    frameLength,
    suiteData,
    headerBodyLength,
    headerLength,
    bodyLength: bodyEnd - headerLength,
    frames,
    signatureLength,
    plaintext: Buffer.concat(parts),
    commitment,
  }
}
