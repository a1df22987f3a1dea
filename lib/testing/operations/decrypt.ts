// Decrypt: opens a blob made by Encrypt or GenerateDataKey; KeyId is optional, and checked against the blob when given.
import { context, grantTokens, optBool, optEnum, optString, reqBlob, type Body } from '../input'
import { ALGORITHMS, checkAlgorithm, dryRun, refuseRecipient, type OperationContext } from './context'
import { openBlob } from './open-blob'

export function decrypt(body: Body, ctx: OperationContext): Record<string, unknown> {
  const keyId = optString(body, 'KeyId', 2048)
  const encryptionContext = context(body, 'EncryptionContext')
  const tokens = grantTokens(body)
  ctx.note({ keyId, grantTokens: tokens, encryptionContext })
  const blob = reqBlob(body, 'CiphertextBlob', 6144)
  const algorithm = optEnum(body, 'EncryptionAlgorithm', ALGORITHMS)
  refuseRecipient(body)
  const isDryRun = optBool(body, 'DryRun')
  const { key, plaintext } = openBlob(ctx, blob, keyId, encryptionContext)
  checkAlgorithm(algorithm, key)
  dryRun(isDryRun)
  return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }
}
