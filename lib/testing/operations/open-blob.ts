// The decrypt half shared by Decrypt and ReEncrypt: find the blob's key in the caller's region, match KeyId, open.
import { isMrkId, keyArn, parseKeyIdentifier } from '../arn'
import { open, parseBlob } from '../ciphertext'
import type { ContextPairs } from '../context'
import { KmsFault, fault } from '../errors'
import { identityOf, type StoredKey } from '../key-store'
import type { OperationContext } from './context'

export interface Opened {
  readonly key: StoredKey
  readonly plaintext: Buffer
}

/**
 * With a KeyId, it must resolve (NotFoundException) and name the blob's key or its multi-Region relative
 * (IncorrectKeyException); without one, the blob's key must exist in the caller's region (InvalidCiphertextException).
 */
export function openBlob(
  ctx: OperationContext,
  blob: Buffer,
  keyIdText: string | undefined,
  encryptionContext: ContextPairs,
  role?: 'source',
): Opened {
  const parsed = parseBlob(blob)
  const named = parseKeyIdentifier(parsed.keyArn)
  if (named.kind !== 'key-arn' || isMrkId(named.keyId) !== parsed.multiRegion) throw fault.invalidCiphertext()
  const identity = identityOf(named.partition, named.account, named.keyId, parsed.keyArn)
  let key: StoredKey
  if (keyIdText !== undefined) {
    key = ctx.store.resolve(keyIdText, ctx.region)
    if (key.identity !== identity) {
      ctx.use(key, role)
      throw new KmsFault(
        'IncorrectKeyException',
        'The key ID in the request does not identify a KMS key that can perform this operation.',
      )
    }
  } else {
    const here = parsed.multiRegion
      ? ctx.store.get(keyArn(named.partition, ctx.region, named.account, named.keyId))
      : ctx.store.get(parsed.keyArn)
    if (here === undefined || here.region !== ctx.region || here.identity !== identity) throw fault.invalidCiphertext()
    key = here
  }
  ctx.use(key, role)
  return { key, plaintext: open(key.material, parsed, encryptionContext) }
}
