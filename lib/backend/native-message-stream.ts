// A streamed message on the native backend: a MessageStreamHandle behind MessageSealer / MessageOpener, each run on the calling thread or the pool by size.
import { NativeBindingError } from '../core/errors'
import { AlgorithmSuite, SignatureSpec } from '../core/suites'
import { BodyTable } from '../format/body-table'
import { SigningKey } from '../materials/materials'
import { VerificationKey } from '../materials/signature-keys'
import { MessageOpener, MessageSealer, OpenStreamInput, SealStreamInput, streamRunSize } from './backend'
import { MessageStreamHandle, NativeCryptoAddon, SigningKeyHandle } from './native-types'

const EMPTY = Buffer.alloc(0)

/** How runs are spread: work of at least `poolThreshold` bytes goes to the libuv pool, split into `chunkBytes` across `threads`. */
export interface StreamPoolSettings {
  /** Workers per run, as configured (ESDK_NATIVE_THREADS). */
  readonly threads: () => number
  readonly chunkBytes: number
  /** Unsigned suites: below this a run stays on the calling thread, where a pool round trip costs more than the work. */
  readonly poolThreshold: number
  /** Signed suites hash every byte on one core: the pool takes that hash off the event loop from a smaller size on. */
  readonly signedPoolThreshold: number
}

function offHeap(bytes: Uint8Array): Uint8Array {
  return bytes.length === 0 ? EMPTY : bytes
}

function settle<T>(start: (callback: (error: Error | null, result?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((error, result) =>
      error || result === undefined
        ? reject(error ?? new NativeBindingError('the native call returned nothing', []))
        : resolve(result),
    )
  })
}

/** One handle, one job at a time; disposal waits for a job in flight. */
class StreamHandleOwner {
  protected handle: MessageStreamHandle | undefined
  private inFlight = false
  private disposeWhenDone = false

  constructor(
    protected readonly native: NativeCryptoAddon,
    handle: MessageStreamHandle,
  ) {
    this.handle = handle
  }

  protected live(): MessageStreamHandle {
    if (!this.handle) throw new NativeBindingError('the message stream was disposed', [])
    return this.handle
  }

  protected track<T>(job: Promise<T>): Promise<T> {
    this.inFlight = true
    const done = (): void => {
      this.inFlight = false
      if (this.disposeWhenDone) this.dispose()
    }
    return job.then(
      (value) => (done(), value),
      (error: unknown) => {
        done()
        throw error
      },
    )
  }

  dispose(): void {
    if (!this.handle) return
    if (this.inFlight) {
      this.disposeWhenDone = true
      return
    }
    this.native.disposeMessageStream(this.handle)
    this.handle = undefined
  }
}

class NativeSealer extends StreamHandleOwner implements MessageSealer {
  constructor(
    native: NativeCryptoAddon,
    handle: MessageStreamHandle,
    private readonly suite: AlgorithmSuite,
    private readonly frameLength: number,
    private readonly pool: StreamPoolSettings,
    private readonly signingHandle: (key: SigningKey | undefined, spec: SignatureSpec) => SigningKeyHandle,
  ) {
    super(native, handle)
  }

  runSize(plaintextLength: number, final: boolean): number {
    return streamRunSize(this.suite, this.frameLength, plaintextLength, final)
  }

  sealRun(
    plaintext: Uint8Array,
    final: boolean,
    signingKey: SigningKey | undefined,
    out: Buffer,
  ): number | Promise<number> {
    const handle = this.live()
    const key = final && this.suite.signature ? this.signingHandle(signingKey, this.suite.signature) : undefined
    const flag = final ? 1 : 0
    const threshold = this.suite.signature ? this.pool.signedPoolThreshold : this.pool.poolThreshold
    if (plaintext.length < threshold)
      return this.native.sealStreamRun(handle, offHeap(plaintext), flag, key, offHeap(out))
    return this.track(
      settle<number>((done) =>
        this.native.sealStreamRunAsync(
          handle,
          plaintext,
          flag,
          key,
          out,
          this.pool.threads(),
          this.pool.chunkBytes,
          done,
        ),
      ),
    )
  }
}

class NativeOpener extends StreamHandleOwner implements MessageOpener {
  constructor(
    native: NativeCryptoAddon,
    handle: MessageStreamHandle,
    private readonly suite: AlgorithmSuite,
    private readonly pool: StreamPoolSettings,
  ) {
    super(native, handle)
  }

  openRun(body: BodyTable, out: Buffer): boolean | Promise<boolean> {
    const handle = this.live()
    const threshold = this.suite.signature ? this.pool.signedPoolThreshold : this.pool.poolThreshold
    if (body.source.length < threshold)
      return this.native.openStreamRun(handle, offHeap(body.source), body.table, offHeap(out))
    return this.track(
      settle<boolean>((done) =>
        this.native.openStreamRunAsync(
          handle,
          body.source,
          body.table,
          out,
          this.pool.threads(),
          this.pool.chunkBytes,
          done,
        ),
      ),
    )
  }

  verify(key: VerificationKey, signature: Uint8Array): Promise<boolean> {
    const handle = this.live()
    // About a millisecond of P-384 work: off the event loop.
    return this.track(
      settle<boolean>((done) => this.native.openStreamVerifyAsync(handle, key.point, offHeap(signature), done)),
    )
  }
}

/** startSeal / startOpen over the addon; `signingHandle` maps a material's signing key to its native handle. */
export function nativeMessageStreams(
  native: NativeCryptoAddon,
  pool: StreamPoolSettings,
  signingHandle: (key: SigningKey | undefined, spec: SignatureSpec) => SigningKeyHandle,
): { startSeal(input: SealStreamInput): MessageSealer; startOpen(input: OpenStreamInput): MessageOpener | undefined } {
  return {
    startSeal(input: SealStreamInput): MessageSealer {
      const { suite, dataKey, messageId, header, headerBodyLength, extraAad, frameLength } = input
      const handle = native.sealStreamStart(
        suite.id,
        dataKey,
        messageId,
        header,
        headerBodyLength,
        offHeap(extraAad),
        frameLength,
      )
      return new NativeSealer(native, handle, suite, frameLength, pool, signingHandle)
    },
    startOpen(input: OpenStreamInput): MessageOpener | undefined {
      const {
        suite,
        dataKey,
        messageId,
        headerBody,
        headerIv,
        headerAuthTag,
        extraAad,
        commitment,
        headerBytes,
        frameLength,
      } = input
      const handle = native.openStreamStart(
        suite.id,
        dataKey,
        messageId,
        headerBody,
        headerIv,
        headerAuthTag,
        offHeap(extraAad),
        commitment ?? EMPTY,
        headerBytes,
        frameLength,
      )
      return handle === false ? undefined : new NativeOpener(native, handle, suite, pool)
    },
  }
}
