// The pure-JS backend over node:crypto: the fallback when the addon is missing, and the yardstick for the native one.
import { createSign, createVerify, KeyObject } from 'node:crypto'
import { wipe } from '../core/wipe'
import { AlgorithmSuite } from '../core/suites'
import { frameRefs } from '../format/body-table'
import { ZERO_IV } from '../format/header'
import { nodeKeyringCrypto } from '../materials/node-keyring-crypto'
import { nodeSigningKeys } from '../materials/signature-keys'
import {
  CryptoBackend,
  OpenBatchInput,
  OpenBodyInput,
  SealBatchInput,
  SealBodyInput,
  SealMessageInput,
  OpenMessageInput,
} from './backend'
import { openBatchByMessage, sealBatchByMessage } from './batch-by-message'
import { jsStartOpen, jsStartSeal } from './js-message-stream'
import { commitmentMatches, headerTag, jsDeriveKeys, openFrames, sealFrames, verifyTag } from './js-primitives'

export { jsDeriveKeys } from './js-primitives'

function sealFramedBody({ suite, key, messageId, plaintext, frameLength, out, outOffset }: SealBodyInput): number {
  return sealFrames(suite, key, messageId, plaintext, frameLength, 1, true, out, outOffset)
}

function openBody({ suite, key, messageId, frames, out }: OpenBodyInput): boolean {
  return openFrames(suite, key, messageId, frames, out)
}

function sign(suite: AlgorithmSuite, privateKey: KeyObject, signed: Uint8Array): Buffer {
  return createSign(suite.signature?.hash as string)
    .update(signed)
    .sign({ key: privateKey, dsaEncoding: 'der' })
}

function verify(suite: AlgorithmSuite, publicKey: KeyObject, signed: Uint8Array, signature: Uint8Array): boolean {
  try {
    return createVerify(suite.signature?.hash as string)
      .update(signed)
      .verify({ key: publicKey, dsaEncoding: 'der' }, signature)
  } catch {
    return false
  }
}

/** The message one primitive at a time: derive, header tag, body, then the signature over header and body. */
function sealMessage(input: SealMessageInput): number {
  const { suite, dataKey, messageId, out, headerBodyLength, extraAad, plaintext, frameLength, signingKey } = input
  const { encryptionKey, commitment } = jsDeriveKeys(suite, dataKey, messageId)
  try {
    if (commitment) commitment.copy(out, headerBodyLength - commitment.length)
    let o = headerBodyLength
    if (suite.messageFormat === 1) o += ZERO_IV.copy(out, o)
    o += headerTag(suite, encryptionKey, ZERO_IV, out.subarray(0, headerBodyLength), extraAad).copy(out, o)
    o += sealFramedBody({ suite, key: encryptionKey, messageId, plaintext, frameLength, out, outOffset: o })
    if (!suite.signature) return o
    if (!signingKey) throw new Error('signed suite without a signing key')
    const signature = sign(suite, signingKey.privateKey, out.subarray(0, o))
    o = out.writeUInt16BE(signature.length, o)
    o += signature.copy(out, o)
    out.fill(0, o)
    return o
  } catch (e) {
    out.fill(0)
    throw e
  } finally {
    wipe(encryptionKey)
  }
}

function openMessage(input: OpenMessageInput): boolean {
  const { suite, dataKey, messageId, headerBody, headerIv, headerAuthTag, extraAad, commitment, body, out, signature } =
    input
  const derived = jsDeriveKeys(suite, dataKey, messageId)
  try {
    const authentic =
      commitmentMatches(suite, commitment, derived.commitment) &&
      verifyTag(headerTag(suite, derived.encryptionKey, headerIv, headerBody, extraAad), headerAuthTag) &&
      openBody({ suite, key: derived.encryptionKey, messageId, frames: frameRefs(body), out }) &&
      (!signature || verify(suite, signature.key.keyObject, signature.signed, signature.der))
    if (!authentic) out.fill(0)
    return authentic
  } finally {
    wipe(derived.encryptionKey)
  }
}

const jsBackendMessages = { sealMessage, openMessage }

export const jsBackend: CryptoBackend = Object.freeze({
  name: 'js' as const,
  deriveKeys: jsDeriveKeys,
  headerAuthTag: headerTag,
  verifyHeaderAuth(
    suite: AlgorithmSuite,
    key: Buffer,
    iv: Buffer,
    headerBody: Buffer,
    extraAad: Buffer,
    tag: Buffer,
  ): boolean {
    return verifyTag(headerTag(suite, key, iv, headerBody, extraAad), tag)
  },
  sealFramedBody,
  openBody,
  signingKeys: nodeSigningKeys,
  keyringCrypto: nodeKeyringCrypto,
  sealMessage,
  openMessage,
  startSeal: jsStartSeal,
  startOpen: jsStartOpen,
  sealBatch: (input: SealBatchInput) => sealBatchByMessage(jsBackendMessages, input),
  openBatch: (input: OpenBatchInput) => openBatchByMessage(jsBackendMessages, input),
})
