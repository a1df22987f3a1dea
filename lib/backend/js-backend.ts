// The pure-JS backend over node:crypto: the fallback when the addon is missing, and the yardstick for the native one.
import { createCipheriv, createDecipheriv, createSign, createVerify, timingSafeEqual, KeyObject } from 'node:crypto'
import { wipe } from '../core/wipe'
import { AlgorithmSuite } from '../core/suites'
import { bodyAad, frameIv, FINAL_FRAME_MARKER } from '../format/body'
import { ZERO_IV } from '../format/header'
import { nodeAesGcmWrap } from '../materials/materials'
import { nodeSigningKeys } from '../materials/signature-keys'
import { CryptoBackend, DerivedKeys, OpenBatchInput, OpenBodyInput, OpenMessageInput, SealBatchInput, SealBodyInput, SealMessageInput } from './backend'
import { framesOf } from './frame-table'
import { openBatchByMessage, sealBatchByMessage } from './batch-by-message'
import { hkdfExpandOne, hkdfExtract } from './js-hkdf'
import { allocSecret } from '../core/secret-bytes'

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

export function jsDeriveKeys(suite: AlgorithmSuite, dataKey: Buffer, messageId: Buffer): DerivedKeys {
  if (!suite.kdf) {
    // Identity KDF: the data key is the encryption key; hand back a copy the caller may wipe.
    const copy = allocSecret(dataKey.length)
    dataKey.copy(copy)
    return { encryptionKey: copy, commitment: undefined }
  }
  // SPEC-NOTES 2: salt = message id; SPEC-NOTES 1: no salt.
  const prk = hkdfExtract(suite.kdf, suite.commitment ? messageId : EMPTY, dataKey)
  try {
    if (suite.commitment) {
      // Info = suite id ‖ DERIVEKEY for the key, and COMMITKEY alone for the commitment.
      const encryptionKey = hkdfExpandOne(suite.kdf, prk, Buffer.concat([suiteIdBytes(suite), DERIVEKEY]), suite.keyLengthBytes)
      const commitment = hkdfExpandOne(suite.kdf, prk, COMMITKEY, 32)
      return { encryptionKey, commitment }
    }
    // Info = suite id ‖ message id.
    return { encryptionKey: hkdfExpandOne(suite.kdf, prk, Buffer.concat([suiteIdBytes(suite), messageId]), suite.keyLengthBytes), commitment: undefined }
  } finally {
    wipe(prk)
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

function sign(suite: AlgorithmSuite, privateKey: KeyObject, signed: Uint8Array): Buffer {
  return createSign(suite.signature?.hash as string).update(signed).sign({ key: privateKey, dsaEncoding: 'der' })
}

function verify(suite: AlgorithmSuite, publicKey: KeyObject, signed: Uint8Array, signature: Uint8Array): boolean {
  try {
    return createVerify(suite.signature?.hash as string).update(signed).verify({ key: publicKey, dsaEncoding: 'der' }, signature)
  } catch {
    return false
  }
}

function verifyTag(expected: Buffer, tag: Buffer): boolean {
  return tag.length === expected.length && timingSafeEqual(expected, tag)
}

/** The message one primitive at a time: derive, header tag, body, then the signature over header and body. */
function sealMessage(input: SealMessageInput): number {
  const { suite, dataKey, messageId, out, headerBodyLength, extraAad, plaintext, frameLength, signingKey } = input
  const { encryptionKey, commitment } = jsDeriveKeys(suite, dataKey, messageId)
  try {
    if (commitment) commitment.copy(out, headerBodyLength - commitment.length)
    let o = headerBodyLength
    if (suite.messageFormat === 1) o += ZERO_IV.copy(out, o)
    o += headerTag(suite, encryptionKey, ZERO_IV, out.subarray(0, headerBodyLength), extraAad).copy(out, o)
    o += sealFramedBody({ suite, key: encryptionKey, messageId, plaintext, frameLength, out, outOffset: o })
    if (!suite.signature) return o
    if (!signingKey) throw new Error('signed suite without a signing key')
    const signature = sign(suite, signingKey.privateKey, out.subarray(0, o))
    o = out.writeUInt16BE(signature.length, o)
    o += signature.copy(out, o)
    out.fill(0, o)
    return o
  } catch (e) {
    out.fill(0)
    throw e
  } finally {
    wipe(encryptionKey)
  }
}

function openMessage(input: OpenMessageInput): boolean {
  const { suite, dataKey, messageId, headerBody, headerIv, headerAuthTag, extraAad, commitment, body, out, signature } = input
  const derived = jsDeriveKeys(suite, dataKey, messageId)
  try {
    // SPEC-NOTES 3: the commitment first, in constant time, before the key is used at all.
    const authentic =
      (!suite.commitment || (commitment !== undefined && derived.commitment !== undefined && commitment.length === derived.commitment.length && timingSafeEqual(commitment, derived.commitment))) &&
      verifyTag(headerTag(suite, derived.encryptionKey, headerIv, headerBody, extraAad), headerAuthTag) &&
      openBody({ suite, key: derived.encryptionKey, messageId, frames: framesOf(body), out }) &&
      (!signature || verify(suite, signature.key.keyObject, signature.signed, signature.der))
    if (!authentic) out.fill(0)
    return authentic
  } finally {
    wipe(derived.encryptionKey)
  }
}

const jsBackendMessages = { sealMessage, openMessage }

export const jsBackend: CryptoBackend = Object.freeze({
  name: 'js' as const,
  deriveKeys: jsDeriveKeys,
  headerAuthTag: headerTag,
  verifyHeaderAuth(suite: AlgorithmSuite, key: Buffer, iv: Buffer, headerBody: Buffer, extraAad: Buffer, tag: Buffer): boolean {
    return verifyTag(headerTag(suite, key, iv, headerBody, extraAad), tag)
  },
  sealFramedBody,
  openBody,
  signingKeys: nodeSigningKeys,
  keyWrap: nodeAesGcmWrap,
  sealMessage,
  openMessage,
  sealBatch: (input: SealBatchInput) => sealBatchByMessage(jsBackendMessages, input),
  openBatch: (input: OpenBatchInput) => openBatchByMessage(jsBackendMessages, input),
})
