// KmsFault: an error the stand-in answers with, carrying the KMS error type and its HTTP status.
import type { KmsErrorType } from './types'

const STATUS: Partial<Record<KmsErrorType, number>> = {
  KMSInternalException: 500,
  DependencyTimeoutException: 503,
  KeyUnavailableException: 500,
}

export function statusOf(type: KmsErrorType): number {
  return STATUS[type] ?? 400
}

export class KmsFault extends Error {
  readonly type: KmsErrorType
  readonly status: number
  constructor(type: KmsErrorType, message: string, status: number = statusOf(type)) {
    super(message)
    this.name = 'KmsFault'
    this.type = type
    this.status = status
  }
}

/** Shorthands for the faults the operations raise most. */
export const fault = {
  validation: (message: string): KmsFault => new KmsFault('ValidationException', message),
  serialization: (message: string): KmsFault => new KmsFault('SerializationException', message),
  notFound: (message: string): KmsFault => new KmsFault('NotFoundException', message),
  invalidCiphertext: (
    message = 'The ciphertext is invalid or was not made under this key and encryption context.',
  ): KmsFault => new KmsFault('InvalidCiphertextException', message),
}
