// AwsKmsMrkAwareSymmetricKeyringNode: one KMS key and one client; decrypts EDKs of any replica of a multi-Region key (aws-kms-mrk-keyring.md).
import { needs } from '../../core/errors'
import { EncryptedDataKey } from '../../format/header'
import { KeyringNode } from '../keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../materials'
import { isValidAwsKmsIdentifier } from './arn'
import { decryptFirst } from './decrypt-attempts'
import { AwsEsdkKMSInterface, isKmsClient } from './kms-client'
import { kmsEdks } from './kms-edk'
import { mrkAwareAwsKmsKeyIdCompare } from './mrk-match'
import { encryptInto, generateInto } from './wrap-data-key'

export interface AwsKmsMrkAwareSymmetricKeyringNodeInput {
  /** Any AWS KMS identifier; only a key ARN can decrypt, since EDKs store key ARNs. */
  keyId: string
  /** `new KMS(...)` / `new KMSClient(...)` from @aws-sdk/client-kms, or any client of that shape. */
  client: AwsEsdkKMSInterface
  grantTokens?: string[]
}

export class AwsKmsMrkAwareSymmetricKeyringNode extends KeyringNode {
  readonly keyId: string
  readonly client: AwsEsdkKMSInterface
  readonly grantTokens: readonly string[] | undefined

  constructor({ client, keyId, grantTokens }: AwsKmsMrkAwareSymmetricKeyringNodeInput) {
    super()
    // aws-kms-mrk-keyring.md#initialization
    needs(typeof keyId === 'string' && keyId !== '', 'an AWS KMS key identifier is required')
    needs(isValidAwsKmsIdentifier(keyId), `not a valid AWS KMS identifier: ${keyId}`)
    needs(isKmsClient(client), 'an AWS KMS client is required')
    needs(
      grantTokens === undefined || (Array.isArray(grantTokens) && grantTokens.every((g) => typeof g === 'string')),
      'grantTokens must be strings',
    )
    this.keyId = keyId
    this.client = client
    this.grantTokens = grantTokens && Object.freeze([...grantTokens])
    Object.freeze(this)
  }

  /** aws-kms-mrk-keyring.md#onencrypt: GenerateDataKey without a data key, Encrypt with one. */
  protected async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    if (material.hasUnencryptedDataKey) await encryptInto(material, this.client, this.keyId, this.grantTokens)
    else await generateInto(material, this.client, this.keyId, this.grantTokens)
    return material
  }

  /**
   * aws-kms-mrk-keyring.md#ondecrypt: an EDK matches when its ARN is this key or a replica of it;
   * Decrypt always names the configured key (this client's region) and the answer must name it too.
   */
  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    const attempts = kmsEdks(edks, 'AwsKmsMrkAwareSymmetricKeyringNode')
      .filter(({ edk }) => mrkAwareAwsKmsKeyIdCompare(this.keyId, edk.providerInfo))
      .map(({ edk }) => ({ edk, keyId: this.keyId, client: this.client }))
    return decryptFirst(
      `AwsKmsMrkAwareSymmetricKeyringNode(${this.keyId})`,
      material,
      attempts,
      edks.length - attempts.length,
      this.grantTokens,
    )
  }
}
