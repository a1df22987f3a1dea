// OnDecrypt's loop shared by every KMS keyring: one Decrypt per filtered EDK, in order, until one succeeds; all errors reported (aws-kms-keyring.md "OnDecrypt").
import { KeyringError } from '../../core/errors'
import { EncryptedDataKey } from '../../format/header'
import { NodeDecryptionMaterial } from '../materials'
import { AwsEsdkKMSInterface } from './kms-client'
import { decryptDataKey, describe } from './kms-operations'

/** One EDK that passed the keyring's local filter, with the KeyId and client its Decrypt will use. */
export interface DecryptAttempt {
  readonly edk: EncryptedDataKey
  readonly keyId: string
  readonly client: AwsEsdkKMSInterface
}

/**
 * Tries each attempt one at a time (aws-kms-keyring.md#ondecrypt): a failure is collected and the next
 * EDK tried. When none succeeds the KeyringError lists every collected error, in `causes` and in its
 * message, and says how many EDKs the filter kept out, since those made no KMS call.
 */
export async function decryptFirst(
  keyringName: string,
  material: NodeDecryptionMaterial,
  attempts: readonly DecryptAttempt[],
  filteredOut: number,
  grantTokens: readonly string[] | undefined,
): Promise<NodeDecryptionMaterial> {
  const errors: unknown[] = []
  for (const { edk, keyId, client } of attempts) {
    let plaintext: Buffer
    try {
      plaintext = await decryptDataKey(client, keyId, edk.encryptedDataKey, material.suite.keyLengthBytes, {
        encryptionContext: material.encryptionContext,
        grantTokens,
      })
    } catch (error) {
      errors.push(error)
      continue
    }
    try {
      return material.setUnencryptedDataKey(plaintext)
    } finally {
      plaintext.fill(0)
    }
  }
  const skipped =
    filteredOut > 0 ? `; ${filteredOut} encrypted data key(s) did not match this keyring and were not sent to KMS` : ''
  const summary = errors.map((e, i) => ` [${i + 1}] ${describe(e)}`).join('')
  throw new KeyringError(
    `${keyringName}: unable to decrypt any of ${attempts.length} matching encrypted data key(s)${skipped}${summary ? `:${summary}` : ''}`,
    errors,
  )
}
