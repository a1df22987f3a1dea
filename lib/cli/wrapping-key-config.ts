// `-w` groups checked into wrapping key configurations, with the Python CLI's rules for aws-kms keys and discovery, plus raw AES / RSA keys from files.
import type { Action } from './action'
import { UsageError } from './errors'
import { parseKeyValues } from './key-value'

export interface KmsKeyConfig {
  readonly provider: 'aws-kms'
  /** The first key makes the data key, the others wrap it again; empty in discovery mode. */
  readonly keys: readonly string[]
  readonly region: string | undefined
  readonly profile: string | undefined
  readonly endpoint: string | undefined
  readonly discovery: boolean
  readonly discoveryPartition: string | undefined
  readonly discoveryAccounts: readonly string[]
}

export interface RawKeyConfig {
  readonly provider: 'raw-aes' | 'raw-rsa'
  /** A file path (from `key=file:PATH`). */
  readonly keyFile: string
  readonly namespace: string
  readonly name: string
  /** raw-rsa: oaep-sha1 | oaep-sha256 | oaep-sha384 | oaep-sha512 | pkcs1. */
  readonly padding: string
}

export type WrappingKeyConfig = KmsKeyConfig | RawKeyConfig

export const RSA_PADDINGS = ['oaep-sha1', 'oaep-sha256', 'oaep-sha384', 'oaep-sha512', 'pkcs1'] as const

const KMS_PROVIDERS = new Set(['aws-kms', 'aws-encryption-sdk-cli::aws-kms'])
const KMS_KEYS = new Set([
  'provider',
  'key',
  'region',
  'profile',
  'endpoint',
  'discovery',
  'discovery-partition',
  'discovery-account',
])
const RAW_KEYS = new Set(['provider', 'key', 'namespace', 'name', 'padding'])

export function checkWrappingKeyConfigs(groups: readonly (readonly string[])[], action: Action): WrappingKeyConfig[] {
  return groups.map((g) => checkOne(parseKeyValues(g, '-w/--wrapping-keys'), action))
}

function one(values: Map<string, string[]>, key: string): string | undefined {
  const list = values.get(key)
  if (list === undefined) return undefined
  if (list.length !== 1)
    throw new UsageError(`-w/--wrapping-keys: give "${key}" once per configuration (${list.length} given)`)
  return list[0]
}

function checkOne(values: Map<string, string[]>, action: Action): WrappingKeyConfig {
  const provider = one(values, 'provider') ?? 'aws-kms'
  if (KMS_PROVIDERS.has(provider)) return checkKms(values, action)
  if (provider !== 'raw-aes' && provider !== 'raw-rsa')
    throw new UsageError(`-w/--wrapping-keys: unknown provider "${provider}" (aws-kms, raw-aes or raw-rsa)`)
  for (const k of values.keys()) {
    if (k.startsWith('discovery'))
      throw new UsageError('discovery attributes are supported only for AWS KMS wrapping keys')
    if (!RAW_KEYS.has(k)) throw new UsageError(`-w/--wrapping-keys: unknown attribute "${k}" for provider ${provider}`)
  }
  const key = one(values, 'key')
  if (key === undefined)
    throw new UsageError('at least one "key" must be provided for each wrapping key provider configuration')
  if (!key.startsWith('file:') || key.length === 5)
    throw new UsageError(`${provider}: key must be file:PATH (got ${key})`)
  const namespace = one(values, 'namespace')
  const name = one(values, 'name')
  if (namespace === undefined || name === undefined)
    throw new UsageError(
      `${provider}: namespace= and name= are required (they are stored in the message and must match on decrypt)`,
    )
  const padding = one(values, 'padding') ?? 'oaep-sha256'
  if (provider === 'raw-aes' && values.has('padding'))
    throw new UsageError('raw-aes: padding= is for raw-rsa keys only')
  if (!(RSA_PADDINGS as readonly string[]).includes(padding))
    throw new UsageError(`raw-rsa: padding must be one of ${RSA_PADDINGS.join(', ')} (got ${padding})`)
  return { provider, keyFile: key.slice(5), namespace, name, padding }
}

function checkKms(values: Map<string, string[]>, action: Action): KmsKeyConfig {
  for (const k of values.keys())
    if (!KMS_KEYS.has(k)) throw new UsageError(`-w/--wrapping-keys: unknown attribute "${k}" for provider aws-kms`)
  const keys = values.get('key') ?? []
  const hasDiscoveryArgs =
    values.has('discovery') || values.has('discovery-account') || values.has('discovery-partition')
  if (action === 'encrypt' && hasDiscoveryArgs)
    throw new UsageError('discovery attributes are supported only on decryption for AWS KMS keys')
  if (action === 'encrypt' && keys.length === 0)
    throw new UsageError('at least one "key" must be provided for each wrapping key provider configuration')
  const discoveryText = one(values, 'discovery')
  let discovery = false
  if (discoveryText !== undefined) {
    const lower = discoveryText.toLowerCase()
    if (lower !== 'true' && lower !== 'false')
      throw new UsageError(`discovery must be true or false (got ${discoveryText})`)
    discovery = lower === 'true'
  }
  const accounts = values.get('discovery-account') ?? []
  const partition = values.get('discovery-partition')
  if (!discovery && (accounts.length > 0 || partition !== undefined))
    throw new UsageError(
      'discovery-account and discovery-partition are valid only when the discovery attribute is set to true',
    )
  if (accounts.length > 0 && partition === undefined)
    throw new UsageError('when specifying discovery-account, you must also specify discovery-partition')
  if (partition !== undefined && accounts.length === 0)
    throw new UsageError('when specifying discovery-partition, you must also specify discovery-account')
  if (partition !== undefined && partition.length !== 1)
    throw new UsageError('you can only specify discovery-partition once')
  if (discovery && keys.length > 0)
    throw new UsageError('if discovery is true (enabled), you cannot specify wrapping keys')
  if (!discovery && keys.length === 0)
    throw new UsageError('when discovery is false (disabled), you must specify at least one wrapping key')
  return {
    provider: 'aws-kms',
    keys,
    region: one(values, 'region'),
    profile: one(values, 'profile'),
    endpoint: one(values, 'endpoint'),
    discovery,
    discoveryPartition: partition?.[0],
    discoveryAccounts: accounts,
  }
}
