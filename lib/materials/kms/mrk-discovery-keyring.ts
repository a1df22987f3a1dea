// AwsKmsMrkAwareSymmetricDiscoveryKeyringNode: decrypt-only, any key its client's region can use, multi-Region EDKs rewritten to that region (aws-kms-mrk-discovery-keyring.md).
import { InvalidArgumentError, needs } from '../../core/errors'
import { EncryptedDataKey } from '../../format/header'
import { KeyringNode } from '../keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../materials'
import { isMultiRegionAwsKmsArn, multiRegionArnInRegion } from './arn'
import { DecryptAttempt, decryptFirst } from './decrypt-attempts'
import { DiscoveryFilter, checkedDiscoveryFilter, passesDiscoveryFilter } from './discovery-filter'
import { AwsEsdkKMSInterface, clientRegion, configuredRegion, isKmsClient } from './kms-client'
import { kmsEdks } from './kms-edk'

export interface AwsKmsMrkAwareSymmetricDiscoveryKeyringNodeInput {
  /** Its `config.region` says which region this keyring decrypts in. */
  client: AwsEsdkKMSInterface
  discoveryFilter?: DiscoveryFilter
  grantTokens?: string[]
}

export class AwsKmsMrkAwareSymmetricDiscoveryKeyringNode extends KeyringNode {
  readonly client: AwsEsdkKMSInterface
  readonly discoveryFilter: DiscoveryFilter | undefined
  readonly grantTokens: readonly string[] | undefined
  /** SDK v3 resolves the region asynchronously, so it is read once, on first decrypt (a holder: the keyring is frozen). */
  private readonly regionLookup: { promise?: Promise<string> } = {}

  constructor({ client, discoveryFilter, grantTokens }: AwsKmsMrkAwareSymmetricDiscoveryKeyringNodeInput) {
    super()
    needs(isKmsClient(client), 'an AWS KMS client is required')
    // aws-kms-mrk-discovery-keyring.md#initialization: the keyring must know its client's region, and
    // reads it from the client rather than taking a second, possibly mismatched, parameter.
    const region = configuredRegion(client)
    needs(
      (typeof region === 'string' && region !== '') || typeof region === 'function',
      'the KMS client must be configured with a region',
    )
    needs(
      grantTokens === undefined || (Array.isArray(grantTokens) && grantTokens.every((g) => typeof g === 'string')),
      'grantTokens must be strings',
    )
    this.client = client
    this.discoveryFilter = checkedDiscoveryFilter(discoveryFilter)
    this.grantTokens = grantTokens && Object.freeze([...grantTokens])
    Object.freeze(this)
  }

  /** aws-kms-mrk-discovery-keyring.md#onencrypt: this function MUST fail. */
  protected async _onEncrypt(_material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    throw new InvalidArgumentError('AwsKmsMrkAwareSymmetricDiscoveryKeyringNode cannot be used to encrypt')
  }

  /**
   * aws-kms-mrk-discovery-keyring.md#ondecrypt: keep `aws-kms` EDKs that pass the discovery filter and
   * are either in this region or multi-Region keys; a multi-Region EDK is decrypted with the replica
   * in this region (same ARN, this region), and the answer must name that replica.
   */
  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    const region = await this.region()
    const attempts: DecryptAttempt[] = []
    for (const { edk, arn } of kmsEdks(edks, 'AwsKmsMrkAwareSymmetricDiscoveryKeyringNode')) {
      if (!passesDiscoveryFilter(this.discoveryFilter, arn)) continue
      const multiRegion = isMultiRegionAwsKmsArn(arn)
      if (!multiRegion && arn.region !== region) continue
      attempts.push({
        edk,
        keyId: multiRegion ? multiRegionArnInRegion(arn, region) : edk.providerInfo,
        client: this.client,
      })
    }
    return decryptFirst(
      `AwsKmsMrkAwareSymmetricDiscoveryKeyringNode(${region})`,
      material,
      attempts,
      edks.length - attempts.length,
      this.grantTokens,
    )
  }

  private region(): Promise<string> {
    this.regionLookup.promise ??= clientRegion(this.client).then((region) => {
      if (region === undefined) throw new InvalidArgumentError('the KMS client did not resolve a region')
      return region
    })
    return this.regionLookup.promise
  }
}
