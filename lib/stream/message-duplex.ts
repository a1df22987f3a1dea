// The flow control both message streams share: input queued up to the writable highWaterMark, one backend call at a time, output paused while the reader is full, the first error final.
import { Duplex, DuplexOptions } from 'node:stream'
import { EsdkError } from '../core/errors'
import { isThenable } from '../core/thenable'
import { ByteQueue } from './byte-queue'
import { OutputSlab } from './output-slab'

type Callback = (error?: Error | null) => void

/**
 * A Duplex that turns written bytes into pushed bytes through `step`, which a subclass writes.
 * The writer is held back (its write callback withheld) while a backend call is in flight or
 * the reader is full and the queue already holds a highWaterMark's worth; the reader is fed only
 * while it asks for more. Nothing is pushed after the first error, which destroys the stream.
 */
export abstract class MessageDuplex extends Duplex {
  protected readonly input = new ByteQueue()
  /** Where each run's output is carved: memory that is this stream's output and nothing else's. */
  protected readonly outputs = new OutputSlab()
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
  /** Set by returnInputTo: the writer that takes its chunks back. */
  private inputOwner: ((chunk: Buffer) => void) | undefined
  /** Written chunks not yet handed back, with the input offset each ends at. */
  private readonly lent: { chunk: Buffer; end: number }[] = []
  /** Every byte written so far: less what the queue holds, the bytes consumed. */
  private writtenBytes = 0

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

  /**
   * Hands each written chunk back to `owner` once this stream no longer refers to it: its bytes
   * were all consumed and no backend call that was given a view of them is in flight. For a
   * writer that reuses its buffers (the CLI's file reader), so a long input does not leave a
   * trail of dead buffers for the collector. The chunk's bytes may be overwritten from then on.
   * Nothing is handed back after a failure.
   */
  returnInputTo(owner: (chunk: Buffer) => void): void {
    this.inputOwner = owner
  }

  /**
   * The reader promises to hand back every chunk it reads (`returnOutput`) once it no longer
   * refers to it, so the memory can carry later output (the CLI's file writer, once each write
   * completed). Call before reading. A reader that keeps a chunk just keeps it.
   */
  willReturnOutput(): void {
    this.outputs.trackReturns()
  }

  /** A chunk this stream pushed, done with: its bytes may be overwritten by later output. */
  returnOutput(chunk: Buffer): void {
    this.outputs.takeBack(chunk)
  }

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
    this.writtenBytes += bytes.length
    if (this.inputOwner && bytes.length > 0) this.lent.push({ chunk: bytes, end: this.writtenBytes })
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
        // Between calls: whatever the last one was given is free now, before the next is given more.
        this.returnConsumedInput()
        if (!this.step()) break
      }
    } catch (e) {
      this.fail(e)
      return
    }
    this.returnConsumedInput()
    this.releaseWriter()
  }

  /** Idle, every byte before `consumed` is done with: the queue holds only later ones, and no call holds any. */
  private returnConsumedInput(): void {
    const owner = this.inputOwner
    if (!owner || this.running || this.destroyed) return
    const consumed = this.writtenBytes - this.input.length
    for (let next = this.lent[0]; next && next.end <= consumed; next = this.lent[0]) {
      this.lent.shift()
      owner(next.chunk)
    }
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
    this.outputs.lend(bytes)
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
