// One-shot decryption: parse everything, get materials, then one backend call checks commitment, every tag and the signature before plaintext is released (client-apis/decrypt.md).
import { AuthenticationError, KeyringError, MalformedMessageError } from '../core/errors'
import { CommitmentPolicy, assertDecryptAllowed } from '../core/policy'
import { parseFooter } from '../format/body'
import { EncryptionContext, contextFromEntries, contextValue, hasContextKey, serializeContextEntries } from '../format/encryption-context'
import { MessageHeader, ParsedHeader, parseHeader } from '../format/header'
import { DecryptionRequest, NodeMaterialsManager } from '../materials/keyring'
import { KeyWrapSource, NodeDecryptionMaterial } from '../materials/materials'
import { VerificationKey } from '../materials/signature-keys'
import { CryptoBackend, OpenMessageInput } from '../backend/backend'
import { BodyTable, bodyTable } from '../backend/frame-table'

export interface DecryptSettings {
  readonly backend: CryptoBackend
  readonly commitmentPolicy: CommitmentPolicy
  readonly maxEncryptedDataKeys: number | false
}

export interface DecryptRequest {
  readonly cmm: NodeMaterialsManager
  readonly ciphertext: Buffer
  readonly reproducedEncryptionContext: EncryptionContext | undefined
  readonly maxBodySize: number | undefined
}

export interface DecryptOutput {
  readonly plaintext: Buffer
  readonly messageHeader: MessageHeader
}

export interface MessageLayout {
  readonly parsed: ParsedHeader
  readonly body: BodyTable
  readonly signature: Buffer | undefined
  /** Offset where the footer starts: header and body, what the signature covers. */
  readonly signedLength: number
}

const NO_BYTES = Buffer.alloc(0)
const EMPTY_CONTEXT: EncryptionContext = Object.freeze({})

/** Structure first, crypto second: a malformed message is refused before any key is touched. */
export function parseMessage(ciphertext: Buffer, settings: DecryptSettings, maxBodySize: number | undefined): MessageLayout {
  const result = parseHeader(ciphertext, { maxEncryptedDataKeys: settings.maxEncryptedDataKeys })
  if (!result.done) throw new MalformedMessageError('message header is truncated')
  const { header, suite } = result
  assertDecryptAllowed(settings.commitmentPolicy, suite)
  const body = bodyTable(ciphertext, result.headerLength, header.contentType, header.frameLength, { maxBodySize })
  let end = body.end
  let signature: Buffer | undefined
  if (suite.signature) {
    const footer = parseFooter(ciphertext, body.end)
    signature = footer.signature
    end = footer.end
  }
  // SPEC-NOTES 17: bytes after a complete message are refused, signed or not.
  if (end !== ciphertext.length) throw new MalformedMessageError(`${ciphertext.length - end} bytes follow the end of the message`)
  return { parsed: result, body, signature, signedLength: body.end }
}

export async function decryptMessage(settings: DecryptSettings, request: DecryptRequest): Promise<DecryptOutput> {
  const { cmm, ciphertext, reproducedEncryptionContext, maxBodySize } = request
  const layout = parseMessage(ciphertext, settings, maxBodySize)
  const materialsRequest = decryptionMaterialsRequest(settings, layout, reproducedEncryptionContext)
  // Raw keyrings answer without a promise; anything else (KMS) is awaited.
  const material = cmm.decryptMaterialsSync?.(materialsRequest) ?? (await cmm.decryptMaterials(materialsRequest))
  try {
    const opening = planOpen(settings, material, layout)
    const plaintext = allocatePlaintext(layout)
    const opened = settings.backend.openMessage(openInput(opening, material, layout, ciphertext, plaintext))
    // Unsigned small messages open synchronously: no microtask turn for a plain boolean.
    const authentic = typeof opened === 'boolean' ? opened : await opened
    if (!authentic) throw new AuthenticationError()
    return { plaintext, messageHeader: openedMessageHeader(opening, layout) }
  } finally {
    material.zeroUnencryptedDataKey()
  }
}

