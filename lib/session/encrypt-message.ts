// One-shot encryption of a whole message: materials, then header serialization, then one backend call for the rest (client-apis/encrypt.md).
import { CommitmentPolicyError, InvalidArgumentError, KeyringError, LimitExceededError } from '../core/errors'
import { CommitmentPolicy, assertEncryptAllowed } from '../core/policy'
import { randomPublicBytes } from '../core/random'
import { AlgorithmSuite } from '../core/suites'
import { framedBodySize } from '../format/body'
import { EncryptionContext, contextFromEntries, serializeContextEntries } from '../format/encryption-context'
import { ContentType, EncryptedDataKey, HeaderBodyPlan, MessageHeader, messageHeaderOf, planHeaderBody, writeHeaderBody } from '../format/header'
import { EncryptionRequest, NodeMaterialsManager } from '../materials/keyring'
import { KeyWrapSource, NodeEncryptionMaterial, SigningKey } from '../materials/materials'
import { SigningKeySource } from '../materials/signature-keys'
import { CryptoBackend, SealMessageInput, footerRoom } from '../backend/backend'

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
/** Stand-ins for the message id while a header is only sized. */
const PLACEHOLDER_ID = { 16: Buffer.alloc(16), 32: Buffer.alloc(32) } as const

export async function encryptMessage(settings: EncryptSettings, request: EncryptRequest): Promise<EncryptOutput> {
  const { cmm, plaintext, encryptionContext, suite: requestedSuite, frameLength } = request
  const materialsRequest = encryptionMaterialsRequest(settings, encryptionContext, requestedSuite, plaintext.length)
  // Raw keyrings answer without a promise; anything else (KMS, signing keys) is awaited.
  const material = cmm.getEncryptionMaterialsSync?.(materialsRequest) ?? (await cmm.getEncryptionMaterials(materialsRequest))
  try {
    const plan = planMessages(settings, material, requestedSuite, frameLength)
    const messageId = randomPublicBytes(plan.suite.messageIdLength)
    // One output at its final size: header, header auth, body, footer room; nothing is concatenated.
    const out = Buffer.allocUnsafe(messageCapacity(plan, plaintext.length))
    writeMessageHeader(plan, messageId, out)
    const sealed = settings.backend.sealMessage(sealInput(plan, material, messageId, out, plaintext))
    // Small messages seal synchronously; awaiting a plain number would still cost a microtask turn.
    const length = typeof sealed === 'number' ? sealed : await sealed
    const result = length === out.length ? out : out.subarray(0, length)
    return { result, messageHeader: sealedMessageHeader(plan, messageId, out) }
  } finally {
    material.zeroUnencryptedDataKey()
  }
}

/**
 * The checks on the caller's side of a request (encrypt.md: no reserved context keys, a requested
 * suite the policy allows) and the request the CMM is asked. The backend's signing keys and AES-GCM
 * ride along for the default CMM (materials never import a backend).
 */
export function encryptionMaterialsRequest(
  settings: EncryptSettings,
  encryptionContext: EncryptionContext,
  requestedSuite: AlgorithmSuite | undefined,
  plaintextLength: number | undefined,
): EncryptionRequest & SigningKeySource & KeyWrapSource {
  for (const key of Object.keys(encryptionContext)) {
    // encrypt.md: callers may not set reserved keys; the CMM adds the ones it owns.
    if (key.startsWith(RESERVED_PREFIX)) throw new InvalidArgumentError(`encryption context key "${key}" uses the reserved prefix ${RESERVED_PREFIX}`)
  }
  if (requestedSuite) assertEncryptAllowed(settings.commitmentPolicy, requestedSuite)
  return {
    suite: requestedSuite,
    encryptionContext,
    plaintextLength,
    commitmentPolicy: settings.commitmentPolicy,
    signingKeys: settings.backend.signingKeys,
    keyWrap: settings.backend.keyWrap,
  }
}

/**
 * Everything that is the same for every message sealed under one materials answer: the checked
 * suite, the header fields and their plan, the authenticated-only context. Messages differ only in
 * their message id, commitment, header tag, body and footer.
 */
