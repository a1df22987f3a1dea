// Discovery filters: a partition and the accounts whose keys a discovery keyring may ask KMS to use (framework/aws-kms/aws-kms-discovery-keyring.md "Initialization", "OnDecrypt").
import { needs } from '../../core/errors'
import { AwsKmsArn } from './arn'

/** The official option shape: `{ partition, accountIDs }`. */
export interface DiscoveryFilter {
  readonly partition: string
  readonly accountIDs: readonly string[]
}

/** A frozen copy; a filter that can match nothing ([], [''], no partition) is refused at construction. */
export function checkedDiscoveryFilter(filter: DiscoveryFilter | undefined): DiscoveryFilter | undefined {
  if (filter === undefined) return undefined
  needs(
    typeof filter === 'object' &&
      filter !== null &&
      typeof filter.partition === 'string' &&
      filter.partition !== '' &&
      Array.isArray(filter.accountIDs) &&
      filter.accountIDs.length > 0 &&
      filter.accountIDs.every((a) => typeof a === 'string' && a !== ''),
    'a discovery filter needs a partition and at least one account ID',
  )
  return Object.freeze({ partition: filter.partition, accountIDs: Object.freeze(filter.accountIDs.slice()) })
}

/** aws-kms-discovery-keyring.md#ondecrypt: partition equal and account listed; no filter passes everything. */
export function passesDiscoveryFilter(filter: DiscoveryFilter | undefined, arn: AwsKmsArn): boolean {
  return filter === undefined || (filter.partition === arn.partition && filter.accountIDs.includes(arn.account))
}
