// KmsHierarchicalKeyRingNode: data keys wrapped under keys derived from cached branch keys, which AWS KMS protects in the key store (framework/aws-kms/aws-kms-hierarchical-keyring.md).
import { randomBytes } from 'node:crypto'
import { KeyringError, needs } from '../../core/errors'
import { randomPublicBytes } from '../../core/random'
import { wipe } from '../../core/wipe'
import {
  ContextOrder,
  EncryptionContext,
  serializeContextEntries,
  serializedContextEntries,
} from '../../format/encryption-context'
import { EncryptedDataKey } from '../../format/header'
import { BranchKeyMaterialsCache, isBranchKeyMaterialsCache } from '../caching/cache'
import { LocalCryptographicMaterialsCache } from '../caching/local-cache'
import { KeyringNode } from '../keyring'
import type { KeyringCrypto } from '../keyring-crypto'
import { NodeDecryptionMaterial, NodeEncryptionMaterial, ensureDataKey } from '../materials'
import { NodeBranchKeyMaterial } from './branch-key-material'
import { BranchKeyCache, BranchKeyCacheStats, branchKeyCacheId } from './branch-key-cache'
import { BranchKeyIdSupplier, isBranchKeyIdSupplier } from './branch-key-id-supplier'
import { BranchKeyStoreNode, isIBranchKeyStoreNode } from './branch-key-store'
import { bytesToUuid, uuidToBytes } from './uuid-bytes'

export const PROVIDER_ID_HIERARCHY = 'aws-kms-hierarchy'
const LABEL = Buffer.from(PROVIDER_ID_HIERARCHY, 'utf8')
const SALT_LENGTH = 16
const IV_LENGTH = 12
const VERSION_LENGTH = 16
const TAG_LENGTH = 16
const DEFAULT_CACHE_SIZE = 1000

export interface KmsHierarchicalKeyRingNodeInput {
  branchKeyId?: string
  branchKeyIdSupplier?: BranchKeyIdSupplier
  keyStore: BranchKeyStoreNode
  /** Seconds a branch key may be used from the cache before the store (and KMS) is asked again. */
  cacheLimitTtl: number
  /** A shared cache (e.g. `getLocalCryptographicMaterialsCache(n)`), else one of `maxCacheSize` entries for this keyring. */
  cache?: BranchKeyMaterialsCache
  maxCacheSize?: number
  /** Separates keyrings sharing one cache (aws-kms-hierarchical-keyring.md "Partition ID"); random when omitted. */
  partitionId?: string
  /**
   * Order of the context in the wrapping AAD. Default true here (UTF-8 byte order, what every other
   * ESDK writes); false writes the official JS SDK's default (localeCompare). Decrypt accepts both.
   */
  utf8Sorting?: boolean
}

interface Parsed {
  readonly salt: Uint8Array
  readonly iv: Uint8Array
  readonly version: Uint8Array
  readonly sealed: Uint8Array
}

export class KmsHierarchicalKeyRingNode extends KeyringNode {
  readonly branchKeyId: string | undefined
  readonly branchKeyIdSupplier: Readonly<BranchKeyIdSupplier> | undefined
  readonly keyStore: Readonly<BranchKeyStoreNode>
  /** In milliseconds, as the official keyring keeps it (configured in seconds). */
  readonly cacheLimitTtl: number
  readonly maxCacheSize: number | undefined
  private readonly cache: BranchKeyCache
  private readonly partition: Buffer
  private readonly logicalKeyStoreName: Buffer
  private readonly writeOrder: ContextOrder