export interface MessagePlan {
  readonly suite: AlgorithmSuite
  readonly frameLength: number
  readonly stored: EncryptionContext
  readonly encryptedDataKeys: readonly EncryptedDataKey[]
  readonly header: HeaderBodyPlan
  readonly headerBodyLength: number
  readonly headerAuthLength: number
  /** Where the message id sits in the header body. */
  readonly messageIdOffset: number
  readonly extraAad: Buffer
  readonly signingKey: SigningKey | undefined
}

/** Checks the materials against the request and the policy (encrypt.md) and plans the messages they seal. */
export function planMessages(settings: EncryptSettings, material: NodeEncryptionMaterial, requestedSuite: AlgorithmSuite | undefined, frameLength: number): MessagePlan {
  const suite = checkMaterials(material, requestedSuite, settings.commitmentPolicy, settings.maxEncryptedDataKeys)
  const { stored, authenticatedOnly } = splitContext(material)
  const v2 = suite.messageFormat === 2
  const header = planHeaderBody(headerFields(suite, PLACEHOLDER_ID[suite.messageIdLength === 32 ? 32 : 16], stored, material.encryptedDataKeys, frameLength))
  return {
    suite,
    frameLength,
    stored,
    encryptedDataKeys: material.encryptedDataKeys,
    header,
    headerBodyLength: header.size,
    headerAuthLength: v2 ? 16 : 28,
    // Version (and v1's type byte) and the suite id come first (message-header.md).
    messageIdOffset: v2 ? 3 : 4,
    extraAad: authenticatedOnly === EMPTY_CONTEXT ? NO_BYTES : serializeContextEntries(authenticatedOnly),
    signingKey: material.signatureKey,
  }
}

/** Bytes one message's output takes: exact, plus the footer room of a signed suite (see footerRoom). */
export function messageCapacity(plan: MessagePlan, plaintextLength: number): number {
  return plan.headerBodyLength + plan.headerAuthLength + framedBodySize(plaintextLength, plan.frameLength).size + footerRoom(plan.suite)
}

/** Writes the header body for `messageId` at the start of `out` (v2: the commitment slot is a placeholder the backend overwrites). */
export function writeMessageHeader(plan: MessagePlan, messageId: Buffer, out: Buffer): void {
  writeHeaderBody(headerFields(plan.suite, messageId, plan.stored, plan.encryptedDataKeys, plan.frameLength), plan.header, out)
}

/** The backend's input for one message whose header body is already in `out`. */
export function sealInput(plan: MessagePlan, material: NodeEncryptionMaterial, messageId: Buffer, out: Buffer, plaintext: Uint8Array): SealMessageInput {
  return {
    suite: plan.suite,
    dataKey: material.getUnencryptedDataKey(),
    messageId,
    out,
    headerBodyLength: plan.headerBodyLength,
    extraAad: plan.extraAad,
    plaintext,
    frameLength: plan.frameLength,
    signingKey: plan.signingKey,
  }
}

/** The MessageHeader of a sealed message; `out` holds it (v2: the commitment the backend wrote). */
export function sealedMessageHeader(plan: MessagePlan, messageId: Buffer, out: Uint8Array): MessageHeader {
  const v2 = plan.suite.messageFormat === 2
  const end = plan.headerBodyLength
  return messageHeaderOf({
    version: v2 ? 2 : 1,
    suiteId: plan.suite.id,
    messageId,
    encryptionContext: plan.stored,
    encryptedDataKeys: plan.encryptedDataKeys.slice(),
    contentType: ContentType.FRAMED_DATA,
    frameLength: plan.frameLength,
    // A copy: `out` is the caller's to keep or reuse, the header is ours.
    suiteData: v2 ? Buffer.from(out.subarray(end - 32, end)) : undefined,
  })
}

function headerFields(suite: AlgorithmSuite, messageId: Buffer, stored: EncryptionContext, encryptedDataKeys: readonly EncryptedDataKey[], frameLength: number) {
  return { suite, messageId, encryptionContext: stored, encryptedDataKeys, frameLength, suiteData: suite.messageFormat === 2 ? COMMITMENT_PLACEHOLDER : undefined }
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
    throw new LimitExceededError(`the CMM returned ${count} encrypted data keys, more than the maximum ${maxEncryptedDataKeys}`)
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
