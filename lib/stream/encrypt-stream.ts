// encryptStream: plaintext in, the message out: the header once materials are in, then whole frames as they fill, the final frame (and footer) at the end of input (client-apis/encrypt.md "Construct the body").
import { DuplexOptions } from 'node:stream'
import { LimitExceededError } from '../core/errors'
import { wipe } from '../core/wipe'
import { disposeSigningKey } from '../materials/signature-keys'
import { isThenable } from '../core/thenable'
import { StreamedEncryption } from '../session/streamed-encryption'
import { MessageDuplex } from './message-duplex'

/** Plaintext sealed per backend call at most (whole frames): big enough to amortise a call, small enough to bound memory. */
const MAX_RUN_BYTES = 4 * 1024 * 1024

/**
 * Emits 'MessageHeader' (the official event) before the first byte. Regular frames are released
 * as soon as they are sealed; the plaintext is held only until a frame fills (at most a frame
 * and an input chunk). With `plaintextLength`, more input than that fails the stream at once
 * (encrypt.md "Plaintext Length Bound").
 */
export class EncryptStream extends MessageDuplex {
  private session: StreamedEncryption | undefined
  private headerReleased = false
  private received = 0
  /** Where a frame's plaintext that straddles input chunks is gathered (free again once its run is done: runs never overlap); wiped after each run. */
  private scratch: Buffer | undefined

  constructor(
    begin: () => StreamedEncryption | Promise<StreamedEncryption>,
    private readonly plaintextLength: number | undefined,
    options?: DuplexOptions,
  ) {
    super(options)
    let started: StreamedEncryption | Promise<StreamedEncryption>
    try {
      started = begin()
    } catch (e) {
      process.nextTick(() => this.fail(e))
      return
    }
    // Even materials that are ready now are announced on a later tick: a caller attaches its
    // 'MessageHeader' listener after encryptStream returns.
    const ready = isThenable(started) ? started : Promise.resolve(started)
    this.continueWith(ready, (session) => {
      this.session = session
    })
  }

  protected override accept(chunk: Buffer): void {
    this.received += chunk.length
    if (this.plaintextLength !== undefined && this.received > this.plaintextLength) {
      throw new LimitExceededError(`the plaintext is longer than the declared plaintextLength ${this.plaintextLength}`)
    }
  }

  protected step(): boolean {
    const session = this.session
    if (!session) return false
    if (!this.headerReleased) {
      this.headerReleased = true
      this.emit('MessageHeader', session.messageHeader)
      this.releaseBytes(session.header)
      return true
    }
    const frameLength = session.frameLength
    const queued = this.input.length
    if (queued >= frameLength) {
      // Whole frames: as many as the first chunk holds (no copy), or one frame gathered from
      // several chunks (a copy of at most a frame).
      const head = this.input.head().length
      const frames = head >= frameLength ? Math.max(1, Math.floor(Math.min(head, MAX_RUN_BYTES) / frameLength)) : 1
      this.seal(session, frames * frameLength, false)
      return true
    }
    if (this.ending) {
      this.seal(session, queued, true)
      return true
    }
    return false
  }

  private seal(session: StreamedEncryption, length: number, final: boolean): void {
    if (this.input.head().length < length && (!this.scratch || this.scratch.length < length)) {
      this.scratch?.fill(0)
      this.scratch = Buffer.allocUnsafeSlow(length)
    }
    const { bytes, copied } = this.input.take(length, this.scratch)
    const out = this.outputs.alloc(session.sealer.runSize(length, final))
    let sealed: number | Promise<number>
    try {
      sealed = session.sealer.sealRun(bytes, final, final ? session.signingKey : undefined, out)
    } catch (e) {
      if (copied) wipe(bytes)
      throw e
    }
    this.continueWith(sealed, (written) => {
      // A copy this stream made of the caller's plaintext does not outlive its run.
      if (copied) wipe(bytes)
      this.releaseBytes(written === out.length ? out : out.subarray(0, written))
      if (final) this.finish()
    })
  }

  protected dropSecrets(): void {
    this.session?.sealer.dispose()
    this.scratch?.fill(0)
    // A per-message signing key goes as soon as the stream is done (finish runs after the final
    // run settled). Destroyed while a run is in flight, the key is left to the collector: that run
    // may still be signing with it.
    if (this.session?.ownsSigningKey && !this.callInFlight) disposeSigningKey(this.session.signingKey)
  }
}
