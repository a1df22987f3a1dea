// Type contract between the TypeScript side and the compiled esdk_native addon (see native/addon.cc).

/**
 * CPU crypto extensions as probed natively. `arch` uses Node's `process.arch`
 * spelling; only the current architecture's flags are present, so an absent
 * flag means "not applicable here" rather than "unsupported".
 */
export interface CpuFeatures {
  arch: string
  aesni?: boolean
  pclmulqdq?: boolean
  avx2?: boolean
  vaes?: boolean
  vpclmulqdq?: boolean
  avx512f?: boolean
  aes?: boolean
  pmull?: boolean
  sha2?: boolean
}

/** `compiled` comes from the headers, `runtime`/`number` from the libcrypto inside the node binary. */
export interface OpensslVersion {
  compiled: string
  runtime: string
  number: number
}

/** What the loader checks before accepting a binary: identity and build facts. */
export interface NativeAddon {
  abiVersion: number
  /**
   * Which P-384 operations use native/p384.cc (ESDK_P384 at load): 'keys' (default: key generation and
   * nonces), 'fast' (ESDK_P384=fast: verification too), 'openssl' (ESDK_P384=openssl: none). Absent from older binaries.
   */
  p384Implementation?: 'keys' | 'fast' | 'openssl'
  cpuFeatures(): CpuFeatures
  opensslVersion(): OpensslVersion
  /** Takes the settings lib/core/config.ts resolved (the loader calls it once, right after dlopen); returns those in force. */
  configure(settings: Partial<NativeSettings>): NativeSettings
}

/** What the addon is told at load (native/addon.cc Configure), and reports back as in force. */
export interface NativeSettings {
  /** Frame AES-GCM: our VAES code (only where the CPU has it) or OpenSSL's EVP. */
  gcm: 'vaes' | 'evp'
  /** P-384: see p384Implementation. */
  p384: 'keys' | 'fast' | 'openssl'
}

/** An opaque, type-tagged native signing key (native/signing_key_handle.h). */
export type SigningKeyHandle = { readonly __nativeSigningKey: unique symbol }

/** An opaque, type-tagged native RSA private key (native/rsa_bindings.cc). */
export type RsaKeyHandle = { readonly __nativeRsaKey: unique symbol }

/** An opaque, type-tagged native message stream: one message's key, sequence and digest across calls (native/message_stream.h). */
export type MessageStreamHandle = { readonly __nativeMessageStream: unique symbol }
/** An opaque, type-tagged native EC private key for ECDH (native/ecdh_bindings.cc). */
export type EcdhKeyHandle = { readonly __nativeEcdhKey: unique symbol }

/** Node-style completion callback of the thread-pool entry points. */
export type NativeCallback<T> = (error: Error | null, result?: T) => void

/**
 * The crypto entry points (native/crypto_bindings.h, message_bindings.h, parallel_bindings.h,
 * ecdsa_bindings.h, rsa_bindings.h), checked by
 * createNativeBackend. Every Uint8Array is read or written only inside its own
 * byteOffset/byteLength window; outputs are allocated by the caller at their
 * exact size. Invalid arguments throw (TypeError/RangeError with an
 * `ERR_ESDK_NATIVE_*` code); authentication failures return false.
 */
