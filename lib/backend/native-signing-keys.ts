// Native ECDSA signing keys for the default CMM: one fresh key pair per message, held in native memory, made ahead on the thread pool when it can.
import { KeyObject } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { isRandomSourceOverridden } from '../core/random'
import { SignatureSpec } from '../core/suites'
import { SigningKey } from '../materials/materials'
import { SigningKeyProvider, drawPrivateScalar, privateKeyFromParts } from '../materials/signature-keys'
import { NativeCryptoAddon, SigningKeyHandle } from './native-types'
import { allocSecret } from '../core/secret-bytes'

const CURVE_BITS = { 'P-256': 256, 'P-384': 384 } as const

/**
 * A key pair living in native memory, with the nonce of its first signature already computed.
 * The private scalar is cleansed by dispose() or, at the latest, when the handle is collected.
 */
export class NativeSigningKey implements SigningKey {
  readonly publicKeyCompressed: Buffer
  private keyObject: KeyObject | undefined

  constructor(
    private readonly addon: NativeCryptoAddon,
    readonly handle: SigningKeyHandle,
    readonly spec: SignatureSpec,
  ) {
    this.publicKeyCompressed = Buffer.alloc(spec.publicKeyLength)
    addon.signingKeyPublicKey(handle, this.publicKeyCompressed)
  }

  /** The node:crypto form, made only if something asks (the JS backend signing with a native key). */
  get privateKey(): KeyObject {
    if (!this.keyObject) {
      const size = this.spec.publicKeyLength - 1
      const d = allocSecret(size)
      const point = Buffer.alloc(1 + 2 * size)
      try {
        this.addon.exportSigningKey(this.handle, d, point)
        this.keyObject = privateKeyFromParts(this.spec, d, point)
      } finally {
        d.fill(0)
      }
    }
    return this.keyObject
  }

  dispose(): void {
    this.addon.disposeSigningKey(this.handle)
  }
}

/*
 * A small stock per curve of keys made ahead on the libuv thread pool. A P-384 key costs two
 * constant-time scalar multiplications (~2.4 ms here: the key pair and its first nonce), which is
 * most of a signed message's cost; made on the pool, that work overlaps with the caller's.
 *
 * Nobody ever waits on the stock: `take()` hands out a ready key or nothing, and the caller then
 * makes one on its own thread. An earlier design queued callers behind pool jobs and, once, a
 * caller waited forever; here a job that never reports back costs speed (the stock stops filling
 * and every key is made inline), never liveness. A job that fails is not retried until the next
 * `take()`, so a broken addon cannot spin.
 */
const TUNING = {
  // Keys per pool job: short jobs, so the pool is never held for long (fs, dns and zlib share it).
  'P-256': { batch: 16, target: 32 },
  'P-384': { batch: 2, target: 6 },
} as const

class CurveStock {
  private readonly stock: NativeSigningKey[] = []
  private running = 0

  constructor(
    private readonly addon: NativeCryptoAddon,
    private readonly spec: SignatureSpec,
    private readonly jobs: number,
  ) {}

  /** A ready key, or undefined when none is in stock; either way, starts refilling. */
  take(): NativeSigningKey | undefined {
    const key = this.stock.pop()
    this.refill()
    return key
  }

  private refill(): void {
    const { batch, target } = TUNING[this.spec.curve]
    while (this.running < this.jobs && this.stock.length + this.running * batch < target) {
      this.running++
      try {
        this.addon.generateSigningKeys(CURVE_BITS[this.spec.curve], batch, (error, handles) => this.delivered(error, handles))
      } catch {
        // Could not even queue the job: give up until the next take().
        this.running--
        return
      }
    }
  }

  private delivered(error: Error | null, handles: SigningKeyHandle[] | undefined): void {
    this.running--
    if (error || !handles) return
    const { target } = TUNING[this.spec.curve]
    for (const handle of handles) {
      if (this.stock.length < target) this.stock.push(new NativeSigningKey(this.addon, handle, this.spec))
      else this.addon.disposeSigningKey(handle)
    }
    this.refill()
  }
}

/** The native backend's provider: a key from the thread-pool stock when one is ready, else one made here. */
export function nativeSigningKeys(addon: NativeCryptoAddon): SigningKeyProvider {
  // One job per core, at most three: libuv's pool has four threads by default, and key
  // generation must not take the last one from fs, dns and zlib work.
  const jobs = Math.max(1, Math.min(availableParallelism(), 3))
  const stocks = new Map<SignatureSpec['curve'], CurveStock>()
  return Object.freeze({
    acquire(spec: SignatureSpec): SigningKey {
      // The stock's keys come from OpenSSL's DRBG; a run with the test random source derives its own.
      if (!isRandomSourceOverridden()) {
        let stock = stocks.get(spec.curve)
        if (!stock) {
          stock = new CurveStock(addon, spec, jobs)
          stocks.set(spec.curve, stock)
        }
        const ready = stock.take()
        if (ready) return ready
      }
      // Made on the calling thread from a fresh random scalar (the test random source when one is set).
      const d = drawPrivateScalar(spec)
      try {
        return new NativeSigningKey(addon, addon.signingKeyFromScalar(CURVE_BITS[spec.curve], d), spec)
      } finally {
        d.fill(0)
      }
    },
  })
}
