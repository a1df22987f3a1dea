// Output buffers of one stream carved from slabs of its own: one backing store per slab instead of one per run, and never Node's shared pool; reused when the reader hands them back.
/** Spare stores kept for reuse at most. */
const MAX_SPARE = 8
/** Large stores' sizes are multiples of this when tracked. */
const LARGE_STEP = 64 * 1024

function roundUp(n: number, step: number): number {
  return Math.ceil(n / step) * step
}

/** One backing store this slab handed views of, while any view may still be out. */
interface Store {
  readonly bytes: Buffer
  /** Bytes lent to the reader and not yet handed back. */
  out: number
  /** No more views will be carved from it: once nothing is out, it is free. */
  sealed: boolean
}

/**
 * A fresh Buffer per run costs an allocation, page faults on first touch and a backing store for
 * the garbage collector to sweep; carving runs out of 1 MiB slabs halves the time a 4 KiB-frame
 * stream spends outside the crypto. A slab lives while any view of it does. Its memory is only
 * ever this stream's output (ciphertext, or the plaintext of the same message), so one caller's
 * plaintext never shares memory with anything else.
 *
 * A reader that hands every chunk back once done with it (`trackReturns`, then `lend` as chunks
 * go out and `takeBack` as they return) lets the stores be carved again: a long stream then
 * needs a few of them, not one per run.
 */
export class OutputSlab {
  private slab: Buffer | undefined
  private used = 0
  /** Present once returns are tracked: every store by its backing buffer. */
  private stores: Map<ArrayBufferLike, Store> | undefined
  /** The store of the last run too big for a slab (sealed when the next one comes). */
  private lastLarge: Store | undefined
  private readonly spare: Buffer[] = []

  constructor(private readonly slabBytes = 1024 * 1024) {}

  trackReturns(): void {
    this.stores ??= new Map()
  }

  /** `length` bytes, not zeroed: the backend writes every one (or zeroes them on failure). */
  alloc(length: number): Buffer {
    if (length > this.slabBytes >>> 2) {
      if (this.lastLarge) this.seal(this.lastLarge)
      // Tracked, large stores are rounded up so that runs of nearly one size can take each other's.
      const bytes = this.reuse(length) ?? Buffer.allocUnsafeSlow(this.stores ? roundUp(length, LARGE_STEP) : length)
      this.lastLarge = this.track(bytes)
      return bytes.subarray(0, length)
    }
    if (!this.slab || this.used + length > this.slab.length) {
      const old = this.slab && this.stores?.get(this.slab.buffer)
      if (old) this.seal(old)
      this.slab = this.reuse(this.slabBytes) ?? Buffer.allocUnsafeSlow(this.slabBytes)
      this.track(this.slab)
      this.used = 0
    }
    const out = this.slab.subarray(this.used, this.used + length)
    this.used += length
    return out
  }

  /** `chunk`, carved here, goes to the reader. */
  lend(chunk: Buffer): void {
    const store = this.stores?.get(chunk.buffer)
    if (store) store.out += chunk.length
  }

  /** The reader is done with `chunk`, one that was lent: once its whole store is back, the store is carved again. */
  takeBack(chunk: Buffer): void {
    const store = this.stores?.get(chunk.buffer)
    if (!store || chunk.length > store.out) return
    store.out -= chunk.length
    if (store.out === 0 && store.sealed) this.free(store)
  }

  private track(bytes: Buffer): Store | undefined {
    if (!this.stores) return undefined
    const store: Store = { bytes, out: 0, sealed: false }
    this.stores.set(bytes.buffer, store)
    return store
  }

  private seal(store: Store): void {
    store.sealed = true
    if (store.out === 0) this.free(store)
  }

  private free(store: Store): void {
    this.stores?.delete(store.bytes.buffer)
    this.spare.push(store.bytes)
    // Runs that keep growing would leave ever more stores too small to take: the smallest go to the collector.
    if (this.spare.length > MAX_SPARE) {
      this.spare.sort((a, b) => b.length - a.length)
      this.spare.length = MAX_SPARE
    }
  }

  /** A spare store that holds `length` bytes (the whole store: a slab, or a large run's). */
  private reuse(length: number): Buffer | undefined {
    const i = this.spare.findIndex((b) => b.length >= length)
    return i < 0 ? undefined : this.spare.splice(i, 1)[0]
  }
}
