// decryptStream: the message in, plaintext out, released frame by frame as each authenticates; the final frame only once the signature verified and the input ended right there (client-apis/decrypt.md, streaming.md).
import { constants as bufferConstants } from 'node:buffer'
import { DuplexOptions } from 'node:stream'
import { AuthenticationError, LimitExceededError, MalformedMessageError } from '../core/errors'
import { scanFooter } from '../format/body'
import {
  BodyLimits,
  BodyTable,
  FRAME_KIND_CODE,
  FRAME_OVERHEAD,
  FRAME_ROW,
  float64Table,
  scanFrame,
  scanNonFramed,
} from '../format/body-table'
import { ContentType, HeaderLimits, ParsedHeader, parseHeader } from '../format/header'
import { StreamedDecryption } from '../session/streamed-decryption'
import { MessageDuplex } from './message-duplex'

/** Ciphertext opened per backend call at most: big enough to amortise a call, small enough to bound memory. */
const MAX_RUN_BYTES = 4 * 1024 * 1024

type Phase = 'header' | 'materials' | 'body' | 'footer' | 'end'

export interface DecryptStreamSettings {
  readonly headerLimits: HeaderLimits
  readonly bodyLimits: BodyLimits
  /** The session's next step once the header parsed: policies, materials, the header tag. */
  readonly begin: (parsed: ParsedHeader) => StreamedDecryption | Promise<StreamedDecryption>
}

/**
 * Emits 'MessageHeader' once the header tag verified, before any plaintext. Regular frames are
 * released as soon as their tag verifies. The final frame (or a non-framed body) is held until
 * the signature verified (signed suites) and the input ended with the message: bytes after it,
 * or input that ends inside it, fail the stream, and nothing is pushed after a failure.
 */
export class DecryptStream extends MessageDuplex {
  private phase: Phase = 'header'
  private session: StreamedDecryption | undefined
  private frameLength = 0
  private contentType = ContentType.FRAMED_DATA
  private nextSequence = 1
  /** Bytes the queue must hold before scanning again is worth it (the parsers' "need more"). */
  private need = 1
  /** Queue length at which an incomplete header is parsed again (see header()). */
  private headerRetryAt = 0
  /** The plaintext of the final frame, authenticated but not yet released. */
  private held: Buffer | undefined
  /** Where a frame that straddles input chunks is gathered: free again once its run is done, as runs never overlap. */
  private scratch: Buffer | undefined

  constructor(
    private readonly settings: DecryptStreamSettings,
    options?: DuplexOptions,
  ) {
    super(options)
  }

  protected override accept(chunk: Buffer): void {
    if (this.phase === 'end' && chunk.length > 0) throw trailing(this.input.length + chunk.length)
  }

  protected step(): boolean {
    if (this.waitingForMore()) return false
    const progressed = this.advance()
    // A phase that found too few bytes has just raised `need`; if the input already ended (its end came while a
    // backend or CMM call was in flight), no later write or end will call again: the message is truncated now.
    if (!progressed) this.waitingForMore()
    return progressed
  }

  /** True while the queue holds fewer bytes than the parsers need; throws if no more will come. */
  private waitingForMore(): boolean {
    if (this.phase === 'end' || this.phase === 'materials' || this.input.length >= this.need) return false
    if (this.ending) throw new MalformedMessageError(`message ${this.phase} is truncated`)
    return true
  }

  private advance(): boolean {
    switch (this.phase) {
      case 'header':
        return this.header()
      case 'materials':
        return false
      case 'body':
        return this.contentType === ContentType.NO_FRAMING ? this.nonFramed() : this.frames()
      case 'footer':
        return this.footer()
      case 'end':
        if (this.input.length > 0) throw trailing(this.input.length)
        if (!this.ending) return false
        if (this.held) this.releaseBytes(this.held)
        this.held = undefined
        this.finish()
        return false
    }
  }

  private header(): boolean {
    // Parsed again only once the queue doubled (or the input ended): a header of tens of thousands of EDKs arriving
    // in small chunks was otherwise parsed whole once per chunk, quadratic in its size (65,535 EDKs: over 2 s of CPU).
    if (!this.ending && this.input.length < this.headerRetryAt) return false
    this.input.coalesce(this.input.length)
    const parsed = parseHeader(this.input.head(), this.settings.headerLimits)
    if (!parsed.done) {
      this.need = this.input.length + parsed.needMore
      this.headerRetryAt = Math.max(this.need, 2 * this.input.length)
      return false
    }
    this.input.advance(parsed.headerLength)
    this.frameLength = parsed.header.frameLength
    this.contentType = parsed.header.contentType
    this.phase = 'materials'
    this.need = 1
    this.continueWith(this.settings.begin(parsed), (session) => {
      this.session = session
      this.phase = 'body'
      // decrypt.md: nothing from the header is released before its tag verified, which it now has.
      this.emit('MessageHeader', session.messageHeader)
    })
    return true
  }

