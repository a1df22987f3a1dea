// One-shot encryption of a whole message: materials, then header serialization, then one backend call for the rest (client-apis/encrypt.md).
import { CommitmentPolicyError, InvalidArgumentError, KeyringError, LimitExceededError } from '../core/errors'
import { CommitmentPolicy, assertEncryptAllowed } from '../core/policy'
import { randomPublicBytes } from '../core/random'
import { AlgorithmSuite } from '../core/suites'
import { framedBodySize } from '../format/body'
import { EncryptionContext, contextFromEntries, serializeContextEntries } from '../format/encryption-context'
import { ContentType, MessageHeader, messageHeaderOf, planHeaderBody, writeHeaderBody } from '../format/header'
import { EncryptionRequest, NodeMaterialsManager } from '../materials/keyring'
import type { KeyringCryptoSource } from '../materials/keyring-crypto'
import { NodeEncryptionMaterial } from '../materials/materials'
import { SigningKeySource } from '../materials/signature-keys'
import { CryptoBackend, footerRoom } from '../backend/backend'

export interface EncryptSettings {
  readonly backend: CryptoBackend
  readonly commitmentPolicy: CommitmentPolicy
  readonly maxEncryptedDataKeys: number | false
}

export interface EncryptRequest {
  readonly cmm: NodeMaterialsManager
  readonly plaintext: Uint8Array
  readonly encryptionContext: EncryptionContext
  readonly suite: AlgorithmSuite | undefined
  readonly frameLength: number
}

export interface EncryptOutput {
  readonly result: Buffer
  readonly messageHeader: MessageHeader
}

const RESERVED_PREFIX = 'aws-crypto-'
/** Stands in for the v2 suite data until the backend writes the commitment over it. */
const COMMITMENT_PLACEHOLDER = Buffer.alloc(32)
const NO_BYTES = Buffer.alloc(0)
const EMPTY_CONTEXT: EncryptionContext = Object.freeze({})

export async function encryptMessage(settings: EncryptSettings, request: EncryptRequest): Promise<EncryptOutput> {
  const { backend, commitmentPolicy, maxEncryptedDataKeys } = settings
  const { cmm, plaintext, encryptionContext, suite: requestedSuite, frameLength } = request
  for (const key of Object.keys(encryptionContext)) {
    // encrypt.md: callers may not set reserved keys; the CMM adds the ones it owns.
    if (key.startsWith(RESERVED_PREFIX)) throw new InvalidArgumentError(`encryption context key "${key}" uses the reserved prefix ${RESERVED_PREFIX}`)
  }
  if (requestedSuite) assertEncryptAllowed(commitmentPolicy, requestedSuite)

  // The backend's signing keys and keyring crypto ride along for the default CMM (materials never import a backend).
  const materialsRequest: EncryptionRequest & SigningKeySource & KeyringCryptoSource = {
    suite: requestedSuite,
    encryptionContext,
    plaintextLength: plaintext.length,
    commitmentPolicy,
    signingKeys: backend.signingKeys,
    keyringCrypto: backend.keyringCrypto,
  }
  // Raw keyrings answer without a promise; anything else (KMS, signing keys) is awaited.
  const material = cmm.getEncryptionMaterialsSync?.(materialsRequest) ?? (await cmm.getEncryptionMaterials(materialsRequest))
  try {
    const suite = checkMaterials(material, requestedSuite, commitmentPolicy, maxEncryptedDataKeys)
    const messageId = randomPublicBytes(suite.messageIdLength)
    const { stored, authenticatedOnly } = splitContext(material)
    const v2 = suite.messageFormat === 2
    const fields = {
      suite,
      messageId,
      encryptionContext: stored,
      encryptedDataKeys: material.encryptedDataKeys,
      frameLength,
      suiteData: v2 ? COMMITMENT_PLACEHOLDER : undefined,
    }
    const plan = planHeaderBody(fields)
    const headerBodyLength = plan.size
    const headerAuthLength = v2 ? 16 : 28
    // One output at its final size: header, header auth, body, footer room; nothing is concatenated.
    const out = Buffer.allocUnsafe(headerBodyLength + headerAuthLength + framedBodySize(plaintext.length, frameLength).size + footerRoom(suite))
    writeHeaderBody(fields, plan, out)
    const sealed = backend.sealMessage({
      suite,
      dataKey: material.getUnencryptedDataKey(),
      messageId,
      out,
      headerBodyLength,
      extraAad: authenticatedOnly === EMPTY_CONTEXT ? NO_BYTES : serializeContextEntries(authenticatedOnly),
      plaintext,
      frameLength,
      signingKey: material.signatureKey,
    })
    // Small messages seal synchronously; awaiting a plain number would still cost a microtask turn.
    const length = typeof sealed === 'number' ? sealed : await sealed
    const result = length === out.length ? out : out.subarray(0, length)
    const messageHeader = messageHeaderOf({
      version: v2 ? 2 : 1,
      suiteId: suite.id,
      messageId,
      encryptionContext: stored,
      encryptedDataKeys: material.encryptedDataKeys.slice(),
      contentType: ContentType.FRAMED_DATA,
      frameLength,
      // A copy: `out` is the caller's to keep or reuse, the header is ours.
      suiteData: v2 ? Buffer.from(out.subarray(headerBodyLength - 32, headerBodyLength)) : undefined,
    })
    return { result, messageHeader }
  } finally {
    material.zeroUnencryptedDataKey()
  }
}

/** encrypt.md: the materials must honour the request and the policy before anything is written. */
function checkMaterials(
  material: NodeEncryptionMaterial,
  requested: AlgorithmSuite | undefined,
  policy: CommitmentPolicy,
  maxEncryptedDataKeys: number | false,
): AlgorithmSuite {
  const suite = material.suite
  if (requested && requested.id !== suite.id) throw new KeyringError('the CMM returned a different algorithm suite than requested')
  try {
    assertEncryptAllowed(policy, suite)
  } catch (e) {
    throw e instanceof CommitmentPolicyError ? new CommitmentPolicyError(`the CMM returned a suite the policy forbids: ${e.message}`) : e
  }
  if (!material.hasUnencryptedDataKey) throw new KeyringError('the CMM returned no data key')
  const count = material.encryptedDataKeys.length
  if (count === 0) throw new KeyringError('the CMM returned no encrypted data keys')
  if (maxEncryptedDataKeys !== false && count > maxEncryptedDataKeys) {
    throw new LimitExceededError(`maxEncryptedDataKeys exceeded. The CMM returned ${count} encrypted data keys, more than the maximum ${maxEncryptedDataKeys}`)
  }
  if (Boolean(suite.signature) !== Boolean(material.signatureKey)) throw new KeyringError('signing key does not match the suite')
  return suite
}

/** Pairs under required keys are authenticated in the header tag but not stored in the header. */
function splitContext(material: NodeEncryptionMaterial): { stored: EncryptionContext; authenticatedOnly: EncryptionContext } {
  if (material.requiredEncryptionContextKeys.length === 0) return { stored: material.encryptionContext, authenticatedOnly: EMPTY_CONTEXT }
  const required = new Set(material.requiredEncryptionContextKeys)
  const entries = Object.entries(material.encryptionContext)
  return {
    stored: contextFromEntries(entries.filter(([k]) => !required.has(k))),
    authenticatedOnly: contextFromEntries(entries.filter(([k]) => required.has(k))),
  }
}