  constructor({
    branchKeyId,
    branchKeyIdSupplier,
    keyStore,
    cacheLimitTtl,
    cache,
    maxCacheSize,
    partitionId,
    utf8Sorting,
  }: KmsHierarchicalKeyRingNodeInput) {
    super()
    needs(partitionId === undefined || typeof partitionId === 'string', 'Partition id must be a string.')
    needs(branchKeyId === undefined || typeof branchKeyId === 'string', 'The branch key id must be a string')
    needs(
      branchKeyIdSupplier === undefined || isBranchKeyIdSupplier(branchKeyIdSupplier),
      'The branch key id supplier must be a BranchKeyIdSupplier',
    )
    needs(isIBranchKeyStoreNode(keyStore), 'The keystore must be a BranchKeyStore')
    needs(typeof cacheLimitTtl === 'number', 'The cache limit TTL must be a number')
    needs(
      0 <= cacheLimitTtl && cacheLimitTtl * 1000 <= Number.MAX_SAFE_INTEGER,
      'Cache limit TTL must be non-negative and less than or equal to (Number.MAX_SAFE_INTEGER / 1000) seconds',
    )
    needs(branchKeyId || branchKeyIdSupplier, 'Must provide a branch key identifier or supplier')
    let branchCache: BranchKeyMaterialsCache
    if (cache !== undefined) {
      needs(!maxCacheSize, 'Max cache size not supported when passing a cache.')
      needs(
        isBranchKeyMaterialsCache(cache),
        'The cache must hold branch key materials (putBranchKeyMaterial / getBranchKeyMaterial)',
      )
      branchCache = cache
    } else {
      needs(typeof maxCacheSize === 'number' || !maxCacheSize, 'The max cache size must be a number')
      maxCacheSize = maxCacheSize === 0 || maxCacheSize ? maxCacheSize : DEFAULT_CACHE_SIZE
      needs(
        0 <= maxCacheSize && maxCacheSize <= Number.MAX_SAFE_INTEGER,
        'Max cache size must be non-negative and less than or equal Number.MAX_SAFE_INTEGER',
      )
      branchCache = new LocalCryptographicMaterialsCache(maxCacheSize)
    }
    this.branchKeyId = branchKeyId || undefined
    this.branchKeyIdSupplier = branchKeyIdSupplier ? Object.freeze(branchKeyIdSupplier) : undefined
    this.keyStore = keyStore
    this.cacheLimitTtl = cacheLimitTtl * 1000
    this.maxCacheSize = maxCacheSize
    // "Partition ID": the caller's string as UTF-8, else the 16 bytes of a random v4 UUID's worth.
    this.partition = partitionId ? Buffer.from(partitionId, 'utf8') : randomBytes(16)
    this.logicalKeyStoreName = Buffer.from(keyStore.getKeyStoreInfo().logicalKeyStoreName, 'utf8')
    this.cache = new BranchKeyCache(branchCache, this.cacheLimitTtl)
    this.writeOrder = utf8Sorting === false ? 'locale' : 'utf8'
    Object.freeze(this)
  }

  /** The official predicate: whether a cache entry made at `now` is older than this keyring's TTL. */
  cacheEntryHasExceededLimits({ now }: { now: number }): boolean {
    return Date.now() - now > this.cacheLimitTtl
  }

  /** Extension: branch key cache hits, misses and coalesced misses of this keyring. */
  getCacheStats(): BranchKeyCacheStats {
    return this.cache.stats()
  }

