// The caching CMM's constructor options: the official names, their checks and defaults (framework/caching-cmm.md#initialization).
import { randomUUID } from 'node:crypto'
import { InvalidArgumentError, needs } from '../../core/errors'
import { NodeDefaultCryptographicMaterialsManager } from '../default-cmm'
import { KeyringNode, NodeMaterialsManager, isKeyring, isMaterialsManager } from '../keyring'
import { CryptographicMaterialsCache, isCryptographicMaterialsCache } from './cache'
import { checkPartition } from './cache-id'

/**
 * caching-cmm.md#limit-bytes: "no more than 2^63-1". A JS number counts bytes exactly only up to
 * 2^53-1, so that is our default and our cap (the official JS SDK makes the same choice).
 */
export const MAX_BYTES_ENCRYPTED = Number.MAX_SAFE_INTEGER

/** caching-cmm.md#limit-messages: the default, and the most we accept. */
export const MAX_MESSAGES_ENCRYPTED = 2 ** 32

export interface CachingMaterialsManagerInput {
  /** A keyring (wrapped in a default CMM, caching-cmm.md#initialization) or a CMM to call on a miss. */
  readonly backingMaterials: KeyringNode | NodeMaterialsManager
  readonly cache: CryptographicMaterialsCache
  /** Milliseconds an entry may be used for (the spec's "Cache Limit TTL"; the official JS SDK uses ms too). Required, > 0. */
  readonly maxAge: number
  /** Most plaintext bytes one data key may encrypt (default and cap Number.MAX_SAFE_INTEGER). */
  readonly maxBytesEncrypted?: number
  /** Most messages one data key may encrypt (default and cap 2^32). */
  readonly maxMessagesEncrypted?: number
  /** Managers share entries only when they share a cache and a partition (default: a random UUID). */
  readonly partition?: string
  /** Extension: clock in ms (default Date.now); tests inject a fake one to step over maxAge. */
  readonly now?: () => number
}

export interface CachingSettings {
  readonly backing: NodeMaterialsManager
  readonly cache: CryptographicMaterialsCache
  readonly maxAge: number
  readonly maxBytesEncrypted: number
  readonly maxMessagesEncrypted: number
  readonly partition: string
  readonly now: () => number
}

export function resolveCachingOptions(input: CachingMaterialsManagerInput): CachingSettings {
  needs(typeof input === 'object' && input !== null, 'NodeCachingMaterialsManager needs an options object')
  const { backingMaterials, cache, maxAge, maxBytesEncrypted, maxMessagesEncrypted, partition, now } = input
  needs(
    isCryptographicMaterialsCache(cache),
    'cache must be a cryptographic materials cache (see getLocalCryptographicMaterialsCache)',
  )
  // caching-cmm.md#cache-limit-ttl: required and greater than zero; nothing may be cached forever.
  needs(
    typeof maxAge === 'number' && Number.isFinite(maxAge) && maxAge > 0,
    'maxAge must be a positive number of milliseconds',
  )
  needs(
    maxBytesEncrypted === undefined || (Number.isSafeInteger(maxBytesEncrypted) && maxBytesEncrypted > 0),
    `maxBytesEncrypted must be an integer from 1 to ${MAX_BYTES_ENCRYPTED} (2^53 - 1: JS numbers are exact only that far)`,
  )
  needs(
    maxMessagesEncrypted === undefined ||
      (Number.isSafeInteger(maxMessagesEncrypted) &&
        maxMessagesEncrypted > 0 &&
        maxMessagesEncrypted <= MAX_MESSAGES_ENCRYPTED),
    'maxMessagesEncrypted must be an integer from 1 to 2^32',
  )
  if (partition !== undefined) checkPartition(partition)
  needs(now === undefined || typeof now === 'function', 'now must be a function returning milliseconds')
  return Object.freeze({
    backing: backingManager(backingMaterials),
    cache,
    maxAge,
    maxBytesEncrypted: maxBytesEncrypted ?? MAX_BYTES_ENCRYPTED,
    maxMessagesEncrypted: maxMessagesEncrypted ?? MAX_MESSAGES_ENCRYPTED,
    // caching-cmm.md#partition-id: unset means one that identifies this manager alone.
    partition: partition ?? randomUUID(),
    now: now ?? Date.now,
  })
}

function backingManager(value: KeyringNode | NodeMaterialsManager): NodeMaterialsManager {
  if (isMaterialsManager(value)) return value
  // caching-cmm.md#initialization: a keyring is wrapped in a default CMM.
  if (isKeyring(value)) return new NodeDefaultCryptographicMaterialsManager(value)
  throw new InvalidArgumentError('backingMaterials must be a keyring or a cryptographic materials manager')
}
