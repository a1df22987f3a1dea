// One-shot encryption of a whole message: materials, then header serialization, then one backend call for the rest (client-apis/encrypt.md).
import { AlgorithmSuite } from '../core/suites'
import { framedBodySize } from '../format/body'
import { EncryptionContext } from '../format/encryption-context'
import { MessageHeader, planHeaderBody, writeHeaderBody } from '../format/header'
import { NodeMaterialsManager } from '../materials/keyring'
import { footerRoom } from '../backend/backend'
import { isThenable } from '../core/thenable'
import { drawsFreshSigningKeys } from '../materials/default-cmm'
import { disposeSigningKey } from '../materials/signature-keys'
import { EncryptSettings, encryptionMaterials, headerSetup, messageHeaderFor } from './encrypt-setup'

export type { EncryptSettings } from './encrypt-setup'

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

export async function encryptMessage(settings: EncryptSettings, request: EncryptRequest): Promise<EncryptOutput> {
  const { cmm, plaintext, encryptionContext, frameLength } = request
  const materials = encryptionMaterials(settings, {
    cmm,
    encryptionContext,
    suite: request.suite,
    plaintextLength: plaintext.length,
  })
  // Raw keyrings answer without a promise; anything else (KMS, signing keys) is awaited.
  const material = isThenable(materials) ? await materials : materials
  try {
    const setup = headerSetup(settings, material, request.suite, frameLength)
    const { suite, messageId, fields, extraAad } = setup
    const plan = planHeaderBody(fields)
    const headerBodyLength = plan.size
    const headerAuthLength = suite.messageFormat === 2 ? 16 : 28
    // One output at its final size: header, header auth, body, footer room; nothing is concatenated.
    const out = Buffer.allocUnsafe(
      headerBodyLength + headerAuthLength + framedBodySize(plaintext.length, frameLength).size + footerRoom(suite),
    )
    writeHeaderBody(fields, plan, out)
    const sealed = settings.backend.sealMessage({
      suite,
      dataKey: material.getUnencryptedDataKey(),
      messageId,
      out,
      headerBodyLength,
      extraAad,
      plaintext,
      frameLength,
      signingKey: material.signatureKey,
    })
    // Small messages seal synchronously; awaiting a plain number would still cost a microtask turn.
    const length = typeof sealed === 'number' ? sealed : await sealed
    const result = length === out.length ? out : out.subarray(0, length)
    const commitment = suite.messageFormat === 2 ? out.subarray(headerBodyLength - 32, headerBodyLength) : undefined
    return { result, messageHeader: messageHeaderFor(setup, material, commitment) }
  } finally {
    material.zeroUnencryptedDataKey()
    // No backend call is in flight here (sealMessage has settled or never started): a per-message
    // key's native memory goes now, not when the collector gets to it.
    if (drawsFreshSigningKeys(cmm)) disposeSigningKey(material.signatureKey)
  }
}
