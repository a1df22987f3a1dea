// Output buffers of one stream carved from slabs of its own: one backing store per slab instead of one per run, and never Node's shared pool.
/**
 * A fresh Buffer per run costs an allocation, page faults on first touch and a backing store for
 * the garbage collector to sweep; carving runs out of 1 MiB slabs halves the time a 4 KiB-frame
 * stream spends outside the crypto. A slab lives while any view of it does. Its memory is only
 * ever this stream's output (ciphertext, or the plaintext of the same message), so one caller's
 * plaintext never shares memory with anything else.
 */
export class OutputSlab {
  private slab: Buffer | undefined
  private used = 0

  constructor(private readonly slabBytes = 1024 * 1024) {}

  /** `length` bytes, not zeroed: the backend writes every one (or zeroes them on failure). */
  alloc(length: number): Buffer {
    if (length > this.slabBytes >>> 2) return Buffer.allocUnsafeSlow(length)
    if (!this.slab || this.used + length > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(this.slabBytes)
      this.used = 0
    }
    const out = this.slab.subarray(this.used, this.used + length)
    this.used += length
    return out
  }
}
