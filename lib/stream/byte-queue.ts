// The input a stream has received and not yet processed: chunks kept as they came, views handed out without copying, copies only where a frame straddles chunks.
const EMPTY = Buffer.alloc(0)

export class ByteQueue {
  private chunks: Buffer[] = []
  /** Offset of the first unread byte in chunks[0]. */
  private offset = 0
  private total = 0

  get length(): number {
    return this.total
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return
    this.chunks.push(chunk)
    this.total += chunk.length
  }

  /** The unread bytes of the first chunk: a view, valid until the queue advances past them. */
  head(): Buffer {
    const first = this.chunks[0]
    return first ? first.subarray(this.offset) : EMPTY
  }

  /** Drops `n` bytes from the front. */
  advance(n: number): void {
    this.total -= n
    while (n > 0) {
      const first = this.chunks[0]
      if (!first) throw new RangeError('advanced past the end of the queue')
      const left = first.length - this.offset
      if (n < left) {
        this.offset += n
        return
      }
      n -= left
      this.chunks.shift()
      this.offset = 0
    }
  }

  /**
   * The first `n` bytes (n <= length), removed: a view when the first chunk holds them, else a
   * copy of exactly those bytes that is the caller's alone (`copied`: wipe it after use if the
   * bytes are plaintext).
   */
  take(n: number, into?: Buffer): { bytes: Buffer; copied: boolean } {
    const copied = this.head().length < n
    this.coalesce(n, into)
    const bytes = this.head().subarray(0, n)
    this.advance(n)
    return { bytes, copied }
  }

  /**
   * Makes the first chunk hold at least `n` bytes (or everything queued, if less) by copying
   * exactly that many from the front into one buffer: `into` when it is big enough (a scratch
   * buffer the caller knows to be free; it may be the current first chunk), else a new one. The
   * rest stays as it came.
   */
  coalesce(n: number, into?: Buffer): void {
    const want = Math.min(n, this.total)
    if (this.head().length >= want) return
    // Unpooled: on the encrypt side these are plaintext bytes, which must not share Node's slab.
    const merged = into && into.length >= want ? into.subarray(0, want) : Buffer.allocUnsafeSlow(want)
    let o = 0
    while (o < want) {
      const head = this.head()
      const part = Math.min(head.length, want - o)
      // copyWithin semantics: `head` may be the front of `merged` itself (a scratch reused), then this copies in place.
      head.copy(merged, o, 0, part)
      o += part
      // The first chunk is used up, or what is left of it stays (as a view) behind the merge.
      this.chunks.shift()
      this.offset = 0
      if (part < head.length) this.chunks.unshift(head.subarray(part))
    }
    this.chunks.unshift(merged)
  }

  /** Forgets every chunk (the queue's own references only: chunks are the caller's memory). */
  clear(): void {
    this.chunks = []
    this.offset = 0
    this.total = 0
  }
}
