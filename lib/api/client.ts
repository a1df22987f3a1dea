// buildClient: the official API shape (encrypt/decrypt and the streams) over the session layer, with policy and limits bound.
import { InvalidArgumentError, needs } from '../core/errors'
import { esdkConfig } from '../core/config'
import { CommitmentPolicy, isCommitmentPolicy } from '../core/policy'
import { AlgorithmSuiteIdentifier } from '../core/suites'
import { MessageHeader } from '../format/header'
import { KeyringNode, NodeMaterialsManager } from '../materials/keyring'
import { BackendChoice, parseBackendChoice, selectBackend } from '../backend/select'
import { EncryptRequest, encryptMessage } from '../session/encrypt-message'
import { DecryptRequest, decryptMessage } from '../session/decrypt-message'
import { contextOf, frameLengthOf, maxBodySizeOf, reproducedContextOf, suiteOf, toMaterialsManager } from './inputs'
import { StreamClient, streamClient } from './stream-api'

export { DEFAULT_FRAME_LENGTH } from './inputs'
import { EncryptBatchEntry, EncryptBatchRecord, encryptMany } from '../batch/encrypt-many'
import { DecryptBatchEntry, DecryptBatchRecord, decryptMany } from '../batch/decrypt-many'

export interface ClientOptions {
  commitmentPolicy?: CommitmentPolicy
  /** Refuse messages (and materials) with more EDKs than this; false means no limit. */
  maxEncryptedDataKeys?: number | false
  /** Extension: which crypto backend this client uses (default: ESDK_BACKEND, else auto). */
  backend?: BackendChoice
}

export interface EncryptInput {
  suiteId?: AlgorithmSuiteIdentifier
  encryptionContext?: Record<string, string>
  frameLength?: number
  /** Accepted for call-shape compatibility; a one-shot encrypt knows the length. */
  plaintextLength?: number
  /** How a string plaintext is turned into bytes (default utf8), as in the official SDK. */
  encoding?: BufferEncoding
}

export interface DecryptInput {
  /** Refuse any frame (or non-framed body) whose content is larger than this; 0 or undefined: no limit (official semantics). */
  maxBodySize?: number
  /** How a string ciphertext is turned into bytes (default utf8), as in the official SDK. */
  encoding?: BufferEncoding
  /** Extension: the reproduced encryption context (client-apis/decrypt.md). */
  encryptionContext?: Record<string, string>
}

export type PlaintextInput = Buffer | Uint8Array | string | AsyncIterable<Buffer | Uint8Array | string>

export interface EncryptResult {
  result: Buffer
  messageHeader: MessageHeader
}

export interface DecryptResult {
  plaintext: Buffer
  messageHeader: MessageHeader
}

/** Extension: options shared by every record of encryptBatch. */
export interface EncryptBatchInput {
  suiteId?: AlgorithmSuiteIdentifier
  /** The context of every record that brings none of its own. */
  encryptionContext?: Record<string, string>
  frameLength?: number
  /** How string plaintexts are turned into bytes (default utf8). */
  encoding?: BufferEncoding
  /** Also return each message's header (default false: the header objects cost time per record). */
  messageHeaders?: boolean
}

/** Extension: options shared by every record of decryptBatch. */
export interface DecryptBatchInput {
  maxBodySize?: number
  /** The reproduced encryption context of every record that brings none of its own. */
  encryptionContext?: Record<string, string>
  encoding?: BufferEncoding
  messageHeaders?: boolean
}

export interface EsdkClient extends StreamClient {
  encrypt(
    cmm: KeyringNode | NodeMaterialsManager,
    plaintext: PlaintextInput,
    options?: EncryptInput,
  ): Promise<EncryptResult>
  decrypt(
    cmm: KeyringNode | NodeMaterialsManager,
    ciphertext: PlaintextInput,
    options?: DecryptInput,
  ): Promise<DecryptResult>
  /**
   * Extension: every record its own ESDK message, in input order; each entry the message or the
   * typed error of that record. Materials come from the CMM as if the records were encrypted one
   * by one (a caching CMM counts every record against its limits).
   */
  encryptBatch(
    cmm: KeyringNode | NodeMaterialsManager,
    records: Iterable<EncryptBatchRecord>,
    options?: EncryptBatchInput,
  ): Promise<EncryptBatchEntry[]>
  /** Extension: every record decrypted and authenticated alone, in input order; one bad record never fails the others. */
  decryptBatch(
    cmm: KeyringNode | NodeMaterialsManager,
    records: Iterable<DecryptBatchRecord>,
    options?: DecryptBatchInput,
  ): Promise<DecryptBatchEntry[]>
}

