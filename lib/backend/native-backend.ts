// The native CryptoBackend: the esdk_native addon behind the backend contract, one addon call per message operation.
import { esdkConfig } from '../core/config'
import { NativeBindingError } from '../core/errors'
import { AlgorithmSuite, SignatureSpec } from '../core/suites'
import { FrameRef } from '../format/body'
import { SigningKey, partsOfPrivateKey } from '../materials/signature-keys'
import {
  CryptoBackend,
  DerivedKeys,
  OpenBatchInput,
  OpenBodyInput,
  OpenMessageInput,
  SealBatchInput,
  SealBodyInput,
  SealMessageInput,
} from './backend'
import { nativeBatches } from './native-batch'
import { FRAME_ROW, float64Table, writeFrameRows } from '../format/body-table'
import { nativeKeyringCrypto } from './native-keyring-crypto'
import { nativeMessageStreams } from './native-message-stream'
import { NativeSigningKey, nativeSigningKeys } from './native-signing-keys'
import { NativeAddon, NativeCryptoAddon, NativeCryptoFunctions, SigningKeyHandle } from './native-types'
import { allocSecret } from '../core/secret-bytes'

const IV_LENGTH = 12
const TAG_LENGTH = 16
const COMMITMENT_LENGTH = 32
const EMPTY = Buffer.alloc(0)

/** Every entry point createNativeBackend needs (ABI 6). */
export const CRYPTO_FUNCTIONS: readonly (keyof NativeCryptoFunctions)[] = [
  'deriveKeys',
  'headerAuthTag',
  'verifyHeaderAuth',
  'sealFramedBody',
  'openBody',
  'gcmSeal',
  'gcmOpen',
  'sealMessage',
  'openMessage',
  'sealMessageAsync',
  'openMessageAsync',
  'generateSigningKeys',
  'takeSigningKey',
  'signingKeyFromScalar',
  'signingKeyPublicKey',
  'exportSigningKey',
  'disposeSigningKey',
  'signDigest',
  'verifyMessage',
  'verifyMessageAsync',
  'decompressPoint',
  'rsaPrivateKeyFromDer',
  'rsaKeyInfo',
  'rsaPkcs1Unwrap',
  'disposeRsaKey',
  'sealStreamStart',
  'sealStreamRun',
  'sealStreamRunAsync',
  'openStreamStart',
  'openStreamRun',
  'openStreamRunAsync',
  'openStreamVerify',
  'openStreamVerifyAsync',
  'disposeMessageStream',
  'ecdhPrivateKeyFromDer',
  'ecdhDeriveKeyingMaterial',
  'disposeEcdhKey',
  'kdfCounterMode',
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
  const table = float64Table(frames.length * FRAME_ROW)
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
  writeFrameRows(table, frames, offsetOf)
  return { source, table }
}

const CURVE_BITS = { 'P-256': 256, 'P-384': 384 } as const

/**
 * Messages with at least this much plaintext go to the thread pool; smaller ones finish on the
 * calling thread, where a pool round trip would cost more than the work.
 */
export const PARALLEL_THRESHOLD = 1024 * 1024
/** Work unit of a pool worker: big enough to amortise taking it, small enough to balance the threads. */
const CHUNK_BYTES = 256 * 1024
/** Stream runs of unsigned suites at least this big go to the pool (measured: below it the round trip costs more than the frames). */
const STREAM_POOL_THRESHOLD = 1024 * 1024
/** Signed suites hash every byte on one core, so their runs go to the pool from a smaller size on, keeping the event loop free. */
const SIGNED_STREAM_POOL_THRESHOLD = 128 * 1024
/** Pool workers per message: one per core (ESDK_NATIVE_THREADS overrides, e.g. 1 to measure one thread). */
const threads = (): number => esdkConfig().nativeThreads

/** The shared empty buffer for any empty argument: a fresh `Buffer.alloc(0)` is a V8 on-heap array the addon would force off the heap per call. */
function offHeap(bytes: Uint8Array): Uint8Array {
  return bytes.length === 0 ? EMPTY : bytes
}

