// buildAwsKmsMrkAwareDiscoveryMultiKeyringNode: one MRK-aware discovery keyring per listed region, as children of a multi-keyring (aws-kms-mrk-multi-keyrings.md).
import { InvalidArgumentError, needs } from '../../core/errors'
import { MultiKeyringNode } from '../multi-keyring'
import { getKmsClient } from './aws-sdk'
import { KmsClientSupplier } from './client-supplier'
import { DiscoveryFilter } from './discovery-filter'
import { AwsKmsMrkAwareSymmetricDiscoveryKeyringNode } from './mrk-discovery-keyring'

export interface AwsKmsMrkAwareDiscoveryMultiKeyringNodeInput {
  regions: string[]
  discoveryFilter?: DiscoveryFilter
  /** Default: getKmsClient (an SDK v3 `KMS` client per region). */
  clientProvider?: KmsClientSupplier
  grantTokens?: string[]
}

export function buildAwsKmsMrkAwareDiscoveryMultiKeyringNode({
  regions,
  discoveryFilter,
  clientProvider = getKmsClient,
  grantTokens,
}: AwsKmsMrkAwareDiscoveryMultiKeyringNodeInput): MultiKeyringNode {
  needs(Array.isArray(regions) && regions.length > 0, 'configure at least one region')
  needs(
    regions.every((r) => typeof r === 'string' && r !== ''),
    'regions must not contain an empty or non-string region',
  )
  needs(typeof clientProvider === 'function', 'clientProvider must be a function of a region')
  const children = regions.map((region) => {
    const client = clientProvider(region)
    if (!client) throw new InvalidArgumentError(`the clientProvider gave no client for region ${region}`)
    return new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({ client, discoveryFilter, grantTokens })
  })
  return new MultiKeyringNode({ children })
}