/** The CMM request for a parsed message. The backend's AES-GCM rides along for the keyrings (materials never import a backend). */
export function decryptionMaterialsRequest(
  settings: DecryptSettings,
  layout: MessageLayout,
  reproducedEncryptionContext: EncryptionContext | undefined,
): DecryptionRequest & KeyWrapSource {
  const { header, suite } = layout.parsed
  return {
    suite,
    encryptedDataKeys: header.encryptedDataKeys,
    encryptionContext: header.encryptionContext,
    reproducedEncryptionContext,
    commitmentPolicy: settings.commitmentPolicy,
    keyWrap: settings.backend.keyWrap,
  }
}

/** What the materials decide for every message they open: the authenticated-only context (serialized) and the verification key. */
export interface OpenPlan {
  readonly authenticatedOnly: EncryptionContext
  readonly extraAad: Buffer
  readonly verificationKey: VerificationKey | undefined
}

/** Checks the materials against the parsed message and the policy (decrypt.md). */
export function planOpen(settings: DecryptSettings, material: NodeDecryptionMaterial, layout: MessageLayout): OpenPlan {
  checkMaterials(material, layout.parsed, settings.commitmentPolicy)
  const authenticatedOnly = authenticatedOnlyContext(material, layout.parsed.header.encryptionContext)
  const verificationKey = layout.parsed.suite.signature ? material.verificationKeyForms : undefined
  if (layout.parsed.suite.signature && (!verificationKey || !layout.signature)) throw new AuthenticationError()
  return { authenticatedOnly, extraAad: authenticatedOnly === EMPTY_CONTEXT ? NO_BYTES : serializeContextEntries(authenticatedOnly), verificationKey }
}

/**
 * Unpooled (plaintext never shares the slab) and not zero-filled: the backend writes every byte, or
 * zeroes it all on failure.
 */
export function allocatePlaintext(layout: MessageLayout): Buffer {
  return Buffer.allocUnsafeSlow(layout.body.plaintextLength)
}

/** The backend's input for one parsed message. */
export function openInput(plan: OpenPlan, material: NodeDecryptionMaterial, layout: MessageLayout, ciphertext: Buffer, out: Buffer): OpenMessageInput {
  const { header, suite, headerBody, headerIv, headerAuthTag } = layout.parsed
  return {
    suite,
    dataKey: material.getUnencryptedDataKey(),
    messageId: header.messageId,
    headerBody,
    headerIv,
    headerAuthTag,
    extraAad: plan.extraAad,
    commitment: header.suiteData,
    body: layout.body,
    out,
    signature:
      plan.verificationKey && layout.signature
        ? { key: plan.verificationKey, signed: ciphertext.subarray(0, layout.signedLength), der: layout.signature }
        : undefined,
  }
}

/** The header reported for an opened message: with the authenticated-only pairs, which the caller supplied. */
export function openedMessageHeader(plan: OpenPlan, layout: MessageLayout): MessageHeader {
  const header = layout.parsed.header
  return plan.authenticatedOnly === EMPTY_CONTEXT
    ? header
    : Object.freeze({
        ...header,
        encryptionContext: contextFromEntries([...Object.entries(header.encryptionContext), ...Object.entries(plan.authenticatedOnly)]),
      })
}

/** decrypt.md: the materials must match the parsed suite and the policy, and carry a data key. */
function checkMaterials(material: NodeDecryptionMaterial, parsed: ParsedHeader, policy: CommitmentPolicy): void {
  if (material.suite.id !== parsed.suite.id) throw new KeyringError('the CMM returned materials for a different algorithm suite')
  assertDecryptAllowed(policy, material.suite)
  if (!material.hasUnencryptedDataKey) throw new KeyringError('the CMM returned no data key')
}

/** The reproduced pairs under required keys that the header does not store: authenticated by the header tag only. */
function authenticatedOnlyContext(material: NodeDecryptionMaterial, stored: EncryptionContext): EncryptionContext {
  if (material.requiredEncryptionContextKeys.length === 0) return EMPTY_CONTEXT
  const out: [string, string][] = []
  for (const key of material.requiredEncryptionContextKeys) {
    const value = contextValue(material.encryptionContext, key)
    if (value === undefined) throw new KeyringError(`required encryption context key "${key}" has no value`)
    if (!hasContextKey(stored, key)) out.push([key, value])
  }
  return out.length === 0 ? EMPTY_CONTEXT : contextFromEntries(out)
}
