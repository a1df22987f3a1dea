// ARN parsing, identifier validation, multi-Region identification, MRK match and MRK uniqueness, with the spec's examples (aws-kms-key-arn.md, aws-kms-mrk-match-for-decrypt.md, aws-kms-mrk-are-unique.md).
import test from 'ava'
import { InvalidArgumentError } from '../../lib/core/errors'
import {
  formatAwsKmsArn,
  isMultiRegionAwsKmsArn,
  isMultiRegionAwsKmsIdentifier,
  isValidAwsKmsIdentifier,
  multiRegionArnInRegion,
  parseAwsKmsArn,
  parseAwsKmsIdentifier,
  parseAwsKmsKeyArn,
  regionOfIdentifier,
} from '../../lib/materials/kms/arn'
import { mrkAwareAwsKmsKeyIdCompare } from '../../lib/materials/kms/mrk-match'
import { assertAwsKmsMrksAreUnique } from '../../lib/materials/kms/mrk-unique'

// aws-kms-key-arn.md#aws-kms-multi-region-keys: the six identifier forms.
const KEY_ARN = 'arn:aws:kms:us-east-1:2222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab'
const MRK_ARN = 'arn:aws:kms:us-east-1:2222222222222:key/mrk-4321abcd12ab34cd56ef1234567890ab'
const ALIAS_ARN = 'arn:aws:kms:us-west-2:111122223333:alias/test-key'
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab'
const MRK_ID = 'mrk-4321abcd12ab34cd56ef1234567890ab'
const ALIAS = 'alias/test-key'

test('a valid ARN parses into its six parts', (t) => {
  t.deepEqual(parseAwsKmsArn(KEY_ARN), {
    partition: 'aws',
    service: 'kms',
    region: 'us-east-1',
    account: '2222222222222',
    resourceType: 'key',
    resourceId: '1234abcd-12ab-34cd-56ef-1234567890ab',
  })
  t.is(parseAwsKmsArn(ALIAS_ARN)?.resourceType, 'alias')
  t.is(parseAwsKmsArn('arn:aws-cn:kms:cn-north-1:111122223333:key/k')?.partition, 'aws-cn')
})

test('the resource splits at the first "/" only: later ones belong to the id', (t) => {
  t.is(parseAwsKmsArn('arn:aws:kms:us-west-2:111122223333:alias/team/app/key')?.resourceId, 'team/app/key')
})

test('every rule of aws-kms-key-arn.md#a-valid-aws-kms-arn rejects its violation', (t) => {
  const invalid: Array<[string, string]> = [
    ['aws:kms:us-east-1:2222222222222:key/abc:x', 'must start with "arn"'],
    ['arn::kms:us-east-1:2222222222222:key/abc', 'partition must be non-empty'],
    ['arn:aws:sqs:us-east-1:2222222222222:key/abc', 'service must be kms'],
    ['arn:aws:KMS:us-east-1:2222222222222:key/abc', 'service is case-sensitive'],
    ['arn:aws:kms::2222222222222:key/abc', 'region must be non-empty'],
    ['arn:aws:kms:us-east-1::key/abc', 'account must be non-empty'],
    ['arn:aws:kms:us-east-1:2222222222222:', 'resource must be non-empty'],
    ['arn:aws:kms:us-east-1:2222222222222:key', 'resource needs a "/"'],
    ['arn:aws:kms:us-east-1:2222222222222:grant/abc', 'resource type is key or alias'],
    ['arn:aws:kms:us-east-1:2222222222222:key/', 'resource id must be non-empty'],
    ['arn:aws:kms:us-east-1:2222222222222:alias/', 'alias name must be non-empty'],
    ['arn:aws:kms:us-east-1:2222222222222:key/abc:extra', 'exactly five ":"'],
    ['arn:aws:kms:us-east-1:2222222222222', 'too few parts'],
    ['', 'empty'],
  ]
  for (const [value, why] of invalid) t.is(parseAwsKmsArn(value), undefined, why)
  t.is(parseAwsKmsArn(42), undefined)
})

test('a key ARN is a valid ARN with resource type "key"', (t) => {
  t.truthy(parseAwsKmsKeyArn(KEY_ARN))
  t.truthy(parseAwsKmsKeyArn(MRK_ARN))
  t.is(parseAwsKmsKeyArn(ALIAS_ARN), undefined)
  t.is(parseAwsKmsKeyArn(KEY_ID), undefined)
})

test('valid identifiers: ARNs, alias names and bare key ids (aws-kms-key-arn.md#a-valid-aws-kms-identifier)', (t) => {
  t.is(parseAwsKmsIdentifier(KEY_ARN)?.kind, 'arn')
  t.is(parseAwsKmsIdentifier(ALIAS_ARN)?.kind, 'arn')
  t.deepEqual(parseAwsKmsIdentifier(ALIAS), { kind: 'alias', name: ALIAS })
  t.deepEqual(parseAwsKmsIdentifier(KEY_ID), { kind: 'key-id', keyId: KEY_ID })
  t.deepEqual(parseAwsKmsIdentifier(MRK_ID), { kind: 'key-id', keyId: MRK_ID })
  for (const bad of ['', 'alias/', 'arn:aws:kms:us-east-1:2222222222222:key/', 'key/abc', 'a:b', 'arn:nope']) {
    t.false(isValidAwsKmsIdentifier(bad), bad)
  }
  t.false(isValidAwsKmsIdentifier(undefined))
})

