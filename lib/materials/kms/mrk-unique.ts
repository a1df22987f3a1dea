// Refuses configurations that name one multi-Region key twice, since which replica to call would be ambiguous (framework/aws-kms/aws-kms-mrk-are-unique.md "Implementation").
import { InvalidArgumentError } from '../../core/errors'
import { isMultiRegionAwsKmsIdentifier, parseAwsKmsArn } from './arn'

/**
 * aws-kms-mrk-are-unique.md#implementation: succeeds when no two multi-Region identifiers share a
 * resource id; otherwise the error lists every identifier involved, not just the first pair.
 */
export function assertAwsKmsMrksAreUnique(identifiers: readonly string[]): void {
  const mrks = identifiers.filter(isMultiRegionAwsKmsIdentifier)
  const idOf = (identifier: string): string => parseAwsKmsArn(identifier)?.resourceId ?? identifier
  const counts = new Map<string, number>()
  for (const mrk of mrks) counts.set(idOf(mrk), (counts.get(idOf(mrk)) ?? 0) + 1)
  const duplicates = mrks.filter((mrk) => (counts.get(idOf(mrk)) ?? 0) > 1)
  if (duplicates.length > 0) {
    throw new InvalidArgumentError(`related multi-Region keys are not allowed together: ${duplicates.join(', ')}`)
  }
}
