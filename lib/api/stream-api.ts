// encryptStream, decryptStream, decryptUnsignedMessageStream: the official stream call shapes over the streamed sessions.
import { Duplex } from 'node:stream'
import { AlgorithmSuiteIdentifier } from '../core/suites'
import { KeyringNode, NodeMaterialsManager } from '../materials/keyring'
import { EncryptSettings } from '../session/encrypt-setup'
import { DecryptSettings } from '../session/decrypt-setup'
import { beginEncryption } from '../session/streamed-encryption'
import { beginDecryption } from '../session/streamed-decryption'
import { EncryptStream } from '../stream/encrypt-stream'
import { DecryptStream } from '../stream/decrypt-stream'
import { contextOf, frameLengthOf, maxBodySizeOf, reproducedContextOf, suiteOf, toMaterialsManager } from './inputs'
import { needs } from '../core/errors'

export interface EncryptStreamInput {
  suiteId?: AlgorithmSuiteIdentifier
  encryptionContext?: Record<string, string>
  frameLength?: number
  /**
   * A bound on the plaintext length (client-apis/encrypt.md "Plaintext Length Bound"): the CMM
   * sees it (a caching CMM can then serve the stream, and counts it), and more input fails the
   * stream at once.
   */
  plaintextLength?: number
}

export interface DecryptStreamInput {
  /** Refuse any frame (or non-framed body) whose content is larger than this; 0 or undefined: no limit. */
  maxBodySize?: number
  /** Extension: the reproduced encryption context (client-apis/decrypt.md). */
  encryptionContext?: Record<string, string>
}

export interface StreamClient {
  encryptStream(cmm: KeyringNode | NodeMaterialsManager, options?: EncryptStreamInput): Duplex
  decryptStream(cmm: KeyringNode | NodeMaterialsManager, options?: DecryptStreamInput): Duplex
  /** decryptStream that refuses a signed message right after its header (client-apis/decrypt.md). */
  decryptUnsignedMessageStream(cmm: KeyringNode | NodeMaterialsManager, options?: DecryptStreamInput): Duplex
}

export function streamClient(settings: EncryptSettings & DecryptSettings): StreamClient {
  const decryptStream =
    (signedAllowed: boolean) =>
    (cmm: KeyringNode | NodeMaterialsManager, options: DecryptStreamInput = {}): Duplex => {
      const manager = toMaterialsManager(cmm)
      const maxBodySize = maxBodySizeOf(options.maxBodySize)
      const reproducedEncryptionContext = reproducedContextOf(options.encryptionContext)
      return new DecryptStream({
        headerLimits: { maxEncryptedDataKeys: settings.maxEncryptedDataKeys },
        bodyLimits: { maxBodySize },
        begin: (parsed) =>
          beginDecryption(settings, parsed, parsed.headerBytes, {
            cmm: manager,
            reproducedEncryptionContext,
            signedAllowed,
          }),
      })
    }
  return {
    encryptStream(cmm: KeyringNode | NodeMaterialsManager, options: EncryptStreamInput = {}): Duplex {
      const manager = toMaterialsManager(cmm)
      const frameLength = frameLengthOf(options.frameLength)
      const encryptionContext = contextOf(options.encryptionContext)
      const suite = suiteOf(options.suiteId)
      const { plaintextLength } = options
      needs(
        plaintextLength === undefined || (Number.isSafeInteger(plaintextLength) && plaintextLength >= 0),
        'plaintextLength must be a non-negative integer',
      )
      return new EncryptStream(
        () => beginEncryption(settings, { cmm: manager, encryptionContext, suite, frameLength, plaintextLength }),
        plaintextLength,
      )
    },
    decryptStream: decryptStream(true),
    decryptUnsignedMessageStream: decryptStream(false),
  }
}
