// Known-answer self-test run once before `auto` picks the native backend: every native operation against a fixed answer or the JS reference.
import { createVerify } from 'node:crypto'
import { AlgorithmSuite, AlgorithmSuiteIdentifier, findSuite } from '../core/suites'
import { frameRefs, scanBody } from '../format/body-table'
import { ContentType } from '../format/header'
import { nodeSigningKeys } from '../materials/signature-keys'
import { CryptoBackend, footerRoom } from './backend'
import { jsBackend } from './js-backend'

const IV_LENGTH = 12
const TAG_LENGTH = 16
const EMPTY = Buffer.alloc(0)

function pattern(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length)
  for (let i = 0; i < length; i++) b[i] = (seed + i * 29) & 0xff
  return b
}

function suiteOrThrow(id: AlgorithmSuiteIdentifier): AlgorithmSuite {
  const suite = findSuite(id)
  if (!suite) throw new Error(`suite ${id} missing`)
  return suite
}

/**
 * Whole messages: an unsigned v2 message sealed byte-identically to the reference, opened back,
 * refused once its commitment is flipped; a signed (P-256) message whose footer node:crypto
 * verifies. The header bodies are arbitrary bytes: the backend never parses them.
 */
function messageCheck(native: CryptoBackend, reference: CryptoBackend): string | undefined {
  const committing = suiteOrThrow(AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY)
  const frameLength = 32
  const plaintext = pattern(100, 11)
  const headerBodyLength = 64
  const bodySize = 3 * (4 + IV_LENGTH + frameLength + TAG_LENGTH) + (8 + IV_LENGTH + 4 + 4 + TAG_LENGTH)
  const dataKey = pattern(32, 12)
  const messageId = pattern(32, 13)
  const seal = (backend: CryptoBackend): Buffer => {
    const out = Buffer.alloc(headerBodyLength + TAG_LENGTH + bodySize)
    pattern(headerBodyLength, 14).copy(out)
    const length = backend.sealMessage({
      suite: committing,
      dataKey,
      messageId,
      out,
      headerBodyLength,
      extraAad: EMPTY,
      plaintext,
      frameLength,
      signingKey: undefined,
    })
    if (length !== out.length) throw new Error(`${backend.name} sealed ${String(length)} bytes, expected ${out.length}`)
    return out
  }
  const message = seal(native)
  if (!message.equals(seal(reference))) return 'whole message differs from the reference'
  const open = (commitment: Buffer): { ok: boolean | Promise<boolean>; out: Buffer } => {
    const out = Buffer.alloc(plaintext.length, 0xaa)
    const ok = native.openMessage({
      suite: committing,
      dataKey,
      messageId,
      headerBody: message.subarray(0, headerBodyLength),
      headerIv: Buffer.alloc(IV_LENGTH),
      headerAuthTag: message.subarray(headerBodyLength, headerBodyLength + TAG_LENGTH),
      extraAad: EMPTY,
      commitment,
      body: scanBody(message, headerBodyLength + TAG_LENGTH, ContentType.FRAMED_DATA, frameLength, {}),
      out,
      signature: undefined,
    })
    return { ok, out }
  }
  const stored = Buffer.from(message.subarray(headerBodyLength - 32, headerBodyLength))
  const good = open(stored)
  if (good.ok !== true || !good.out.equals(plaintext)) return 'whole message does not open back to its plaintext'
  stored[5] = (stored[5] ?? 0) ^ 1
  const bad = open(stored)
  if (bad.ok !== false) return 'a message with a flipped commitment opened'
  if (bad.out.some((b) => b !== 0)) return 'output was not zeroed after a refused message'

  const signed = suiteOrThrow(AlgorithmSuiteIdentifier.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256)
  const spec = signed.signature
  if (!spec) return 'suite 0x0214 lost its signature'
  const signingKey = nodeSigningKeys.acquire(spec)
  if (signingKey instanceof Promise) return 'node:crypto signing keys are synchronous'
  // v1: header IV and tag, then a lone final frame (the plaintext is shorter than the frame length).
  const unsigned = headerBodyLength + IV_LENGTH + TAG_LENGTH + (8 + IV_LENGTH + 4 + plaintext.length + TAG_LENGTH)
  const out = Buffer.alloc(unsigned + footerRoom(signed))
  pattern(headerBodyLength, 15).copy(out)
  const length = native.sealMessage({
    suite: signed,
    dataKey: pattern(16, 16),
    messageId: pattern(16, 17),
    out,
    headerBodyLength,
    extraAad: EMPTY,
    plaintext,
    frameLength: 4096,
    signingKey,
  })
  if (typeof length !== 'number' || out.readUInt16BE(unsigned) !== length - unsigned - 2)
    return 'signed message footer is malformed'
  const verified = createVerify('sha256')
    .update(out.subarray(0, unsigned))
    .verify({ key: signingKey.privateKey, dsaEncoding: 'der' }, out.subarray(unsigned + 2, length))
  return verified ? undefined : 'the native ECDSA signature does not verify with node:crypto'
}

