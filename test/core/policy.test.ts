// Commitment policies: default suites and the encrypt/decrypt permission matrix, checked against the spec and the official SDK.
import test from 'ava'
import * as official from '@aws-crypto/client-node'
import { CommitmentPolicyError } from '../../lib/core/errors'
import {
  CommitmentPolicy,
  assertDecryptAllowed,
  assertEncryptAllowed,
  defaultSuiteFor,
  isCommitmentPolicy,
} from '../../lib/core/policy'
import { ALL_SUITES } from '../../lib/core/suites'

const POLICIES = [
  CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
  CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
  CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
] as const
const COMMITTING = new Set([0x0478, 0x0578])

function allowed(fn: () => void): boolean {
  try {
    fn()
    return true
  } catch (e) {
    if (!(e instanceof CommitmentPolicyError)) throw e
    if (e.code !== 'COMMITMENT_POLICY') throw new Error('wrong code', { cause: e })
    return false
  }
}

function officialAllows(fn: () => void): boolean {
  try {
    fn()
    return true
  } catch {
    return false
  }
}

test('default suites: FORBID → 0x0378 (spec erratum, as every SDK does), REQUIRE_* → 0x0578', (t) => {
  t.is(defaultSuiteFor(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT), 0x0378)
  t.is(defaultSuiteFor(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT), 0x0578)
  t.is(defaultSuiteFor(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT), 0x0578)
  for (const p of POLICIES)
    t.is(defaultSuiteFor(p), official.CommitmentPolicySuites[p].defaultAlgorithmSuite as number, p)
})

test('encrypt: FORBID allows exactly the nine non-committing suites, REQUIRE_* exactly the two committing ones', (t) => {
  for (const policy of POLICIES) {
    for (const suite of ALL_SUITES) {
      const expected =
        policy === CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT ? !COMMITTING.has(suite.id) : COMMITTING.has(suite.id)
      t.is(
        allowed(() => assertEncryptAllowed(policy, suite)),
        expected,
        `${policy} 0x${suite.id.toString(16)}`,
      )
    }
  }
})

test('decrypt: only REQUIRE_ENCRYPT_REQUIRE_DECRYPT refuses, and only the non-committing suites', (t) => {
  for (const policy of POLICIES) {
    for (const suite of ALL_SUITES) {
      const expected = policy !== CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT || COMMITTING.has(suite.id)
      t.is(
        allowed(() => assertDecryptAllowed(policy, suite)),
        expected,
        `${policy} 0x${suite.id.toString(16)}`,
      )
    }
  }
})

test('the encrypt and decrypt matrices agree with the official CommitmentPolicySuites', (t) => {
  for (const policy of POLICIES) {
    for (const suite of ALL_SUITES) {
      const id = suite.id as number as official.AlgorithmSuiteIdentifier
      const label = `${policy} 0x${suite.id.toString(16)}`
      t.is(
        allowed(() => assertEncryptAllowed(policy, suite)),
        officialAllows(() => official.CommitmentPolicySuites.isEncryptEnabled(policy, id)),
        `encrypt ${label}`,
      )
      t.is(
        allowed(() => assertDecryptAllowed(policy, suite)),
        officialAllows(() => official.CommitmentPolicySuites.isDecryptEnabled(policy, id, 'message-id')),
        `decrypt ${label}`,
      )
    }
  }
})

test('isCommitmentPolicy accepts the three names only', (t) => {
  for (const p of POLICIES) t.true(isCommitmentPolicy(p))
  for (const v of ['', 'FORBID', 'require_encrypt_require_decrypt', undefined, null, 0, {}])
    t.false(isCommitmentPolicy(v), String(v))
})
