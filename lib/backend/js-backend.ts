// The pure-JS backend over node:crypto: the fallback when the addon is missing, and the yardstick for the native one.
import { createCipheriv, createDecipheriv, createSign, createVerify, hkdfSync, timingSafeEqual, KeyObject } from 'node:crypto'
import { AlgorithmSuite } from '../core/suites'
import { bodyAad, frameIv, FINAL_FRAME_MARKER } from '../format/body'
import { CryptoBackend, DerivedKeys, OpenBodyInput, SealBodyInput } from './backend'

type GcmName = 'aes-256-gcm'
const TAG = 16
const EMPTY = Buffer.alloc(0)
const DERIVEKEY = Buffer.from('DERIVEKEY', 'ascii')
const COMMITKEY = Buffer.from('COMMITKEY', 'ascii')

function suiteIdBytes(suite: AlgorithmSuite): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(suite.id)
  return b
}

/** hkdfSync returns an ArrayBuffer; wrap it so the caller can wipe it. */
function hkdf(hash: string, ikm: Buffer, salt: Buffer, info: Buffer, length: number): Buffer {
  return Buffer.from(hkdfSync(hash, ikm, salt, info, length))
}

export function jsDeriveKeys(suite: AlgorithmSuite, dataKey: Buffer, messageId: Buffer): DerivedKeys {
  if (!suite.kdf) {
    // Identity KDF: the data key is the encryption key; hand back a copy the caller may wipe.
    const copy = Buffer.alloc(dataKey.length)
    dataKey.copy(copy)
    return { encryptionKey: copy, commitment: undefined }
  }
  if (suite.commitment) {
    // SPEC-NOTES 2: salt = message id; info = suite id ‖ DERIVEKEY, and COMMITKEY alone.
    const encryptionKey = hkdf(suite.kdf, dataKey, messageId, Buffer.concat([suiteIdBytes(suite), DERIVEKEY]), suite.keyLengthBytes)
    const commitment = hkdf(suite.kdf, dataKey, messageId, COMMITKEY, 32)
    return { encryptionKey, commitment }
  }
  // SPEC-NOTES 1: no salt, info = suite id ‖ message id.
  return {
    encryptionKey: hkdf(suite.kdf, dataKey, EMPTY, Buffer.concat([suiteIdBytes(suite), messageId]), suite.keyLengthBytes),
    commitment: undefined,
  }
}

function headerTag(suite: AlgorithmSuite, key: Buffer, iv: Buffer, headerBody: Buffer, extraAad: Buffer): Buffer {
  const cipher = createCipheriv(suite.encryption as GcmName, key, iv, { authTagLength: TAG })
  cipher.setAAD(extraAad.length ? Buffer.concat([headerBody, extraAad]) : headerBody)
  cipher.final()
  return cipher.getAuthTag()
}

function sealFramedBody({ suite, key, messageId, plaintext, frameLength, out, outOffset }: SealBodyInput): number {
  let o = outOffset
  let p = 0
  const total = plaintext.length
  for (let seq = 1; ; seq++) {
    // An exact multiple of the frame length ends with an empty final frame, as the JS SDK writes.
    const final = total - p < frameLength
    const length = final ? total - p : frameLength
    const iv = frameIv(seq)
    if (final) {
      o = out.writeUInt32BE(FINAL_FRAME_MARKER, o)
      o = out.writeUInt32BE(seq, o)
      o += iv.copy(out, o)
      o = out.writeUInt32BE(length, o)
    } else {
      o = out.writeUInt32BE(seq, o)
      o += iv.copy(out, o)
    }
    const cipher = createCipheriv(suite.encryption as GcmName, key, iv, { authTagLength: TAG })
    cipher.setAAD(bodyAad(messageId, { kind: final ? 'final' : 'frame', sequenceNumber: seq }, length))
    o += cipher.update(plaintext.subarray(p, p + length)).copy(out, o)
    o += cipher.final().copy(out, o)
    o += cipher.getAuthTag().copy(out, o)
    p += length
    if (final) return o - outOffset
  }
}

function openBody({ suite, key, messageId, frames, out }: OpenBodyInput): boolean {
  let o = 0
  for (const frame of frames) {
    try {
      const decipher = createDecipheriv(suite.encryption as GcmName, key, frame.iv, { authTagLength: TAG })
      decipher.setAAD(bodyAad(messageId, frame, frame.ciphertext.length))
      decipher.setAuthTag(frame.tag)
      // Written into the caller's buffer before the tag checks out, which is why any failure
      // zeroes the whole output and the caller never sees it.
      const written = decipher.update(frame.ciphertext).copy(out, o)
      decipher.final()
      o += written
    } catch {
      out.fill(0)
      return false
    }
  }
  return true
}

function signParts(suite: AlgorithmSuite, privateKey: KeyObject, parts: readonly Uint8Array[]): Buffer {
  const signer = createSign(suite.signature?.hash as string)
  for (const part of parts) signer.update(part)
  return signer.sign({ key: privateKey, dsaEncoding: 'der' })
}

function verifyParts(suite: AlgorithmSuite, publicKey: KeyObject, parts: readonly Uint8Array[], signature: Uint8Array): boolean {
  const verifier = createVerify(suite.signature?.hash as string)
  for (const part of parts) verifier.update(part)
  try {
    return verifier.verify({ key: publicKey, dsaEncoding: 'der' }, signature)
  } catch {
    return false
  }
}

export const jsBackend: CryptoBackend = Object.freeze({
  name: 'js' as const,
  deriveKeys: jsDeriveKeys,
  headerAuthTag: headerTag,
  verifyHeaderAuth(suite: AlgorithmSuite, key: Buffer, iv: Buffer, headerBody: Buffer, extraAad: Buffer, tag: Buffer): boolean {
    const expected = headerTag(suite, key, iv, headerBody, extraAad)
    return tag.length === expected.length && timingSafeEqual(expected, tag)
  },
  sealFramedBody,
  openBody,
  sign: signParts,
  verify: verifyParts,
})
