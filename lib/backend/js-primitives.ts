// The node:crypto building blocks of the JS backend: key derivation, header tags, runs of frames, signatures (framework/algorithm-suites.md, data-format/message-body.md).
import { createCipheriv, createDecipheriv, timingSafeEqual } from 'node:crypto'
import { wipe } from '../core/wipe'
import { AlgorithmSuite } from '../core/suites'
import { BodyAadWriter, FrameRef, FINAL_FRAME_MARKER } from '../format/body'
import { DerivedKeys } from './backend'
import { hkdfExpandOne, hkdfExtract } from '../core/hkdf'
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
  // framework/transitive-requirements.md "HKDF Encryption Key": salt = message id when committing, else none.
  const prk = hkdfExtract(suite.kdf, suite.commitment ? messageId : EMPTY, dataKey)
  try {
    if (suite.commitment) {
      // Info = suite id ‖ DERIVEKEY for the key, and COMMITKEY alone for the commitment.
      const encryptionKey = hkdfExpandOne(
        suite.kdf,
        prk,
        Buffer.concat([suiteIdBytes(suite), DERIVEKEY]),
        suite.keyLengthBytes,
      )
      const commitment = hkdfExpandOne(suite.kdf, prk, COMMITKEY, 32)
      return { encryptionKey, commitment }
    }
    // Info = suite id ‖ message id.
    return {
      encryptionKey: hkdfExpandOne(
        suite.kdf,
        prk,
        Buffer.concat([suiteIdBytes(suite), messageId]),
        suite.keyLengthBytes,
      ),
      commitment: undefined,
    }
  } finally {
    wipe(prk)
  }
}

export function headerTag(
  suite: AlgorithmSuite,
  key: Buffer,
  iv: Buffer,
  headerBody: Buffer,
  extraAad: Buffer,
): Buffer {
  const cipher = createCipheriv(suite.encryption as GcmName, key, iv, { authTagLength: TAG })
  cipher.setAAD(extraAad.length ? Buffer.concat([headerBody, extraAad]) : headerBody)
  cipher.final()
  return cipher.getAuthTag()
}

export function verifyTag(expected: Buffer, tag: Buffer): boolean {
  return tag.length === expected.length && timingSafeEqual(expected, tag)
}

/** client-apis/decrypt.md "Get the decryption materials": the commitment first, in constant time, before the key is used at all. */
export function commitmentMatches(
  suite: AlgorithmSuite,
  stored: Buffer | undefined,
  derived: Buffer | undefined,
): boolean {
  if (!suite.commitment) return true
  return (
    stored !== undefined &&
    derived !== undefined &&
    stored.length === derived.length &&
    timingSafeEqual(stored, derived)
  )
}

/**
 * Seals `plaintext` into `out` from `outOffset` as a run of frames numbered from
 * `firstSequence`: regular frames only, or, `withFinal`, regular frames and then the final
 * frame of whatever is left (empty on an exact multiple, as the JS SDK writes). Returns the
 * bytes written.
 */
export function sealFrames(
  suite: AlgorithmSuite,
  key: Buffer,
  messageId: Buffer,
  plaintext: Uint8Array,
  frameLength: number,
  firstSequence: number,
  withFinal: boolean,
  out: Buffer,
  outOffset: number,
): number {
  let o = outOffset
  let p = 0
  const total = plaintext.length
  const aad = new BodyAadWriter(messageId)
  // client-apis/encrypt.md "Construct a frame": IV = 8 zero bytes ‖ uint32 sequence number;
  // one buffer, its last 4 bytes rewritten.
  const iv = Buffer.alloc(12)
  for (let seq = firstSequence; ; seq++) {
    const final = withFinal && total - p < frameLength
    if (!final && total - p < frameLength) return o - outOffset
    const length = final ? total - p : frameLength
    iv.writeUInt32BE(seq, 8)
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
    cipher.setAAD(aad.of(final ? 'final' : 'frame', seq, length))
    o += cipher.update(plaintext.subarray(p, p + length)).copy(out, o)
    o += cipher.final().copy(out, o)
    o += cipher.getAuthTag().copy(out, o)
    p += length
    if (final) return o - outOffset
  }
}

/** Decrypts and authenticates `frames` into `out` in order; false, with all of `out` zeroed, if any tag fails. */
export function openFrames(
  suite: AlgorithmSuite,
  key: Buffer,
  messageId: Buffer,
  frames: readonly FrameRef[],
  out: Buffer,
): boolean {
  let o = 0
  const aad = new BodyAadWriter(messageId)
  for (const frame of frames) {
    try {
      const decipher = createDecipheriv(suite.encryption as GcmName, key, frame.iv, { authTagLength: TAG })
      decipher.setAAD(aad.of(frame.kind, frame.sequenceNumber, frame.ciphertext.length))
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
