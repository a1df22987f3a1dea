// AWS KMS identifiers: ARN parsing and validation, and multi-Region key identification (framework/aws-kms/aws-kms-key-arn.md).
import { InvalidArgumentError } from '../../core/errors'

const KEY = 'key'
const ALIAS = 'alias'
const MRK_PREFIX = 'mrk-'

/** The parts of a valid AWS KMS ARN (aws-kms-key-arn.md#a-valid-aws-kms-arn). */
export interface AwsKmsArn {
  readonly partition: string
  readonly service: 'kms'
  readonly region: string
  readonly account: string
  readonly resourceType: 'key' | 'alias'
  readonly resourceId: string
}

/** A valid AWS KMS identifier (aws-kms-key-arn.md#a-valid-aws-kms-identifier): an ARN, an alias name or a bare key id. */
export type AwsKmsIdentifier =
  | { readonly kind: 'arn'; readonly arn: AwsKmsArn }
  | { readonly kind: 'alias'; readonly name: string }
  | { readonly kind: 'key-id'; readonly keyId: string }

/**
 * Parses a valid AWS KMS ARN, or returns undefined. The spec asks for exactly five `:` (the official
 * JS parser ignores anything after a sixth part; key ids and alias names never contain `:`).
 */
export function parseAwsKmsArn(value: unknown): AwsKmsArn | undefined {
  if (typeof value !== 'string') return undefined
  const parts = value.split(':')
  if (parts.length !== 6) return undefined
  const [literal, partition, service, region, account, resource] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  if (literal !== 'arn' || !partition || service !== 'kms' || !region || !account) return undefined
  // The resource splits at its first `/` only: later ones belong to the id (alias names may contain `/`).
  const slash = resource.indexOf('/')
  if (slash < 0) return undefined
  const resourceType = resource.slice(0, slash)
  const resourceId = resource.slice(slash + 1)
  if ((resourceType !== KEY && resourceType !== ALIAS) || !resourceId) return undefined
  return Object.freeze({ partition, service, region, account, resourceType, resourceId })
}

/** A valid AWS KMS ARN whose resource type is `key`: what KMS returns and what EDK provider info must be. */
export function parseAwsKmsKeyArn(value: unknown): AwsKmsArn | undefined {
  const arn = parseAwsKmsArn(value)
  return arn && arn.resourceType === KEY ? arn : undefined
}

/** Classifies any valid AWS KMS identifier; undefined when `value` is none of the three forms. */
export function parseAwsKmsIdentifier(value: unknown): AwsKmsIdentifier | undefined {
  if (typeof value !== 'string' || !value) return undefined
  if (value.startsWith('arn:')) {
    const arn = parseAwsKmsArn(value)
    return arn && { kind: 'arn', arn }
  }
  // A bare identifier is the resource section of an ARN (alias) or its resource id (key), so never has `:`.
  if (value.includes(':')) return undefined
  if (value.startsWith(`${ALIAS}/`)) return value.length > ALIAS.length + 1 ? { kind: 'alias', name: value } : undefined
  return value.includes('/') ? undefined : { kind: 'key-id', keyId: value }
}

export function isValidAwsKmsIdentifier(value: unknown): value is string {
  return parseAwsKmsIdentifier(value) !== undefined
}

/**
 * aws-kms-key-arn.md#identifying-an-an-aws-kms-multi-region-arn: true for a `key` ARN whose id starts
 * with `mrk-`, false for aliases and single-Region keys; an invalid ARN is an error.
 */
export function isMultiRegionAwsKmsArn(value: string | AwsKmsArn): boolean {
  const arn = typeof value === 'string' ? parseAwsKmsArn(value) : value
  if (!arn) throw new InvalidArgumentError(`not a valid AWS KMS ARN: ${String(value)}`)
  return arn.resourceType === KEY && arn.resourceId.startsWith(MRK_PREFIX)
}

/**
 * aws-kms-key-arn.md#identifying-an-an-aws-kms-multi-region-identifier: ARNs by their resource, aliases
 * never (an alias may be named `mrk-…`), bare ids when they start with `mrk-`.
 */
export function isMultiRegionAwsKmsIdentifier(value: string): boolean {
  if (value.startsWith('arn:')) return isMultiRegionAwsKmsArn(value)
  if (value.startsWith(`${ALIAS}/`)) return false
  return value.startsWith(MRK_PREFIX)
}

/** The region an identifier names, or '' for aliases and bare key ids (the client supplier's default region applies). */
export function regionOfIdentifier(value: string): string {
  return parseAwsKmsArn(value)?.region ?? ''
}

export function formatAwsKmsArn(arn: AwsKmsArn): string {
  return ['arn', arn.partition, arn.service, arn.region, arn.account, `${arn.resourceType}/${arn.resourceId}`].join(':')
}

/** The same multi-Region key in another region (aws-kms-mrk-discovery-keyring.md#ondecrypt, `KeyId`). */
export function multiRegionArnInRegion(arn: AwsKmsArn, region: string): string {
  if (!isMultiRegionAwsKmsArn(arn))
    throw new InvalidArgumentError('only a multi-Region key ARN can be moved to another region')
  return formatAwsKmsArn({ ...arn, region })
}
