// Encrypt manifests (framework awses-encrypt v2 with raw keys, Dafny v5 scenarios) as cases: what to encrypt with which keyring, and who can decrypt it.
import * as official from '@aws-crypto/client-node'
import { constants, randomBytes } from 'node:crypto'
import * as path from 'node:path'
import * as fs from 'node:fs'
import type { DecryptMaterials } from './cases'
import { Built, buildDescription, buildMasterKeyList } from './descriptions'
import { KeyringNode, MultiKeyringNode } from '../../lib/index'
import { JsonObject, ShapeError, asArray, asObject, field, int, isObject, optStr, parseJson, str, strMap } from './json'
import { KeyTable, parseKeysManifest } from './keys'
import { parseRsaPadding } from './raw-keyrings'
import { resolveUri } from './source'

export type OfficialMaterials = official.KeyringNode

export type EncryptPlan =
  | {
      readonly kind: 'run'
      readonly plaintext: Buffer
      readonly suiteId: number
      readonly frameLength: number
      readonly context: Record<string, string>
      readonly encrypt: DecryptMaterials
      readonly decrypt: DecryptMaterials
      readonly reproducedContext: Record<string, string> | undefined
      /** The official SDK's keyring for the same keys, when it has that keyring (raw AES/RSA and multi-keyrings of them). */
      readonly officialDecrypt: OfficialMaterials | undefined
    }
  | { readonly kind: 'needs-network'; readonly keyring: string }
  /** Non-framed messages (frame size 0): this library decrypts them but never writes them, as the spec's encrypt allows. */
  | { readonly kind: 'not-written'; readonly reason: string }
  | { readonly kind: 'broken'; readonly error: string }

export interface EncryptCase {
  readonly id: string
  readonly plan: EncryptPlan
}

function plan(make: () => EncryptPlan): EncryptPlan {
  try {
    return make()
  } catch (e) {
    return { kind: 'broken', error: e instanceof Error ? e.message : String(e) }
  }
}

export function loadEncryptManifest(manifestFile: string): EncryptCase[] {
  const where = manifestFile
  const top = asObject(parseJson(fs.readFileSync(manifestFile), where), where)
  const manifest = asObject(field(top, 'manifest', where), `${where}.manifest`)
  if (str(manifest, 'type', `${where}.manifest`) !== 'awses-encrypt')
    throw new ShapeError(`${where}: not an awses-encrypt manifest`)
  const version = int(manifest, 'version', `${where}.manifest`)
  const keysPath = path.join(
    path.dirname(manifestFile),
    resolveUri(str(top, 'keys', where), path.basename(manifestFile), `${where}.keys`),
  )
  const keys = parseKeysManifest(parseJson(fs.readFileSync(keysPath), keysPath), keysPath)
  const sizes = asObject(field(top, 'plaintexts', where), `${where}.plaintexts`)
  const plaintexts = new Map<string, Buffer>()
  const plaintextOf = (name: string): Buffer => {
    let p = plaintexts.get(name)
    if (!p) {
      const size = sizes[name]
      if (typeof size !== 'number') throw new ShapeError(`${where}: no plaintext ${name}`)
      p = randomBytes(size)
      plaintexts.set(name, p)
    }
    return p
  }
  const tests = asObject(field(top, 'tests', where), `${where}.tests`)
  return Object.entries(tests).map(([id, value]) => ({
    id,
    plan: plan(() => {
      const t = asObject(value, `tests.${id}`)
      return version >= 5 && isObject(t['encryption-scenario'])
        ? scenario(keys, t['encryption-scenario'], plaintextOf, `tests.${id}`)
        : classic(keys, t, plaintextOf, `tests.${id}`)
    }),
  }))
}

/** awses-encrypt v1/v2: a master-key list, the first the generator; decrypt with all of them at once. */
function classic(keys: KeyTable, t: JsonObject, plaintextOf: (name: string) => Buffer, where: string): EncryptPlan {
  const frameLength = int(t, 'frame-size', where)
  const list = asArray(field(t, 'master-keys', where), `${where}.master-keys`)
  const parts = list.map((d, i) => buildDescription(d, keys, `${where}.master-keys[${i}]`))
  const network = parts.find((p) => p.kind === 'needs-network')
  if (network && network.kind === 'needs-network') return network
  if (frameLength === 0) return { kind: 'not-written', reason: 'non-framed' }
  const rings = parts.map((p) => ready(p, where))
  const [generator, ...children] = rings.map((r) => {
    if (!(r instanceof KeyringNode)) throw new ShapeError(`${where}: a master-key list holds keyrings only`)
    return r
  })
  return {
    kind: 'run',
    plaintext: plaintextOf(str(t, 'plaintext', where)),
    suiteId: Number.parseInt(str(t, 'algorithm', where), 16),
    frameLength,
    context: strMap(t['encryption-context'] ?? {}, `${where}.encryption-context`),
    encrypt: new MultiKeyringNode({ generator, children }),
    decrypt: ready(buildMasterKeyList(field(t, 'master-keys', where), keys, `${where}.master-keys`), where),
    reproducedContext: undefined,
    officialDecrypt: officialList(list, keys, where),
  }
}