export function buildClient(options?: CommitmentPolicy | ClientOptions): EsdkClient {
  const opts: ClientOptions = typeof options === 'string' ? { commitmentPolicy: options } : (options ?? {})
  const commitmentPolicy = opts.commitmentPolicy ?? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
  needs(isCommitmentPolicy(commitmentPolicy), 'commitmentPolicy must be a CommitmentPolicy')
  // undefined means no limit; null (or anything else not a positive integer) is a caller error.
  const maxEncryptedDataKeys = opts.maxEncryptedDataKeys === undefined ? false : opts.maxEncryptedDataKeys
  needs(
    maxEncryptedDataKeys === false ||
      (typeof maxEncryptedDataKeys === 'number' &&
        Number.isSafeInteger(maxEncryptedDataKeys) &&
        maxEncryptedDataKeys > 0),
    'maxEncryptedDataKeys must be a positive integer or false',
  )
  const backend = selectBackend(
    opts.backend === undefined ? esdkConfig().backend : parseBackendChoice(opts.backend, 'backend'),
  )
  const settings = Object.freeze({ backend, commitmentPolicy, maxEncryptedDataKeys })

  // Not async functions: each returns the session's promise itself, which saves a promise and a
  // microtask turn per message. Every synchronous throw still becomes a rejection (rejected).
  return Object.freeze({
    ...streamClient(settings),
    encrypt(
      cmm: KeyringNode | NodeMaterialsManager,
      plaintext: PlaintextInput,
      input: EncryptInput = {},
    ): Promise<EncryptResult> {
      try {
        const frameLength = frameLengthOf(input.frameLength)
        const bytes = toBytes(plaintext, input.encoding)
        const manager = toMaterialsManager(cmm)
        const encryptionContext = contextOf(input.encryptionContext)
        const suite = suiteOf(input.suiteId)
        const request = (whole: Buffer): EncryptRequest => ({
          cmm: manager,
          plaintext: whole,
          encryptionContext,
          suite,
          frameLength,
        })
        return bytes instanceof Promise
          ? bytes.then((whole) => encryptMessage(settings, request(whole)))
          : encryptMessage(settings, request(bytes))
      } catch (e) {
        return rejected(e)
      }
    },
    decrypt(
      cmm: KeyringNode | NodeMaterialsManager,
      ciphertext: PlaintextInput,
      input: DecryptInput = {},
    ): Promise<DecryptResult> {
      try {
        const maxBodySize = maxBodySizeOf(input.maxBodySize)
        const reproduced = reproducedContextOf(input.encryptionContext)
        const bytes = toBytes(ciphertext, input.encoding)
        const manager = toMaterialsManager(cmm)
        const request = (whole: Buffer): DecryptRequest => ({
          cmm: manager,
          ciphertext: whole,
          reproducedEncryptionContext: reproduced,
          maxBodySize,
        })
        return bytes instanceof Promise
          ? bytes.then((whole) => decryptMessage(settings, request(whole)))
          : decryptMessage(settings, request(bytes))
      } catch (e) {
        return rejected(e)
      }
    },
    encryptBatch(
      cmm: KeyringNode | NodeMaterialsManager,
      records: Iterable<EncryptBatchRecord>,
      input: EncryptBatchInput = {},
    ): Promise<EncryptBatchEntry[]> {
      try {
        const frameLength = frameLengthOf(input.frameLength)
        needs(isIterable(records), 'records must be an array or iterable of plaintexts')
        const encoding = input.encoding ?? 'utf8'
        needs(Buffer.isEncoding(encoding), `unknown encoding ${String(encoding)}`)
        return encryptMany(settings, toMaterialsManager(cmm), records, {
          suite: suiteOf(input.suiteId),
          frameLength,
          encryptionContext: contextOf(input.encryptionContext),
          messageHeaders: input.messageHeaders === true,
          encoding,
        })
      } catch (e) {
        return rejected(e)
      }
    },
    decryptBatch(
      cmm: KeyringNode | NodeMaterialsManager,
      records: Iterable<DecryptBatchRecord>,
      input: DecryptBatchInput = {},
    ): Promise<DecryptBatchEntry[]> {
      try {
        const maxBodySize = maxBodySizeOf(input.maxBodySize)
        needs(isIterable(records), 'records must be an array or iterable of ciphertexts')
        const encoding = input.encoding ?? 'utf8'
        needs(Buffer.isEncoding(encoding), `unknown encoding ${String(encoding)}`)
        return decryptMany(settings, toMaterialsManager(cmm), records, {
          maxBodySize,
          encryptionContext: reproducedContextOf(input.encryptionContext),
          messageHeaders: input.messageHeaders === true,
          encoding,
        })
      } catch (e) {
        return rejected(e)
      }
    },
  })
}

/** An array or other iterable, but not a string (whose characters would become records). */
function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function'
  )
}

function rejected<T>(error: unknown): Promise<T> {
  return Promise.reject(error)
}

/**
 * Whole input as one Buffer. Strings use `encoding` (default UTF-8), as in the official SDK;
 * streams are drained. Synchronous unless it has to drain a stream, so the common case costs no
 * extra promise.
 */
function toBytes(input: PlaintextInput, encoding: BufferEncoding = 'utf8'): Buffer | Promise<Buffer> {
  needs(Buffer.isEncoding(encoding), `unknown encoding ${String(encoding)}`)
  if (Buffer.isBuffer(input)) return input
  if (input instanceof Uint8Array) return Buffer.from(input.buffer, input.byteOffset, input.byteLength)
  if (typeof input === 'string') return Buffer.from(input, encoding)
  if (input && typeof (input as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
    return drain(input as AsyncIterable<Buffer | Uint8Array | string>)
  throw new InvalidArgumentError('input must be a Buffer, Uint8Array, string or readable stream')
}

async function drain(input: AsyncIterable<Buffer | Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of input)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk))
  return Buffer.concat(chunks)
}
