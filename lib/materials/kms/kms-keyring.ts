// KmsKeyringNode: the official JS KMS keyring, strict (generator + keys) or discovery, over any regional client supplier (aws-kms-keyring.md, aws-kms-discovery-keyring.md).
import { KeyringError, needs } from '../../core/errors'
import { EncryptedDataKey } from '../../format/header'
import { KeyringNode } from '../keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../materials'
import { isValidAwsKmsIdentifier, regionOfIdentifier } from './arn'
import { cacheKmsClients } from './aws-sdk'
import { KmsClientSupplier } from './client-supplier'
import { DecryptAttempt, decryptFirst } from './decrypt-attempts'
import { DiscoveryFilter, checkedDiscoveryFilter, passesDiscoveryFilter } from './discovery-filter'
import { AwsEsdkKMSInterface } from './kms-client'
import { kmsEdks } from './kms-edk'
import { encryptInto, generateInto } from './wrap-data-key'

export interface KmsKeyringNodeInput {
  /** Makes the data key (GenerateDataKey). Any identifier: key ARN, alias ARN, alias name, key id. */
  generatorKeyId?: string
  /** Each wraps the data key again (Encrypt). */
  keyIds?: string[]
  grantTokens?: string[]
  /** Default: one SDK v3 `KMS` client per region (cacheKmsClients). */
  clientProvider?: KmsClientSupplier
  /** Decrypt-only: try any `aws-kms` EDK (narrowed by discoveryFilter). */
  discovery?: boolean
  discoveryFilter?: DiscoveryFilter
}

export class KmsKeyringNode extends KeyringNode {
  readonly generatorKeyId: string | undefined
  readonly keyIds: readonly string[]
  readonly grantTokens: readonly string[] | undefined
  readonly clientProvider: KmsClientSupplier
  readonly isDiscovery: boolean
  readonly discoveryFilter: DiscoveryFilter | undefined

  constructor({
    generatorKeyId,
    keyIds = [],
    grantTokens,
    clientProvider = cacheKmsClients,
    discovery,
    discoveryFilter,
  }: KmsKeyringNodeInput = {}) {
    super()
    needs(Array.isArray(keyIds), 'keyIds must be an array')
    needs(
      discovery || generatorKeyId || keyIds.length > 0,
      'a KMS keyring needs a generatorKeyId, keyIds or discovery: true',
    )
    needs(
      !(discovery && (generatorKeyId || keyIds.length > 0)),
      'a KMS keyring is either discovery or configured with keys, not both',
    )
    needs(discovery || discoveryFilter === undefined, 'discoveryFilter is only allowed with discovery: true')
    needs(
      generatorKeyId === undefined || isValidAwsKmsIdentifier(generatorKeyId),
      `generatorKeyId is not a valid AWS KMS identifier: ${String(generatorKeyId)}`,
    )
    for (const keyId of keyIds)
      needs(isValidAwsKmsIdentifier(keyId), `keyIds has an invalid AWS KMS identifier: ${String(keyId)}`)
    needs(
      grantTokens === undefined || (Array.isArray(grantTokens) && grantTokens.every((g) => typeof g === 'string')),
      'grantTokens must be strings',
    )
    needs(typeof clientProvider === 'function', 'clientProvider must be a function of a region')
    this.generatorKeyId = generatorKeyId
    this.keyIds = Object.freeze([...keyIds])
    this.grantTokens = grantTokens && Object.freeze([...grantTokens])
    this.clientProvider = clientProvider
    this.isDiscovery = Boolean(discovery)
    this.discoveryFilter = checkedDiscoveryFilter(discoveryFilter)
    Object.freeze(this)
  }

  /** EDK order is the configuration order: the generator's first (the official keyring does the same). */
  protected async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    // A discovery KmsKeyringNode adds nothing on encrypt, as the official one: a multi-keyring may hold it as a child.
    if (this.isDiscovery) return material
    const wrapping = [...this.keyIds]
    if (this.generatorKeyId !== undefined) {
      if (material.hasUnencryptedDataKey) wrapping.unshift(this.generatorKeyId)
      else await generateInto(material, this.client(this.generatorKeyId), this.generatorKeyId, this.grantTokens)
    }
    // Only the generator may create a data key; plain keyIds wrap one that already exists.
    if (!material.hasUnencryptedDataKey)
      throw new KeyringError('KmsKeyringNode without a generatorKeyId needs materials that already hold a data key')
    for (const keyId of wrapping) await encryptInto(material, this.client(keyId), keyId, this.grantTokens)
    return material
  }

  /**
   * Filters locally before any KMS call: provider id `aws-kms`; then either an exact configured key ARN
   * (aliases and bare ids never match, an EDK stores a key ARN) or, for discovery, the discovery
   * filter. EDKs whose region the client supplier refuses are skipped too.
   */
  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    const configured = new Set(this.generatorKeyId === undefined ? this.keyIds : [this.generatorKeyId, ...this.keyIds])
    const attempts: DecryptAttempt[] = []
    for (const { edk, arn } of kmsEdks(edks, 'KmsKeyringNode')) {
      const wanted = this.isDiscovery
        ? passesDiscoveryFilter(this.discoveryFilter, arn)
        : configured.has(edk.providerInfo)
      if (!wanted) continue
      const client = this.clientProvider(arn.region)
      if (client) attempts.push({ edk, keyId: edk.providerInfo, client })
    }
    return decryptFirst('KmsKeyringNode', material, attempts, edks.length - attempts.length, this.grantTokens)
  }

  /** Encrypt must reach every configured key: a refused region fails (the official keyring silently skips it). */
  private client(keyId: string): AwsEsdkKMSInterface {
    const client = this.clientProvider(regionOfIdentifier(keyId))
    if (!client) throw new KeyringError(`the clientProvider refused the region of configured key ${keyId}`)
    return client
  }
}
