// The keys and aliases of every region and account, and KMS's rules for resolving a KeyId in the caller's region.
import { aliasArn, isAliasName, isMrkId, keyArn, parseKeyIdentifier, partitionOf } from './arn'
import { fault } from './errors'
import { KeySource } from './key-source'
import { KeyObject, generateKeyPairSync } from 'node:crypto'
import type { CreateKeySpec, KeySpec, KeyUsage, LocalKmsKey } from './types'

export interface StoredKey {
  readonly arn: string
  readonly keyId: string
  readonly partition: string
  readonly region: string
  readonly account: string
  readonly multiRegion: boolean
  /** What a ciphertext blob binds: the ARN, or partition, account and id for a multi-Region key (shared by replicas). */
  readonly identity: string
  readonly material: Buffer
  readonly keyUsage: KeyUsage
  readonly keySpec: KeySpec
  /** ECC key specs only: the key pair (shared by multi-Region replicas, as KMS shares their material). */
  readonly ecKey: { readonly privateKey: KeyObject; readonly publicKeyDer: Buffer } | undefined
  enabled: boolean
  denied: boolean
}

export function identityOf(partition: string, account: string, keyId: string, arn: string): string {
  return isMrkId(keyId) ? `${partition}:${account}:${keyId}` : arn
}

export class KeyStore {
  private readonly keys = new Map<string, StoredKey>()
  /** alias ARN → key ARN */
  private readonly aliases = new Map<string, string>()
  private readonly source: KeySource
  readonly callerAccount: string

  constructor(callerAccount: string, seed?: string) {
    this.callerAccount = callerAccount
    this.source = new KeySource(seed)
  }

  /** Creates a key (and its replicas) and returns the primary. Throws on a bad or duplicate spec. */
  create(spec: CreateKeySpec): StoredKey {
    const account = spec.account ?? this.callerAccount
    const partition = spec.partition ?? partitionOf(spec.region)
    const replicas = spec.replicas ?? []
    const multiRegion = spec.multiRegion ?? replicas.length > 0
    if (!/^[a-z0-9-]+$/.test(spec.region)) throw new TypeError(`bad region '${spec.region}'`)
    if (!/^\d{12}$/.test(account)) throw new TypeError(`bad account '${account}': 12 digits expected`)
    if (!multiRegion && replicas.length > 0) throw new TypeError('replicas need a multi-Region key')
    const regions = [spec.region, ...replicas]
    if (new Set(regions).size !== regions.length)
      throw new TypeError('replica regions must differ from each other and the primary')
    for (const r of regions) if (!/^[a-z0-9-]+$/.test(r)) throw new TypeError(`bad region '${r}'`)
    for (const r of replicas)
      if (partitionOf(r) !== partition) throw new TypeError(`replica region ${r} is outside partition ${partition}`)
    const keyId = spec.keyId ?? this.source.newKeyId(multiRegion)
    if (!/^[A-Za-z0-9-]+$/.test(keyId) || isMrkId(keyId) !== multiRegion) {
      throw new TypeError(`bad key id '${keyId}': multi-Region key ids start with 'mrk-', others must not`)
    }
    const primaryArn = keyArn(partition, spec.region, account, keyId)
    const identity = identityOf(partition, account, keyId, primaryArn)
    const material = spec.material === undefined ? this.source.material(identity) : Buffer.from(spec.material)
    if (material.length !== 32) throw new TypeError('key material must be 32 bytes')
    const keySpec = spec.keySpec ?? 'SYMMETRIC_DEFAULT'
    const keyUsage: KeyUsage = spec.keyUsage ?? (keySpec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : 'KEY_AGREEMENT')
    if ((keySpec === 'SYMMETRIC_DEFAULT') !== (keyUsage !== 'KEY_AGREEMENT'))
      throw new TypeError(`key usage ${keyUsage} does not fit key spec ${keySpec}`)
    const ecKey = keySpec === 'SYMMETRIC_DEFAULT' ? undefined : eccKeyPair(keySpec)
    const aliasNames = spec.alias === undefined ? [] : typeof spec.alias === 'string' ? [spec.alias] : [...spec.alias]
    for (const a of aliasNames)
      if (!isAliasName(a) || a.startsWith('alias/aws/')) throw new TypeError(`bad alias name '${a}'`)
    const created = regions.map((region) => {
      const arn = keyArn(partition, region, account, keyId)
      if (this.keys.has(arn)) throw new TypeError(`key ${arn} exists`)
      for (const a of aliasNames) {
        if (this.aliases.has(aliasArn(partition, region, account, a)))
          throw new TypeError(`alias ${a} exists in ${region}/${account}`)
      }
      return {
        arn,
        keyId,
        partition,
        region,
        account,
        multiRegion,
        identity,
        material,
        keyUsage,
        keySpec,
        ecKey,
        enabled: spec.enabled ?? true,
        denied: false,
      }
    })
    for (const k of created) {
      this.keys.set(k.arn, k)
      for (const a of aliasNames) this.aliases.set(aliasArn(partition, k.region, account, a), k.arn)
    }
    return created[0] as StoredKey
  }

