// A message decrypted as a stream: once its header is parsed, the policies, the materials and the header tag, then the body run by run through the backend's opener (client-apis/decrypt.md, streaming.md).
import { AuthenticationError, SignaturePolicyError } from '../core/errors'
import { assertDecryptAllowed, hex4 } from '../core/policy'
import { isThenable } from '../core/thenable'
import { EncryptionContext } from '../format/encryption-context'
import { MessageHeader, ParsedHeader } from '../format/header'
import { NodeMaterialsManager } from '../materials/keyring'
import { NodeDecryptionMaterial } from '../materials/materials'
import { VerificationKey } from '../materials/signature-keys'
import { MessageOpener } from '../backend/backend'
import { DecryptSettings, checkDecryptionMaterials, decryptionMaterials } from './decrypt-setup'

export interface StreamDecryptRequest {
  readonly cmm: NodeMaterialsManager
  readonly reproducedEncryptionContext: EncryptionContext | undefined
  /** false for decryptUnsignedMessageStream: a signed suite fails right after the header is parsed. */
  readonly signedAllowed: boolean
}

/** The verified header and what the body needs. */
export interface StreamedDecryption {
  readonly messageHeader: MessageHeader
  readonly opener: MessageOpener
  /** Signed suites: what the footer's signature is checked against. */
  readonly verificationKey: VerificationKey | undefined
}

/** decrypt.md: the policies are checked as soon as the header is parsed, before any key is asked for. */
export function checkParsedHeader(settings: DecryptSettings, parsed: ParsedHeader, signedAllowed: boolean): void {
  assertDecryptAllowed(settings.commitmentPolicy, parsed.suite)
  if (parsed.suite.signature && !signedAllowed) {
    throw new SignaturePolicyError(
      `this stream refuses signed messages, and the header names the signed suite 0x${hex4(parsed.suite.id)}`,
    )
  }
}

/** Materials, their checks and the header tag; `headerBytes` is the header exactly as received. Nothing of the header is released before this resolves. */
export function beginDecryption(
  settings: DecryptSettings,
  parsed: ParsedHeader,
  headerBytes: Buffer,
  request: StreamDecryptRequest,
): StreamedDecryption | Promise<StreamedDecryption> {
  checkParsedHeader(settings, parsed, request.signedAllowed)
  const materials = decryptionMaterials(settings, request.cmm, parsed, request.reproducedEncryptionContext)
  return isThenable(materials)
    ? Promise.resolve(materials).then((m) => startBody(settings, parsed, headerBytes, m))
    : startBody(settings, parsed, headerBytes, materials)
}

function startBody(
  settings: DecryptSettings,
  parsed: ParsedHeader,
  headerBytes: Buffer,
  material: NodeDecryptionMaterial,
): StreamedDecryption {
  try {
    const { extraAad, messageHeader } = checkDecryptionMaterials(material, parsed, settings.commitmentPolicy)
    const { header, suite } = parsed
    const verificationKey = suite.signature ? material.verificationKeyForms : undefined
    if (suite.signature && !verificationKey) throw new AuthenticationError()
    const opener = settings.backend.startOpen({
      suite,
      dataKey: material.getUnencryptedDataKey(),
      messageId: header.messageId,
      headerBody: parsed.headerBody,
      headerIv: parsed.headerIv,
      headerAuthTag: parsed.headerAuthTag,
      extraAad,
      commitment: header.suiteData,
      headerBytes,
      frameLength: header.frameLength,
    })
    if (!opener) throw new AuthenticationError()
    return { messageHeader, opener, verificationKey }
  } finally {
    material.zeroUnencryptedDataKey()
  }
}
