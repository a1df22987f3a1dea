// The stand-in's own ciphertext blob: version ‖ flags ‖ key ARN ‖ IV ‖ AES-256-GCM ciphertext ‖ tag, the header and context as AAD.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { canonicalContext, type ContextPairs } from './context'
import { fault } from './errors'

const VERSION = 0x01
const FLAG_MULTI_REGION = 0x01
const IV_LENGTH = 12
const TAG_LENGTH = 16

export interface BlobHeader {
  /** The ARN of the key that encrypted (for a multi-Region key, the replica in the encrypting region). */
  readonly keyArn: string
  readonly multiRegion: boolean
}

interface ParsedBlob extends BlobHeader {
  readonly header: Buffer
  readonly iv: Buffer
  readonly body: Buffer
  readonly tag: Buffer
}

export function seal(material: Buffer, header: BlobHeader, context: ContextPairs, plaintext: Buffer): Buffer {
  const arn = Buffer.from(header.keyArn, 'utf8')
  const head = Buffer.alloc(4)
  head.writeUInt8(VERSION, 0)
  head.writeUInt8(header.multiRegion ? FLAG_MULTI_REGION : 0, 1)
  head.writeUInt16BE(arn.length, 2)
  const headerBytes = Buffer.concat([head, arn])
  const iv = randomBytes(IV_LENGTH)
  const cipher = createCipheriv('aes-256-gcm', material, iv)
  cipher.setAAD(Buffer.concat([headerBytes, canonicalContext(context)]))
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([headerBytes, iv, body, cipher.getAuthTag()])
}

/** Reads the header; InvalidCiphertextException when the blob is not one of ours. */
export function parseBlob(blob: Buffer): ParsedBlob {
  if (blob.length < 4 || blob.readUInt8(0) !== VERSION) throw fault.invalidCiphertext()
  const flags = blob.readUInt8(1)
  if ((flags & ~FLAG_MULTI_REGION) !== 0) throw fault.invalidCiphertext()
  const arnEnd = 4 + blob.readUInt16BE(2)
  if (blob.length < arnEnd + IV_LENGTH + TAG_LENGTH + 1) throw fault.invalidCiphertext()
  const keyArn = blob.toString('utf8', 4, arnEnd)
  return {
    keyArn,
    multiRegion: (flags & FLAG_MULTI_REGION) !== 0,
    header: blob.subarray(0, arnEnd),
    iv: blob.subarray(arnEnd, arnEnd + IV_LENGTH),
    body: blob.subarray(arnEnd + IV_LENGTH, blob.length - TAG_LENGTH),
    tag: blob.subarray(blob.length - TAG_LENGTH),
  }
}

/** Decrypts; InvalidCiphertextException when the key, context or any byte is wrong. */
export function open(material: Buffer, blob: ParsedBlob, context: ContextPairs): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', material, blob.iv)
    decipher.setAAD(Buffer.concat([blob.header, canonicalContext(context)]))
    decipher.setAuthTag(blob.tag)
    return Buffer.concat([decipher.update(blob.body), decipher.final()])
  } catch {
    throw fault.invalidCiphertext()
  }
}
