// buildEncrypt and buildDecrypt (official names): the encrypt half and the decrypt half of buildClient, with the same options.
import type { CommitmentPolicy } from '../core/policy'
import { ClientOptions, EsdkClient, buildClient } from './client'

type Half<K extends string> = { [P in Extract<keyof EsdkClient, K>]: EsdkClient[P] } & Record<string, unknown>

/** The client's members whose names start with `prefix` (encrypt, encryptStream / decrypt, decryptStream, decryptUnsignedMessageStream). */
function pick<K extends string>(client: EsdkClient, prefix: string): Half<K> {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(client)) if (name.startsWith(prefix)) out[name] = value
  return Object.freeze(out) as Half<K>
}

export function buildEncrypt(options?: CommitmentPolicy | ClientOptions): Half<'encrypt'> {
  return pick(buildClient(options), 'encrypt')
}

export function buildDecrypt(options?: CommitmentPolicy | ClientOptions): Half<'decrypt'> {
  return pick(buildClient(options), 'decrypt')
}
