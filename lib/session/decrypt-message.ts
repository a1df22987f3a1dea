// One-shot decryption: parse everything, get materials, then one backend call checks commitment, every tag and the signature before plaintext is released (client-apis/decrypt.md).
import { AuthenticationError, KeyringError, MalformedMessageError } from '../core/errors'
import { CommitmentPolicy, assertDecryptAllowed } from '../core/policy'
import { parseFooter } from '../format/body'
import { EncryptionContext, contextFromEntries, contextValue, hasContextKey, serializeContextEntries } from '../format/encryption-context'
import { MessageHeader, ParsedHeader, parseHeader } from '../format/header'
import { DecryptionRequest, NodeMaterialsManager } from '../materials/keyring'
import type { KeyringCryptoSource } from '../materials/keyring-crypto'
import { NodeDecryptionMaterial } from '../materials/materials'
import { CryptoBackend } from '../backend/backend'
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

interface MessageLayout {
  readonly parsed: ParsedHeader
  readonly body: BodyTable
  readonly signature: Buffer | undefined
  /** Offset where the footer starts: header and body, what the signature covers. */
  readonly signedLength: number
}

const NO_BYTES = Buffer.alloc(0)
const EMPTY_CONTEXT: EncryptionContext = Object.freeze({})

/** Structure first, crypto second: a malformed message is refused before any key is touched. */
function parseMessage(ciphertext: Buffer, settings: DecryptSettings, maxBodySize: number | undefined): MessageLayout {
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
  const { backend, commitmentPolicy } = settings
  const { cmm, ciphertext, reproducedEncryptionContext, maxBodySize } = request
  const layout = parseMessage(ciphertext, settings, maxBodySize)
  const { header, suite, headerBody, headerIv, headerAuthTag } = layout.parsed

  // The backend's keyring crypto rides along for the keyrings (materials never import a backend).
  const materialsRequest: DecryptionRequest & KeyringCryptoSource = {
    suite,
    encryptedDataKeys: header.encryptedDataKeys,
    encryptionContext: header.encryptionContext,
    reproducedEncryptionContext,
    commitmentPolicy,
    keyringCrypto: backend.keyringCrypto,
  }
  // Raw keyrings answer without a promise; anything else (KMS) is awaited.
  const material = cmm.decryptMaterialsSync?.(materialsRequest) ?? (await cmm.decryptMaterials(materialsRequest))
  try {
    checkMaterials(material, layout.parsed, commitmentPolicy)
    const authenticatedOnly = authenticatedOnlyContext(material, header.encryptionContext)
    let signature: { key: NonNullable<NodeDecryptionMaterial['verificationKeyForms']>; signed: Buffer; der: Buffer } | undefined
    if (suite.signature) {
      const key = material.verificationKeyForms
      if (!key || !layout.signature) throw new AuthenticationError()
      signature = { key, signed: ciphertext.subarray(0, layout.signedLength), der: layout.signature }
    }
    // Unpooled (plaintext never shares the slab) and not zero-filled: the backend writes every
    // byte, or zeroes it all on failure.
    const plaintext = Buffer.allocUnsafeSlow(layout.body.plaintextLength)
    const opened = backend.openMessage({
      suite,
      dataKey: material.getUnencryptedDataKey(),
      messageId: header.messageId,
      headerBody,
      headerIv,
      headerAuthTag,
      extraAad: authenticatedOnly === EMPTY_CONTEXT ? NO_BYTES : serializeContextEntries(authenticatedOnly),
      commitment: header.suiteData,
      body: layout.body,
      out: plaintext,
      signature,
    })
    // Unsigned small messages open synchronously: no microtask turn for a plain boolean.
    const authentic = typeof opened === 'boolean' ? opened : await opened
    if (!authentic) throw new AuthenticationError()
    const messageHeader: MessageHeader =
      authenticatedOnly === EMPTY_CONTEXT
        ? header
        : Object.freeze({
            ...header,
            encryptionContext: contextFromEntries([...Object.entries(header.encryptionContext), ...Object.entries(authenticatedOnly)]),
          })
    return { plaintext, messageHeader }
  } finally {
    material.zeroUnencryptedDataKey()
  }
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
