// The steps every encryption takes before its body, in order: caller checks, materials from the CMM, their checks, the message id and header fields (client-apis/encrypt.md).
import { CommitmentPolicyError, InvalidArgumentError, KeyringError, LimitExceededError } from '../core/errors'
import { CommitmentPolicy, assertEncryptAllowed } from '../core/policy'
import { randomPublicBytes } from '../core/random'
import { AlgorithmSuite } from '../core/suites'
import { EncryptionContext, contextFromEntries, serializeContextEntries } from '../format/encryption-context'
import { ContentType, HeaderFields, MessageHeader, messageHeaderOf } from '../format/header'
import { EncryptionRequest, NodeMaterialsManager } from '../materials/keyring'
import type { KeyringCryptoSource } from '../materials/keyring-crypto'
import { NodeEncryptionMaterial } from '../materials/materials'
import { SigningKeySource } from '../materials/signature-keys'
import { CryptoBackend } from '../backend/backend'

export interface EncryptSettings {
  readonly backend: CryptoBackend
  readonly commitmentPolicy: CommitmentPolicy
  readonly maxEncryptedDataKeys: number | false
}

export interface MaterialsInput {
  readonly cmm: NodeMaterialsManager
  readonly encryptionContext: EncryptionContext
  readonly suite: AlgorithmSuite | undefined
  /** Known for a one-shot encrypt; a stream's declared bound, or undefined (encrypt.md "Max Plaintext Length"). */
  readonly plaintextLength: number | undefined
}

const RESERVED_PREFIX = 'aws-crypto-'
/** Stands in for the v2 suite data until the backend writes the commitment over it. */
const COMMITMENT_PLACEHOLDER = Buffer.alloc(32)
const NO_BYTES = Buffer.alloc(0)
const EMPTY_CONTEXT: EncryptionContext = Object.freeze({})

/** The caller's checks, then the CMM's materials: synchronous when the CMM can answer without a promise (raw keyrings), else awaited. */
export function encryptionMaterials(
  settings: EncryptSettings,
  input: MaterialsInput,
): NodeEncryptionMaterial | Promise<NodeEncryptionMaterial> {
  const request = encryptionRequest(settings, input)
  return input.cmm.getEncryptionMaterialsSync?.(request) ?? input.cmm.getEncryptionMaterials(request)
}

/** The caller's checks (encrypt.md: no reserved context keys, a requested suite the policy allows), then the request the CMM is asked. */
export function encryptionRequest(
  settings: EncryptSettings,
  input: Omit<MaterialsInput, 'cmm'>,
): EncryptionRequest & SigningKeySource & KeyringCryptoSource {
  const { backend, commitmentPolicy } = settings
  const { encryptionContext, suite, plaintextLength } = input
  for (const key of Object.keys(encryptionContext)) {
    // encrypt.md: callers may not set reserved keys; the CMM adds the ones it owns.
    if (key.startsWith(RESERVED_PREFIX))
      throw new InvalidArgumentError(`encryption context key "${key}" uses the reserved prefix ${RESERVED_PREFIX}`)
  }
  if (suite) assertEncryptAllowed(commitmentPolicy, suite)
  // The backend's signing keys and keyring crypto ride along for the default CMM (materials never import a backend).
  return {
    suite,
    encryptionContext,
    plaintextLength,
    commitmentPolicy,
    signingKeys: backend.signingKeys,
    keyringCrypto: backend.keyringCrypto,
  }
}

/** What the header of a message under `material` holds, and the authenticated-only context its tag also covers. */
export interface HeaderSetup {
  readonly suite: AlgorithmSuite
  readonly messageId: Buffer
  readonly fields: HeaderFields
  /** Serialized pairs under required keys: in the header tag's AAD, not in the header. */
  readonly extraAad: Buffer
}

/** encrypt.md: the materials must honour the request and the policy before anything is written; then a fresh message id. */
export function headerSetup(
  settings: EncryptSettings,
  material: NodeEncryptionMaterial,
  requested: AlgorithmSuite | undefined,
  frameLength: number,
): HeaderSetup {
  const suite = checkMaterials(material, requested, settings.commitmentPolicy, settings.maxEncryptedDataKeys)
  return setupFor(suite, randomPublicBytes(suite.messageIdLength), material, frameLength)
}

