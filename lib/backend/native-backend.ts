// The native CryptoBackend: the esdk_native addon behind the backend contract, one addon call per message operation.
import { NativeBindingError } from '../core/errors'
import { AlgorithmSuite, AlgorithmSuiteIdentifier, findSuite } from '../core/suites'
import { FrameRef } from '../format/body'
import { CryptoBackend, DerivedKeys, OpenBodyInput, SealBodyInput } from './backend'
import { jsBackend } from './js-backend'
import { FRAME_KIND_CODE, FRAME_TABLE_STRIDE, NativeAddon, NativeCryptoAddon, NativeCryptoFunctions } from './native-types'

const IV_LENGTH = 12
const TAG_LENGTH = 16
const COMMITMENT_LENGTH = 32
const EMPTY = Buffer.alloc(0)

const CRYPTO_FUNCTIONS: readonly (keyof NativeCryptoFunctions)[] = [
  'deriveKeys',
  'headerAuthTag',
  'verifyHeaderAuth',
  'sealFramedBody',
  'openBody',
]

/** Shape check of the crypto entry points (the loader has already checked the ABI version and build facts). */
export function isNativeCryptoAddon(addon: NativeAddon, problems: string[]): addon is NativeCryptoAddon {
  const record = addon as unknown as Record<string, unknown>
  const missing = CRYPTO_FUNCTIONS.filter((name) => typeof record[name] !== 'function')
  if (missing.length > 0) problems.push(`shape check failed: addon lacks ${missing.join(', ')}`)
  return missing.length === 0
}

/** One source buffer plus the frame table native/frame_table.h decodes. */
interface FrameSource {
  readonly source: Uint8Array
  readonly table: Float64Array
}

/**
 * Describes the frames relative to one source buffer. Parsed frames are views into the message, so
 * normally they share a backing store and the source is just the window spanning them (nothing is
 * copied); frames gathered from different buffers (a stream's chunks) are copied into one.
 */
function frameSource(frames: readonly FrameRef[]): FrameSource {
  let backing: ArrayBufferLike | undefined
  let lo = Number.POSITIVE_INFINITY
  let hi = 0
  let shared = true
  const visit = (v: Uint8Array): void => {
    if (v.byteLength === 0) return
    if (backing === undefined) backing = v.buffer
    else if (v.buffer !== backing) shared = false
    lo = Math.min(lo, v.byteOffset)
    hi = Math.max(hi, v.byteOffset + v.byteLength)
  }
  for (const f of frames) {
    visit(f.iv)
    visit(f.ciphertext)
    visit(f.tag)
  }
  const table = new Float64Array(frames.length * FRAME_TABLE_STRIDE)
  if (backing === undefined) return { source: EMPTY, table }

  let source: Uint8Array
  let offsetOf: (v: Uint8Array) => number
  if (shared) {
    const base = lo
    source = new Uint8Array(backing, base, hi - base)
    offsetOf = (v) => (v.byteLength === 0 ? 0 : v.byteOffset - base)
  } else {
    let total = 0
    for (const f of frames) total += f.iv.byteLength + f.ciphertext.byteLength + f.tag.byteLength
    // Ciphertext only, so a pooled buffer is fine here.
    const copy = Buffer.allocUnsafe(total)
    const at = new Map<Uint8Array, number>()
    let o = 0
    for (const f of frames) {
      for (const v of [f.iv, f.ciphertext, f.tag]) {
        at.set(v, o)
        copy.set(v, o)
        o += v.byteLength
      }
    }
    source = copy
    offsetOf = (v) => at.get(v) ?? 0
  }
  frames.forEach((f, i) => {
    const row = i * FRAME_TABLE_STRIDE
    table[row] = offsetOf(f.iv)
    table[row + 1] = offsetOf(f.ciphertext)
    table[row + 2] = f.ciphertext.byteLength
    table[row + 3] = offsetOf(f.tag)
    table[row + 4] = f.sequenceNumber
    table[row + 5] = FRAME_KIND_CODE[f.kind]
  })
  return { source, table }
}

