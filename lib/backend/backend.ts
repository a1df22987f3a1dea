// The crypto backend contract: the hot-path operations a message needs, crossed once per message, never once per frame.
import { AlgorithmSuite } from '../core/suites'
import { FrameRef } from '../format/body'
import type { KeyringCrypto } from '../materials/keyring-crypto'
import { SigningKey, SigningKeyProvider, VerificationKey } from '../materials/signature-keys'
import { BodyTable } from './frame-table'

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

export interface SealMessageInput {
  readonly suite: AlgorithmSuite
  readonly dataKey: Buffer
  readonly messageId: Buffer
  /**
   * The whole output. out[0, headerBodyLength) holds the serialized header body; for v2 its last
   * 32 bytes (the suite data) are a placeholder the commitment is written over. The header auth,
   * the framed body and (signed suites) the footer follow: the length is exact, plus, for signed
   * suites, room for the longest footer (see footerRoom).
   */
  readonly out: Buffer
  readonly headerBodyLength: number
  /** The authenticated-only (required) context, serialized: in the header tag's AAD, not the header. */
  readonly extraAad: Buffer
  readonly plaintext: Uint8Array
  readonly frameLength: number
  /** Signed suites only. */
  readonly signingKey: SigningKey | undefined
}

export interface OpenMessageInput {
  readonly suite: AlgorithmSuite
  readonly dataKey: Buffer
  readonly messageId: Buffer
  /** Exactly as received: what the header tag covers (SPEC-NOTES 10). */
  readonly headerBody: Buffer
  readonly headerIv: Buffer
  readonly headerAuthTag: Buffer
  readonly extraAad: Buffer
  /** v2: the commitment stored as suite data. */
  readonly commitment: Buffer | undefined
  readonly body: BodyTable
  /** Exactly the plaintext size; zeroed by the backend on any failure. */
  readonly out: Buffer
  /** Signed suites: the footer signature and what it covers (header and body bytes). */
  readonly signature: { readonly key: VerificationKey; readonly signed: Uint8Array; readonly der: Uint8Array } | undefined
}

/** Bytes a signed message's output reserves for its footer: uint16 length ‖ the longest DER signature (ECDSA_size). */
export function footerRoom(suite: AlgorithmSuite): number {
  return suite.signature ? 2 + (suite.signature.curve === 'P-256' ? 72 : 104) : 0
}

export interface CryptoBackend {
  readonly name: 'js' | 'native'
  /** Per-message signing keys for the default CMM (passed in the encryption request by the session). */
  readonly signingKeys: SigningKeyProvider
  /** The crypto keyrings borrow (passed in the materials requests): AES-GCM, RSA PKCS#1 v1.5, ECDH, KDFs. */
  readonly keyringCrypto: KeyringCrypto
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
  /**
   * A whole message: key derivation, commitment, header auth, body and (signed suites) footer.
   * Returns the message length: out.length, or less by the unused footer room. On failure `out`
   * is zeroed. Small messages complete synchronously; big ones may use the thread pool.
   */
  sealMessage(input: SealMessageInput): number | Promise<number>
  /**
   * A whole message's authentication and decryption: the commitment (constant time, before the key
   * is used), the header tag, every frame and the signature. false, with `out` zeroed, when any of
   * them fails; nothing is released before everything verified.
   */
  openMessage(input: OpenMessageInput): boolean | Promise<boolean>
}
