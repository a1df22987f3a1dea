// python-1.3.0-legacy/manifests/ciphertext.manifest: keys inline under test_keys, raw keyrings in namespace static-aws-xcompat.
import { KeyringNode, MultiKeyringNode, findSuite } from '../../lib/index'
import { Plan, VectorCase, planOrBroken } from './cases'
import { JsonObject, ShapeError, asArray, asObject, asString, field, int, optStr, parseJson, str } from './json'
import { parseRsaPadding, rawAesKeyring, rawRsaKeyring } from './raw-keyrings'
import { FileSource } from './source'

const NAMESPACE = 'static-aws-xcompat'

interface LegacyKeys {
  readonly aes: ReadonlyMap<number, Buffer>
  readonly rsa: ReadonlyMap<number, string>
}

/** Paths in this manifest (`filename`) are relative to the set folder, not to the manifest. */
export function loadLegacyManifest(source: FileSource, manifestPath: string): VectorCase[] {
  const where = `${source.label}:${manifestPath}`
  const top = asObject(parseJson(source.read(manifestPath), where), where)
  const manifest = asObject(field(top, 'manifest', where), `${where}.manifest`)
  if (str(manifest, 'type', `${where}.manifest`) !== 'ciphertext')
    throw new ShapeError(`${where}: manifest.type is not "ciphertext"`)
  const keys = parseTestKeys(asObject(field(top, 'test_keys', where), `${where}.test_keys`), `${where}.test_keys`)
  const cache = new Map<string, Buffer>()
  const readCached = (file: string): Buffer => {
    let bytes = cache.get(file)
    if (!bytes) cache.set(file, (bytes = source.read(file)))
    return bytes
  }
  return asArray(field(top, 'test_cases', where), `${where}.test_cases`).map((value, i) => {
    const at = `test_cases[${i}]`
    const t = asObject(value, at)
    const ciphertextFile = str(asObject(field(t, 'ciphertext', at), `${at}.ciphertext`), 'filename', `${at}.ciphertext`)
    // The catalog names these vectors by the ciphertext's file name.
    const id = ciphertextFile.split('/').pop() ?? ciphertextFile
    return { id, plan: planOrBroken(() => plan(t, keys, ciphertextFile, readCached, at)) }
  })
}

function plan(
  t: JsonObject,
  keys: LegacyKeys,
  ciphertextFile: string,
  readCached: (file: string) => Buffer,
  where: string,
): Plan {
  const plaintextFile = str(
    asObject(field(t, 'plaintext', where), `${where}.plaintext`),
    'filename',
    `${where}.plaintext`,
  )
  const suiteHex = str(t, 'algorithm', where)
  const suite = findSuite(parseInt(suiteHex, 16))
  if (!suite) throw new ShapeError(`${where}: unknown algorithm ${suiteHex}`)
  const rings: KeyringNode[] = []
  for (const [j, value] of asArray(field(t, 'master_keys', where), `${where}.master_keys`).entries()) {
    const mk = asObject(value, `${where}.master_keys[${j}]`)
    // Keys marked not decryptable were thrown away after encryption: their EDKs are skipped.
    if (mk.decryptable === false) continue
    const provider = str(mk, 'provider_id', `${where}.master_keys[${j}]`)
    if (provider === 'aws-kms') return { kind: 'needs-network', keyring: 'aws-kms' }
    if (provider !== NAMESPACE) throw new ShapeError(`${where}.master_keys[${j}]: unknown provider ${provider}`)
    rings.push(rawKeyring(mk, keys, suite.keyLengthBytes * 8, `${where}.master_keys[${j}]`))
  }
  if (rings.length === 0) throw new ShapeError(`${where}: no decryptable master key`)
  return {
    kind: 'run',
    materials: new MultiKeyringNode({ children: rings }),
    ciphertext: () => readCached(ciphertextFile),
    plaintext: () => readCached(plaintextFile),
    reproducedContext: undefined,
  }
}

/** Key names follow the Python generator: `${algorithm}.${bits}.${padding}.${hash}`, e.g. `AES.128..`, `RSA.2048.PKCS1.`. */
function rawKeyring(mk: JsonObject, keys: LegacyKeys, dataKeyBits: number, where: string): KeyringNode {
  const algorithm = str(mk, 'encryption_algorithm', where)
  const padding = optStr(mk, 'padding_algorithm', where)
  const hash = optStr(mk, 'padding_hash', where)
  if (algorithm === 'AES') {
    // AES entries carry no size: the key whose size equals the suite's data key is the one used.
    const bits = mk.key_bits === undefined ? dataKeyBits : int(mk, 'key_bits', where)
    const material = keys.aes.get(bits)
    if (!material) throw new ShapeError(`${where}: no ${bits}-bit AES test key`)
    return rawAesKeyring(NAMESPACE, `AES.${bits}..`, material)
  }
  if (algorithm === 'RSA' && padding !== undefined) {
    const bits = int(mk, 'key_bits', where)
    const pem = keys.rsa.get(bits)
    if (!pem) throw new ShapeError(`${where}: no ${bits}-bit RSA test key`)
    return rawRsaKeyring(
      NAMESPACE,
      `RSA.${bits}.${padding}.${hash ?? ''}`,
      { half: 'private', pem },
      parseRsaPadding(padding, hash),
    )
  }
  throw new ShapeError(`${where}: unsupported master key ${algorithm}`)
}

function parseTestKeys(o: JsonObject, where: string): LegacyKeys {
  const aes = new Map<number, Buffer>()
  for (const [bits, value] of Object.entries(asObject(field(o, 'AES', where), `${where}.AES`))) {
    const entry = asObject(value, `${where}.AES.${bits}`)
    if (str(entry, 'encoding', `${where}.AES.${bits}`) !== 'base64')
      throw new ShapeError(`${where}.AES.${bits}: expected base64`)
    const material = Buffer.from(lines(entry, '', `${where}.AES.${bits}`), 'base64')
    if (material.length * 8 !== Number(bits))
      throw new ShapeError(`${where}.AES.${bits}: key is ${material.length * 8} bits`)
    aes.set(Number(bits), material)
  }
  const rsa = new Map<number, string>()
  for (const [bits, value] of Object.entries(asObject(field(o, 'RSA', where), `${where}.RSA`))) {
    const entry = asObject(value, `${where}.RSA.${bits}`)
    if (str(entry, 'encoding', `${where}.RSA.${bits}`) !== 'pem')
      throw new ShapeError(`${where}.RSA.${bits}: expected pem`)
    rsa.set(Number(bits), lines(entry, '\n', `${where}.RSA.${bits}`))
  }
  return { aes, rsa }
}

function lines(entry: JsonObject, defaultSeparator: string, where: string): string {
  const separator = optStr(entry, 'line_separator', where) ?? defaultSeparator
  return asArray(field(entry, 'key', where), `${where}.key`)
    .map((line, i) => asString(line, `${where}.key[${i}]`))
    .join(separator)
}
