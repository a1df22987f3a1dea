// Keyring descriptions from decrypt manifests (v1/v4 master-key lists, v5 trees) built into keyrings and CMMs.
import {
  BranchKeyStoreNode,
  KeyringNode,
  KmsHierarchicalKeyRingNode,
  MultiKeyringNode,
  RequiredEncryptionContextCMM,
} from '../../lib/index'
import { StaticBranchKeyStore } from './static-branch-key-store'
import type { DecryptMaterials } from './cases'
import { JsonObject, ShapeError, asArray, asObject, field, optStr, str, strList } from './json'
import { KeyTable } from './keys'
import { parseRsaPadding, rawAesKeyring, rawEcdhKeyringFor, rawRsaKeyring } from './raw-keyrings'

export type Built =
  | { readonly kind: 'ready'; readonly materials: DecryptMaterials }
  | { readonly kind: 'needs-network'; readonly keyring: string }
  | { readonly kind: 'pending'; readonly keyring: string }

/** Description types that call AWS KMS. */
const NETWORK_TYPES: ReadonlySet<string> = new Set([
  'aws-kms',
  'aws-kms-mrk-aware',
  'aws-kms-mrk-aware-discovery',
  'aws-kms-rsa',
  'aws-kms-ecdh',
])

/** One description (v5 `decryptKeyDescription`, or one entry of a `master-keys` list). */
export function buildDescription(value: unknown, keys: KeyTable, where: string): Built {
  const o = asObject(value, where)
  const type = str(o, 'type', where)
  if (NETWORK_TYPES.has(type)) return { kind: 'needs-network', keyring: type }
  switch (type) {
    case 'raw':
      return { kind: 'ready', materials: rawKeyring(o, keys, where) }
    case 'raw-ecdh':
      return { kind: 'ready', materials: rawEcdhKeyring(o, keys, where) }
    case 'aws-kms-hierarchy':
      return { kind: 'ready', materials: hierarchyKeyring(o, keys, where) }
    case 'multi-keyring':
      return multiKeyring(o, keys, where)
    case 'required-encryption-context-cmm':
      return requiredContextCmm(o, keys, where)
    default:
      throw new ShapeError(`${where}: unknown keyring description type ${JSON.stringify(type)}`)
  }
}

/** v1/v2/v4 `master-keys`: decrypt with all of them at once, a multi-keyring without a generator (as the JS runner does). */
export function buildMasterKeyList(value: unknown, keys: KeyTable, where: string): Built {
  const parts = asArray(value, where).map((d, i) => buildDescription(d, keys, `${where}[${i}]`))
  if (parts.length === 0) throw new ShapeError(`${where}: empty master-key list`)
  return combine(parts, (children) => new MultiKeyringNode({ children }))
}

function rawKeyring(o: JsonObject, keys: KeyTable, where: string): KeyringNode {
  const localName = str(o, 'key', where)
  const key = keys.get(localName)
  if (!key) throw new ShapeError(`${where}: key ${JSON.stringify(localName)} is not in the keys manifest`)
  const namespace = str(o, 'provider-id', where)
  const algorithm = str(o, 'encryption-algorithm', where)
  if (algorithm === 'aes' && key.kind === 'aes') return rawAesKeyring(namespace, key.name, key.material)
  if (algorithm === 'rsa' && key.kind === 'rsa') {
    const padding = parseRsaPadding(str(o, 'padding-algorithm', where), optStr(o, 'padding-hash', where))
    return rawRsaKeyring(namespace, key.name, key, padding)
  }
  throw new ShapeError(`${where}: encryption-algorithm ${algorithm} does not fit key ${localName} (${key.kind})`)
}

/**
 * v5 `raw-ecdh`: `static` is RawPrivateKeyToStaticPublicKey with the sender's private key and the
 * recipient's public key (decrypting its own messages); `discovery` is PublicKeyDiscovery with the
 * recipient's private key. `sender-public-key` / `recipient-public-key` name the key fields used.
 */
