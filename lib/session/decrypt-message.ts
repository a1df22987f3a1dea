// One-shot decryption: parse everything, get materials, then one backend call checks commitment, every tag and the signature before plaintext is released (client-apis/decrypt.md).
import { AuthenticationError, MalformedMessageError } from '../core/errors'
import { assertDecryptAllowed } from '../core/policy'
import { isThenable } from '../core/thenable'
import { parseFooter } from '../format/body'
import { BodyTable, scanBody } from '../format/body-table'
import { EncryptionContext } from '../format/encryption-context'
import { MessageHeader, ParsedHeader, parseHeader, parseHeaderLike } from '../format/header'
import { NodeMaterialsManager } from '../materials/keyring'
import { NodeDecryptionMaterial } from '../materials/materials'
import { DecryptSettings, checkDecryptionMaterials, decryptionMaterials } from './decrypt-setup'

export type { DecryptSettings } from './decrypt-setup'

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

/** Structure first, crypto second: a malformed message is refused before any key is touched. */
export function parseMessage(
  ciphertext: Buffer,
  settings: DecryptSettings,
  maxBodySize: number | undefined,
  like?: ParsedHeader,
): MessageLayout {
  // A batch passes the header before this one: records under one data key differ only in id and commitment.
  const shared = like === undefined ? undefined : parseHeaderLike(ciphertext, like)
  const result = shared
    ? { done: true as const, ...shared }
    : parseHeader(ciphertext, { maxEncryptedDataKeys: settings.maxEncryptedDataKeys })
  if (!result.done) throw new MalformedMessageError('message header is truncated')
  const { header, suite } = result
  assertDecryptAllowed(settings.commitmentPolicy, suite)
  const body = scanBody(ciphertext, result.headerLength, header.contentType, header.frameLength, { maxBodySize })
  let end = body.end
  let signature: Buffer | undefined
  if (suite.signature) {
    const footer = parseFooter(ciphertext, body.end)
    signature = footer.signature
    end = footer.end
  }
  // client-apis/decrypt.md "Encrypted Message": bytes after a complete message are refused, signed or
  // not (the official JS SDK ignores them for unsigned messages; we do not).
  if (end !== ciphertext.length)
    throw new MalformedMessageError(`${ciphertext.length - end} bytes follow the end of the message`)
  return { parsed: result, body, signature, signedLength: body.end }
}

export async function decryptMessage(settings: DecryptSettings, request: DecryptRequest): Promise<DecryptOutput> {
  const { cmm, ciphertext, reproducedEncryptionContext, maxBodySize } = request
  const layout = parseMessage(ciphertext, settings, maxBodySize)
  const { parsed } = layout
  const { header, suite, headerBody, headerIv, headerAuthTag } = parsed
  // Raw keyrings answer without a promise; anything else (KMS) is awaited.
  const materials = decryptionMaterials(settings, cmm, parsed, reproducedEncryptionContext)
  const material: NodeDecryptionMaterial = isThenable(materials) ? await materials : materials
  try {
    const { extraAad, messageHeader } = checkDecryptionMaterials(material, parsed, settings.commitmentPolicy)
    let signature:
      { key: NonNullable<NodeDecryptionMaterial['verificationKeyForms']>; signed: Buffer; der: Buffer } | undefined
    if (suite.signature) {
      const key = material.verificationKeyForms
      if (!key || !layout.signature) throw new AuthenticationError()
      signature = { key, signed: ciphertext.subarray(0, layout.signedLength), der: layout.signature }
    }
    // Unpooled (plaintext never shares the slab) and not zero-filled: the backend writes every
    // byte, or zeroes it all on failure.
    const plaintext = Buffer.allocUnsafeSlow(layout.body.plaintextLength)
    const opened = settings.backend.openMessage({
      suite,
      dataKey: material.getUnencryptedDataKey(),
      messageId: header.messageId,
      headerBody,
      headerIv,
      headerAuthTag,
      extraAad,
      commitment: header.suiteData,
      body: layout.body,
      out: plaintext,
      signature,
    })
    // Unsigned small messages open synchronously: no microtask turn for a plain boolean.
    const authentic = typeof opened === 'boolean' ? opened : await opened
    if (!authentic) throw new AuthenticationError()
    return { plaintext, messageHeader }
  } finally {
    material.zeroUnencryptedDataKey()
  }
}