test('identifying a multi-Region ARN (aws-kms-key-arn.md#identifying-an-an-aws-kms-multi-region-arn)', (t) => {
  t.true(isMultiRegionAwsKmsArn(MRK_ARN))
  t.false(isMultiRegionAwsKmsArn(KEY_ARN))
  t.false(isMultiRegionAwsKmsArn(ALIAS_ARN))
  t.false(
    isMultiRegionAwsKmsArn('arn:aws:kms:us-west-2:111122223333:alias/mrk-looks-like-one'),
    'an alias named mrk-… is not an MRK',
  )
  t.throws(() => isMultiRegionAwsKmsArn(MRK_ID), { instanceOf: InvalidArgumentError }, 'an invalid ARN is an error')
})

test('identifying a multi-Region identifier (aws-kms-key-arn.md#identifying-an-an-aws-kms-multi-region-identifier)', (t) => {
  t.true(isMultiRegionAwsKmsIdentifier(MRK_ARN))
  t.true(isMultiRegionAwsKmsIdentifier(MRK_ID))
  t.false(isMultiRegionAwsKmsIdentifier(KEY_ARN))
  t.false(isMultiRegionAwsKmsIdentifier(KEY_ID))
  t.false(isMultiRegionAwsKmsIdentifier(ALIAS))
  t.false(isMultiRegionAwsKmsIdentifier('alias/mrk-alias'))
  t.false(isMultiRegionAwsKmsIdentifier(ALIAS_ARN))
  t.throws(() => isMultiRegionAwsKmsIdentifier('arn:not-valid'), { instanceOf: InvalidArgumentError })
})

test('region of an identifier: from an ARN, empty for aliases and bare ids', (t) => {
  t.is(regionOfIdentifier(KEY_ARN), 'us-east-1')
  t.is(regionOfIdentifier(ALIAS_ARN), 'us-west-2')
  t.is(regionOfIdentifier(ALIAS), '')
  t.is(regionOfIdentifier(MRK_ID), '')
})

test('an MRK ARN moved to another region changes only the region; other ARNs refuse', (t) => {
  const arn = parseAwsKmsArn(MRK_ARN)
  if (!arn) return t.fail()
  t.is(
    multiRegionArnInRegion(arn, 'eu-west-1'),
    'arn:aws:kms:eu-west-1:2222222222222:key/mrk-4321abcd12ab34cd56ef1234567890ab',
  )
  t.is(formatAwsKmsArn(arn), MRK_ARN)
  const single = parseAwsKmsArn(KEY_ARN)
  if (!single) return t.fail()
  t.throws(() => multiRegionArnInRegion(single, 'eu-west-1'), { instanceOf: InvalidArgumentError })
})

test('MRK match for decrypt (aws-kms-mrk-match-for-decrypt.md#implementation)', (t) => {
  const west = MRK_ARN.replace('us-east-1', 'us-west-2')
  t.true(mrkAwareAwsKmsKeyIdCompare(KEY_ARN, KEY_ARN), 'identical identifiers match')
  t.true(mrkAwareAwsKmsKeyIdCompare(ALIAS, ALIAS), 'identical, even when not ARNs')
  t.true(mrkAwareAwsKmsKeyIdCompare(MRK_ARN, west), 'replicas match: the region is ignored')
  t.false(
    mrkAwareAwsKmsKeyIdCompare(KEY_ARN, KEY_ARN.replace('us-east-1', 'us-west-2')),
    'single-Region keys in two regions are different keys',
  )
  t.false(mrkAwareAwsKmsKeyIdCompare(MRK_ARN, MRK_ARN.replace('2222222222222', '3333333333333')), 'account differs')
  t.false(mrkAwareAwsKmsKeyIdCompare(MRK_ARN, MRK_ARN.replace('arn:aws:', 'arn:aws-cn:')), 'partition differs')
  t.false(mrkAwareAwsKmsKeyIdCompare(MRK_ARN, MRK_ARN.replace('mrk-4321', 'mrk-9999')), 'resource differs')
  t.false(mrkAwareAwsKmsKeyIdCompare(MRK_ID, MRK_ARN), 'a bare MRK id is not an ARN, so it never matches a stored ARN')
  t.false(
    mrkAwareAwsKmsKeyIdCompare(
      'arn:aws:kms:us-west-2:2222222222222:alias/mrk-4321abcd12ab34cd56ef1234567890ab',
      MRK_ARN,
    ),
    'an alias is not an MRK',
  )
})

test('MRKs are unique: duplicates fail and the error lists every one (aws-kms-mrk-are-unique.md)', (t) => {
  t.notThrows(
    () => assertAwsKmsMrksAreUnique([KEY_ARN, KEY_ARN.replace('us-east-1', 'us-west-2'), ALIAS, KEY_ID]),
    'no MRKs',
  )
  t.notThrows(
    () => assertAwsKmsMrksAreUnique([MRK_ARN, MRK_ARN.replace('mrk-4321', 'mrk-9999'), KEY_ARN]),
    'distinct MRKs',
  )
  const west = MRK_ARN.replace('us-east-1', 'us-west-2')
  const error = t.throws(
    () => assertAwsKmsMrksAreUnique([MRK_ARN, KEY_ARN, west, MRK_ID, 'alias/mrk-4321abcd12ab34cd56ef1234567890ab']),
    {
      instanceOf: InvalidArgumentError,
    },
  )
  for (const dup of [MRK_ARN, west, MRK_ID]) t.true(error?.message.includes(dup), dup)
  t.false(error?.message.includes(KEY_ARN))
  t.false(error?.message.includes('alias/'), 'an alias named mrk-… is not a duplicate')
})