/** awses-encrypt v5 (Dafny): one description to encrypt with, one to decrypt with, and the contexts. */
function scenario(keys: KeyTable, s: JsonObject, plaintextOf: (name: string) => Buffer, where: string): EncryptPlan {
  const encrypt = buildDescription(field(s, 'encryptKeyDescription', where), keys, `${where}.encryptKeyDescription`)
  const decrypt = buildDescription(field(s, 'decryptKeyDescription', where), keys, `${where}.decryptKeyDescription`)
  if (encrypt.kind === 'needs-network') return encrypt
  if (decrypt.kind === 'needs-network') return decrypt
  const frameLength = int(s, 'frame-size', where)
  if (frameLength === 0) return { kind: 'not-written', reason: 'non-framed' }
  const reproduced = s['reproduced-encryption-context']
  return {
    kind: 'run',
    plaintext: plaintextOf(str(s, 'plaintext', where)),
    suiteId: Number.parseInt(str(s, 'algorithmSuiteId', where), 16),
    frameLength,
    context: strMap(s['encryption-context'] ?? {}, `${where}.encryption-context`),
    encrypt: ready(encrypt, where),
    decrypt: ready(decrypt, where),
    reproducedContext:
      reproduced === undefined ? undefined : strMap(reproduced, `${where}.reproduced-encryption-context`),
    officialDecrypt: officialDescription(field(s, 'decryptKeyDescription', where), keys, where),
  }
}

function ready(built: Built, where: string): DecryptMaterials {
  if (built.kind !== 'ready') throw new ShapeError(`${where}: ${built.kind} keyring ${built.keyring}`)
  return built.materials
}

/** The official keyring for a description, or undefined when the official SDK has none (raw ECDH, required-context CMM, static branch keys, PKCS#1 v1.5 on Node 20). */
function officialDescription(value: unknown, keys: KeyTable, where: string): OfficialMaterials | undefined {
  const o = asObject(value, where)
  const type = str(o, 'type', where)
  if (type === 'multi-keyring') {
    const generator = o.generator === undefined ? undefined : officialDescription(o.generator, keys, where)
    const children = asArray(o.childKeyrings ?? [], where).map((d) => officialDescription(d, keys, where))
    if ((o.generator !== undefined && !generator) || children.some((c) => !c)) return undefined
    return new official.MultiKeyringNode({
      ...(generator ? { generator } : {}),
      children: children as OfficialMaterials[],
    })
  }
  if (type !== 'raw') return undefined
  const key = keys.get(str(o, 'key', where))
  if (!key) return undefined
  const keyNamespace = str(o, 'provider-id', where)
  if (key.kind === 'aes') {
    const suite = {
      128: 'AES128_GCM_IV12_TAG16_NO_PADDING',
      192: 'AES192_GCM_IV12_TAG16_NO_PADDING',
      256: 'AES256_GCM_IV12_TAG16_NO_PADDING',
    } as const
    const name = suite[key.bits as 128 | 192 | 256]
    return new official.RawAesKeyringNode({
      keyName: key.name,
      keyNamespace,
      unencryptedMasterKey: new Uint8Array(key.material),
      wrappingSuite: official.RawAesWrappingSuiteIdentifier[name],
      utf8Sorting: true,
    })
  }
  if (key.kind === 'rsa') {
    const padding = parseRsaPadding(str(o, 'padding-algorithm', where), optStr(o, 'padding-hash', where))
    if (padding.scheme === 'pkcs1') return undefined
    return new official.RawRsaKeyringNode({
      keyName: key.name,
      keyNamespace,
      rsaKey: key.half === 'private' ? { privateKey: key.pem } : { publicKey: key.pem },
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: padding.hash,
    })
  }
  return undefined
}

function officialList(list: readonly unknown[], keys: KeyTable, where: string): OfficialMaterials | undefined {
  const rings = list.map((d) => officialDescription(d, keys, where))
  if (rings.some((r) => !r)) return undefined
  return new official.MultiKeyringNode({ children: rings as OfficialMaterials[] })
}

/** Which tests a run takes: all, or every `step`-th (a sample for `npm test`; the CLI runs all). */
export function sample<T>(items: readonly T[], step: number): T[] {
  return step <= 1 ? [...items] : items.filter((_, i) => i % step === 0)
}