export interface NativeCryptoFunctions {
  /** Writes the encryption key into `outKey` and, for committing suites, the commitment into `outCommitment` (empty otherwise). */
  deriveKeys(
    suiteId: number,
    dataKey: Uint8Array,
    messageId: Uint8Array,
    outKey: Uint8Array,
    outCommitment: Uint8Array,
  ): void
  /** Writes the 16-byte header tag (AAD = headerBody ‖ extraAad) into `outTag`. */
  headerAuthTag(
    suiteId: number,
    key: Uint8Array,
    iv: Uint8Array,
    headerBody: Uint8Array,
    extraAad: Uint8Array,
    outTag: Uint8Array,
  ): void
  verifyHeaderAuth(
    suiteId: number,
    key: Uint8Array,
    iv: Uint8Array,
    headerBody: Uint8Array,
    extraAad: Uint8Array,
    tag: Uint8Array,
  ): boolean
  /** Writes the whole framed body at `out[outOffset..]`; returns the bytes written. */
  sealFramedBody(
    suiteId: number,
    key: Uint8Array,
    messageId: Uint8Array,
    plaintext: Uint8Array,
    frameLength: number,
    out: Uint8Array,
    outOffset: number,
  ): number
  /**
   * Decrypts every frame of `frameTable` (format/body-table.ts FRAME_ROW float64 per frame, offsets into
   * `source`) into `out`; false, with `out` zeroed, if any tag fails.
   */
  openBody(
    suiteId: number,
    key: Uint8Array,
    messageId: Uint8Array,
    source: Uint8Array,
    frameTable: Float64Array,
    out: Uint8Array,
  ): boolean
  /** out = AES-GCM(key, iv, aad, plaintext) ‖ tag (the raw AES keyring's wrap; AES size from the key). */
  gcmSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array): void
  /** out = the plaintext of sealed = ciphertext ‖ tag; false (out zeroed) when the tag fails. */
  gcmOpen(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array, out: Uint8Array): boolean
  /**
   * A whole message on the calling thread (arguments in the order of native/message_bindings.h
   * ESDK_SEAL_MESSAGE_ARGS; the ...Async forms and openMessage follow their lists there and in
   * parallel_bindings.h): `out` holds the header body at [0, headerBodyLength)
   * (v2: its last 32 bytes are overwritten with the commitment) and is exactly the unsigned
   * length, plus 2 + the longest DER signature for signed suites. Returns the message length.
   */
  sealMessage(
    suiteId: number,
    dataKey: Uint8Array,
    messageId: Uint8Array,
    out: Uint8Array,
    headerBodyLength: number,
    extraAad: Uint8Array,
    plaintext: Uint8Array,
    frameLength: number,
    signingKey: SigningKeyHandle | undefined,
  ): number
  /** Derive, commitment check, header tag and every frame; false (with `out` zeroed) on any authentication failure. */
  openMessage(
    suiteId: number,
    dataKey: Uint8Array,
    messageId: Uint8Array,
    headerBody: Uint8Array,
    headerIv: Uint8Array,
    headerTag: Uint8Array,
    extraAad: Uint8Array,
    commitment: Uint8Array,
    source: Uint8Array,
    frameTable: Float64Array,
    out: Uint8Array,
  ): boolean
  /**
   * sealMessage with the body (and the signature) on the thread pool, split into chunks of about
   * `chunkBytes` across up to `threads` workers. The header is done before this returns. Every
   * buffer must stay untouched until the callback.
   */
  sealMessageAsync(
    suiteId: number,
    dataKey: Uint8Array,
    messageId: Uint8Array,
    out: Uint8Array,
    headerBodyLength: number,
    extraAad: Uint8Array,
    plaintext: Uint8Array,
    frameLength: number,
    signingKey: SigningKeyHandle | undefined,
    threads: number,
    chunkBytes: number,
    callback: NativeCallback<number>,
  ): void
  /**
   * openMessage with the frames on the thread pool, and for signed suites the signature over
   * `signed` checked beside them. false at once (out wiped, no callback) when the commitment or
   * header tag fails; otherwise true, and the callback says whether everything authenticated.
   */
  openMessageAsync(
    suiteId: number,
    dataKey: Uint8Array,
    messageId: Uint8Array,
    headerBody: Uint8Array,
    headerIv: Uint8Array,
    headerTag: Uint8Array,
    extraAad: Uint8Array,
    commitment: Uint8Array,
    source: Uint8Array,
    frameTable: Float64Array,
    out: Uint8Array,
    point: Uint8Array,
    signed: Uint8Array,
    signature: Uint8Array,
    threads: number,
    chunkBytes: number,
    callback: NativeCallback<boolean>,
  ): boolean
  /** `count` (1..32) fresh key pairs, each with a precomputed nonce, made on the thread pool. */
  generateSigningKeys(curveBits: 256 | 384, count: number, callback: NativeCallback<SigningKeyHandle[]>): void
  /** A ready key from the process-wide stock (made on the thread pool), or undefined when it is empty; tops the stock up either way. */
  takeSigningKey(curveBits: 256 | 384): SigningKeyHandle | undefined
  /** The key pair for a private scalar, with its public point if known (else computed: the test random source's path). */
  signingKeyFromScalar(curveBits: 256 | 384, scalar: Uint8Array, point?: Uint8Array): SigningKeyHandle
  signingKeyPublicKey(handle: SigningKeyHandle, outCompressed: Uint8Array): void
  exportSigningKey(handle: SigningKeyHandle, outScalar: Uint8Array, outUncompressed: Uint8Array): void
  /** Cleanses the key now (idempotent); the handle's finalizer would otherwise do it. */
  disposeSigningKey(handle: SigningKeyHandle): void
  signDigest(handle: SigningKeyHandle, digest: Uint8Array, outSignature: Uint8Array): number
  verifyMessage(suiteId: number, point: Uint8Array, signed: Uint8Array, signature: Uint8Array): boolean
  /** Hashes `signed` and verifies on the thread pool; the arrays must stay untouched until the callback. */
  verifyMessageAsync(
    suiteId: number,
    point: Uint8Array,
    signed: Uint8Array,
    signature: Uint8Array,
    callback: NativeCallback<boolean>,
  ): void
  /** SEC1 compressed to uncompressed; false when the bytes are not a point on the curve. */
  decompressPoint(curveBits: 256 | 384, compressed: Uint8Array, outUncompressed: Uint8Array): boolean
  /** Parses a DER (PKCS#8) RSA private key of 512..16384 bits into a handle; the caller wipes `der`. */
  rsaPrivateKeyFromDer(der: Uint8Array): RsaKeyHandle
  /** `implicitRejection`: OpenSSL (>= 3.2) rejects implicitly itself; otherwise the addon does (native/rsa_pkcs1.cc). */
  rsaKeyInfo(handle: RsaKeyHandle): { modulusBytes: number; implicitRejection: boolean }
  /**
   * Fills `out` (1..64 bytes) with the PKCS#1 v1.5 plaintext of `ciphertext` when it decrypts to
   * exactly out.length bytes, else with random bytes; never says which. Throws only for argument
   * faults that do not depend on the ciphertext's content.
   */
  rsaPkcs1Unwrap(handle: RsaKeyHandle, ciphertext: Uint8Array, out: Uint8Array): void
  /** Frees the key now (idempotent); the handle's finalizer would otherwise do it. */
  disposeRsaKey(handle: RsaKeyHandle): void
  /**
   * A message stream for encryption (native/stream_bindings.h ESDK_SEAL_STREAM_START_ARGS):
   * `header` is the header body (v2: its last 32 bytes the commitment placeholder) and then
   * exactly the room for the header auth; both are written here.
   */
  sealStreamStart(
    suiteId: number,
    dataKey: Uint8Array,
    messageId: Uint8Array,
    header: Uint8Array,
    headerBodyLength: number,
    extraAad: Uint8Array,
    frameLength: number,
  ): MessageStreamHandle
  /**
   * The next run: whole frames (`final` 0) or whole frames, the final frame and, signed, the
   * footer (`final` 1, with the signing key). `out` is exactly the run's size (a final signed
   * run: plus 2 + the longest DER). Returns the bytes written.
   */
  sealStreamRun(
    stream: MessageStreamHandle,
    plaintext: Uint8Array,
    final: 0 | 1,
    signingKey: SigningKeyHandle | undefined,
    out: Uint8Array,
  ): number
  /** sealStreamRun on the thread pool; every buffer stays untouched until the callback. */
  sealStreamRunAsync(
    stream: MessageStreamHandle,
    plaintext: Uint8Array,
    final: 0 | 1,
    signingKey: SigningKeyHandle | undefined,
    out: Uint8Array,
    threads: number,
    chunkBytes: number,
    callback: NativeCallback<number>,
  ): void
  /** A message stream for decryption once the commitment and header tag verified; false when either fails. */
  openStreamStart(
    suiteId: number,
    dataKey: Uint8Array,
    messageId: Uint8Array,
    headerBody: Uint8Array,
    headerIv: Uint8Array,
    headerTag: Uint8Array,
    extraAad: Uint8Array,
    commitment: Uint8Array,
    headerBytes: Uint8Array,
    frameLength: number,
  ): MessageStreamHandle | false
  /**
   * The next run: table rows (format/body-table.ts) laid end to end over all of `source`,
   * numbered on from the last run. false (out wiped, the stream failed) when a tag fails.
   */
  openStreamRun(stream: MessageStreamHandle, source: Uint8Array, frameTable: Float64Array, out: Uint8Array): boolean
  openStreamRunAsync(
    stream: MessageStreamHandle,
    source: Uint8Array,
    frameTable: Float64Array,
    out: Uint8Array,
    threads: number,
    chunkBytes: number,
    callback: NativeCallback<boolean>,
  ): void
  /** After the final frame of a signed message: the signature over everything the stream hashed. */
  openStreamVerify(stream: MessageStreamHandle, point: Uint8Array, signature: Uint8Array): boolean
  openStreamVerifyAsync(
    stream: MessageStreamHandle,
    point: Uint8Array,
    signature: Uint8Array,
    callback: NativeCallback<boolean>,
  ): void
  /** Cleanses the key now (idempotent); throws while a pool job holds the stream. */
  disposeMessageStream(stream: MessageStreamHandle): void
  /** Parses a DER (PKCS#8) EC private key on the curve into a handle; the caller wipes `der`. */
  ecdhPrivateKeyFromDer(curveBits: 256 | 384 | 521, der: Uint8Array): EcdhKeyHandle
  /**
   * out (64 bytes) = KDF-CTR-HMAC-SHA384(Z, label = fixedInfo, context = salt), Z = ECDH of the key
   * (or, for undefined, a fresh key pair whose compressed public key is written to
   * `ephemeralPublicOut`, which may be a view into fixedInfo, first) with `peerPoint` (uncompressed,
   * checked on the curve). Throws ERR_ESDK_NATIVE_POINT for a bad point.
   */
  ecdhDeriveKeyingMaterial(
    curveBits: 256 | 384 | 521,
    handle: EcdhKeyHandle | undefined,
    ephemeralPublicOut: Uint8Array,
    peerPoint: Uint8Array,
    salt: Uint8Array,
    fixedInfo: Uint8Array,
    out: Uint8Array,
  ): void
  /** Frees the key now (idempotent); the handle's finalizer would otherwise do it. */
  disposeEcdhKey(handle: EcdhKeyHandle): void
  /** out (32 or 64 bytes) = the SP 800-108 counter-mode KDF with HMAC-SHA256 or -SHA384. */
  kdfCounterMode(hashBits: 256 | 384, ikm: Uint8Array, label: Uint8Array, context: Uint8Array, out: Uint8Array): void
}

