// OnEncrypt for one KMS key: GenerateDataKey when the materials have no data key, Encrypt when they do (aws-kms-keyring.md#onencrypt).
import { NodeEncryptionMaterial } from '../materials'
import { kmsEncryptedDataKey } from './kms-edk'
import { encryptDataKey, generateDataKey } from './kms-operations'
import { AwsEsdkKMSInterface } from './kms-client'

/** Sets a fresh KMS data key and its EDK; materials are untouched unless every check passed. */
export async function generateInto(
  material: NodeEncryptionMaterial,
  client: AwsEsdkKMSInterface,
  keyId: string,
  grantTokens: readonly string[] | undefined,
): Promise<void> {
  const generated = await generateDataKey(client, keyId, material.suite.keyLengthBytes, {
    encryptionContext: material.encryptionContext,
    grantTokens,
  })
  try {
    material.setUnencryptedDataKey(generated.plaintext)
  } finally {
    generated.plaintext.fill(0)
  }
  material.addEncryptedDataKey(kmsEncryptedDataKey(generated.keyArn, generated.ciphertextBlob))
}

/** Wraps the data key the materials already hold under one more KMS key. */
export async function encryptInto(
  material: NodeEncryptionMaterial,
  client: AwsEsdkKMSInterface,
  keyId: string,
  grantTokens: readonly string[] | undefined,
): Promise<void> {
  const encrypted = await encryptDataKey(client, keyId, material.getUnencryptedDataKey(), {
    encryptionContext: material.encryptionContext,
    grantTokens,
  })
  material.addEncryptedDataKey(kmsEncryptedDataKey(encrypted.keyArn, encrypted.ciphertextBlob))
}
