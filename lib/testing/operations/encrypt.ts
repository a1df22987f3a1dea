// Encrypt: up to 4096 bytes of caller plaintext sealed under the resolved key.
import { seal } from '../ciphertext'
import { context, grantTokens, optBool, optEnum, reqBlob, reqString, type Body } from '../input'
import { ALGORITHMS, checkAlgorithm, dryRun, type OperationContext } from './context'

export function encrypt(body: Body, ctx: OperationContext): Record<string, unknown> {
  const keyId = reqString(body, 'KeyId', 2048)
  const encryptionContext = context(body, 'EncryptionContext')
  const tokens = grantTokens(body)
  ctx.note({ keyId, grantTokens: tokens, encryptionContext })
  const plaintext = reqBlob(body, 'Plaintext', 4096)
  const algorithm = optEnum(body, 'EncryptionAlgorithm', ALGORITHMS)
  const isDryRun = optBool(body, 'DryRun')
  const key = ctx.use(ctx.store.resolve(keyId, ctx.region))
  checkAlgorithm(algorithm, key)
  dryRun(isDryRun)
  const ciphertext = seal(key.material, { keyArn: key.arn, multiRegion: key.multiRegion }, encryptionContext, plaintext)
  return { CiphertextBlob: ciphertext.toString('base64'), KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }
}
