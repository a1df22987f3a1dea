// A file read in fixed-size chunks whose buffers are reused once the consumer hands them back: a 1 GiB input then costs a few buffers instead of a thousand dead ones waiting for the collector (and the RSS they hold).
import { close, open, read } from 'node:fs'
import { Readable } from 'node:stream'

type Callback = (error?: Error | null) => void

export class ReusingFileReader extends Readable {
  private fd: number | undefined
  /** A read is in the pool: the descriptor is closed only after it (a closed number may be reused at once). */
  private reading = false
  private closeWhenRead: (() => void) | undefined
  /** Buffers handed back and free to read into again. */
  private readonly spare: Buffer[] = []
  /** The backing stores this reader made: only those are taken back. */
  private readonly own = new WeakSet<ArrayBufferLike>()

  constructor(
    private readonly file: string,
    private readonly chunkBytes: number,
  ) {
    super({ highWaterMark: chunkBytes })
  }

  /**
   * The consumer is done with `chunk` (one this reader pushed): its memory will hold later bytes of
   * the file. Call it only once nothing refers to the chunk any more.
   */
  giveBack(chunk: Buffer): void {
    const store = chunk.buffer
    if (!this.own.has(store) || this.destroyed) return
    this.spare.push(Buffer.from(store, 0, this.chunkBytes))
  }

  override _construct(callback: Callback): void {
    open(this.file, 'r', (error, fd) => {
      if (!error) this.fd = fd
      callback(error)
    })
  }

  override _read(): void {
    const fd = this.fd
    if (fd === undefined) return
    const into = this.spare.pop() ?? this.fresh()
    this.reading = true
    read(fd, into, 0, into.length, null, (error, bytesRead) => {
      this.reading = false
      if (this.closeWhenRead) {
        this.closeWhenRead()
        return
      }
      if (error) {
        this.destroy(error)
        return
      }
      if (bytesRead === 0) {
        this.spare.push(into)
        this.push(null)
        return
      }
      this.push(bytesRead === into.length ? into : into.subarray(0, bytesRead))
    })
  }

  override _destroy(error: Error | null, callback: Callback): void {
    this.spare.length = 0
    const fd = this.fd
    this.fd = undefined
    if (fd === undefined) {
      callback(error)
      return
    }
    const closeNow = (): void => close(fd, (closeError) => callback(error ?? closeError))
    if (this.reading) this.closeWhenRead = closeNow
    else closeNow()
  }

  private fresh(): Buffer {
    // Unpooled: on encrypt these are plaintext bytes, which must not share Node's slab with anything else.
    const buffer = Buffer.allocUnsafeSlow(this.chunkBytes)
    this.own.add(buffer.buffer)
    return buffer
  }
}
