// Best-effort reading of KeyId, grant tokens and context before validation, so even throttled or rejected calls log them.
import { sortPairs, type ContextPairs } from './context'
import type { Body } from './input'
import type { KmsOperation } from './types'

export interface Preview {
  keyId?: string
  grantTokens?: readonly string[]
  encryptionContext?: ContextPairs
}

function own(body: Body, name: string): unknown {
  return Object.hasOwn(body, name) ? body[name] : undefined
}

export function preview(op: KmsOperation, body: Body): Preview {
  const out: Preview = {}
  const keyId = own(body, op === 'ReEncrypt' ? 'DestinationKeyId' : 'KeyId')
  if (typeof keyId === 'string') out.keyId = keyId
  const tokens = own(body, 'GrantTokens')
  if (Array.isArray(tokens) && tokens.every((t): t is string => typeof t === 'string')) out.grantTokens = tokens
  const context = own(body, op === 'ReEncrypt' ? 'DestinationEncryptionContext' : 'EncryptionContext')
  if (typeof context === 'object' && context !== null && !Array.isArray(context)) {
    const pairs = Object.entries(context)
    if (pairs.every((p): p is [string, string] => typeof p[1] === 'string')) out.encryptionContext = sortPairs(pairs)
  }
  return out
}
