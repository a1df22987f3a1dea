// GenerateDataKey and GenerateDataKeyWithoutPlaintext: a fresh data key sealed under the resolved key.
import { randomBytes } from 'node:crypto'
import { seal } from '../ciphertext'
import { KmsFault } from '../errors'
import { context, grantTokens, optBool, optEnum, optInt, reqString, type Body } from '../input'
import { dryRun, refuseRecipient, type OperationContext } from './context'

const KEY_SPECS = ['AES_128', 'AES_256'] as const

function generate(body: Body, ctx: OperationContext): { ciphertext: Buffer; plaintext: Buffer; keyArn: string } {
  const keyId = reqString(body, 'KeyId', 2048)
  const encryptionContext = context(body, 'EncryptionContext')
  const tokens = grantTokens(body)
  ctx.note({ keyId, grantTokens: tokens, encryptionContext })
  const numberOfBytes = optInt(body, 'NumberOfBytes', 1, 1024)
  const keySpec = optEnum(body, 'KeySpec', KEY_SPECS)
  if (numberOfBytes !== undefined && keySpec !== undefined) {
    throw new KmsFault('ValidationException', 'Please specify either number of bytes or key spec, not both.')
  }
  if (numberOfBytes === undefined && keySpec === undefined) {
    throw new KmsFault('ValidationException', 'Please specify either number of bytes or key spec.')
  }
  refuseRecipient(body)
  const isDryRun = optBool(body, 'DryRun')
  const key = ctx.use(ctx.store.resolve(keyId, ctx.region))
  dryRun(isDryRun)
  const plaintext = randomBytes(numberOfBytes ?? (keySpec === 'AES_128' ? 16 : 32))
  const ciphertext = seal(key.material, { keyArn: key.arn, multiRegion: key.multiRegion }, encryptionContext, plaintext)
  return { ciphertext, plaintext, keyArn: key.arn }
}

export function generateDataKey(body: Body, ctx: OperationContext): Record<string, unknown> {
  const { ciphertext, plaintext, keyArn } = generate(body, ctx)
  return { CiphertextBlob: ciphertext.toString('base64'), Plaintext: plaintext.toString('base64'), KeyId: keyArn }
}

export function generateDataKeyWithoutPlaintext(body: Body, ctx: OperationContext): Record<string, unknown> {
  const { ciphertext, keyArn } = generate(body, ctx)
  return { CiphertextBlob: ciphertext.toString('base64'), KeyId: keyArn }
}
