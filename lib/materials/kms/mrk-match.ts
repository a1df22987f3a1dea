// Whether a configured key identifier may decrypt an EDK's key ARN, treating related multi-Region keys as one (framework/aws-kms/aws-kms-mrk-match-for-decrypt.md).
import { isMultiRegionAwsKmsArn, parseAwsKmsArn } from './arn'

/**
 * aws-kms-mrk-match-for-decrypt.md#implementation: identical identifiers match; otherwise both must be
 * multi-Region key ARNs equal in every part except the region. Aliases and bare ids never match a
 * different string, because an EDK always stores a key ARN.
 */
export function mrkAwareAwsKmsKeyIdCompare(keyId1: string, keyId2: string): boolean {
  if (keyId1 === keyId2) return true
  const a = parseAwsKmsArn(keyId1)
  const b = parseAwsKmsArn(keyId2)
  if (!a || !b || !isMultiRegionAwsKmsArn(a) || !isMultiRegionAwsKmsArn(b)) return false
  return (
    a.partition === b.partition &&
    a.service === b.service &&
    a.account === b.account &&
    a.resourceType === b.resourceType &&
    a.resourceId === b.resourceId
  )
}
