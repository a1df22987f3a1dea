// The one error hierarchy of the library: every failure a caller can see is an EsdkError with a stable `code`.

export type EsdkErrorCode =
  | 'MALFORMED_MESSAGE'
  | 'UNSUPPORTED'
  | 'AUTHENTICATION_FAILED'
  | 'COMMITMENT_POLICY'
  | 'LIMIT_EXCEEDED'
  | 'INVALID_ARGUMENT'
  | 'KEYRING'
  | 'KMS'
  | 'BAD_STATE'
  | 'NATIVE_BINDING'
  | 'SIGNATURE_POLICY'

export class EsdkError extends Error {
  readonly code: EsdkErrorCode
  constructor(code: EsdkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** The bytes are not an ESDK message, or break a rule of the message format. */
export class MalformedMessageError extends EsdkError {
  constructor(message: string) {
    super('MALFORMED_MESSAGE', message)
  }
}

/** A well-formed request for something this library does not do (unknown suite, non-framed encrypt, ...). */
export class UnsupportedError extends EsdkError {
  constructor(message: string) {
    super('UNSUPPORTED', message)
  }
}

/**
 * A tag, commitment or signature did not verify. The message is deliberately the same for every
 * cause so that the error is not an oracle.
 */
export class AuthenticationError extends EsdkError {
  constructor() {
    super('AUTHENTICATION_FAILED', 'message authentication failed')
  }
}

/** The official SDK's NotSupported (e.g. an unsupported Node.js crypto feature), as one of our UNSUPPORTED errors. */
export class NotSupported extends UnsupportedError {
  constructor(message = 'Not Supported') {
    super(message)
  }
}

/** The commitment policy forbids this algorithm suite. */
export class CommitmentPolicyError extends EsdkError {
  constructor(message: string) {
    super('COMMITMENT_POLICY', message)
  }
}

/** The client is configured to refuse signed messages (decryptUnsignedMessageStream) and the header names a signed suite. */
export class SignaturePolicyError extends EsdkError {
  constructor(message: string) {
    super('SIGNATURE_POLICY', message)
  }
}

/** A configured or structural limit was exceeded (maxEncryptedDataKeys, maxBodySize, frame counts). */
export class LimitExceededError extends EsdkError {
  constructor(message: string) {
    super('LIMIT_EXCEEDED', message)
  }
}

/** The caller passed an argument that can never work. */
export class InvalidArgumentError extends EsdkError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message)
  }
}

/** A keyring or CMM could not produce materials; `causes` holds every underlying failure. */
export class KeyringError extends EsdkError {
  readonly causes: readonly unknown[]
  constructor(message: string, causes: readonly unknown[] = []) {
    super(
      'KEYRING',
      message,
      causes.length > 0 ? { cause: causes.length === 1 ? causes[0] : new AggregateError(causes, message) } : undefined,
    )
    this.causes = causes
  }
}

/** The KMS operations the keyrings call; a KmsError names the one that failed. */
export type KmsOperationName =
  | 'GenerateDataKey'
  | 'Encrypt'
  | 'Decrypt'
  | 'GenerateDataKeyWithoutPlaintext'
  | 'ReEncrypt'
  | 'DeriveSharedSecret'
  | 'GetPublicKey'

/**
 * One AWS KMS call failed, or answered with something the keyring must not use (wrong key id,
 * wrong plaintext length, malformed response). `cause` is the client's error when there was one.
 */
export class KmsError extends EsdkError {
  readonly operation: KmsOperationName
  /** The KeyId the request named. */
  readonly keyId: string
  constructor(operation: KmsOperationName, keyId: string, message: string, cause?: unknown) {
    super('KMS', `KMS ${operation} with ${keyId}: ${message}`, cause === undefined ? undefined : { cause })
    this.operation = operation
    this.keyId = keyId
  }
}

/** An object was used out of order (zeroed key read, materials set twice, ...). */
export class BadStateError extends EsdkError {
  constructor(message: string) {
    super('BAD_STATE', message)
  }
}

/** The native backend was required but could not be loaded; `reasons` lists every load failure. */
export class NativeBindingError extends EsdkError {
  readonly reasons: readonly string[]
  constructor(message: string, reasons: readonly string[]) {
    super('NATIVE_BINDING', `${message}${reasons.length ? `: ${reasons.join('; ')}` : ''}`)
    this.reasons = reasons
  }
}

/** Throws an InvalidArgumentError unless `condition` holds. */
export function needs(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvalidArgumentError(message)
}
