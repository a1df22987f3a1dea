// The official SDK's policy tables and helpers by name: CommitmentPolicySuites, SignaturePolicy(Suites), getCompatibleCommitmentPolicy, MessageFormat.
import { needs } from './errors'
import { CommitmentPolicy } from './policy'
import { AlgorithmSuiteIdentifier, findSuite } from './suites'

export enum MessageFormat {
  V1 = 1,
  V2 = 2,
}

/** Whether decrypt may accept signed messages (decryptUnsignedMessageStream forbids them). */
export enum SignaturePolicy {
  ALLOW_ENCRYPT_ALLOW_DECRYPT = 'ALLOW_ENCRYPT_ALLOW_DECRYPT',
  ALLOW_ENCRYPT_FORBID_DECRYPT = 'ALLOW_ENCRYPT_FORBID_DECRYPT',
}

type SuiteTable = Readonly<Partial<Record<number, string>> & Record<string, number>>

/** The enum narrowed to the ids `keep` accepts, keeping both directions of the mapping, as the official tables do. */
function subset(keep: (id: AlgorithmSuiteIdentifier) => boolean): SuiteTable {
  const out: Record<string | number, string | number> = {}
  for (const [name, id] of Object.entries(AlgorithmSuiteIdentifier)) {
    if (typeof id === 'number' && keep(id)) {
      out[name] = id
      out[id] = name
    }
  }
  return Object.freeze(out) as SuiteTable
}

const isCommitting = (id: AlgorithmSuiteIdentifier): boolean => findSuite(id)?.commitment === true
const isSigning = (id: AlgorithmSuiteIdentifier): boolean => findSuite(id)?.signature !== undefined

export const NonCommittingAlgorithmSuiteIdentifier = subset((id) => !isCommitting(id))
export const CommittingAlgorithmSuiteIdentifier = subset(isCommitting)
export const NonSigningAlgorithmSuiteIdentifier = subset((id) => !isSigning(id))
const ALL = subset(() => true)

type SuiteLike = AlgorithmSuiteIdentifier | { id: AlgorithmSuiteIdentifier; name?: string }

function idOf(suite: SuiteLike): { id: AlgorithmSuiteIdentifier; name: string } {
  const id = typeof suite === 'object' ? suite.id : suite
  return { id, name: (typeof suite === 'object' && suite.name) || AlgorithmSuiteIdentifier[id] }
}

/** The official table: per policy the suites it lets encrypt and decrypt, its default, and the two checks (which throw the official message). */
export const CommitmentPolicySuites = Object.freeze({
  isEncryptEnabled(commitmentPolicy: CommitmentPolicy, suite?: SuiteLike): void {
    if (suite === undefined) return
    const { id, name } = idOf(suite)
    needs(
      CommitmentPolicySuites[commitmentPolicy].encryptEnabledSuites[id],
      `Configuration conflict. Cannot encrypt due to CommitmentPolicy ${commitmentPolicy} requiring only non-committed messages. Algorithm ID was ${name}. ` +
        'See: https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/troubleshooting-migration.html',
    )
  },
  isDecryptEnabled(commitmentPolicy: CommitmentPolicy, suite: SuiteLike, messageId: string): void {
    const { id, name } = idOf(suite)
    needs(
      CommitmentPolicySuites[commitmentPolicy].decryptEnabledSuites[id],
      `Configuration conflict. Cannot process message with ID ${messageId} due to CommitmentPolicy ${commitmentPolicy} requiring only committed messages. Algorithm ID was ${name}. ` +
        'See: https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/troubleshooting-migration.html',
    )
  },
  [CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT]: Object.freeze({
    encryptEnabledSuites: NonCommittingAlgorithmSuiteIdentifier,
    decryptEnabledSuites: ALL,
    defaultAlgorithmSuite: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
  }),
  [CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT]: Object.freeze({
    encryptEnabledSuites: CommittingAlgorithmSuiteIdentifier,
    decryptEnabledSuites: ALL,
    defaultAlgorithmSuite: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
  }),
  [CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT]: Object.freeze({
    encryptEnabledSuites: CommittingAlgorithmSuiteIdentifier,
    decryptEnabledSuites: CommittingAlgorithmSuiteIdentifier,
    defaultAlgorithmSuite: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
  }),
})

export const SignaturePolicySuites = Object.freeze({
  isDecryptEnabled(signaturePolicy: SignaturePolicy, suite: SuiteLike, messageId: string): void {
    const { id, name } = idOf(suite)
    const [method, kind] =
      signaturePolicy === SignaturePolicy.ALLOW_ENCRYPT_FORBID_DECRYPT
        ? ['decryptUnsignedMessageStream', 'un-signed']
        : ['decryptStream', 'signed']
    needs(
      SignaturePolicySuites[signaturePolicy].decryptEnabledSuites[id],
      `Configuration conflict. Cannot process message with ID ${messageId} due to client method ${method} requiring only ${kind} messages. Algorithm ID was ${name}. ` +
        'See: https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/concepts.html#digital-sigs',
    )
  },
  [SignaturePolicy.ALLOW_ENCRYPT_ALLOW_DECRYPT]: Object.freeze({
    decryptEnabledSuites: ALL,
    defaultAlgorithmSuite: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
  }),
  [SignaturePolicy.ALLOW_ENCRYPT_FORBID_DECRYPT]: Object.freeze({
    decryptEnabledSuites: NonSigningAlgorithmSuiteIdentifier,
    defaultAlgorithmSuite: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
  }),
})

/** The weakest policy under which `suiteId` can both encrypt and decrypt: REQUIRE_ENCRYPT_REQUIRE_DECRYPT for committing suites, else FORBID_ENCRYPT_ALLOW_DECRYPT. */
export function getCompatibleCommitmentPolicy(
  suiteId: AlgorithmSuiteIdentifier,
): CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT | CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT {
  return isCommitting(suiteId)
    ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
    : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
}