  private frames(): boolean {
    const head = this.input.head()
    const limit = Math.min(head.length, MAX_RUN_BYTES)
    const rows = Math.min(
      Math.floor(limit / (FRAME_OVERHEAD + this.frameLength)) + 1,
      Math.ceil(MAX_RUN_BYTES / FRAME_OVERHEAD),
    )
    const table = float64Table(rows * FRAME_ROW)
    let end = 0
    let count = 0
    let final = false
    while (count < rows && end < limit) {
      const next = scanFrame(
        head,
        end,
        this.frameLength,
        this.nextSequence + count,
        table,
        count * FRAME_ROW,
        this.settings.bodyLimits,
      )
      if (next < 0) {
        if (count === 0) {
          // The frame goes on in later chunks: wait until the queue holds all of it, then gather it once.
          this.need = head.length - next
          if (this.input.length < this.need) return false
          this.input.coalesce(this.need, this.scratchFor(this.need))
          return true
        }
        break
      }
      end = next
      count++
      if (table[(count - 1) * FRAME_ROW + 5] === FRAME_KIND_CODE.final) {
        final = true
        break
      }
    }
    if (count === 0) return false
    let plaintextLength = 0
    for (let i = 0; i < count; i++) plaintextLength += table[i * FRAME_ROW + 2] as number
    const run: BodyTable = {
      source: head.subarray(0, end),
      table: table.subarray(0, count * FRAME_ROW),
      frameCount: count,
      plaintextLength,
      end,
    }
    this.input.advance(end)
    this.nextSequence += count
    this.need = 1
    const finalLength = final ? (table[(count - 1) * FRAME_ROW + 2] as number) : 0
    this.open(run, final ? finalLength : -1)
    return true
  }

  private nonFramed(): boolean {
    // One block: opened (and held) whole, so it must all be here first.
    const head = this.input.head()
    const table = float64Table(FRAME_ROW)
    const end = scanNonFramed(head, 0, table, 0, this.settings.bodyLimits)
    if (end < 0) {
      this.need = head.length - end
      if (this.need - 36 > bufferConstants.MAX_LENGTH)
        throw new LimitExceededError('non-framed content is larger than a Buffer can hold')
      if (this.input.length < this.need) return false
      this.input.coalesce(this.need)
      return true
    }
    const run: BodyTable = {
      source: head.subarray(0, end),
      table,
      frameCount: 1,
      plaintextLength: table[2] as number,
      end,
    }
    this.input.advance(end)
    this.need = 1
    this.open(run, run.plaintextLength)
    return true
  }

  /** A scratch of at least `length` bytes (kept, so the next straddling frame needs no allocation); its current bytes move along. */
  private scratchFor(length: number): Buffer {
    if (!this.scratch || this.scratch.length < length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(length, 2 * (this.scratch?.length ?? 0)))
      // The queue's first chunk may be the old scratch (a frame gathered in steps): keep its bytes.
      if (this.scratch) this.scratch.copy(grown)
      this.scratch = grown
    }
    return this.scratch
  }

  /** Opens a run; `heldLength` >= 0 when it ends the body: that many bytes at its end wait for the end of the message. */
  private open(run: BodyTable, heldLength: number): void {
    const session = this.session
    if (!session) throw new MalformedMessageError('message body before its header')
    // This stream's own slab, never Node's pool. Every byte is written, or all zeroed on failure.
    const out = this.outputs.alloc(run.plaintextLength)
    this.continueWith(session.opener.openRun(run, out), (authentic) => {
      if (!authentic) throw new AuthenticationError()
      if (heldLength < 0) {
        this.releaseBytes(out)
        return
      }
      this.releaseBytes(out.subarray(0, out.length - heldLength))
      this.held = out.subarray(out.length - heldLength)
      this.phase = session.verificationKey ? 'footer' : 'end'
    })
  }

  private footer(): boolean {
    const session = this.session
    if (!session?.verificationKey) throw new MalformedMessageError('footer without a signed suite')
    this.input.coalesce(Math.max(this.need, 2))
    const footer = scanFooter(this.input.head(), 0)
    if ('needMore' in footer) {
      this.need = this.input.head().length + footer.needMore
      // Its bytes may be queued already, in later chunks (nothing more may ever be written): go round to gather them.
      return this.input.length >= this.need
    }
    this.input.advance(footer.end)
    this.need = 1
    this.continueWith(session.opener.verify(session.verificationKey, footer.signature), (verified) => {
      if (!verified) throw new AuthenticationError()
      this.phase = 'end'
    })
    return true
  }

  protected dropSecrets(): void {
    this.session?.opener.dispose()
    // Authenticated but never released: nobody gets it now.
    this.held?.fill(0)
    this.held = undefined
  }
}

function trailing(count: number): MalformedMessageError {
  return new MalformedMessageError(`${count} bytes follow the end of the message`)
}
