// Commitment policies and the suite rules they impose (client-apis/client.md, encrypt.md, decrypt.md).
import { CommitmentPolicyError } from './errors'
import { AlgorithmSuite, AlgorithmSuiteIdentifier } from './suites'

export enum CommitmentPolicy {
  FORBID_ENCRYPT_ALLOW_DECRYPT = 'FORBID_ENCRYPT_ALLOW_DECRYPT',
  REQUIRE_ENCRYPT_ALLOW_DECRYPT = 'REQUIRE_ENCRYPT_ALLOW_DECRYPT',
  REQUIRE_ENCRYPT_REQUIRE_DECRYPT = 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT',
}

export function isCommitmentPolicy(value: unknown): value is CommitmentPolicy {
  return typeof value === 'string' && Object.values<string>(CommitmentPolicy).includes(value)
}

/**
 * The default suite for a policy. Under FORBID every official SDK defaults to 0x0378; the spec
 * text's 0x0078 is an erratum (framework/commitment-policy.md "ESDK.FORBID_ENCRYPT_ALLOW_DECRYPT").
 */
export function defaultSuiteFor(policy: CommitmentPolicy): AlgorithmSuiteIdentifier {
  return policy === CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
    ? AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384
    : AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384
}

export function assertEncryptAllowed(policy: CommitmentPolicy, suite: AlgorithmSuite): void {
  const requireCommit = policy !== CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
  if (requireCommit !== suite.commitment) {
    // The official SDK's wording (material-management CommitmentPolicySuites), which callers match on.
    throw new CommitmentPolicyError(
      `Configuration conflict. Cannot encrypt due to CommitmentPolicy ${policy} requiring only ${requireCommit ? 'committed' : 'non-committed'} messages. ` +
        `Algorithm ID was ${AlgorithmSuiteIdentifier[suite.id]}: commitment policy ${policy} does not allow encrypting with suite 0x${hex4(suite.id)}`,
    )
  }
}

export function assertDecryptAllowed(policy: CommitmentPolicy, suite: AlgorithmSuite): void {
  if (policy === CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT && !suite.commitment) {
    throw new CommitmentPolicyError(
      `Configuration conflict. Cannot process message due to CommitmentPolicy ${policy} requiring only committed messages. ` +
        `Algorithm ID was ${AlgorithmSuiteIdentifier[suite.id]}: commitment policy ${policy} does not allow decrypting suite 0x${hex4(suite.id)} (no key commitment)`,
    )
  }
}

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0')
}
