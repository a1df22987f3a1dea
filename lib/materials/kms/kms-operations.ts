// The KMS calls of the keyrings and the branch key store, with every response check their specs require; any failure is a KmsError.
import { KmsError, KmsOperationName } from '../../core/errors'
import { parseAwsKmsKeyArn } from './arn'
import { AwsEsdkKMSInterface, KmsEncryptionContext, KmsRequests, callKms } from './kms-client'
import { allocSecret } from '../../core/secret-bytes'

export interface KmsCallOptions {
  readonly encryptionContext: KmsEncryptionContext
  readonly grantTokens?: readonly string[]
}

export interface GeneratedDataKey {
  /** The key ARN KMS used: the EDK's provider info. */
  readonly keyArn: string
  /** A copy the caller owns and must wipe; the SDK's buffer is already zeroed. */
  readonly plaintext: Buffer
  readonly ciphertextBlob: Uint8Array
}

export interface EncryptedKey {
  readonly keyArn: string
  readonly ciphertextBlob: Uint8Array
}

/**
 * aws-kms-keyring.md#onencrypt: GenerateDataKey with NumberOfBytes = the suite's key derivation input
 * length; the answer must carry a key ARN and exactly that many plaintext bytes.
 */
export async function generateDataKey(
  client: AwsEsdkKMSInterface,
  keyId: string,
  numberOfBytes: number,
  options: KmsCallOptions,
): Promise<GeneratedDataKey> {
  const response = await call(client, 'GenerateDataKey', keyId, {
    KeyId: keyId,
    NumberOfBytes: numberOfBytes,
    ...common(options),
  })
  const plaintext = takePlaintext('GenerateDataKey', keyId, response, numberOfBytes)
  try {
    const keyArn = responseKeyArn('GenerateDataKey', keyId, response)
    const ciphertextBlob = responseBytes('GenerateDataKey', keyId, response, 'CiphertextBlob')
    return { keyArn, plaintext, ciphertextBlob }
  } catch (error) {
    plaintext.fill(0)
    throw error
  }
}

/** aws-kms-keyring.md#onencrypt: Encrypt the data key; the answer must name a key ARN. */
export async function encryptDataKey(
  client: AwsEsdkKMSInterface,
  keyId: string,
  dataKey: Uint8Array,
  options: KmsCallOptions,
): Promise<EncryptedKey> {
  const response = await call(client, 'Encrypt', keyId, { KeyId: keyId, Plaintext: dataKey, ...common(options) })
  return {
    keyArn: responseKeyArn('Encrypt', keyId, response),
    ciphertextBlob: responseBytes('Encrypt', keyId, response, 'CiphertextBlob'),
  }
}

/**
 * aws-kms-keyring.md#ondecrypt: Decrypt always names the KeyId (KMS would otherwise pick the key from
 * the blob, which a crafted EDK controls); the answer must name that same key and carry exactly
 * `expectedLength` bytes. Returns a copy the caller must wipe.
 */
export async function decryptDataKey(
  client: AwsEsdkKMSInterface,
  keyId: string,
  ciphertextBlob: Uint8Array,
  expectedLength: number,
  options: KmsCallOptions,
): Promise<Buffer> {
  const response = await call(client, 'Decrypt', keyId, {
    KeyId: keyId,
    CiphertextBlob: ciphertextBlob,
    ...common(options),
  })
  const plaintext = takePlaintext('Decrypt', keyId, response, expectedLength)
  const answered = record(response).KeyId
  if (answered !== keyId) {
    plaintext.fill(0)
    throw new KmsError('Decrypt', keyId, `the response names key ${JSON.stringify(answered)}, not the requested key`)
  }
  return plaintext
}

/** branch-key-store.md "Branch Key and Beacon Key Creation": a 32-byte key KMS returns only wrapped. */
export async function generateDataKeyWithoutPlaintext(
  client: AwsEsdkKMSInterface,
  keyId: string,
  numberOfBytes: number,
  options: KmsCallOptions,
): Promise<EncryptedKey> {
  const response = await call(client, 'GenerateDataKeyWithoutPlaintext', keyId, {
    KeyId: keyId,
    NumberOfBytes: numberOfBytes,
    ...common(options),
  })
  return {
    keyArn: responseKeyArn('GenerateDataKeyWithoutPlaintext', keyId, response),
    ciphertextBlob: responseBytes('GenerateDataKeyWithoutPlaintext', keyId, response, 'CiphertextBlob'),
  }
}

/** branch-key-store.md: the same key under another encryption context (the ACTIVE record's). */
export async function reEncrypt(
  client: AwsEsdkKMSInterface,
  keyId: string,
  ciphertextBlob: Uint8Array,
  source: KmsEncryptionContext,
  destination: KmsEncryptionContext,
  grantTokens: readonly string[] | undefined,
): Promise<Uint8Array> {
  const request = {
    SourceKeyId: keyId,
    SourceEncryptionContext: { ...source },
    CiphertextBlob: ciphertextBlob,
    DestinationKeyId: keyId,
    DestinationEncryptionContext: { ...destination },
    ...(grantTokens === undefined ? {} : { GrantTokens: [...grantTokens] }),
  }
  const response = await call(client, 'ReEncrypt', keyId, request)
  return responseBytes('ReEncrypt', keyId, response, 'CiphertextBlob')
}

