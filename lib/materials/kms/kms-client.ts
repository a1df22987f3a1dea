// The structural KMS client the keyrings call: the AWS SDK v3 `KMS` / v2 `AWS.KMS` method shape, or a bare v3 `KMSClient` (`send`).
import { InvalidArgumentError, KmsOperationName } from '../../core/errors'
import { kmsCommand } from './kms-sdk'
import { isServiceAnswer, reportAnswer } from './client-answers'

export type KmsEncryptionContext = Record<string, string>

export interface GenerateDataKeyRequest {
  KeyId: string
  NumberOfBytes: number
  EncryptionContext: KmsEncryptionContext
  GrantTokens?: string[]
}

export interface EncryptRequest {
  KeyId: string
  Plaintext: Uint8Array
  EncryptionContext: KmsEncryptionContext
  GrantTokens?: string[]
}

export interface DecryptRequest {
  KeyId: string
  CiphertextBlob: Uint8Array
  EncryptionContext: KmsEncryptionContext
  GrantTokens?: string[]
}

/** The branch key store's: a new branch key that never leaves KMS in plaintext (branch-key-store.md). */
export interface GenerateDataKeyWithoutPlaintextRequest {
  KeyId: string
  NumberOfBytes: number
  EncryptionContext: KmsEncryptionContext
  GrantTokens?: string[]
}

/** The branch key store's: the same branch key under another encryption context. */
export interface ReEncryptRequest {
  SourceKeyId: string
  SourceEncryptionContext: KmsEncryptionContext
  CiphertextBlob: Uint8Array
  DestinationKeyId: string
  DestinationEncryptionContext: KmsEncryptionContext
  GrantTokens?: string[]
}

/** The AWS KMS ECDH keyring's: ECDH between a KMS key agreement key and a public key (aws-kms-ecdh-keyring.md). */
export interface DeriveSharedSecretRequest {
  KeyId: string
  KeyAgreementAlgorithm: 'ECDH'
  PublicKey: Uint8Array
  GrantTokens?: string[]
}

export interface GetPublicKeyRequest {
  KeyId: string
  GrantTokens?: string[]
}

export interface KmsRequests {
  GenerateDataKey: GenerateDataKeyRequest
  Encrypt: EncryptRequest
  Decrypt: DecryptRequest
  GenerateDataKeyWithoutPlaintext: GenerateDataKeyWithoutPlaintextRequest
  ReEncrypt: ReEncryptRequest
  DeriveSharedSecret: DeriveSharedSecretRequest
  GetPublicKey: GetPublicKeyRequest
}

/** SDK v3 methods return a promise; SDK v2 methods return a request whose `promise()` does. */
export type KmsAnswer = PromiseLike<unknown> | { promise(): PromiseLike<unknown> }

/** What the official keyrings call: `new KMS(...)` from @aws-sdk/client-kms, or `new AWS.KMS(...)` from aws-sdk v2. */
export interface KmsMethodClient {
  generateDataKey(request: GenerateDataKeyRequest): KmsAnswer
  encrypt(request: EncryptRequest): KmsAnswer
  decrypt(request: DecryptRequest): KmsAnswer
}

/** A bare `new KMSClient(...)` from @aws-sdk/client-kms: commands go through `send`. */
export interface KmsSendClient {
  send(command: object): PromiseLike<unknown>
}

/** Any client a KMS keyring accepts. Responses are treated as unknown and shape-checked. */
export type AwsEsdkKMSInterface = KmsMethodClient | KmsSendClient

const METHODS: Readonly<Record<KmsOperationName, string>> = {
  GenerateDataKey: 'generateDataKey',
  Encrypt: 'encrypt',
  Decrypt: 'decrypt',
  GenerateDataKeyWithoutPlaintext: 'generateDataKeyWithoutPlaintext',
  ReEncrypt: 'reEncrypt',
  DeriveSharedSecret: 'deriveSharedSecret',
  GetPublicKey: 'getPublicKey',
}

/** What every method-shaped client must have; the other operations are looked up when a keyring calls them. */
const CORE_METHODS = ['generateDataKey', 'encrypt', 'decrypt'] as const

export function isKmsClient(value: unknown): value is AwsEsdkKMSInterface {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  return CORE_METHODS.every((m) => typeof record[m] === 'function') || typeof record.send === 'function'
}

/** Whether a client can make `operation`: its method, or `send`. */
export function canCall(client: object, operation: KmsOperationName): boolean {
  const record = client as Record<string, unknown>
  return typeof record[METHODS[operation]] === 'function' || typeof record.send === 'function'
}

/**
 * Makes one KMS call and returns the raw response. The method shape is preferred when present (the
 * v3 `KMS` class has both); a send-only client gets the SDK's command object. A cache waiting for this
 * client's region to answer is told when it does.
 */
export async function callKms<Op extends KmsOperationName>(
  client: AwsEsdkKMSInterface,
  operation: Op,
  request: KmsRequests[Op],
): Promise<unknown> {
  try {
    const response = await invoke(client, operation, request)
    reportAnswer(client)
    return response
  } catch (error) {
    if (isServiceAnswer(error)) reportAnswer(client)
    throw error
  }
}

async function invoke(client: AwsEsdkKMSInterface, operation: KmsOperationName, request: object): Promise<unknown> {
  const record = client as unknown as Record<string, unknown>
  const method = record[METHODS[operation]]
  if (typeof method === 'function') {
    const answer: unknown = method.call(client, request)
    if (isThenable(answer)) return await answer
    const v2 = typeof answer === 'object' && answer !== null ? (answer as { promise?: unknown }).promise : undefined
    if (typeof v2 === 'function') return await (v2.call(answer) as PromiseLike<unknown>)
    throw new InvalidArgumentError(
      `the KMS client's ${METHODS[operation]} returned neither a promise nor an SDK v2 request`,
    )
  }
  if (typeof record.send === 'function')
    return await (record.send as (command: object) => PromiseLike<unknown>).call(client, kmsCommand(operation, request))
  throw new InvalidArgumentError(`the KMS client has neither ${METHODS[operation]} nor send`)
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/**
 * The region a client is configured for: SDK v3 keeps it behind an async provider in `config.region`,
 * SDK v2 as a string. Undefined when the client does not say.
 */
export async function clientRegion(client: AwsEsdkKMSInterface): Promise<string | undefined> {
  const source = configuredRegion(client)
  const region: unknown = typeof source === 'function' ? await (source as () => unknown)() : source
  return typeof region === 'string' && region ? region : undefined
}

/** The raw `config.region` (a string or a provider function), for construction-time checks. */
export function configuredRegion(client: object): unknown {
  const config: unknown = (client as { config?: unknown }).config
  return typeof config === 'object' && config !== null ? (config as { region?: unknown }).region : undefined
}