function rawEcdhKeyring(o: JsonObject, keys: KeyTable, where: string): KeyringNode {
  const schema = str(o, 'schema', where)
  const curve = str(o, 'ecc-curve', where)
  const entry = (role: 'sender' | 'recipient') => {
    const name = str(o, role, where)
    const key = keys.get(name)
    if (!key || key.kind !== 'ecc')
      throw new ShapeError(`${where}: ${role} ${JSON.stringify(name)} is not an ecc-private key`)
    return key
  }
  const field = (key: Extract<ReturnType<typeof entry>, { kind: 'ecc' }>, name: string): string => {
    const value = key.fields.get(name)
    if (value === undefined) throw new ShapeError(`${where}: key ${key.name} has no ${name}`)
    return value
  }
  if (schema === 'static') {
    const sender = entry('sender')
    const recipient = entry('recipient')
    return rawEcdhKeyringFor(curve, {
      RawPrivateKeyToStaticPublicKey: {
        senderStaticPrivateKey: field(sender, 'sender-material'),
        recipientPublicKey: Buffer.from(field(recipient, str(o, 'recipient-public-key', where)), 'base64'),
      },
    })
  }
  if (schema === 'ephemeral') {
    return rawEcdhKeyringFor(curve, {
      EphemeralPrivateKeyToStaticPublicKey: {
        recipientPublicKey: Buffer.from(field(entry('recipient'), str(o, 'recipient-public-key', where)), 'base64'),
      },
    })
  }
  if (schema === 'discovery')
    return rawEcdhKeyringFor(curve, {
      PublicKeyDiscovery: { recipientStaticPrivateKey: field(entry('recipient'), 'recipient-material') },
    })
  throw new ShapeError(`${where}: unknown raw-ecdh schema ${JSON.stringify(schema)}`)
}

/** v5 `aws-kms-hierarchy`: the keyring over a static key store serving the named `static-branch-key` (as the MPL runner does, TTL 11 s). */
function hierarchyKeyring(o: JsonObject, keys: KeyTable, where: string): KeyringNode {
  const name = str(o, 'key', where)
  const key = keys.get(name)
  if (!key || key.kind !== 'branch')
    throw new ShapeError(`${where}: key ${JSON.stringify(name)} is not a static-branch-key`)
  const keyStore = new StaticBranchKeyStore(key) as unknown as BranchKeyStoreNode
  return new KmsHierarchicalKeyRingNode({ branchKeyId: key.branchKeyId, keyStore, cacheLimitTtl: 11 })
}

function multiKeyring(o: JsonObject, keys: KeyTable, where: string): Built {
  const generator = o.generator === undefined ? undefined : buildDescription(o.generator, keys, `${where}.generator`)
  const children = asArray(o.childKeyrings ?? [], `${where}.childKeyrings`).map((d, i) =>
    buildDescription(d, keys, `${where}.childKeyrings[${i}]`),
  )
  const parts = generator ? [generator, ...children] : children
  return combine(parts, (rings) => {
    if (!generator) return new MultiKeyringNode({ children: rings })
    const [first, ...rest] = rings
    return new MultiKeyringNode({ generator: first, children: rest })
  })
}

function requiredContextCmm(o: JsonObject, keys: KeyTable, where: string): Built {
  const underlying = buildDescription(field(o, 'underlying', where), keys, `${where}.underlying`)
  const requiredEncryptionContextKeys = strList(
    field(o, 'requiredEncryptionContextKeys', where),
    `${where}.requiredEncryptionContextKeys`,
  )
  if (underlying.kind !== 'ready') return underlying
  return { kind: 'ready', materials: requireContext(underlying.materials, requiredEncryptionContextKeys) }
}

export function requireContext(
  materials: DecryptMaterials,
  requiredEncryptionContextKeys: string[],
): RequiredEncryptionContextCMM {
  return materials instanceof KeyringNode
    ? new RequiredEncryptionContextCMM({ keyring: materials, requiredEncryptionContextKeys })
    : new RequiredEncryptionContextCMM({ underlyingCMM: materials, requiredEncryptionContextKeys })
}

/** Network beats pending beats ready: a vector runs offline only if every part of its keyring does. */
function combine(parts: readonly Built[], make: (rings: KeyringNode[]) => KeyringNode): Built {
  const network = parts.filter((p) => p.kind === 'needs-network')
  if (network.length > 0) return { kind: 'needs-network', keyring: network.map((p) => p.keyring).join('+') }
  const pending = parts.filter((p) => p.kind === 'pending')
  if (pending.length > 0) return { kind: 'pending', keyring: pending.map((p) => p.keyring).join('+') }
  const rings = parts.map((p) => {
    if (p.kind !== 'ready' || !(p.materials instanceof KeyringNode))
      throw new ShapeError('a multi-keyring can only hold keyrings, not CMMs')
    return p.materials
  })
  return { kind: 'ready', materials: make(rings) }
}