/**
 * aws-kms-ecdh-keyring.md: ECDH between the KMS key agreement key and `publicKeyDer` (SPKI). The
 * shared secret is copied into a buffer the caller owns and wipes; the SDK's is zeroed.
 */
export async function deriveSharedSecret(
  client: AwsEsdkKMSInterface,
  keyId: string,
  publicKeyDer: Uint8Array,
  grantTokens: readonly string[] | undefined,
): Promise<Buffer> {
  const request = {
    KeyId: keyId,
    KeyAgreementAlgorithm: 'ECDH' as const,
    PublicKey: publicKeyDer,
    ...(grantTokens === undefined ? {} : { GrantTokens: [...grantTokens] }),
  }
  const response = await call(client, 'DeriveSharedSecret', keyId, request)
  const value = record(response).SharedSecret
  if (!(value instanceof Uint8Array) || value.length === 0)
    throw new KmsError('DeriveSharedSecret', keyId, 'the response has no SharedSecret')
  const secret = allocSecret(value.length)
  secret.set(value)
  value.fill(0)
  return secret
}

export interface KmsPublicKey {
  readonly keyId: string
  /** DER SubjectPublicKeyInfo. */
  readonly publicKey: Buffer
  readonly keySpec: string | undefined
  readonly keyUsage: string | undefined
}

/** GetPublicKey: the key's DER public key with its spec and usage, for the ECDH keyring's checks. */
export async function getPublicKey(
  client: AwsEsdkKMSInterface,
  keyId: string,
  grantTokens: readonly string[] | undefined,
): Promise<KmsPublicKey> {
  const response = await call(client, 'GetPublicKey', keyId, {
    KeyId: keyId,
    ...(grantTokens === undefined ? {} : { GrantTokens: [...grantTokens] }),
  })
  const r = record(response)
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
  return {
    keyId: text(r.KeyId) ?? keyId,
    publicKey: Buffer.from(responseBytes('GetPublicKey', keyId, response, 'PublicKey')),
    keySpec: text(r.KeySpec) ?? text(r.CustomerMasterKeySpec),
    keyUsage: text(r.KeyUsage),
  }
}

function common(options: KmsCallOptions): { EncryptionContext: KmsEncryptionContext; GrantTokens?: string[] } {
  const out: { EncryptionContext: KmsEncryptionContext; GrantTokens?: string[] } = {
    EncryptionContext: { ...options.encryptionContext },
  }
  if (options.grantTokens !== undefined) out.GrantTokens = [...options.grantTokens]
  return out
}

export async function call<Op extends KmsOperationName>(
  client: AwsEsdkKMSInterface,
  operation: Op,
  keyId: string,
  request: KmsRequests[Op],
): Promise<unknown> {
  try {
    return await callKms(client, operation, request)
  } catch (error) {
    throw new KmsError(operation, keyId, describe(error), error)
  }
}

/** `Name: message` of a client error, so a KeyringError's message alone tells which KMS error happened. */
export function describe(error: unknown): string {
  if (error instanceof Error)
    return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message
  return String(error)
}

export function record(response: unknown): Record<string, unknown> {
  return typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {}
}

function responseKeyArn(operation: KmsOperationName, keyId: string, response: unknown): string {
  const answered = record(response).KeyId
  if (typeof answered !== 'string' || !parseAwsKmsKeyArn(answered)) {
    throw new KmsError(
      operation,
      keyId,
      `the response KeyId ${JSON.stringify(answered)} is not a valid AWS KMS key ARN`,
    )
  }
  return answered
}

export function responseBytes(
  operation: KmsOperationName,
  keyId: string,
  response: unknown,
  field: string,
): Uint8Array {
  const value = record(response)[field]
  if (!(value instanceof Uint8Array) || value.length === 0)
    throw new KmsError(operation, keyId, `the response has no ${field}`)
  return Buffer.from(value)
}

/** Copies the plaintext out of the SDK's buffer and zeroes that buffer, which may be a shared slab. */
function takePlaintext(operation: KmsOperationName, keyId: string, response: unknown, expectedLength: number): Buffer {
  const value = record(response).Plaintext
  if (!(value instanceof Uint8Array)) throw new KmsError(operation, keyId, 'the response has no Plaintext')
  const length = value.length
  const copy = allocSecret(length)
  copy.set(value)
  value.fill(0)
  if (length !== expectedLength) {
    copy.fill(0)
    throw new KmsError(
      operation,
      keyId,
      `the response Plaintext is ${length} bytes, the algorithm suite needs ${expectedLength}`,
    )
  }
  return copy
}
