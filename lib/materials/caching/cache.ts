// The cryptographic materials cache contract the caching CMM talks to (framework/cryptographic-materials-cache.md).
import type { NodeBranchKeyMaterial } from '../hierarchy/branch-key-material'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../materials'

/**
 * Why an entry left a cache. The caching CMM counts these per reason so a user can see why the
 * backing keyring (KMS) is being called again.
 */
export type EvictionReason =
  /** Its max age (TTL) elapsed (local-cryptographic-materials-cache.md#time-to-live-ttl). */
  | 'expired'
  /** Least recently used when the cache was over capacity (local-cryptographic-materials-cache.md#put-cache-entry). */
  | 'capacity'
  /** Using it once more would exceed maxMessagesEncrypted (caching-cmm.md#limit-messages). */
  | 'messageLimit'
  /** Using it for this plaintext would exceed maxBytesEncrypted (caching-cmm.md#limit-bytes). */
  | 'byteLimit'
  /** Its materials do not fit the request (suite or commitment policy); see caching-cmm.ts. */
  | 'mismatch'
  /** A put under the same identifier replaced it. */
  | 'replaced'
  /** Deleted by a caller with no more specific reason. */
  | 'deleted'
  /** Removed by `clear()`. */
  | 'cleared'

export const EVICTION_REASONS: readonly EvictionReason[] = Object.freeze([
  'expired',
  'capacity',
  'messageLimit',
  'byteLimit',
  'mismatch',
  'replaced',
  'deleted',
  'cleared',
])

/** Called once when an entry leaves the cache, after its data key was wiped. */
export type EvictionListener = (reason: EvictionReason) => void

/**
 * A cache entry (cryptographic-materials-cache.md#cache-entry), with the official SDK's field names.
 * The entry owns `response`: the cache wipes its data key on eviction, so callers copy it.
 */
export interface CacheEntry<M> {
  readonly response: M
  /** Creation time, ms on the cache's clock (#creation-time). */
  readonly now: number
  /** `now` + the TTL given at put time (#expiry-time). */
  readonly expiresAt: number
  /** Usage metadata (#usage-metadata): messages and bytes encrypted with this entry so far. */
  messagesEncrypted: number
  bytesEncrypted: number
}

export type EncryptionMaterialEntry = CacheEntry<NodeEncryptionMaterial>
export type DecryptionMaterialEntry = CacheEntry<NodeDecryptionMaterial>
export type BranchKeyMaterialEntry = CacheEntry<NodeBranchKeyMaterial>

/**
 * Put / get / delete (cryptographic-materials-cache.md#behaviors) in the official method shape, plus
 * an optional eviction listener and reason.
 */
export interface CryptographicMaterialsCache {
  /** Stores materials for `plaintextLength` bytes and one message (caching-cmm.md#usage-stats: initial stats). */
  putEncryptionMaterial(
    key: string,
    material: NodeEncryptionMaterial,
    plaintextLength: number,
    maxAge: number,
    onEvict?: EvictionListener,
  ): void
  putDecryptionMaterial(key: string, material: NodeDecryptionMaterial, maxAge: number, onEvict?: EvictionListener): void
  /** Returns a live entry and adds one message and `plaintextLength` bytes to its usage, or false. */
  getEncryptionMaterial(key: string, plaintextLength: number): EncryptionMaterialEntry | false
  getDecryptionMaterial(key: string): DecryptionMaterialEntry | false
  del(key: string, reason?: EvictionReason): void
}

export function isCryptographicMaterialsCache(value: unknown): value is CryptographicMaterialsCache {
  if (typeof value !== 'object' || value === null) return false
  const c = value as Record<keyof CryptographicMaterialsCache, unknown>
  return (
    typeof c.putEncryptionMaterial === 'function' &&
    typeof c.putDecryptionMaterial === 'function' &&
    typeof c.getEncryptionMaterial === 'function' &&
    typeof c.getDecryptionMaterial === 'function' &&
    typeof c.del === 'function'
  )
}

/**
 * What the hierarchical keyring needs of a cache (the official put/getBranchKeyMaterial): branch key
 * materials under their cache entry identifiers (aws-kms-hierarchical-keyring.md "Appendix A"). The
 * entry owns the material: the cache wipes its branch key on eviction.
 */
export interface BranchKeyMaterialsCache {
  putBranchKeyMaterial(key: string, material: NodeBranchKeyMaterial, maxAge: number): void
  getBranchKeyMaterial(key: string): BranchKeyMaterialEntry | false
  del(key: string, reason?: EvictionReason): void
}

export function isBranchKeyMaterialsCache(value: unknown): value is BranchKeyMaterialsCache {
  if (typeof value !== 'object' || value === null) return false
  const c = value as Record<keyof BranchKeyMaterialsCache, unknown>
  return (
    typeof c.putBranchKeyMaterial === 'function' &&
    typeof c.getBranchKeyMaterial === 'function' &&
    typeof c.del === 'function'
  )
}