/** Wraps a loaded addon as a CryptoBackend; throws NativeBindingError when it lacks the crypto entry points. */
export function createNativeBackend(addon: NativeAddon): CryptoBackend {
  const problems: string[] = []
  if (!isNativeCryptoAddon(addon, problems)) throw new NativeBindingError('the native addon cannot back the crypto operations', problems)
  const native: NativeCryptoAddon = addon

  return Object.freeze({
    name: 'native' as const,

    deriveKeys(suite: AlgorithmSuite, dataKey: Buffer, messageId: Buffer): DerivedKeys {
      // Buffer.alloc, never allocUnsafe: secrets must not land in the shared pool.
      const encryptionKey = Buffer.alloc(suite.keyLengthBytes)
      const commitment = suite.commitment ? Buffer.alloc(COMMITMENT_LENGTH) : undefined
      native.deriveKeys(suite.id, dataKey, messageId, encryptionKey, commitment ?? EMPTY)
      return { encryptionKey, commitment }
    },

    headerAuthTag(suite: AlgorithmSuite, key: Buffer, iv: Buffer, headerBody: Buffer, extraAad: Buffer): Buffer {
      const tag = Buffer.alloc(TAG_LENGTH)
      native.headerAuthTag(suite.id, key, iv, headerBody, extraAad, tag)
      return tag
    },

    verifyHeaderAuth(suite: AlgorithmSuite, key: Buffer, iv: Buffer, headerBody: Buffer, extraAad: Buffer, tag: Buffer): boolean {
      return native.verifyHeaderAuth(suite.id, key, iv, headerBody, extraAad, tag)
    },

    sealFramedBody({ suite, key, messageId, plaintext, frameLength, out, outOffset }: SealBodyInput): number {
      return native.sealFramedBody(suite.id, key, messageId, plaintext, frameLength, out, outOffset)
    },

    openBody({ suite, key, messageId, frames, out }: OpenBodyInput): boolean {
      if (frames.length === 0) return true
      // The table carries no IV or tag lengths: the parser always yields 12 and 16, and anything
      // else cannot authenticate under this backend's fixed GCM parameters, so fail closed.
      for (const f of frames) {
        if (f.iv.byteLength !== IV_LENGTH || f.tag.byteLength !== TAG_LENGTH) {
          out.fill(0)
          return false
        }
      }
      const { source, table } = frameSource(frames)
      return native.openBody(suite.id, key, messageId, source, table, out)
    },

    // Stage 1: ECDSA stays on node:crypto. The keys are KeyObjects (JS objects the addon cannot
    // read), and the JS path is already OpenSSL underneath; the native signer comes with stage 2.
    sign: jsBackend.sign,
    verify: jsBackend.verify,
  })
}

/** Splits a framed body this library wrote into FrameRef views (self-test only; the real parser lives in format/). */
function sliceFramedBody(body: Buffer, frameLength: number): FrameRef[] {
  const frames: FrameRef[] = []
  let o = 0
  for (let seq = 1; ; seq++) {
    const final = body.readUInt32BE(o) === 0xffffffff
    o += final ? 8 : 4
    const iv = body.subarray(o, o + IV_LENGTH)
    o += IV_LENGTH
    let length = frameLength
    if (final) {
      length = body.readUInt32BE(o)
      o += 4
    }
    const ciphertext = body.subarray(o, o + length)
    const tag = body.subarray(o + length, o + length + TAG_LENGTH)
    o += length + TAG_LENGTH
    frames.push({ sequenceNumber: seq, iv, ciphertext, tag, kind: final ? 'final' : 'frame' })
    if (final) return frames
  }
}

function pattern(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length)
  for (let i = 0; i < length; i++) b[i] = (seed + i * 29) & 0xff
  return b
}

function suiteOrThrow(id: AlgorithmSuiteIdentifier): AlgorithmSuite {
  const suite = findSuite(id)
  if (!suite) throw new Error(`suite ${id} missing`)
  return suite
}

