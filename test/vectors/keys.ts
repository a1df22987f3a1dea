// Keys manifests v1/v2/v3: the key material that decrypt manifests refer to by local name.
import { JsonObject, ShapeError, asArray, asObject, asString, field, int, optBool, optStr, str } from './json'

export type KeyEntry =
  | {
      readonly kind: 'aes'
      readonly name: string
      readonly bits: number
      readonly material: Buffer
      readonly decrypt: boolean
    }
  | {
      readonly kind: 'rsa'
      readonly name: string
      readonly half: 'private' | 'public'
      readonly pem: string
      readonly decrypt: boolean
    }
  /** Raw ECDH (keys v2 `ecc-private`): the two PEM private keys and their base64 DER public keys, by field name. */
  | { readonly kind: 'ecc'; readonly name: string; readonly bits: number; readonly fields: ReadonlyMap<string, string> }
  /** A hierarchical keyring's branch key, as a static key store serves it (keys v2 `static-branch-key`). */
  | {
      readonly kind: 'branch'
      readonly branchKeyId: string
      readonly branchKeyVersion: string
      readonly branchKey: Buffer
      readonly beaconKey: Buffer | undefined
    }
  /** Anything without raw material usable offline (aws-kms*, static-material). */
  | { readonly kind: 'other'; readonly type: string }

export type KeyTable = ReadonlyMap<string, KeyEntry>

export function parseKeysManifest(json: unknown, where: string): KeyTable {
  const top = asObject(json, where)
  const manifest = asObject(field(top, 'manifest', where), `${where}.manifest`)
  if (str(manifest, 'type', `${where}.manifest`) !== 'keys')
    throw new ShapeError(`${where}: manifest.type is not "keys"`)
  const version = int(manifest, 'version', `${where}.manifest`)
  if (version < 1 || version > 3) throw new ShapeError(`${where}: keys manifest version ${version} is not supported`)
  const keys = asObject(field(top, 'keys', where), `${where}.keys`)
  const table = new Map<string, KeyEntry>()
  for (const [localName, value] of Object.entries(keys)) {
    table.set(
      localName,
      parseKey(localName, asObject(value, `${where}.keys.${localName}`), version, `${where}.keys.${localName}`),
    )
  }
  return table
}

function parseKey(localName: string, o: JsonObject, version: number, where: string): KeyEntry {
  const type = str(o, 'type', where)
  if (type === 'ecc-private') return eccKey(o, where)
  if (type === 'static-branch-key') {
    const beacon = optStr(o, 'beaconKey', where)
    return {
      kind: 'branch',
      branchKeyId: str(o, 'key-id', where),
      branchKeyVersion: str(o, 'branchKeyVersion', where),
      branchKey: Buffer.from(str(o, 'branchKey', where), 'base64'),
      beaconKey: beacon === undefined ? undefined : Buffer.from(beacon, 'base64'),
    }
  }
  if (type !== 'symmetric' && type !== 'private' && type !== 'public') return { kind: 'other', type }
  // Version 1 has no key-id: the local name is the key name (README, keys manifest).
  const name = version === 1 ? localName : str(o, 'key-id', where)
  const decrypt = optBool(o, 'decrypt', where) ?? true
  const algorithm = str(o, 'algorithm', where)
  const encoding = str(o, 'encoding', where)
  const text = material(o, version, where)
  if (type === 'symmetric') {
    if (algorithm !== 'aes' || encoding !== 'base64')
      throw new ShapeError(`${where}: symmetric keys must be aes/base64`)
    const bits = int(o, 'bits', where)
    const bytes = Buffer.from(text, 'base64')
    if (bytes.length * 8 !== bits)
      throw new ShapeError(`${where}: material is ${bytes.length * 8} bits, "bits" says ${bits}`)
    return { kind: 'aes', name, bits, material: bytes, decrypt }
  }
  if (algorithm !== 'rsa' || encoding !== 'pem') throw new ShapeError(`${where}: ${type} keys must be rsa/pem`)
  return { kind: 'rsa', name, half: type, pem: text, decrypt }
}

/** Version 1 keeps material as a list of lines joined with `line-separator`; later versions as one string. */
function material(o: JsonObject, version: number, where: string): string {
  const value = field(o, 'material', where)
  if (version !== 1) return asString(value, `${where}.material`)
  const separator = optStr(o, 'line-separator', where) ?? ''
  return asArray(value, `${where}.material`)
    .map((line, i) => asString(line, `${where}.material[${i}]`))
    .join(separator)
}

/** `ecc-private`: PEM private keys under sender-material / recipient-material, base64 DER public keys under *-public-key. */
function eccKey(o: JsonObject, where: string): KeyEntry {
  if (str(o, 'algorithm', where) !== 'ecdh' || str(o, 'encoding', where) !== 'pem')
    throw new ShapeError(`${where}: ecc-private keys must be ecdh/pem`)
  const fields = new Map<string, string>()
  for (const name of [
    'sender-material',
    'recipient-material',
    'sender-material-public-key',
    'recipient-material-public-key',
  ])
    fields.set(name, str(o, name, where))
  return { kind: 'ecc', name: str(o, 'key-id', where), bits: int(o, 'bits', where), fields }
}