/**
 * Known-answer self-test run once before `auto` picks the native backend. Returns undefined when it
 * passes, otherwise what failed. Checks: the commitment-v2 vector "Key = zero, Message ID = zero"
 * (an answer from the official SDKs, independent of this library), key derivation for each KDF
 * hash against the reference backend, header tags, a two-frame body sealed byte-identically at a
 * non-zero offset, opened back, and a flipped tag refused with the output zeroed; then whole
 * messages (messageCheck).
 */
export function nativeSelfTest(native: CryptoBackend, reference: CryptoBackend = jsBackend): string | undefined {
  try {
    const committing = suiteOrThrow(AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY)
    const kat = native.deriveKeys(committing, Buffer.alloc(32), Buffer.alloc(32))
    if (kat.encryptionKey.toString('base64') !== 'qSmd3ox7r+cIeGmJhuguY3i5S/LMKVUYJGgWR7rhE6M=')
      return 'HKDF-SHA512 key differs from the commitment-v2 vector'
    if (kat.commitment?.toString('base64') !== 'Qz2Df1nLfpvGM00VSv+DEQnGNy2Y+LWshYi/9++rplE=')
      return 'key commitment differs from the commitment-v2 vector'

    const A = AlgorithmSuiteIdentifier
    for (const id of [
      A.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256,
      A.ALG_AES192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
      A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    ]) {
      const suite = suiteOrThrow(id)
      const dataKey = pattern(suite.keyLengthBytes, id)
      const messageId = pattern(suite.messageIdLength, 0xa0)
      const got = native.deriveKeys(suite, dataKey, messageId)
      const want = reference.deriveKeys(suite, dataKey, messageId)
      if (!got.encryptionKey.equals(want.encryptionKey))
        return `derived key differs from the reference for suite 0x${id.toString(16)}`
      if (!(got.commitment ?? EMPTY).equals(want.commitment ?? EMPTY))
        return `commitment differs from the reference for suite 0x${id.toString(16)}`
    }

    const suite = suiteOrThrow(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384)
    const messageId = pattern(32, 7)
    const key = reference.deriveKeys(suite, pattern(32, 1), messageId).encryptionKey
    const iv = Buffer.alloc(IV_LENGTH)
    const headerBody = pattern(40, 3)
    const extra = pattern(5, 4)
    const tag = native.headerAuthTag(suite, key, iv, headerBody, extra)
    if (!tag.equals(reference.headerAuthTag(suite, key, iv, headerBody, extra)))
      return 'header tag differs from the reference'
    if (!native.verifyHeaderAuth(suite, key, iv, headerBody, extra, tag)) return 'header tag does not verify'
    tag[0] = (tag[0] ?? 0) ^ 1
    if (native.verifyHeaderAuth(suite, key, iv, headerBody, extra, tag)) return 'a corrupted header tag verified'

    const frameLength = 16
    const plaintext = pattern(20, 9)
    const bodySize = 4 + IV_LENGTH + frameLength + TAG_LENGTH + (8 + IV_LENGTH + 4 + 4 + TAG_LENGTH)
    const seal = (backend: CryptoBackend): Buffer => {
      const out = Buffer.alloc(bodySize + 3, 0x5c)
      const written = backend.sealFramedBody({ suite, key, messageId, plaintext, frameLength, out, outOffset: 3 })
      if (written !== bodySize) throw new Error(`${backend.name} wrote ${written} bytes, expected ${bodySize}`)
      return out
    }
    const sealed = seal(native)
    if (!sealed.equals(seal(reference))) return 'two-frame body differs from the reference'
    const body = sealed.subarray(3)
    const opened = Buffer.alloc(plaintext.length)
    if (
      !native.openBody({
        suite,
        key,
        messageId,
        frames: frameRefs(scanBody(body, 0, ContentType.FRAMED_DATA, frameLength, {})),
        out: opened,
      }) ||
      !opened.equals(plaintext)
    ) {
      return 'two-frame body does not open back to its plaintext'
    }
    body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 1
    const rejected = Buffer.alloc(plaintext.length, 0xaa)
    if (
      native.openBody({
        suite,
        key,
        messageId,
        frames: frameRefs(scanBody(body, 0, ContentType.FRAMED_DATA, frameLength, {})),
        out: rejected,
      })
    )
      return 'a corrupted frame tag opened'
    if (rejected.some((b) => b !== 0)) return 'output was not zeroed after a failed open'
    return messageCheck(native, reference)
  } catch (err) {
    return `threw: ${err instanceof Error ? err.message : String(err)}`
  }
}
