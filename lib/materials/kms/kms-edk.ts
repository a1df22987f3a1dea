// The EDKs AWS KMS keyrings write and read: provider id `aws-kms`, provider info = the key ARN (aws-kms-keyring.md "OnEncrypt", "OnDecrypt").
import { KeyringError } from '../../core/errors'
import { EncryptedDataKey } from '../../format/header'
import { AwsKmsArn, parseAwsKmsKeyArn } from './arn'

export const KMS_PROVIDER_ID = 'aws-kms'

export function kmsEncryptedDataKey(keyArn: string, ciphertextBlob: Uint8Array): EncryptedDataKey {
  return new EncryptedDataKey({ providerId: KMS_PROVIDER_ID, providerInfo: keyArn, encryptedDataKey: ciphertextBlob })
}

export interface KmsEdk {
  readonly edk: EncryptedDataKey
  readonly arn: AwsKmsArn
}

/**
 * The `aws-kms` EDKs with their parsed key ARNs; other providers' EDKs are ignored. Per
 * aws-kms-keyring.md#ondecrypt an `aws-kms` EDK whose provider info is not a key ARN makes OnDecrypt
 * fail before any KMS call: only a broken or hostile writer produces one.
 */
export function kmsEdks(edks: readonly EncryptedDataKey[], keyringName: string): KmsEdk[] {
  const out: KmsEdk[] = []
  for (const edk of edks) {
    if (edk.providerId !== KMS_PROVIDER_ID) continue
    const arn = parseAwsKmsKeyArn(edk.providerInfo)
    if (!arn)
      throw new KeyringError(
        `${keyringName}: an aws-kms encrypted data key's provider info is not a key ARN: ${JSON.stringify(edk.providerInfo)}`,
      )
    out.push({ edk, arn })
  }
  return out
}
