// One-shot decryption: parse everything, get materials, check commitment and every tag and the signature, then release plaintext (client-apis/decrypt.md).
import { timingSafeEqual } from 'node:crypto'
import { AuthenticationError, KeyringError, MalformedMessageError } from '../core/errors'
import { CommitmentPolicy, assertDecryptAllowed } from '../core/policy'
import { BodyLayout, parseBody, parseFooter } from '../format/body'
import { EncryptionContext, contextFromEntries, contextValue, hasContextKey, serializeContextEntries } from '../format/encryption-context'
import { MessageHeader, ParsedHeader, parseHeader } from '../format/header'
import { NodeMaterialsManager } from '../materials/keyring'
import { NodeDecryptionMaterial } from '../materials/materials'
import { CryptoBackend } from '../backend/backend'

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
  readonly body: BodyLayout
  readonly signature: Buffer | undefined
  /** Offset where the footer starts: header and body, what the signature covers. */
  readonly signedLength: number
}

/** Structure first, crypto second: a malformed message is refused before any key is touched. */
function parseMessage(ciphertext: Buffer, settings: DecryptSettings, maxBodySize: number | undefined): MessageLayout {
  const result = parseHeader(ciphertext, { maxEncryptedDataKeys: settings.maxEncryptedDataKeys })
  if (!result.done) throw new MalformedMessageError('message header is truncated')
  const { header, suite } = result
  assertDecryptAllowed(settings.commitmentPolicy, suite)
  const body = parseBody(ciphertext, result.headerLength, header.contentType, header.frameLength, { maxBodySize })
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

  const material = await cmm.decryptMaterials({
    suite,
    encryptedDataKeys: header.encryptedDataKeys,
    encryptionContext: header.encryptionContext,
    reproducedEncryptionContext,
    commitmentPolicy,
  })
  let encryptionKey: Buffer | undefined
  try {
    checkMaterials(material, layout.parsed, commitmentPolicy)
    const derived = backend.deriveKeys(suite, material.getUnencryptedDataKey(), header.messageId)
    encryptionKey = derived.encryptionKey
    // SPEC-NOTES 3: the commitment is checked, in constant time, before the key is used at all.
    if (suite.commitment) {
      const stored = header.suiteData
      if (!derived.commitment || !stored || stored.length !== derived.commitment.length || !timingSafeEqual(stored, derived.commitment)) {
        throw new AuthenticationError()
      }
    }
    const authenticatedOnly = authenticatedOnlyContext(material, header.encryptionContext)
    if (!backend.verifyHeaderAuth(suite, encryptionKey, headerIv, headerBody, serializeContextEntries(authenticatedOnly), headerAuthTag)) {
      throw new AuthenticationError()
    }
    const plaintext = Buffer.alloc(layout.body.plaintextLength)
    if (!backend.openBody({ suite, key: encryptionKey, messageId: header.messageId, frames: layout.body.frames, out: plaintext })) {
      throw new AuthenticationError()
    }
    if (suite.signature) {
      const verificationKey = material.verificationKey
      const ok =
        verificationKey !== undefined &&
        layout.signature !== undefined &&
        backend.verify(suite, verificationKey, [ciphertext.subarray(0, layout.signedLength)], layout.signature)
      if (!ok) {
        plaintext.fill(0)
        throw new AuthenticationError()
      }
    }
    const messageHeader: MessageHeader = Object.freeze({
      ...header,
      encryptionContext: contextFromEntries([...Object.entries(header.encryptionContext), ...Object.entries(authenticatedOnly)]),
    })
    return { plaintext, messageHeader }
  } finally {
    encryptionKey?.fill(0)
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
  const out: [string, string][] = []
  for (const key of material.requiredEncryptionContextKeys) {
    const value = contextValue(material.encryptionContext, key)
    if (value === undefined) throw new KeyringError(`required encryption context key "${key}" has no value`)
    if (!hasContextKey(stored, key)) out.push([key, value])
  }
  return contextFromEntries(out)
}