  createAlias(aliasName: string, targetArn: string): void {
    const key = this.mustGet(targetArn)
    if (!isAliasName(aliasName) || aliasName.startsWith('alias/aws/'))
      throw new TypeError(`bad alias name '${aliasName}'`)
    const arn = aliasArn(key.partition, key.region, key.account, aliasName)
    if (this.aliases.has(arn)) throw new TypeError(`alias ${arn} exists`)
    this.aliases.set(arn, key.arn)
  }

  get(arn: string): StoredKey | undefined {
    return this.keys.get(arn)
  }

  mustGet(arn: string): StoredKey {
    const key = this.keys.get(arn)
    if (key === undefined) throw new TypeError(`no key ${arn}`)
    return key
  }

  /** The key an alias ARN points at, if any. */
  aliasTarget(arn: string): StoredKey | undefined {
    const target = this.aliases.get(arn)
    return target === undefined ? undefined : this.keys.get(target)
  }

  all(): StoredKey[] {
    return [...this.keys.values()]
  }

  /** The key in `region` with the same identity (a multi-Region replica, or the key itself). */
  related(key: StoredKey, region: string): StoredKey | undefined {
    return this.keys.get(keyArn(key.partition, region, key.account, key.keyId))
  }

  /** Resolves a KeyId the way KMS does for a caller in `region`; NotFoundException when it names nothing there. */
  resolve(keyIdText: string, region: string): StoredKey {
    const id = parseKeyIdentifier(keyIdText)
    const partition = partitionOf(region)
    const account = this.callerAccount
    switch (id.kind) {
      case 'invalid':
        throw fault.notFound(`Invalid keyId '${keyIdText}'`)
      case 'key-arn':
      case 'alias-arn':
        if (id.region !== region || id.partition !== partition) throw fault.notFound(`Invalid arn ${id.region}`)
        break
    }
    const found =
      id.kind === 'key-arn'
        ? this.keys.get(keyIdText)
        : id.kind === 'key-id'
          ? this.keys.get(keyArn(partition, region, account, id.keyId))
          : this.aliasTarget(id.kind === 'alias-arn' ? keyIdText : aliasArn(partition, region, account, id.alias))
    if (found !== undefined) return found
    if (id.kind === 'alias-name' || id.kind === 'alias-arn') {
      throw fault.notFound(
        `Alias ${id.kind === 'alias-arn' ? keyIdText : aliasArn(partition, region, account, id.alias)} is not found.`,
      )
    }
    throw fault.notFound(
      `Key '${id.kind === 'key-arn' ? keyIdText : keyArn(partition, region, account, id.keyId)}' does not exist`,
    )
  }

  snapshot(key: StoredKey): LocalKmsKey {
    const aliases = [...this.aliases]
      .filter(([, target]) => target === key.arn)
      .map(([arn]) => arn.slice(arn.indexOf(':alias/') + 1))
    const replicaArns = key.multiRegion
      ? this.all()
          .filter((k) => k !== key && k.identity === key.identity)
          .map((k) => k.arn)
      : []
    const { arn, keyId, partition, region, account, multiRegion, enabled, denied, keyUsage, keySpec } = key
    return {
      arn,
      keyId,
      partition,
      region,
      account,
      multiRegion,
      aliases,
      replicaArns,
      enabled,
      denied,
      keyUsage,
      keySpec,
    }
  }
}

const NAMED_CURVE: Readonly<Record<Exclude<KeySpec, 'SYMMETRIC_DEFAULT'>, string>> = {
  ECC_NIST_P256: 'prime256v1',
  ECC_NIST_P384: 'secp384r1',
  ECC_NIST_P521: 'secp521r1',
}

/** A fresh EC key pair; the public half kept as the DER SubjectPublicKeyInfo GetPublicKey returns. */
function eccKeyPair(spec: Exclude<KeySpec, 'SYMMETRIC_DEFAULT'>): { privateKey: KeyObject; publicKeyDer: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: NAMED_CURVE[spec] })
  return { privateKey, publicKeyDer: publicKey.export({ type: 'spki', format: 'der' }) }
}