export type NativeCryptoAddon = NativeAddon & NativeCryptoFunctions

/** A run of sealBatch (native/batch_bindings.h), read by property name. */
export interface NativeSealBatchRun {
  readonly suiteId: number
  readonly dataKey: Uint8Array
  readonly header: Uint8Array
  readonly messageIdOffset: number
  readonly extraAad: Uint8Array
  readonly frameLength: number
  readonly signingKey: SigningKeyHandle | undefined
  /** 1: other messages sign with this key at the same time (each signature draws its own nonce). */
  readonly sharedKey: 0 | 1
}

/** A group of openBatch, read by property name. */
export interface NativeOpenBatchGroup {
  readonly suiteId: number
  readonly dataKey: Uint8Array
  readonly extraAad: Uint8Array
  /** Uncompressed SEC1 verification point; empty for unsigned suites. */
  readonly point: Uint8Array
}

/**
 * The batch entry points (native/batch_bindings.h). Optional: a binary without them still loads,
 * and the batch API then loops over sealMessage / openMessage. Seal table rows: run, offset,
 * capacity; open table rows: group, offset, plaintext length, signed length, header body length
 * (each header is body and authentication as received; signatures is empty for unsigned batches).
 */
export interface NativeBatchFunctions {
  sealBatch(
    runs: readonly NativeSealBatchRun[],
    plaintexts: readonly Uint8Array[],
    table: Float64Array,
    messageIds: Uint8Array,
    out: Uint8Array,
    lengths: Float64Array,
  ): void
  sealBatchAsync(
    runs: readonly NativeSealBatchRun[],
    plaintexts: readonly Uint8Array[],
    table: Float64Array,
    messageIds: Uint8Array,
    out: Uint8Array,
    lengths: Float64Array,
    threads: number,
    callback: NativeCallback<void>,
  ): void
  openBatch(
    groups: readonly NativeOpenBatchGroup[],
    headers: readonly Uint8Array[],
    sources: readonly Uint8Array[],
    frameTables: readonly Float64Array[],
    signatures: readonly Uint8Array[],
    table: Float64Array,
    out: Uint8Array,
    authentic: Uint8Array,
  ): void
  openBatchAsync(
    groups: readonly NativeOpenBatchGroup[],
    headers: readonly Uint8Array[],
    sources: readonly Uint8Array[],
    frameTables: readonly Float64Array[],
    signatures: readonly Uint8Array[],
    table: Float64Array,
    out: Uint8Array,
    authentic: Uint8Array,
    threads: number,
    callback: NativeCallback<void>,
  ): void
}

