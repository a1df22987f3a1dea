// The crypto backend contract: the hot-path operations a message needs, crossed once per message, never once per frame.
import { AlgorithmSuite } from '../core/suites'
import { FrameRef, framedBodySize } from '../format/body'
import { BodyTable, FRAME_OVERHEAD } from '../format/body-table'
import type { KeyringCrypto } from '../materials/keyring-crypto'
import { SigningKey, SigningKeyProvider, VerificationKey } from '../materials/signature-keys'

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
  /** Exactly as received: what the header tag covers (client-apis/decrypt.md "Verify the header"). */
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
  readonly signature:
    { readonly key: VerificationKey; readonly signed: Uint8Array; readonly der: Uint8Array } | undefined
}

/**
 * A streamed message being encrypted. `header` is the serialized header body (v2: its last 32
 * bytes are the commitment placeholder) followed by exactly the room for the header auth; both
 * are written by startSeal.
 */
export interface SealStreamInput {
  readonly suite: AlgorithmSuite
  readonly dataKey: Buffer
  readonly messageId: Buffer
  readonly header: Buffer
  readonly headerBodyLength: number
  readonly extraAad: Buffer
  readonly frameLength: number
}

/**
 * One message's body sealed run by run, in order (client-apis/encrypt.md "Construct the body").
 * A failed run fails the message for good. Calls must not overlap: wait for each run.
 */
export interface MessageSealer {
  /** The output a run of `plaintextLength` bytes needs: its frames, and for a final run of a signed suite the footer's room. */
  runSize(plaintextLength: number, final: boolean): number
  /**
   * Regular frames only (`plaintext` a whole number of frames), or, `final`, the regular frames,
   * the final frame and (signed suites) the footer signed with `signingKey`. Returns the bytes
   * written: runSize, or less by the unused footer room. On failure `out` is zeroed.
   */
  sealRun(
    plaintext: Uint8Array,
    final: boolean,
    signingKey: SigningKey | undefined,
    out: Buffer,
  ): number | Promise<number>
  /** Wipes the key now; idempotent. */
  dispose(): void
}

/** A streamed message being decrypted: the header fields of OpenMessageInput, and the header exactly as received. */
export interface OpenStreamInput {
  readonly suite: AlgorithmSuite
  readonly dataKey: Buffer
  readonly messageId: Buffer
  readonly headerBody: Buffer
  readonly headerIv: Buffer
  readonly headerAuthTag: Buffer
  readonly extraAad: Buffer
  readonly commitment: Buffer | undefined
  /** Header body and auth as received: what a signed suite's signature covers first. */
  readonly headerBytes: Buffer
  /** 0 for a non-framed body. */
  readonly frameLength: number
}

/** One message's body opened run by run, in order (client-apis/decrypt.md "Decrypt the message body"). */
export interface MessageOpener {
  /**
   * The next frames: table rows laid end to end over all of `body.source`, numbered on from the
   * previous run. false, with `out` zeroed and the message failed for good, when a tag fails.
   */
  openRun(body: BodyTable, out: Buffer): boolean | Promise<boolean>
  /** After the final frame of a signed message: the signature over everything the runs covered. */
  verify(key: VerificationKey, signature: Uint8Array): boolean | Promise<boolean>
  /** Wipes the key now; idempotent. */
  dispose(): void
}

/** One materials answer of a sealing batch: what every message it seals shares. */
export interface SealBatchRun {
  readonly suite: AlgorithmSuite
  readonly dataKey: Buffer
  /** The header body, with zeros where each message's id and (v2) commitment go. */
  readonly header: Buffer
  /** Where the message id sits in the header body. */
  readonly messageIdOffset: number
  readonly extraAad: Buffer
  readonly frameLength: number
  readonly signingKey: SigningKey | undefined
  /**
   * The signing key may sign other messages at the same time (a cached key): each signature then
   * draws its own nonce instead of the key's precomputed one.
   */
  readonly sharedSigningKey: boolean
}

/** Rows of SealBatchInput.table: run index, output offset, output capacity. */
export const SEAL_BATCH_STRIDE = 3
/** Each message's id slot in SealBatchInput.messageIds (a v1 id uses its first 16 bytes). */
export const MESSAGE_ID_SLOT = 32

/**
 * Many whole messages, each sealed as sealMessage would seal it. Message i belongs to run
 * table[3i], is written at out[table[3i + 1]] with capacity table[3i + 2] (its sealMessage `out`
 * length), and its id is messageIds[32i, 32i + id length).
 */
