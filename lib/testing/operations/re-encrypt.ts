// ReEncrypt: opens a blob under its source key and context and seals the plaintext under the destination key and context.
import { seal } from '../ciphertext'
import { context, grantTokens, optBool, optEnum, optString, reqBlob, reqString, type Body } from '../input'
import { ALGORITHMS, checkAlgorithm, dryRun, type OperationContext } from './context'
import { openBlob } from './open-blob'

export function reEncrypt(body: Body, ctx: OperationContext): Record<string, unknown> {
  const destinationKeyId = reqString(body, 'DestinationKeyId', 2048)
  const destinationContext = context(body, 'DestinationEncryptionContext')
  const tokens = grantTokens(body)
  ctx.note({ keyId: destinationKeyId, grantTokens: tokens, encryptionContext: destinationContext })
  const blob = reqBlob(body, 'CiphertextBlob', 6144)
  const sourceKeyId = optString(body, 'SourceKeyId', 2048)
  const sourceContext = context(body, 'SourceEncryptionContext')
  const sourceAlgorithm = optEnum(body, 'SourceEncryptionAlgorithm', ALGORITHMS)
  const destinationAlgorithm = optEnum(body, 'DestinationEncryptionAlgorithm', ALGORITHMS)
  const isDryRun = optBool(body, 'DryRun')
  const source = openBlob(ctx, blob, sourceKeyId, sourceContext, 'source')
  checkAlgorithm(sourceAlgorithm, source.key)
  const destination = ctx.use(ctx.store.resolve(destinationKeyId, ctx.region))
  checkAlgorithm(destinationAlgorithm, destination)
  dryRun(isDryRun)
  const ciphertext = seal(
    destination.material,
    { keyArn: destination.arn, multiRegion: destination.multiRegion },
    destinationContext,
    source.plaintext,
  )
  return {
    CiphertextBlob: ciphertext.toString('base64'),
    SourceKeyId: source.key.arn,
    KeyId: destination.arn,
    SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  }
}
