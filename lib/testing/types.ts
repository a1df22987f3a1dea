// The public types of the local KMS stand-in: options, keys, call records and the fault-injection surface.

/** The KMS operations the stand-in implements. */
export const KMS_OPERATIONS = [
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'Encrypt',
  'Decrypt',
  'ReEncrypt',
  'GetPublicKey',
  'DeriveSharedSecret',
] as const
export type KmsOperation = (typeof KMS_OPERATIONS)[number]

/** The KMS error types the stand-in returns (the `name` of the @aws-sdk/client-kms exception a client sees). */
export type KmsErrorType =
  | 'NotFoundException'
  | 'InvalidCiphertextException'
  | 'IncorrectKeyException'
  | 'DisabledException'
  | 'AccessDeniedException'
  | 'ThrottlingException'
  | 'KMSInternalException'
  | 'KMSInvalidStateException'
  | 'InvalidKeyUsageException'
  | 'InvalidGrantTokenException'
  | 'DependencyTimeoutException'
  | 'KeyUnavailableException'
  | 'DryRunOperationException'
  | 'ValidationException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'UnsupportedOperationException'
  /** Not a modelled KMS error: what AWS's front end answers a 503 with. */
  | 'ServiceUnavailable'

export type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'KEY_AGREEMENT'

/** SYMMETRIC_DEFAULT keys encrypt; ECC_NIST_* keys (with KEY_AGREEMENT usage) do ECDH through DeriveSharedSecret. */
export type KeySpec = 'SYMMETRIC_DEFAULT' | 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521'

/** What `keys.createKey` (and `LocalKmsOptions.keys`) accepts. */
export interface CreateKeySpec {
  readonly region: string
  /** Default: the server's caller account. */
  readonly account?: string
  /** Default: derived from the region (`aws`, `aws-cn`, `aws-us-gov`). */
  readonly partition?: string
  /** Alias name(s) (`alias/...`) pointing at this key; for a multi-Region key, at each replica in its own region. */
  readonly alias?: string | readonly string[]
  /** A multi-Region key (`mrk-…` id). Implied by `replicas`. */
  readonly multiRegion?: boolean
  /** Regions that get a replica sharing this key's id and material. */
  readonly replicas?: readonly string[]
  /** Default: random (or derived from `LocalKmsOptions.seed`). Must start with `mrk-` exactly when multi-Region. */
  readonly keyId?: string
  /** 32 bytes of AES-256 key material. Default: random (or derived from the seed). */
  readonly material?: Uint8Array
  /** Default `ENCRYPT_DECRYPT` (`KEY_AGREEMENT` for an ECC key spec); a key refuses the operations of other usages with InvalidKeyUsageException. */
  readonly keyUsage?: KeyUsage
  /** Default `SYMMETRIC_DEFAULT`; an ECC_NIST_* spec makes an EC key pair for KEY_AGREEMENT (GetPublicKey, DeriveSharedSecret). */
  readonly keySpec?: KeySpec
  /** Default true. */
  readonly enabled?: boolean
}

/** A snapshot of one key (a multi-Region replica is a key of its own). */
export interface LocalKmsKey {
  readonly arn: string
  readonly keyId: string
  readonly partition: string
  readonly region: string
  readonly account: string
  readonly multiRegion: boolean
  /** Alias names (`alias/...`) pointing at this key in its region. */
  readonly aliases: readonly string[]
  /** For a multi-Region key: the ARNs of the related keys in other regions. */
  readonly replicaArns: readonly string[]
  readonly enabled: boolean
  /** True after `keys.denyKey`: every use fails with AccessDeniedException. */
  readonly denied: boolean
  readonly keyUsage: KeyUsage
  readonly keySpec: KeySpec
}

export interface LocalKmsOptions {
  /** Default 0: a random free port. The server always binds 127.0.0.1. */
  readonly port?: number
  /** Default ['111122223333', '444455556666']. */
  readonly accounts?: readonly string[]
  /** Default ['us-west-2', 'us-east-1', 'eu-west-1']. */
  readonly regions?: readonly string[]
  /** The account of every caller: bare key ids and alias names resolve in it. Default: the first account. */
  readonly callerAccount?: string
  /**
   * Default true: in every account and region a single-Region key with alias `alias/local-kms`, and per account a
   * multi-Region key (primary in the first region, replicas in the others of its partition) with alias `alias/local-kms-mrk`.
   */
  readonly defaultKeys?: boolean
  /** Extra keys created at start. */
  readonly keys?: readonly CreateKeySpec[]
  /** Derive key ids and key material from this seed instead of randomness, so ARNs and blobs survive restarts. */
  readonly seed?: string
  /** Largest accepted request body. Default 1 MiB; larger bodies get HTTP 413 with a ValidationException. */
  readonly maxBodyBytes?: number
  /** The call log keeps the newest this many records. Default 10000. */
  readonly maxLoggedCalls?: number
}

/** One request as the server saw it. */
export interface KmsCallRecord {
  /** The operation from `X-Amz-Target` (an unknown name is logged as sent). */
  readonly op: string
  /** The region from the SigV4 credential scope ('' when the request carried none). */
  readonly region: string
  /** The KeyId as requested (DestinationKeyId for ReEncrypt); undefined when absent. */
  readonly keyId: string | undefined
  /** The ARN of the key the request resolved to, when it got that far. */
  readonly resolvedKeyArn: string | undefined
  /** ReEncrypt only: the source key's ARN. */
  readonly sourceKeyArn?: string
  readonly grantTokens: readonly string[]
  /** The encryption context sent ({} when absent; DestinationEncryptionContext for ReEncrypt). */
  readonly encryptionContext: Readonly<Record<string, string>>
  readonly ok: boolean
  /** The error type returned when `ok` is false. */
  readonly errorType: KmsErrorType | undefined
  /** Date.now() when the request arrived. */
  readonly time: number
  /** From the SDK's `amz-sdk-request: attempt=N; max=M` header (1 when absent): retries show as attempt 2, 3, … */
  readonly attempt: number
  /** From the SDK's `amz-sdk-invocation-id` header: every attempt of one SDK call shares it. */
  readonly invocationId: string | undefined
  readonly requestId: string
}

