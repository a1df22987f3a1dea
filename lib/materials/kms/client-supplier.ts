// Regional KMS client suppliers with the official names: getClient, limitRegions, excludeRegions, cacheClients.
import { needs } from '../../core/errors'
import { onFirstAnswer } from './client-answers'
import type { AwsEsdkKMSInterface } from './kms-client'

/** Returns the client for a region ('' means the SDK's default region), or false to refuse that region. */
export type KmsClientSupplier<Client extends object = AwsEsdkKMSInterface> = (region: string) => Client | false

/** A KMS client class: `KMS` or `KMSClient` from @aws-sdk/client-kms, or `AWS.KMS` from aws-sdk v2. */
export type KMSConstructible<Client extends object, Config> =
  (new (config: Config) => Client) | (new (config?: Config) => Client)

/**
 * A supplier that builds `new KMSClient({ ...defaultConfig, region })` (pass `endpoint` and `credentials`
 * in defaultConfig to reach a local KMS). Unlike the official getClient it also caches per region, so
 * keyrings do not build an HTTP client per call; see cacheClients for when an entry is kept.
 */
export function getClient<Client extends object, Config>(
  KMSClient: KMSConstructible<Client, Config>,
  defaultConfig?: Config,
): KmsClientSupplier<Client> {
  needs(typeof KMSClient === 'function', 'getClient needs a KMS client class')
  const base = { ...defaultConfig }
  // An alias or bare key id has no region: leave `region` out so the SDK resolves its default.
  return cacheClients((region) => new KMSClient((region ? { ...base, region } : { ...base }) as Config))
}

/** Only these regions get a client; any other region is refused (false), so no KMS call is made there. */
export function limitRegions<Client extends object>(
  regions: readonly string[],
  getClient: KmsClientSupplier<Client>,
): KmsClientSupplier<Client> {
  needs(
    Array.isArray(regions) && regions.every((r) => typeof r === 'string' && r !== ''),
    'limitRegions needs region strings',
  )
  const allowed = new Set(regions)
  return (region) => (allowed.has(region) ? getClient(region) : false)
}

/** These regions are refused (false); every other region gets a client. */
export function excludeRegions<Client extends object>(
  regions: readonly string[],
  getClient: KmsClientSupplier<Client>,
): KmsClientSupplier<Client> {
  needs(
    Array.isArray(regions) && regions.every((r) => typeof r === 'string' && r !== ''),
    'excludeRegions needs region strings',
  )
  const refused = new Set(regions)
  return (region) => (refused.has(region) ? false : getClient(region))
}

/**
 * One client per region. A client is kept only after its region's KMS endpoint answered a call (even
 * with an error), as the official cacheClients does: region names come from message EDKs, and caching
 * every made-up region would let crafted messages grow the cache without bound. Refusals are cached.
 */
export function cacheClients<Client extends object>(getClient: KmsClientSupplier<Client>): KmsClientSupplier<Client> {
  const cache = new Map<string, Client | false>()
  return (region) => {
    const hit = cache.get(region)
    if (hit !== undefined) return hit
    const client = getClient(region)
    if (!client) {
      cache.set(region, false)
      return false
    }
    onFirstAnswer(client, () => {
      if (!cache.has(region)) cache.set(region, client)
    })
    return client
  }
}
