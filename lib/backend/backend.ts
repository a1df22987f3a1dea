// The crypto backend contract: the hot-path operations a message needs, crossed once per message, never once per frame.
import { KeyObject } from 'node:crypto'
import { AlgorithmSuite } from '../core/suites'
import { FrameRef } from '../format/body'

export interface DerivedKeys {
  /** The AES-GCM key for header auth and frames. Owned by the caller, who wipes it. */
  readonly encryptionKey: Buffer
  /** Committing suites only: the 32-byte key commitment. */
  readonly commitment: Buffer | undefined
}

export interface SealBodyInput {
  readonly suite: AlgorithmSuite
  readonly key: Buffer
  readonly messageId: Buffer
  readonly plaintext: Uint8Array
  readonly frameLength: number
  /** Preallocated at the exact body size (format/body.framedBodySize). */
  readonly out: Buffer
  readonly outOffset: number
}

export interface OpenBodyInput {
  readonly suite: AlgorithmSuite
  readonly key: Buffer
  readonly messageId: Buffer
  readonly frames: readonly FrameRef[]
  /** Preallocated at the exact plaintext size; zeroed by the backend if any tag fails. */
  readonly out: Buffer
}

export interface CryptoBackend {
  readonly name: 'js' | 'native'
  /** HKDF (or identity) per suite; for committing suites also the commitment (SPEC-NOTES 1-2). */
  deriveKeys(suite: AlgorithmSuite, dataKey: Buffer, messageId: Buffer): DerivedKeys
  /** AES-GCM tag over empty plaintext with AAD = header body ‖ extra authenticated context. */
  headerAuthTag(suite: AlgorithmSuite, key: Buffer, iv: Buffer, headerBody: Buffer, extraAad: Buffer): Buffer
  /** Constant-time check of a header tag; false when it does not verify. */
  verifyHeaderAuth(suite: AlgorithmSuite, key: Buffer, iv: Buffer, headerBody: Buffer, extraAad: Buffer, tag: Buffer): boolean
  /** Writes every frame of the body (IVs, AAD and sequence numbers built inside). Returns bytes written. */
  sealFramedBody(input: SealBodyInput): number
  /** Decrypts and authenticates every frame into `out`; false (with `out` zeroed) if any tag fails. */
  openBody(input: OpenBodyInput): boolean
  /** ECDSA over the concatenation of `parts` with the suite's hash; DER output. */
  sign(suite: AlgorithmSuite, privateKey: KeyObject, parts: readonly Uint8Array[]): Buffer
  verify(suite: AlgorithmSuite, publicKey: KeyObject, parts: readonly Uint8Array[], signature: Uint8Array): boolean
}