  protected async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    const branchKeyId = this.branchKeyIdFor(material.encryptionContext)
    const id = branchKeyCacheId(this.partition, this.logicalKeyStoreName, branchKeyId)
    const branch = await this.cache.get(id, () => this.keyStore.getActiveBranchKey(branchKeyId))
    return this.wrap(material, branch)
  }

  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    const { branchKeyId, candidates } = this.candidates(material, edks)
    const errors: unknown[] = []
    for (const { parsed, version } of candidates) {
      try {
        const id = branchKeyCacheId(this.partition, this.logicalKeyStoreName, branchKeyId, version)
        const branch = await this.cache.get(id, () => this.keyStore.getBranchKeyVersion(branchKeyId, version))
        const key = this.unwrap(material, branchKeyId, branch, parsed, errors)
        if (key) return material.adoptUnencryptedDataKey(key)
      } catch (e) {
        errors.push(e)
      }
    }
    throw new KeyringError('Unable to decrypt data key', errors)
  }

  /**
   * Extension: with the branch key already cached (and within the TTL) there is no I/O, so the
   * session can skip the promise hops; undefined (before touching the material) otherwise.
   */
  protected override _onEncryptSync(material: NodeEncryptionMaterial): NodeEncryptionMaterial | undefined {
    if (this._onEncrypt !== KmsHierarchicalKeyRingNode.prototype._onEncrypt) return undefined
    const branchKeyId = this.branchKeyIdFor(material.encryptionContext)
    const branch = this.cache.peek(branchKeyCacheId(this.partition, this.logicalKeyStoreName, branchKeyId))
    return branch ? this.wrap(material, branch) : undefined
  }

  protected override _onDecryptSync(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): NodeDecryptionMaterial | undefined {
    if (this._onDecrypt !== KmsHierarchicalKeyRingNode.prototype._onDecrypt) return undefined
    const { branchKeyId, candidates } = this.candidates(material, edks)
    const branches = candidates.map((c) =>
      this.cache.peek(branchKeyCacheId(this.partition, this.logicalKeyStoreName, branchKeyId, c.version)),
    )
    // Synchronous only when every candidate's branch key is at hand: the async path would try them in the same order.
    if (branches.some((b) => b === undefined)) return undefined
    const errors: unknown[] = []
    for (let i = 0; i < candidates.length; i++) {
      const key = this.unwrap(
        material,
        branchKeyId,
        branches[i] as NodeBranchKeyMaterial,
        (candidates[i] as { parsed: Parsed }).parsed,
        errors,
      )
      if (key) return material.adoptUnencryptedDataKey(key)
    }
    throw new KeyringError('Unable to decrypt data key', errors)
  }

  private branchKeyIdFor(context: EncryptionContext): string {
    const id = this.branchKeyId ?? (this.branchKeyIdSupplier as BranchKeyIdSupplier).getBranchKeyId(context)
    needs(typeof id === 'string' && id !== '', 'the branch key id supplier must return a non-empty string')
    return id
  }

  /** "OnDecrypt": EDKs of this provider whose info is the branch key id, with a ciphertext that parses. */
  private candidates(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): { branchKeyId: string; candidates: { parsed: Parsed; version: string }[] } {
    const branchKeyId = this.branchKeyIdFor(material.encryptionContext)
    const idBytes = Buffer.from(branchKeyId, 'utf8')
    const candidates: { parsed: Parsed; version: string }[] = []
    for (const edk of edks) {
      if (edk.providerId !== PROVIDER_ID_HIERARCHY || !idBytes.equals(edk.rawInfo)) continue
      const parsed = parseCiphertext(edk.encryptedDataKey, material.suite.keyLengthBytes)
      if (parsed) candidates.push({ parsed, version: bytesToUuid(parsed.version) })
    }
    if (candidates.length === 0)
      throw new KeyringError("There must be an encrypted data key that matches this keyring's configuration")
    return { branchKeyId, candidates }
  }

  /** "Branch Key Wrapping": a key derived per EDK (fresh salt), AES-256-GCM with a fresh IV. */
  private wrap(material: NodeEncryptionMaterial, branch: NodeBranchKeyMaterial): NodeEncryptionMaterial {
    ensureDataKey(material)
    const crypto = material.keyringCrypto
    const salt = randomPublicBytes(SALT_LENGTH)
    const iv = randomPublicBytes(IV_LENGTH)
    const version = uuidToBytes(branch.versionString)
    const context =
      this.writeOrder === 'utf8'
        ? serializedContextEntries(material.encryptionContext)
        : serializeContextEntries(material.encryptionContext, this.writeOrder)
    const derived = deriveWrappingKey(crypto, branch.branchKey(), salt)
    try {
      const sealed = crypto.aesGcmSeal(
        derived,
        iv,
        wrappingAad(branch.branchKeyIdentifier, version, context),
        material.getUnencryptedDataKey(),
      )
      return material.addEncryptedDataKey(
        new EncryptedDataKey({
          providerId: PROVIDER_ID_HIERARCHY,
          providerInfo: branch.branchKeyIdentifier,
          encryptedDataKey: Buffer.concat([salt, iv, version, sealed]),
        }),
      )
    } finally {
      wipe(derived)
    }
  }

  /** "Branch Key Unwrapping", trying our write order first and then the other (as the raw AES keyring does). */
  private unwrap(
    material: NodeDecryptionMaterial,
    branchKeyId: string,
    branch: NodeBranchKeyMaterial,
    parsed: Parsed,
    errors: unknown[],
  ): Buffer | undefined {
    const crypto = material.keyringCrypto
    const derived = deriveWrappingKey(crypto, branch.branchKey(), parsed.salt)
    try {
      for (const context of contextOrders(material.encryptionContext, this.writeOrder)) {
        const key = crypto.aesGcmOpen(
          derived,
          parsed.iv,
          wrappingAad(branchKeyId, parsed.version, context),
          parsed.sealed,
        )
        if (!(key instanceof Error)) return key
        errors.push(key)
      }
      return undefined
    } finally {
      wipe(derived)
    }
  }
}

/** KDF in counter mode, HMAC-SHA256, label "aws-kms-hierarchy", context = the salt: a 32-byte key per EDK. */
function deriveWrappingKey(crypto: KeyringCrypto, branchKey: Uint8Array, salt: Uint8Array): Buffer {
  return crypto.kdfCounterMode({ hash: 'sha256', ikm: branchKey, label: LABEL, context: salt, length: 32 })
}

/** "Branch Key Wrapping and Unwrapping AAD": "aws-kms-hierarchy" ‖ branch key id ‖ version (16 bytes) ‖ serialized context. */
function wrappingAad(branchKeyId: string, version: Uint8Array, context: Uint8Array): Buffer {
  return Buffer.concat([LABEL, Buffer.from(branchKeyId, 'utf8'), version, context])
}

/** "Ciphertext": salt ‖ IV ‖ version ‖ encrypted key ‖ tag, exactly. */
function parseCiphertext(ciphertext: Uint8Array, keyLength: number): Parsed | undefined {
  if (ciphertext.length !== SALT_LENGTH + IV_LENGTH + VERSION_LENGTH + keyLength + TAG_LENGTH) return undefined
  const at = SALT_LENGTH + IV_LENGTH
  return {
    salt: ciphertext.subarray(0, SALT_LENGTH),
    iv: ciphertext.subarray(SALT_LENGTH, at),
    version: ciphertext.subarray(at, at + VERSION_LENGTH),
    sealed: ciphertext.subarray(at + VERSION_LENGTH),
  }
}

function contextOrders(context: EncryptionContext, first: ContextOrder): Uint8Array[] {
  const mine = first === 'utf8' ? serializedContextEntries(context) : serializeContextEntries(context, first)
  if (Object.keys(context).length < 2) return [mine]
  const other = serializeContextEntries(context, first === 'utf8' ? 'locale' : 'utf8')
  return Buffer.compare(Buffer.from(mine), other) === 0 ? [mine] : [mine, other]
}