/** Wraps a loaded addon as a CryptoBackend; throws NativeBindingError when it lacks the crypto entry points. */
export function createNativeBackend(addon: NativeAddon): CryptoBackend {
  const problems: string[] = []
  if (!isNativeCryptoAddon(addon, problems))
    throw new NativeBindingError('the native addon cannot back the crypto operations', problems)
  const native: NativeCryptoAddon = addon
  // Keys that came from somewhere else (a custom CMM's node:crypto pair), imported once each.
  const imported = new WeakMap<SigningKey, SigningKeyHandle>()

  /** The native handle for a signing key: ours directly, others imported from scalar and point (no scalar multiplication). */
  function handleFor(key: SigningKey | undefined, spec: SignatureSpec): SigningKeyHandle {
    if (!key) throw new NativeBindingError('signed suite without a signing key', [])
    if (key instanceof NativeSigningKey && key.spec.curve === spec.curve) return key.handle
    let handle = imported.get(key)
    if (!handle) {
      const { d, point } = partsOfPrivateKey(spec, key.privateKey)
      try {
        handle = native.signingKeyFromScalar(CURVE_BITS[spec.curve], d, point)
      } finally {
        d.fill(0)
      }
      imported.set(key, handle)
    }
    return handle
  }

  function verifyAsync(
    suite: AlgorithmSuite,
    point: Uint8Array,
    signed: Uint8Array,
    der: Uint8Array,
  ): Promise<boolean> {
    return new Promise((resolve, reject) => {
      native.verifyMessageAsync(suite.id, point, signed, der, (error, ok) =>
        error ? reject(error) : resolve(ok === true),
      )
    })
  }

  const streams = nativeMessageStreams(
    native,
    {
      threads,
      chunkBytes: CHUNK_BYTES,
      poolThreshold: STREAM_POOL_THRESHOLD,
      signedPoolThreshold: SIGNED_STREAM_POOL_THRESHOLD,
    },
    handleFor,
  )

  const backend: CryptoBackend = Object.freeze({
    name: 'native' as const,
    startSeal: streams.startSeal,
    startOpen: streams.startOpen,
    signingKeys: nativeSigningKeys(native),
    keyringCrypto: nativeKeyringCrypto(native),

    deriveKeys(suite: AlgorithmSuite, dataKey: Buffer, messageId: Buffer): DerivedKeys {
      // Buffer.alloc, never allocUnsafe: secrets must not land in the shared pool.
      const encryptionKey = allocSecret(suite.keyLengthBytes)
      const commitment = suite.commitment ? Buffer.alloc(COMMITMENT_LENGTH) : undefined
      native.deriveKeys(suite.id, dataKey, messageId, encryptionKey, commitment ?? EMPTY)
      return { encryptionKey, commitment }
    },

    headerAuthTag(suite: AlgorithmSuite, key: Buffer, iv: Buffer, headerBody: Buffer, extraAad: Buffer): Buffer {
      const tag = Buffer.alloc(TAG_LENGTH)
      native.headerAuthTag(suite.id, key, iv, headerBody, extraAad, tag)
      return tag
    },

    verifyHeaderAuth(
      suite: AlgorithmSuite,
      key: Buffer,
      iv: Buffer,
      headerBody: Buffer,
      extraAad: Buffer,
      tag: Buffer,
    ): boolean {
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

    sealMessage(input: SealMessageInput): number | Promise<number> {
      const { suite, dataKey, messageId, out, headerBodyLength, extraAad, plaintext, frameLength, signingKey } = input
      const handle = suite.signature ? handleFor(signingKey, suite.signature) : undefined
      if (plaintext.length < PARALLEL_THRESHOLD) {
        return native.sealMessage(
          suite.id,
          dataKey,
          messageId,
          out,
          headerBodyLength,
          offHeap(extraAad),
          plaintext,
          frameLength,
          handle,
        )
      }
      return new Promise((resolve, reject) => {
        native.sealMessageAsync(
          suite.id,
          dataKey,
          messageId,
          out,
          headerBodyLength,
          offHeap(extraAad),
          plaintext,
          frameLength,
          handle,
          threads(),
          CHUNK_BYTES,
          (error, length) =>
            error || length === undefined
              ? reject(error ?? new NativeBindingError('sealMessageAsync returned nothing', []))
              : resolve(length),
        )
      })
    },

    openMessage(input: OpenMessageInput): boolean | Promise<boolean> {
      const {
        suite,
        dataKey,
        messageId,
        headerBody,
        headerIv,
        headerAuthTag,
        extraAad,
        commitment,
        body,
        out,
        signature,
      } = input
      if (body.plaintextLength >= PARALLEL_THRESHOLD) {
        return new Promise((resolve, reject) => {
          const queued = native.openMessageAsync(
            suite.id,
            dataKey,
            messageId,
            headerBody,
            headerIv,
            headerAuthTag,
            offHeap(extraAad),
            commitment ?? EMPTY,
            body.source,
            body.table,
            out,
            signature?.key.point ?? EMPTY,
            signature?.signed ?? EMPTY,
            signature?.der ?? EMPTY,
            threads(),
            CHUNK_BYTES,
            (error, ok) => (error ? reject(error) : resolve(ok === true)),
          )
          if (!queued) resolve(false)
        })
      }
      const opened = native.openMessage(
        suite.id,
        dataKey,
        messageId,
        headerBody,
        headerIv,
        headerAuthTag,
        offHeap(extraAad),
        commitment ?? EMPTY,
        body.source,
        body.table,
        out,
      )
      if (!opened || !signature) return opened
      // The plaintext stays inside until the signature verified too (on the thread pool).
      return verifyAsync(suite, signature.key.point, signature.signed, signature.der).then(
        (verified) => verified || (out.fill(0), false),
        (error: unknown) => {
          out.fill(0)
          throw error
        },
      )
    },
    sealBatch: (input: SealBatchInput) => batches.sealBatch(input),
    openBatch: (input: OpenBatchInput) => batches.openBatch(input),
  })
  const batches = nativeBatches(native, backend, { threads, handleFor })
  return backend
}