export interface SealBatchInput {
  readonly runs: readonly SealBatchRun[]
  readonly plaintexts: readonly Uint8Array[]
  readonly table: Float64Array
  readonly messageIds: Buffer
  readonly out: Buffer
  /** Written: each message's length (its capacity, or less by the unused footer room). */
  readonly lengths: Float64Array
}

/** One materials answer of an opening batch. */
export interface OpenBatchGroup {
  readonly suite: AlgorithmSuite
  readonly dataKey: Buffer
  readonly extraAad: Buffer
  /** Signed suites only. */
  readonly verificationKey: VerificationKey | undefined
}

/** One parsed message of an opening batch (the fields of OpenMessageInput that differ per message). */
export interface OpenBatchMessage {
  readonly group: number
  readonly messageId: Buffer
  readonly headerBody: Buffer
  readonly headerIv: Buffer
  readonly headerAuthTag: Buffer
  /** Header body and authentication as received, contiguous: headerBody, headerIv (v1) and headerAuthTag are views into it. */
  readonly headerBytes: Buffer
  readonly commitment: Buffer | undefined
  readonly body: BodyTable
  /** Where its plaintext (body.plaintextLength bytes) goes in OpenBatchInput.out. */
  readonly outOffset: number
  /** Signed suites: the footer signature and what it covers. */
  readonly signed: Uint8Array | undefined
  readonly signature: Uint8Array | undefined
}

export interface OpenBatchInput {
  readonly groups: readonly OpenBatchGroup[]
  readonly messages: readonly OpenBatchMessage[]
  readonly out: Buffer
  /** Written: 1 where the message authenticated (its plaintext released), 0 where not (its plaintext zeroed). */
  readonly authentic: Uint8Array
}

/** Bytes a signed message's output reserves for its footer: uint16 length ‖ the longest DER signature (ECDSA_size). */
export function footerRoom(suite: AlgorithmSuite): number {
  return suite.signature ? 2 + (suite.signature.curve === 'P-256' ? 72 : 104) : 0
}

/** The output a stream run needs: its frames as format/body.ts lays them out, and for a final run the footer's room. */
export function streamRunSize(
  suite: AlgorithmSuite,
  frameLength: number,
  plaintextLength: number,
  final: boolean,
): number {
  if (final) return framedBodySize(plaintextLength, frameLength).size + footerRoom(suite)
  return (plaintextLength / frameLength) * (FRAME_OVERHEAD + frameLength)
}

export interface CryptoBackend {
  readonly name: 'js' | 'native'
  /** Per-message signing keys for the default CMM (passed in the encryption request by the session). */
  readonly signingKeys: SigningKeyProvider
  /** The crypto keyrings borrow (passed in the materials requests): AES-GCM, RSA PKCS#1 v1.5, ECDH, KDFs. */
  readonly keyringCrypto: KeyringCrypto
  /**
   * HKDF (or identity) per suite; for committing suites also the commitment
   * (framework/transitive-requirements.md "HKDF Encryption Key", "HKDF Commit Key").
   */
  deriveKeys(suite: AlgorithmSuite, dataKey: Buffer, messageId: Buffer): DerivedKeys
  /** AES-GCM tag over empty plaintext with AAD = header body ‖ extra authenticated context. */
  headerAuthTag(suite: AlgorithmSuite, key: Buffer, iv: Buffer, headerBody: Buffer, extraAad: Buffer): Buffer
  /** Constant-time check of a header tag; false when it does not verify. */
  verifyHeaderAuth(
    suite: AlgorithmSuite,
    key: Buffer,
    iv: Buffer,
    headerBody: Buffer,
    extraAad: Buffer,
    tag: Buffer,
  ): boolean
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
  /** Derives the key, writes the commitment and the header auth, and returns the message's sealer. */
  startSeal(input: SealStreamInput): MessageSealer
  /** Derives the key and checks the commitment and the header tag: the message's opener, or undefined when either fails. */
  startOpen(input: OpenStreamInput): MessageOpener | undefined
  /**
   * Many messages, each exactly as sealMessage would write it, in as few crossings as the backend
   * can. Throws (with `out` zeroed) only for faults no message could survive.
   */
  sealBatch(input: SealBatchInput): void | Promise<void>
  /** Many messages, each authenticated and opened as openMessage would; one failing never touches the others. */
  openBatch(input: OpenBatchInput): void | Promise<void>
}
