// The hierarchical keyring's branch key cache: entry identifiers of Appendix A, the keyring's own TTL check, and one store call per cold entry.
import { createHash } from 'node:crypto'
import { SingleFlight } from '../caching/single-flight'
import type { BranchKeyMaterialsCache } from '../caching/cache'
import { NodeBranchKeyMaterial } from './branch-key-material'

const RESOURCE_HIERARCHICAL_KEYRING = 0x02
const SCOPE_ENCRYPT = 0x01
const SCOPE_DECRYPT = 0x02
const NUL = Buffer.from([0])

/**
 * aws-kms-hierarchical-keyring.md "Appendix A": SHA-384 of resource ‖ 00 ‖ scope ‖ 00 ‖ partition
 * ‖ 00 ‖ logical key store name ‖ 00 ‖ branch key id (‖ 00 ‖ version, for decryption).
 */
export function branchKeyCacheId(
  partition: Uint8Array,
  logicalKeyStoreName: Uint8Array,
  branchKeyId: string,
  version?: string,
): string {
  const parts: Uint8Array[] = [
    Buffer.from([RESOURCE_HIERARCHICAL_KEYRING]),
    NUL,
    Buffer.from([version === undefined ? SCOPE_ENCRYPT : SCOPE_DECRYPT]),
    NUL,
    partition,
    NUL,
    logicalKeyStoreName,
    NUL,
    Buffer.from(branchKeyId, 'utf8'),
  ]
  if (version !== undefined) parts.push(NUL, Buffer.from(version, 'utf8'))
  return createHash('sha384').update(Buffer.concat(parts)).digest('hex')
}

export interface BranchKeyCacheStats {
  hits: number
  misses: number
  /** Requests that waited on another request's store call for the same entry. */
  coalesced: number
}

export class BranchKeyCache {
  private readonly flights = new SingleFlight<NodeBranchKeyMaterial>()
  private readonly counts: BranchKeyCacheStats = { hits: 0, misses: 0, coalesced: 0 }

  /** `ttl` in ms; 0 caches nothing (every request asks the store). */
  constructor(
    readonly cache: BranchKeyMaterialsCache,
    private readonly ttl: number,
  ) {}

  /**
   * The cached materials if the entry is within this keyring's TTL (#cacheEntryWithinLimits: a
   * shared cache may hold an entry put by a keyring with a longer TTL), else the store's, put in the
   * cache. The returned materials are used at once, synchronously: the cache may wipe them on a
   * later eviction.
   */
  async get(id: string, fetch: () => Promise<NodeBranchKeyMaterial>): Promise<NodeBranchKeyMaterial> {
    const hit = this.cached(id)
    if (hit) {
      this.counts.hits++
      return hit
    }
    const flight = this.flights.get(id)
    if (flight) {
      this.counts.coalesced++
      const shared = await flight
      // The entry may have been evicted (and wiped) before this waiter woke: then it asks on its own.
      if (shared.hasBranchKey) return shared
      return this.cached(id) ?? fetch()
    }
    this.counts.misses++
    const fresh = await this.flights.run(id, () => this.fill(id, fetch))
    // Likewise for the owner: another request may have pushed the entry out before this one resumed.
    return fresh.hasBranchKey ? fresh : fetch()
  }

  /** The cached materials within this keyring's TTL, without asking the store (the synchronous path); a hit when found. */
  peek(id: string): NodeBranchKeyMaterial | undefined {
    const hit = this.cached(id)
    if (hit) this.counts.hits++
    return hit
  }

  stats(): BranchKeyCacheStats {
    return { ...this.counts }
  }

  private cached(id: string): NodeBranchKeyMaterial | undefined {
    if (this.ttl <= 0) return undefined
    const entry = this.cache.getBranchKeyMaterial(id)
    if (!entry) return undefined
    if (Date.now() - entry.now > this.ttl || !entry.response.hasBranchKey) {
      this.cache.del(id, 'expired')
      return undefined
    }
    return entry.response
  }

  private async fill(id: string, fetch: () => Promise<NodeBranchKeyMaterial>): Promise<NodeBranchKeyMaterial> {
    const material = await fetch()
    if (this.ttl > 0) this.cache.putBranchKeyMaterial(id, material, this.ttl)
    return material
  }
}
