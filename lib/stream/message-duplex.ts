// The flow control both message streams share: input queued up to the writable highWaterMark, one backend call at a time, output paused while the reader is full, the first error final.
import { Duplex, DuplexOptions } from 'node:stream'
import { EsdkError } from '../core/errors'
import { isThenable } from '../core/thenable'
import { ByteQueue } from './byte-queue'

type Callback = (error?: Error | null) => void

/**
 * A Duplex that turns written bytes into pushed bytes through `step`, which a subclass writes.
 * The writer is held back (its write callback withheld) while a backend call is in flight or
 * the reader is full and the queue already holds a highWaterMark's worth; the reader is fed only
 * while it asks for more. Nothing is pushed after the first error, which destroys the stream.
 */
export abstract class MessageDuplex extends Duplex {
  protected readonly input = new ByteQueue()
  /** The writable side has ended: no more input will come. */
  protected ending = false
  private running = false
  /** A backend call is in flight (dropSecrets must not free what it uses). */
  protected get callInFlight(): boolean {
    return this.running
  }
  private paused = false
  private finished = false
  private writeCallback: Callback | undefined
  private finalCallback: Callback | undefined

  constructor(options?: DuplexOptions) {
    super(options)
  }

  /**
   * Does the next unit of work: consume input, start a backend call (through `continueWith`), push
   * output. Returns false when nothing can be done until more input, the end of input, or a
   * call's completion. Throwing fails the stream.
   */
  protected abstract step(): boolean
  /** Wipes and lets go of keys and held plaintext: on success, failure and destroy alike. */
  protected abstract dropSecrets(): void

  /** Counts and checks a written chunk before it is queued; throwing fails the write. */
  protected accept(_chunk: Buffer): void {}

  override _write(chunk: unknown, encoding: BufferEncoding, callback: Callback): void {
    const bytes = Buffer.isBuffer(chunk)
      ? chunk
      : typeof chunk === 'string'
        ? Buffer.from(chunk, encoding)
        : Buffer.from(chunk as Uint8Array)
    try {
      this.accept(bytes)
    } catch (e) {
      this.fail(e)
      return
    }
    this.input.push(bytes)
    this.writeCallback = callback
    this.pump()
  }

  override _final(callback: Callback): void {
    this.ending = true
    this.finalCallback = callback
    this.pump()
  }

  override _read(): void {
    this.paused = false
    this.pump()
  }

  override _destroy(error: Error | null, callback: Callback): void {
    this.input.clear()
    this.dropSecrets()
    callback(error)
  }

  /** Runs steps until one has to wait, then lets the writer go on if there is room. */
  protected pump(): void {
    if (this.destroyed || this.finished) return
    try {
      while (!this.running && !this.paused && !this.finished && !this.destroyed) {
        if (!this.step()) break
      }
    } catch (e) {
      this.fail(e)
      return
    }
    this.releaseWriter()
  }

  /**
   * Continues with `then` once `value` is known: at once for a plain value, after the backend's
   * promise settles otherwise (no other step runs meanwhile).
   */
  protected continueWith<T>(value: T | Promise<T>, then: (result: T) => void): void {
    if (!isThenable(value)) {
      then(value)
      return
    }
    this.running = true
    value.then(
      (result) => {
        this.running = false
        if (this.destroyed) return
        try {
          then(result)
        } catch (e) {
          this.fail(e)
          return
        }
        this.pump()
      },
      (error: unknown) => {
        this.running = false
        this.fail(error)
      },
    )
  }

  /** Releases bytes to the reader; stops stepping while the reader is full. */
  protected releaseBytes(bytes: Buffer): void {
    if (bytes.length === 0) return
    if (!this.push(bytes)) this.paused = true
  }

  /** Ends both sides once everything is released. */
  protected finish(): void {
    this.finished = true
    this.dropSecrets()
    const callback = this.finalCallback
    this.finalCallback = undefined
    callback?.()
    this.push(null)
  }

  protected fail(error: unknown): void {
    if (this.destroyed) return
    this.dropSecrets()
    this.destroy(error instanceof Error ? error : new NonErrorFailure(error))
  }

  private releaseWriter(): void {
    const callback = this.writeCallback
    if (!callback) return
    // Idle (nothing in flight, the reader willing), everything usable is consumed: what is left
    // cannot make progress without more input, so more must come whatever its size.
    if (this.input.length < this.writableHighWaterMark || (!this.running && !this.paused)) {
      this.writeCallback = undefined
      callback()
    }
  }
}

/** A thrown non-Error, carried as an error. */
class NonErrorFailure extends EsdkError {
  constructor(value: unknown) {
    super('BAD_STATE', `stream failed with a non-error value: ${String(value)}`)
  }
}
