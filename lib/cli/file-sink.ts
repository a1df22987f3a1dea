// A new file written chunk by chunk, telling its source when each chunk is on its way to the disk: fs.WriteStream says nothing per chunk, and the crypto stream wants its output buffers back.
import { close, open, write } from 'node:fs'
import { Writable } from 'node:stream'

type Callback = (error?: Error | null) => void

export class FileSink extends Writable {
  private fd: number | undefined
  /** A write is in the pool: the descriptor is closed only after it (a closed number may be reused at once). */
  private writing = false
  private closeWhenWritten: (() => void) | undefined
  /** Told of each chunk once all its bytes are written (the kernel has them; the buffer is free). */
  onWritten: ((chunk: Buffer) => void) | undefined

  /** `wx`: the file must not exist (never follow or reuse one); `mode` applies to it. */
  constructor(
    private readonly file: string,
    private readonly mode: number,
  ) {
    super({ highWaterMark: 1024 * 1024 })
  }

  override _construct(callback: Callback): void {
    open(this.file, 'wx', this.mode, (error, fd) => {
      if (!error) this.fd = fd
      callback(error)
    })
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    const fd = this.fd
    if (fd === undefined) {
      callback(new Error(`${this.file} is not open`))
      return
    }
    const from = (at: number): void => {
      this.writing = true
      write(fd, chunk, at, chunk.length - at, null, (error, written) => {
        this.writing = false
        if (this.closeWhenWritten) {
          this.closeWhenWritten()
          return
        }
        if (error) {
          callback(error)
          return
        }
        if (at + written < chunk.length) {
          from(at + written)
          return
        }
        this.onWritten?.(chunk)
        callback()
      })
    }
    from(0)
  }

  override _final(callback: Callback): void {
    this.closeFile(callback)
  }

  override _destroy(error: Error | null, callback: Callback): void {
    const closeNow = (): void => this.closeFile((closeError) => callback(error ?? closeError))
    if (this.writing) this.closeWhenWritten = closeNow
    else closeNow()
  }

  private closeFile(callback: Callback): void {
    const fd = this.fd
    this.fd = undefined
    if (fd === undefined) callback()
    else close(fd, (error) => callback(error))
  }
}
