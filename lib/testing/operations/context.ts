// What an operation sees of the server: the caller's region, the key store, and hooks that log and vet the keys it uses.
import type { ContextPairs } from '../context'
import type { Body } from '../input'
import { KmsFault } from '../errors'
import type { KeyStore, StoredKey } from '../key-store'
import type { KmsOperation } from '../types'

export interface OperationContext {
  readonly op: KmsOperation
  readonly region: string
  readonly store: KeyStore
  /** Records what the request asked for in the call log. */
  note(fields: { keyId?: string | undefined; grantTokens?: readonly string[]; encryptionContext?: ContextPairs }): void
  /**
   * Records the key the request resolved to, applies the key's injected faults, and refuses a key that is denied,
   * disabled or not for encryption. `source` marks ReEncrypt's source key.
   */
  use(key: StoredKey, role?: 'source'): StoredKey
}

export type Operation = (body: Body, ctx: OperationContext) => Record<string, unknown>

/** KMS's own checks on a resolved key, in KMS's order: authorization, then state, then usage. */
export function checkUsable(key: StoredKey, op: KmsOperation, callerAccount: string): void {
  if (key.denied) {
    throw new KmsFault(
      'AccessDeniedException',
      `User: arn:aws:iam::${callerAccount}:root is not authorized to perform: kms:${op} on resource: ${key.arn} because no resource-based policy allows the kms:${op} action`,
    )
  }
  if (!key.enabled) throw new KmsFault('DisabledException', `${key.arn} is disabled.`)
  // GetPublicKey reads any asymmetric key; DeriveSharedSecret needs KEY_AGREEMENT; the rest ENCRYPT_DECRYPT.
  const usable =
    op === 'GetPublicKey'
      ? key.keyUsage !== 'ENCRYPT_DECRYPT'
      : op === 'DeriveSharedSecret'
        ? key.keyUsage === 'KEY_AGREEMENT'
        : key.keyUsage === 'ENCRYPT_DECRYPT'
  if (!usable) {
    if (op === 'GetPublicKey')
      throw new KmsFault(
        'UnsupportedOperationException',
        `${key.arn} key usage is ${key.keyUsage} which is not valid for ${op}.`,
      )
    throw new KmsFault(
      'InvalidKeyUsageException',
      `${key.arn} key usage is ${key.keyUsage} which is not valid for ${op}.`,
    )
  }
}

export const ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const

/** Symmetric keys only take SYMMETRIC_DEFAULT. */
export function checkAlgorithm(algorithm: string | undefined, key: StoredKey): void {
  if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new KmsFault(
      'InvalidKeyUsageException',
      `The encryption algorithm ${algorithm} is not compatible with the key spec of ${key.arn}.`,
    )
  }
}

export function dryRun(requested: boolean | undefined): void {
  if (requested === true)
    throw new KmsFault('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.')
}

export function refuseRecipient(body: Body): void {
  if (Object.hasOwn(body, 'Recipient') && body['Recipient'] !== null) {
    throw new KmsFault(
      'ValidationException',
      'Recipient (Nitro Enclaves attestation) is not supported by the local KMS stand-in',
    )
  }
}