/**
 * Known-answer self-test run once before `auto` picks the native backend. Returns undefined when it
 * passes, otherwise what failed. Checks: the commitment-v2 vector "Key = zero, Message ID = zero"
 * (an answer from the official SDKs, independent of this library), key derivation for each KDF
 * hash against the reference backend, header tags, a two-frame body sealed byte-identically at a
 * non-zero offset, opened back, and a flipped tag refused with the output zeroed.
 */
export function nativeSelfTest(native: CryptoBackend, reference: CryptoBackend = jsBackend): string | undefined {
  try {
    const committing = suiteOrThrow(AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY)
    const kat = native.deriveKeys(committing, Buffer.alloc(32), Buffer.alloc(32))
    if (kat.encryptionKey.toString('base64') !== 'qSmd3ox7r+cIeGmJhuguY3i5S/LMKVUYJGgWR7rhE6M=') return 'HKDF-SHA512 key differs from the commitment-v2 vector'
    if (kat.commitment?.toString('base64') !== 'Qz2Df1nLfpvGM00VSv+DEQnGNy2Y+LWshYi/9++rplE=') return 'key commitment differs from the commitment-v2 vector'

    const A = AlgorithmSuiteIdentifier
    for (const id of [A.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256, A.ALG_AES192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384, A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384]) {
      const suite = suiteOrThrow(id)
      const dataKey = pattern(suite.keyLengthBytes, id)
      const messageId = pattern(suite.messageIdLength, 0xa0)
      const got = native.deriveKeys(suite, dataKey, messageId)
      const want = reference.deriveKeys(suite, dataKey, messageId)
      if (!got.encryptionKey.equals(want.encryptionKey)) return `derived key differs from the reference for suite 0x${id.toString(16)}`
      if (!(got.commitment ?? EMPTY).equals(want.commitment ?? EMPTY)) return `commitment differs from the reference for suite 0x${id.toString(16)}`
    }

    const suite = suiteOrThrow(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384)
    const messageId = pattern(32, 7)
    const key = reference.deriveKeys(suite, pattern(32, 1), messageId).encryptionKey
    const iv = Buffer.alloc(IV_LENGTH)
    const headerBody = pattern(40, 3)
    const extra = pattern(5, 4)
    const tag = native.headerAuthTag(suite, key, iv, headerBody, extra)
    if (!tag.equals(reference.headerAuthTag(suite, key, iv, headerBody, extra))) return 'header tag differs from the reference'
    if (!native.verifyHeaderAuth(suite, key, iv, headerBody, extra, tag)) return 'header tag does not verify'
    tag[0] = (tag[0] ?? 0) ^ 1
    if (native.verifyHeaderAuth(suite, key, iv, headerBody, extra, tag)) return 'a corrupted header tag verified'

    const frameLength = 16
    const plaintext = pattern(20, 9)
    const bodySize = (4 + IV_LENGTH + frameLength + TAG_LENGTH) + (8 + IV_LENGTH + 4 + 4 + TAG_LENGTH)
    const seal = (backend: CryptoBackend): Buffer => {
      const out = Buffer.alloc(bodySize + 3, 0x5c)
      const written = backend.sealFramedBody({ suite, key, messageId, plaintext, frameLength, out, outOffset: 3 })
      if (written !== bodySize) throw new Error(`${backend.name} wrote ${written} bytes, expected ${bodySize}`)
      return out
    }
    const sealed = seal(native)
    if (!sealed.equals(seal(reference))) return 'two-frame body differs from the reference'
    const body = sealed.subarray(3)
    const opened = Buffer.alloc(plaintext.length)
    if (!native.openBody({ suite, key, messageId, frames: sliceFramedBody(body, frameLength), out: opened }) || !opened.equals(plaintext)) {
      return 'two-frame body does not open back to its plaintext'
    }
    body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 1
    const rejected = Buffer.alloc(plaintext.length, 0xaa)
    if (native.openBody({ suite, key, messageId, frames: sliceFramedBody(body, frameLength), out: rejected })) return 'a corrupted frame tag opened'
    if (rejected.some((b) => b !== 0)) return 'output was not zeroed after a failed open'
    return undefined
  } catch (err) {
    return `threw: ${err instanceof Error ? err.message : String(err)}`
  }
}
