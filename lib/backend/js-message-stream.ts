// A streamed message on the JS backend: the derived key, the next sequence number and the running node:crypto signer or verifier across runs.
import { Sign, Verify, createSign, createVerify } from 'node:crypto'
import { wipe } from '../core/wipe'
import { AlgorithmSuite } from '../core/suites'
import { BodyTable, FRAME_KIND_CODE, FRAME_ROW, frameRefs } from '../format/body-table'
import { ZERO_IV } from '../format/header'
import { SigningKey } from '../materials/materials'
import { VerificationKey } from '../materials/signature-keys'
import { MessageOpener, MessageSealer, OpenStreamInput, SealStreamInput, streamRunSize } from './backend'
import { commitmentMatches, headerTag, jsDeriveKeys, openFrames, sealFrames, verifyTag } from './js-primitives'

/** Thrown for a call the stream's state does not allow: a programming error of the caller, never a verdict on the message. */
function stateError(what: string): Error {
  return new Error(`message stream: ${what}`)
}

class JsSealer implements MessageSealer {
  private key: Buffer | undefined
  private nextSequence = 1
  private readonly signer: Sign | undefined

  constructor(
    private readonly suite: AlgorithmSuite,
    private readonly messageId: Buffer,
    private readonly frameLength: number,
    key: Buffer,
    header: Buffer,
  ) {
    this.key = key
    // encrypt.md: a signed message's signature takes the header as soon as it is serialized.
    this.signer = suite.signature ? createSign(suite.signature.hash).update(header) : undefined
  }

  runSize(plaintextLength: number, final: boolean): number {
    return streamRunSize(this.suite, this.frameLength, plaintextLength, final)
  }

  sealRun(plaintext: Uint8Array, final: boolean, signingKey: SigningKey | undefined, out: Buffer): number {
    const key = this.key
    if (!key) throw stateError('sealed after it finished or failed')
    if (!final && plaintext.length % this.frameLength !== 0)
      throw stateError('a run without the final frame must be whole frames')
    if (out.length !== this.runSize(plaintext.length, final)) throw stateError('run output has the wrong size')
    if (final && Boolean(this.suite.signature) !== Boolean(signingKey))
      throw stateError('signing key does not match the suite')
    try {
      let o = sealFrames(this.suite, key, this.messageId, plaintext, this.frameLength, this.nextSequence, final, out, 0)
      this.nextSequence += final
        ? Math.floor(plaintext.length / this.frameLength) + 1
        : plaintext.length / this.frameLength
      this.signer?.update(out.subarray(0, o))
      if (final) {
        if (this.signer && signingKey) {
          const signature = this.signer.sign({ key: signingKey.privateKey, dsaEncoding: 'der' })
          o = out.writeUInt16BE(signature.length, o)
          o += signature.copy(out, o)
          out.fill(0, o)
        }
        this.dispose()
      }
      return o
    } catch (e) {
      out.fill(0)
      this.dispose()
      throw e
    }
  }

  dispose(): void {
    if (this.key) wipe(this.key)
    this.key = undefined
  }
}

class JsOpener implements MessageOpener {
  private key: Buffer | undefined
  private nextSequence = 1
  private ended = false
  private readonly verifier: Verify | undefined

  constructor(
    private readonly suite: AlgorithmSuite,
    private readonly messageId: Buffer,
    private readonly frameLength: number,
    key: Buffer,
    headerBytes: Buffer,
  ) {
    this.key = key
    this.verifier = suite.signature ? createVerify(suite.signature.hash).update(headerBytes) : undefined
  }

  openRun(body: BodyTable, out: Buffer): boolean {
    const key = this.key
    if (!key || this.ended) throw stateError('opened after it finished or failed')
    if (out.length !== body.plaintextLength) throw stateError('run output has the wrong size')
    const ends = this.checkRun(body)
    const authentic = openFrames(this.suite, key, this.messageId, frameRefs(body), out)
    if (!authentic) {
      this.dispose()
      return false
    }
    this.verifier?.update(body.source)
    this.nextSequence += body.frameCount
    if (ends) {
      this.ended = true
      this.dispose()
    }
    return true
  }

  /** The rows numbered on from the last run, laid end to end over the source, a final frame only last (as the native stream checks). */
  private checkRun(body: BodyTable): boolean {
    const { table } = body
    let at = 0
    let ends = false
    for (let i = 0; i < body.frameCount; i++) {
      const row = i * FRAME_ROW
      const kind = table[row + 5]
      const length = table[row + 2] as number
      if (table[row + 4] !== this.nextSequence + i) throw stateError('frames out of sequence')
      if (kind !== FRAME_KIND_CODE.frame) {
        if (i !== body.frameCount - 1) throw stateError('frames after the final frame')
        ends = true
      }
      const head = kind === FRAME_KIND_CODE.frame ? 4 : kind === FRAME_KIND_CODE.final ? 8 : 0
      const lengthField = kind === FRAME_KIND_CODE.frame ? 0 : kind === FRAME_KIND_CODE.final ? 4 : 8
      if (
        kind === FRAME_KIND_CODE.frame
          ? length !== this.frameLength
          : kind === FRAME_KIND_CODE.final && length > this.frameLength
      ) {
        throw stateError('frame length differs from the header')
      }
      if (
        table[row] !== at + head ||
        table[row + 1] !== at + head + 12 + lengthField ||
        table[row + 3] !== at + head + 12 + lengthField + length
      ) {
        throw stateError('frames not laid end to end')
      }
      at += head + 12 + lengthField + length + 16
    }
    if (at !== body.source.length) throw stateError('source holds more than the frames')
    return ends
  }

  verify(key: VerificationKey, signature: Uint8Array): boolean {
    if (!this.ended || !this.verifier) throw stateError('verified before the final frame')
    try {
      return this.verifier.verify({ key: key.keyObject, dsaEncoding: 'der' }, signature)
    } catch {
      return false
    }
  }

  dispose(): void {
    if (this.key) wipe(this.key)
    this.key = undefined
  }
}

export function jsStartSeal(input: SealStreamInput): MessageSealer {
  const { suite, dataKey, messageId, header, headerBodyLength, extraAad, frameLength } = input
  const { encryptionKey, commitment } = jsDeriveKeys(suite, dataKey, messageId)
  try {
    if (commitment) commitment.copy(header, headerBodyLength - commitment.length)
    let o = headerBodyLength
    if (suite.messageFormat === 1) o += ZERO_IV.copy(header, o)
    o += headerTag(suite, encryptionKey, ZERO_IV, header.subarray(0, headerBodyLength), extraAad).copy(header, o)
    if (o !== header.length) throw stateError('header room does not fit the header auth')
    return new JsSealer(suite, messageId, frameLength, encryptionKey, header)
  } catch (e) {
    wipe(encryptionKey)
    header.fill(0)
    throw e
  }
}

export function jsStartOpen(input: OpenStreamInput): MessageOpener | undefined {
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
  const derived = jsDeriveKeys(suite, dataKey, messageId)
  const authentic =
    commitmentMatches(suite, commitment, derived.commitment) &&
    verifyTag(headerTag(suite, derived.encryptionKey, headerIv, headerBody, extraAad), headerAuthTag)
  if (!authentic) {
    wipe(derived.encryptionKey)
    return undefined
  }
  return new JsOpener(suite, messageId, frameLength, derived.encryptionKey, headerBytes)
}