export interface ThrottleOptions {
  /** Only these operations (default: all). */
  readonly ops?: readonly KmsOperation[]
  /** Only requests that resolve to these key ARNs (default: all keys). */
  readonly keys?: readonly string[]
  /**
   * Default: evenly spread and deterministic: the n-th matching call (1-based) is throttled when
   * ceil(n·fraction) > ceil((n−1)·fraction), so 0.5 throttles calls 1, 3, 5, …. With a seed: a seeded PRNG.
   */
  readonly seed?: number
}

export interface LatencyOptions {
  readonly ops?: readonly KmsOperation[]
}

export interface FailKeyOptions {
  readonly ops?: readonly KmsOperation[]
  readonly message?: string
}

export interface ServerErrorOptions {
  readonly ops?: readonly KmsOperation[]
  /** 500 answers KMSInternalException, 503 ServiceUnavailable (default 500). */
  readonly status?: 500 | 503
  /** As for throttle: evenly spread by default, a seeded PRNG with a seed. */
  readonly seed?: number
}

/**
 * Where a dropped connection is cut: as the request arrives (nothing read), after the operation ran but before
 * any answer, or mid-answer (the status line, headers and half the body sent, then the socket destroyed).
 */
export type DropPoint = 'arrival' | 'before-answer' | 'mid-answer'

export interface DropConnectionOptions {
  readonly ops?: readonly KmsOperation[]
  /** One point, or several taken in turn by successive drops (default: all three in turn). */
  readonly at?: DropPoint | readonly DropPoint[]
  readonly seed?: number
}

/** How many times each kind of fault was injected since start or the last `clear`. */
export interface InjectedFaults {
  readonly throttle: number
  /** Responses held back by a non-zero latency. */
  readonly latency: number
  readonly serverError: number
  readonly dropConnection: number
  /** Calls failed by a failKey rule. */
  readonly failKey: number
}

export interface LocalKmsFaults {
  /** Throttle a fraction (0..1) of matching calls with ThrottlingException. Rules add up; `clear` removes them. */
  throttle(fraction: number, options?: ThrottleOptions): void
  /** Delay every matching response by `ms` (0 removes the delay for those operations). */
  latency(ms: number, options?: LatencyOptions): void
  /** Every call that resolves to this key ARN fails with `errorType`. */
  failKey(keyArn: string, errorType: KmsErrorType, options?: FailKeyOptions): void
  /** Answer a fraction (0..1) of matching calls with an HTTP 500 or 503 and a KMS-shaped JSON error body. */
  serverError(fraction: number, options?: ServerErrorOptions): void
  /** Destroy the connection of a fraction (0..1) of matching calls, at the point(s) `options.at` names. */
  dropConnection(fraction: number, options?: DropConnectionOptions): void
  /** A snapshot of the tally of injected faults. */
  readonly injected: InjectedFaults
  /** Removes every rule and resets the tally. */
  clear(): void
}

export interface LocalKmsKeys {
  createKey(spec: CreateKeySpec): LocalKmsKey
  /** The ARN of the key `alias` (default `alias/local-kms`) names in that region and account (default: caller account). */
  keyArn(region: string, options?: { readonly account?: string; readonly alias?: string }): string
  /** The ARN of the default multi-Region key's replica in that region (alias `alias/local-kms-mrk`). */
  mrkArn(region: string, options?: { readonly account?: string }): string
  /** `arn:…:alias/…` for an alias (default `alias/local-kms`) in that region and account. */
  aliasArn(region: string, options?: { readonly account?: string; readonly alias?: string }): string
  /** The ARN of the related multi-Region key in another region. */
  replicaArn(keyArn: string, region: string): string
  createAlias(aliasName: string, keyArn: string): void
  disableKey(keyArn: string): void
  enableKey(keyArn: string): void
  denyKey(keyArn: string): void
  allowKey(keyArn: string): void
  get(keyArn: string): LocalKmsKey | undefined
  list(): LocalKmsKey[]
}

export interface LocalKmsCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
}

/** The settings a KMSClient needs to talk to the stand-in: `new KMSClient(kms.clientConfig('us-west-2'))`. */
export interface LocalKmsClientConfig {
  readonly region: string
  readonly endpoint: string
  readonly credentials: LocalKmsCredentials
}

export interface LocalKms {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string
  readonly host: '127.0.0.1'
  readonly port: number
  readonly accounts: readonly string[]
  readonly regions: readonly string[]
  readonly callerAccount: string
  /** Dummy credentials (any are accepted; signatures are not verified). */
  readonly credentials: LocalKmsCredentials
  clientConfig(region: string): LocalKmsClientConfig
  readonly keys: LocalKmsKeys
  readonly faults: LocalKmsFaults
  /** A snapshot of the call log, oldest first. */
  readonly calls: readonly KmsCallRecord[]
  /** Requests per operation name since start or the last `clearCalls` (failed ones included). */
  readonly counters: Readonly<Record<string, number>>
  clearCalls(): void
  close(): Promise<void>
}