export const BATCH_FUNCTIONS: readonly (keyof NativeBatchFunctions)[] = [
  'sealBatch',
  'sealBatchAsync',
  'openBatch',
  'openBatchAsync',
]

/** Whether the addon carries the batch entry points (a binary built from this tree does). */
export function hasBatchFunctions(addon: NativeCryptoAddon): addon is NativeCryptoAddon & NativeBatchFunctions {
  const record = addon as unknown as Record<string, unknown>
  return BATCH_FUNCTIONS.every((name) => typeof record[name] === 'function')
}

export interface NativeLoadResult {
  addon: NativeAddon | undefined
  path: string | undefined
  /** Why each earlier candidate was passed over, in search order. */
  reasons: string[]
  /** The settings in force in the loaded addon. */
  settings: NativeSettings | undefined
  /** Why each setting is what it is: asked for (ESDK_*), measured at load, or known for this OpenSSL. */
  settingsWhy: { gcm: string; p384: string } | undefined
}

/** The AES-GCM implementations the test hooks can ask for by number (native/gcm.h GcmKey::Impl). */
export const GCM_IMPL = { default: 0, evp: 1, vaes: 2 } as const
export type GcmImplCode = (typeof GCM_IMPL)[keyof typeof GCM_IMPL]

/**
 * Test-only entry points (native/gcm_test_bindings.h): one chosen AES-GCM implementation on raw
 * inputs, so tests can diff our VAES code against OpenSSL EVP. Not part of the crypto surface the
 * loader checks; production code must not call them.
 */
