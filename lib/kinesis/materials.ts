// The worker's materials: a caching CMM over a KMS keyring built from key ids (KMS calls counted), or the caller's own keyring or CMM.
import { needs } from '../core/errors'
import { KeyringNode, NodeMaterialsManager } from '../materials/keyring'
import { NodeCachingMaterialsManager } from '../materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../materials/caching/local-cache'
import { KmsKeyringNode } from '../materials/kms/kms-keyring'
// The SDK stays behind the library's one loader (materials/kms/kms-sdk.ts): its lazily loaded KMS class.
import { KMS } from '../materials/kms/aws-sdk'
import type { DiscoveryFilter } from '../materials/kms/discovery-filter'

type KmsClient = InstanceType<typeof KMS>
export type KMSClientConfig = NonNullable<ConstructorParameters<typeof KMS>[0]>

export interface KmsKeysOptions {
  /** Encrypt: the first is the generator, the others also wrap each data key. Decrypt (strict): only these keys are used. */
  readonly keyIds?: readonly string[]
  /** Decrypt only: any KMS key the message names, filtered by `discoveryFilter` before any call. */
  readonly discovery?: boolean
  readonly discoveryFilter?: DiscoveryFilter
  /** Config for the KMS client of each region (endpoint, credentials, ...); the region comes from the key ARN. */
  readonly clientConfig?: KMSClientConfig
  readonly grantTokens?: string[]
}

export interface CacheOptions {
  /** Cache entries (default 100). */
  readonly capacity?: number
  /** How long a data key may be used, ms (default 300,000). */
  readonly maxAgeMs?: number
  /** Messages per data key (default 1,000: 20,000 records make about 20 GenerateDataKey calls). */
  readonly maxMessagesEncrypted?: number
  readonly maxBytesEncrypted?: number
}

export interface MaterialsOptions {
  readonly kms?: KmsKeysOptions
  readonly keyring?: KeyringNode
  readonly cmm?: NodeMaterialsManager
  /** Caching over `kms` or `keyring` (default on); `false` calls the keyring for every record. Ignored with `cmm`. */
  readonly cache?: CacheOptions | false
}

export interface WorkerMaterials {
  readonly cmm: KeyringNode | NodeMaterialsManager
  /** KMS requests sent so far; undefined when the caller brought the keyring or CMM (we cannot see its calls). */
  kmsCalls(): number | undefined
  /** Cache hits and misses (coalesced count as hits) so far, when the CMM is our caching one. */
  cacheCounts(direction: 'encrypt' | 'decrypt'): { hits: number; misses: number } | undefined
}

export function buildMaterials(options: MaterialsOptions): WorkerMaterials {
  const given = [options.kms, options.keyring, options.cmm].filter((x) => x !== undefined).length
  needs(given === 1, 'give exactly one of kms, keyring or cmm')
  let calls: number | undefined
  let keyring: KeyringNode | undefined = options.keyring
  if (options.kms !== undefined) {
    const kms = options.kms
    calls = 0
    const clients = new Map<string, KmsClient>()
    keyring = new KmsKeyringNode({
      ...(kms.discovery
        ? { discovery: true, discoveryFilter: kms.discoveryFilter }
        : { generatorKeyId: kms.keyIds?.[0], keyIds: kms.keyIds?.slice(1) }),
      grantTokens: kms.grantTokens,
      clientProvider: (region: string) => {
        let client = clients.get(region)
        if (client === undefined) {
          client = new KMS({ ...kms.clientConfig, region })
          // Counted at the first middleware step: once per request the keyring makes, whatever the SDK's retries do.
          client.middlewareStack.add(
            (next) => (args) => {
              calls = (calls ?? 0) + 1
              return next(args)
            },
            { step: 'initialize', name: 'esdkKinesisKmsCallCounter' },
          )
          clients.set(region, client)
        }
        return client
      },
    })
  }
  let cmm: KeyringNode | NodeMaterialsManager
  if (options.cmm !== undefined) cmm = options.cmm
  else {
    const k = keyring as KeyringNode
    const cache = options.cache
    cmm =
      cache === false
        ? k
        : new NodeCachingMaterialsManager({
            backingMaterials: k,
            cache: getLocalCryptographicMaterialsCache(cache?.capacity ?? 100),
            maxAge: cache?.maxAgeMs ?? 300_000,
            maxMessagesEncrypted: cache?.maxMessagesEncrypted ?? 1_000,
            ...(cache?.maxBytesEncrypted !== undefined ? { maxBytesEncrypted: cache.maxBytesEncrypted } : {}),
          })
  }
  return {
    cmm,
    kmsCalls: () => calls,
    cacheCounts(direction) {
      if (!(cmm instanceof NodeCachingMaterialsManager)) return undefined
      const s = cmm.getStats()[direction]
      return { hits: s.hits + s.coalesced, misses: s.misses }
    },
  }
}