/**
 * headerSetup for the many messages of a batch under one material: the checks and fields once,
 * with a zero message id; each message then takes its own (drawn together for the batch).
 */
export function sharedHeaderSetup(
  settings: EncryptSettings,
  material: NodeEncryptionMaterial,
  requested: AlgorithmSuite | undefined,
  frameLength: number,
): HeaderSetup {
  const suite = checkMaterials(material, requested, settings.commitmentPolicy, settings.maxEncryptedDataKeys)
  return setupFor(suite, Buffer.alloc(suite.messageIdLength), material, frameLength)
}

function setupFor(
  suite: AlgorithmSuite,
  messageId: Buffer,
  material: NodeEncryptionMaterial,
  frameLength: number,
): HeaderSetup {
  const { stored, authenticatedOnly } = splitContext(material)
  const fields: HeaderFields = {
    suite,
    messageId,
    encryptionContext: stored,
    encryptedDataKeys: material.encryptedDataKeys,
    frameLength,
    suiteData: suite.messageFormat === 2 ? COMMITMENT_PLACEHOLDER : undefined,
  }
  return {
    suite,
    messageId,
    fields,
    extraAad: authenticatedOnly === EMPTY_CONTEXT ? NO_BYTES : serializeContextEntries(authenticatedOnly),
  }
}

/** The messageHeader a caller gets: `commitment` is copied (the output is the caller's to keep or reuse, the header is ours). */
export function messageHeaderFor(
  setup: HeaderSetup,
  material: NodeEncryptionMaterial,
  commitment: Uint8Array | undefined,
): MessageHeader {
  const { suite, messageId, fields } = setup
  return messageHeaderOf({
    version: suite.messageFormat === 2 ? 2 : 1,
    suiteId: suite.id,
    messageId,
    encryptionContext: fields.encryptionContext,
    encryptedDataKeys: material.encryptedDataKeys.slice(),
    contentType: ContentType.FRAMED_DATA,
    frameLength: fields.frameLength,
    suiteData: commitment ? Buffer.from(commitment) : undefined,
  })
}

function checkMaterials(
  material: NodeEncryptionMaterial,
  requested: AlgorithmSuite | undefined,
  policy: CommitmentPolicy,
  maxEncryptedDataKeys: number | false,
): AlgorithmSuite {
  const suite = material.suite
  if (requested && requested.id !== suite.id)
    throw new KeyringError('the CMM returned a different algorithm suite than requested')
  try {
    assertEncryptAllowed(policy, suite)
  } catch (e) {
    throw e instanceof CommitmentPolicyError
      ? new CommitmentPolicyError(`the CMM returned a suite the policy forbids: ${e.message}`)
      : e
  }
  if (!material.hasUnencryptedDataKey) throw new KeyringError('the CMM returned no data key')
  const count = material.encryptedDataKeys.length
  if (count === 0) throw new KeyringError('the CMM returned no encrypted data keys')
  if (maxEncryptedDataKeys !== false && count > maxEncryptedDataKeys) {
    throw new LimitExceededError(
      `maxEncryptedDataKeys exceeded. The CMM returned ${count} encrypted data keys, more than the maximum ${maxEncryptedDataKeys}`,
    )
  }
  if (Boolean(suite.signature) !== Boolean(material.signatureKey))
    throw new KeyringError('signing key does not match the suite')
  return suite
}

/** Pairs under required keys are authenticated in the header tag but not stored in the header. */
function splitContext(material: NodeEncryptionMaterial): {
  stored: EncryptionContext
  authenticatedOnly: EncryptionContext
} {
  if (material.requiredEncryptionContextKeys.length === 0)
    return { stored: material.encryptionContext, authenticatedOnly: EMPTY_CONTEXT }
  const required = new Set(material.requiredEncryptionContextKeys)
  const entries = Object.entries(material.encryptionContext)
  return {
    stored: contextFromEntries(entries.filter(([k]) => !required.has(k))),
    authenticatedOnly: contextFromEntries(entries.filter(([k]) => required.has(k))),
  }
}
