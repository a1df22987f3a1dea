// buildAwsKmsMrkAwareStrictMultiKeyringNode: a multi-keyring of MRK-aware keyrings, one per configured key, each with its region's client (aws-kms-mrk-multi-keyrings.md).
import { InvalidArgumentError, needs } from '../../core/errors'
import { MultiKeyringNode } from '../multi-keyring'
import { isValidAwsKmsIdentifier, regionOfIdentifier } from './arn'
import { getKmsClient } from './aws-sdk'
import { KmsClientSupplier } from './client-supplier'
import { AwsEsdkKMSInterface } from './kms-client'
import { AwsKmsMrkAwareSymmetricKeyringNode } from './mrk-keyring'
import { assertAwsKmsMrksAreUnique } from './mrk-unique'

export interface AwsKmsMrkAwareStrictMultiKeyringNodeInput {
  generatorKeyId?: string
  keyIds?: string[]
  /** Default: getKmsClient (an SDK v3 `KMS` client per region). */
  clientProvider?: KmsClientSupplier
  grantTokens?: string[]
}

/**
 * The spec text asks for key ARNs only; like the official builders this accepts any valid identifier
 * (an alias or bare id gets the supplier's default region, '', and can encrypt but never decrypt).
 * Two identifiers for one multi-Region key fail (aws-kms-mrk-are-unique.md "Implementation").
 */
export function buildAwsKmsMrkAwareStrictMultiKeyringNode({
  generatorKeyId,
  keyIds = [],
  clientProvider = getKmsClient,
  grantTokens,
}: AwsKmsMrkAwareStrictMultiKeyringNodeInput = {}): MultiKeyringNode {
  needs(Array.isArray(keyIds), 'keyIds must be an array')
  const all = generatorKeyId === undefined ? keyIds : [generatorKeyId, ...keyIds]
  needs(all.length > 0, 'set a generatorKeyId or at least one keyId')
  for (const id of all)
    needs(
      typeof id === 'string' && id !== '' && isValidAwsKmsIdentifier(id),
      `not a valid AWS KMS identifier: ${String(id)}`,
    )
  needs(typeof clientProvider === 'function', 'clientProvider must be a function of a region')
  assertAwsKmsMrksAreUnique(all)
  const keyring = (keyId: string): AwsKmsMrkAwareSymmetricKeyringNode =>
    new AwsKmsMrkAwareSymmetricKeyringNode({
      keyId,
      client: clientFor(clientProvider, regionOfIdentifier(keyId), keyId),
      grantTokens,
    })
  return new MultiKeyringNode({
    generator: generatorKeyId === undefined ? undefined : keyring(generatorKeyId),
    children: keyIds.map(keyring),
  })
}

function clientFor(clientProvider: KmsClientSupplier, region: string, what: string): AwsEsdkKMSInterface {
  const client = clientProvider(region)
  if (!client) throw new InvalidArgumentError(`the clientProvider gave no client for ${what}`)
  return client
}
