// A message encrypted as a stream: materials and the header up front, then the body run by run through the backend's sealer (client-apis/encrypt.md, streaming.md).
import { isThenable } from '../core/thenable'
import { AlgorithmSuite } from '../core/suites'
import { EncryptionContext } from '../format/encryption-context'
import { MessageHeader, planHeaderBody, writeHeaderBody } from '../format/header'
import { NodeMaterialsManager } from '../materials/keyring'
import { NodeEncryptionMaterial, SigningKey } from '../materials/materials'
import { drawsFreshSigningKeys } from '../materials/default-cmm'
import { MessageSealer } from '../backend/backend'
import { EncryptSettings, encryptionMaterials, headerSetup, messageHeaderFor } from './encrypt-setup'

export interface StreamEncryptRequest {
  readonly cmm: NodeMaterialsManager
  readonly encryptionContext: EncryptionContext
  readonly suite: AlgorithmSuite | undefined
  readonly frameLength: number
  /** The caller's bound on the plaintext length (encrypt.md "Plaintext Length Bound"), or undefined. */
  readonly plaintextLength: number | undefined
}

/** Everything a stream needs once the header is written: the header's bytes to release first, then the sealer for the body. */
export interface StreamedEncryption {
  readonly messageHeader: MessageHeader
  /** The serialized header with its auth: the message's first bytes. */
  readonly header: Buffer
  readonly suite: AlgorithmSuite
  readonly frameLength: number
  readonly sealer: MessageSealer
  /** Signs the final run of a signed suite. */
  readonly signingKey: SigningKey | undefined
  /** The key was drawn for this message alone (default CMM): the stream disposes of it when done. */
  readonly ownsSigningKey: boolean
}

export function beginEncryption(
  settings: EncryptSettings,
  request: StreamEncryptRequest,
): StreamedEncryption | Promise<StreamedEncryption> {
  const { cmm, encryptionContext, suite, plaintextLength } = request
  const materials = encryptionMaterials(settings, { cmm, encryptionContext, suite, plaintextLength })
  return isThenable(materials)
    ? Promise.resolve(materials).then((m) => startBody(settings, m, request))
    : startBody(settings, materials, request)
}

function startBody(
  settings: EncryptSettings,
  material: NodeEncryptionMaterial,
  request: StreamEncryptRequest,
): StreamedEncryption {
  try {
    const setup = headerSetup(settings, material, request.suite, request.frameLength)
    const { suite, messageId, fields, extraAad } = setup
    const plan = planHeaderBody(fields)
    const headerBodyLength = plan.size
    const header = Buffer.alloc(headerBodyLength + (suite.messageFormat === 2 ? 16 : 28))
    writeHeaderBody(fields, plan, header)
    const sealer = settings.backend.startSeal({
      suite,
      dataKey: material.getUnencryptedDataKey(),
      messageId,
      header,
      headerBodyLength,
      extraAad,
      frameLength: request.frameLength,
    })
    const commitment = suite.messageFormat === 2 ? header.subarray(headerBodyLength - 32, headerBodyLength) : undefined
    return {
      messageHeader: messageHeaderFor(setup, material, commitment),
      header,
      suite,
      frameLength: request.frameLength,
      sealer,
      signingKey: material.signatureKey,
      ownsSigningKey: drawsFreshSigningKeys(request.cmm),
    }
  } finally {
    // The sealer holds its derived key; the data key is done with.
    material.zeroUnencryptedDataKey()
  }
}