export interface NativeGcmTestHooks {
  /** What frame AES-GCM uses in this process: 'vaes' when the CPU has it and ESDK_GCM_IMPL is not 'evp'. */
  gcmImplementation(): 'vaes' | 'evp'
  /** out = AES-GCM(input) (out may be input itself), outTag = its tag, AAD = aadA ‖ aadB. Throws when `impl` is unavailable. */
  gcmTestSeal(
    impl: GcmImplCode,
    key: Uint8Array,
    iv: Uint8Array,
    aadA: Uint8Array,
    aadB: Uint8Array,
    input: Uint8Array,
    out: Uint8Array,
    outTag: Uint8Array,
  ): void
  /** The inverse; false (out zeroed) when the tag does not verify. */
  gcmTestOpen(
    impl: GcmImplCode,
    key: Uint8Array,
    iv: Uint8Array,
    aadA: Uint8Array,
    aadB: Uint8Array,
    input: Uint8Array,
    out: Uint8Array,
    tag: Uint8Array,
  ): boolean
}

/** Whether the addon carries the GCM test hooks (a binary built from this tree does). */
export function hasGcmTestHooks(addon: NativeAddon): addon is NativeAddon & NativeGcmTestHooks {
  const record = addon as unknown as Record<string, unknown>
  return ['gcmImplementation', 'gcmTestSeal', 'gcmTestOpen'].every((name) => typeof record[name] === 'function')
}
