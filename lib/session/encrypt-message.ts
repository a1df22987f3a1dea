// One-shot encryption of a whole message: materials, key derivation, header, framed body, footer (client-apis/encrypt.md).
import { CommitmentPolicyError, InvalidArgumentError, KeyringError, LimitExceededError } from '../core/errors'
import { CommitmentPolicy, assertEncryptAllowed } from '../core/policy'
import { randomFill } from '../core/random'
import { AlgorithmSuite } from '../core/suites'
import { framedBodySize } from '../format/body'
import { EncryptionContext, contextFromEntries, serializeContextEntries } from '../format/encryption-context'
import { ContentType, MessageHeader, ZERO_IV, serializeHeaderBody } from '../format/header'
import { NodeMaterialsManager } from '../materials/keyring'
import { NodeEncryptionMaterial } from '../materials/materials'
import { CryptoBackend } from '../backend/backend'

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

export async function encryptMessage(settings: EncryptSettings, request: EncryptRequest): Promise<EncryptOutput> {
  const { backend, commitmentPolicy, maxEncryptedDataKeys } = settings
  const { cmm, plaintext, encryptionContext, suite: requestedSuite, frameLength } = request
  for (const key of Object.keys(encryptionContext)) {
    // encrypt.md: callers may not set reserved keys; the CMM adds the ones it owns.
    if (key.startsWith(RESERVED_PREFIX)) throw new InvalidArgumentError(`encryption context key "${key}" uses the reserved prefix ${RESERVED_PREFIX}`)
  }
  if (requestedSuite) assertEncryptAllowed(commitmentPolicy, requestedSuite)

  const material = await cmm.getEncryptionMaterials({
    suite: requestedSuite,
    encryptionContext,
    plaintextLength: plaintext.length,
    commitmentPolicy,
  })
  let encryptionKey: Buffer | undefined
  try {
    const suite = checkMaterials(material, requestedSuite, commitmentPolicy, maxEncryptedDataKeys)
    const messageId = randomFill(Buffer.alloc(suite.messageIdLength))
    const derived = backend.deriveKeys(suite, material.getUnencryptedDataKey(), messageId)
    encryptionKey = derived.encryptionKey
    const { stored, authenticatedOnly } = splitContext(material)
    const headerBody = serializeHeaderBody({
      suite,
      messageId,
      encryptionContext: stored,
      encryptedDataKeys: material.encryptedDataKeys,
      frameLength,
      suiteData: derived.commitment,
    })
    const headerTag = backend.headerAuthTag(suite, encryptionKey, ZERO_IV, headerBody, serializeContextEntries(authenticatedOnly))
    const headerAuthLength = (suite.messageFormat === 1 ? ZERO_IV.length : 0) + headerTag.length
    const body = framedBodySize(plaintext.length, frameLength)
    const unsignedLength = headerBody.length + headerAuthLength + body.size

    const out = Buffer.allocUnsafe(unsignedLength)
    let o = headerBody.copy(out, 0)
    if (suite.messageFormat === 1) o += ZERO_IV.copy(out, o)
    o += headerTag.copy(out, o)
    o += backend.sealFramedBody({ suite, key: encryptionKey, messageId, plaintext, frameLength, out, outOffset: o })

    let result = out
    if (suite.signature) {
      const signatureKey = material.signatureKey
      if (!signatureKey) throw new KeyringError('signed suite but the materials have no signing key')
      const signature = backend.sign(suite, signatureKey.privateKey, [out])
      const footer = Buffer.allocUnsafe(2 + signature.length)
      footer.writeUInt16BE(signature.length, 0)
      signature.copy(footer, 2)
      result = Buffer.concat([out, footer])
    }
    const messageHeader: MessageHeader = Object.freeze({
      version: suite.messageFormat,
      ...(suite.messageFormat === 1 ? { type: 0x80 as const } : {}),
      suiteId: suite.id,
      messageId,
      encryptionContext: stored,
      encryptedDataKeys: Object.freeze([...material.encryptedDataKeys]),
      contentType: ContentType.FRAMED_DATA,
      headerIvLength: 12 as const,
      frameLength,
      ...(derived.commitment ? { suiteData: derived.commitment } : {}),
    })
    return { result, messageHeader }
  } finally {
    encryptionKey?.fill(0)
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
    throw new LimitExceededError(`the CMM returned ${count} encrypted data keys, more than the maximum ${maxEncryptedDataKeys}`)
  }
  if (Boolean(suite.signature) !== Boolean(material.signatureKey)) throw new KeyringError('signing key does not match the suite')
  return suite
}

/** Pairs under required keys are authenticated in the header tag but not stored in the header. */
function splitContext(material: NodeEncryptionMaterial): { stored: EncryptionContext; authenticatedOnly: EncryptionContext } {
  const required = new Set(material.requiredEncryptionContextKeys)
  const entries = Object.entries(material.encryptionContext)
  return {
    stored: contextFromEntries(entries.filter(([k]) => !required.has(k))),
    authenticatedOnly: contextFromEntries(entries.filter(([k]) => required.has(k))),
  }
}
