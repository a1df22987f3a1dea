// Native ECDSA signing keys for the default CMM: made ahead on the libuv thread pool, a small stock per curve, each handed out once.
import { KeyObject } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { NativeBindingError } from '../core/errors'
import { isRandomSourceOverridden } from '../core/random'
import { SignatureSpec } from '../core/suites'
import { SigningKey } from '../materials/materials'
import { SigningKeyProvider, drawPrivateScalar, privateKeyFromParts } from '../materials/signature-keys'
import { NativeCryptoAddon, SigningKeyHandle } from './native-types'

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
      const d = Buffer.alloc(size)
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

interface Waiter {
  resolve(key: SigningKey): void
  reject(error: unknown): void
}

/*
 * One stock per curve. A P-384 key costs two constant-time scalar multiplications (~2.4 ms here:
 * the key pair and the nonce), so a small batch per job keeps waiting short, and as many jobs run
 * at once as there are cores. Jobs keep running while callers wait or the stock is below its
 * target, so sequential encrypts find a key ready or nearly so, and a burst has a few in hand.
 * P-256 keys are ~30x cheaper and come in bigger batches.
 */
const TUNING = {
  'P-256': { batch: 16, target: 32 },
  'P-384': { batch: 2, target: 8 },
} as const

class CurveStock {
  private readonly stock: NativeSigningKey[] = []
  private readonly waiters: Waiter[] = []
  private running = 0

  constructor(
    private readonly addon: NativeCryptoAddon,
    private readonly spec: SignatureSpec,
    private readonly jobs: number,
  ) {}

  take(): SigningKey | Promise<SigningKey> {
    const key = this.stock.pop()
    const result = key ?? new Promise<SigningKey>((resolve, reject) => this.waiters.push({ resolve, reject }))
    this.refill()
    return result
  }

  private refill(): void {
    const { batch, target } = TUNING[this.spec.curve]
    while (this.running < this.jobs && this.stock.length + this.running * batch < target + this.waiters.length) {
      this.running++
      this.addon.generateSigningKeys(CURVE_BITS[this.spec.curve], batch, (error, handles) => this.delivered(error, handles))
    }
  }

  private delivered(error: Error | null, handles: SigningKeyHandle[] | undefined): void {
    this.running--
    if (error || !handles) {
      // Nothing can be promised to the callers waiting now; later requests try again.
      const failure = new NativeBindingError(`could not generate ${this.spec.curve} signing keys`, [error?.message ?? 'no keys returned'])
      for (const waiter of this.waiters.splice(0)) waiter.reject(failure)
      return
    }
    for (const handle of handles) {
      const key = new NativeSigningKey(this.addon, handle, this.spec)
      const waiter = this.waiters.shift()
      if (waiter) waiter.resolve(key)
      else this.stock.push(key)
    }
    this.refill()
  }
}

/** The native backend's provider: keys from the thread-pool stock, or from the test random source while one is set. */
export function nativeSigningKeys(addon: NativeCryptoAddon): SigningKeyProvider {
  // One job per core, but never more than three: libuv's pool has four threads by default, and
  // key generation must not take the last one from fs, dns and zlib work.
  const jobs = Math.max(1, Math.min(availableParallelism(), 3))
  const stocks = new Map<SignatureSpec['curve'], CurveStock>()
  return Object.freeze({
    acquire(spec: SignatureSpec): SigningKey | Promise<SigningKey> {
      if (isRandomSourceOverridden()) {
        // The stock's keys came from OpenSSL's DRBG; a deterministic run derives its own.
        const d = drawPrivateScalar(spec)
        try {
          return new NativeSigningKey(addon, addon.signingKeyFromScalar(CURVE_BITS[spec.curve], d), spec)
        } finally {
          d.fill(0)
        }
      }
      let stock = stocks.get(spec.curve)
      if (!stock) {
        stock = new CurveStock(addon, spec, jobs)
        stocks.set(spec.curve, stock)
      }
      return stock.take()
    },
  })
}
