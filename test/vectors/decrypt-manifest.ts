// Decrypt manifests (awses-decrypt v1 to v5, plain folders or zips) turned into vector cases.
import { Plan, VectorCase, planOrBroken } from './cases'
import { Built, buildDescription, buildMasterKeyList, requireContext } from './descriptions'
import { JsonObject, ShapeError, asObject, field, int, isObject, optStr, parseJson, str, strMap } from './json'
import { KeyTable, parseKeysManifest } from './keys'
import { FileSource, resolveUri } from './source'

/** v4 `cmm: RequiredEncryptionContext`: the required keys are a convention of the format, not a field (README). */
const V4_REQUIRED_KEYS = ['key1', 'key2']

interface Context {
  readonly source: FileSource
  readonly manifestPath: string
  readonly keys: KeyTable
  /** Plaintext files are shared by many tests: read each once. */
  readonly cache: Map<string, Buffer>
}

export function loadDecryptManifest(source: FileSource, manifestPath: string): VectorCase[] {
  const where = `${source.label}:${manifestPath}`
  const top = asObject(parseJson(source.read(manifestPath), where), where)
  const manifest = asObject(field(top, 'manifest', where), `${where}.manifest`)
  if (str(manifest, 'type', `${where}.manifest`) !== 'awses-decrypt')
    throw new ShapeError(`${where}: manifest.type is not awses-decrypt`)
  // The framework numbers these 1 to 5 inconsistently across generators: accept all, decide by the fields present.
  const version = int(manifest, 'version', `${where}.manifest`)
  if (version < 1 || version > 5) throw new ShapeError(`${where}: awses-decrypt version ${version} is not supported`)
  const keysPath = resolveUri(str(top, 'keys', where), manifestPath, `${where}.keys`)
  const keys = parseKeysManifest(
    parseJson(source.read(keysPath), `${source.label}:${keysPath}`),
    `${source.label}:${keysPath}`,
  )
  const ctx: Context = { source, manifestPath, keys, cache: new Map() }
  const tests = asObject(field(top, 'tests', where), `${where}.tests`)
  return Object.entries(tests).map(([id, test]) => ({
    id,
    plan: planOrBroken(() => {
      const t = asObject(test, `tests.${id}`)
      return isObject(t['decryption-scenario'])
        ? planScenario(ctx, t['decryption-scenario'], `tests.${id}.decryption-scenario`)
        : planClassic(ctx, t, `tests.${id}`)
    }),
  }))
}

/** Versions 1, 2 and 4: `master-keys` list, plaintext either top-level (v1) or under `result`. */
function planClassic(ctx: Context, t: JsonObject, where: string): Plan {
  const method = optStr(t, 'decryption-method', where)
  if (method === 'streaming-unsigned-only')
    return { kind: 'pending', keyring: 'decryption-method streaming-unsigned-only' }
  if (method !== undefined) throw new ShapeError(`${where}: unknown decryption-method ${method}`)
  const built = buildMasterKeyList(field(t, 'master-keys', where), ctx.keys, `${where}.master-keys`)
  const context =
    t['encryption-context'] === undefined ? undefined : strMap(t['encryption-context'], `${where}.encryption-context`)
  const cmm = optStr(t, 'cmm', where) ?? 'Default'
  if (cmm !== 'Default' && cmm !== 'RequiredEncryptionContext') throw new ShapeError(`${where}: unknown cmm ${cmm}`)
  if (built.kind !== 'ready') return built
  let materials = built.materials
  if (cmm === 'RequiredEncryptionContext') {
    for (const key of V4_REQUIRED_KEYS)
      if (!context || !(key in context))
        throw new ShapeError(`${where}: required key ${key} is not in encryption-context`)
    materials = requireContext(materials, V4_REQUIRED_KEYS)
  }
  return runPlan(
    ctx,
    { kind: 'ready', materials },
    str(t, 'ciphertext', where),
    classicPlaintextUri(t, where),
    context,
    where,
  )
}

function classicPlaintextUri(t: JsonObject, where: string): string | undefined {
  if (t.plaintext !== undefined) return str(t, 'plaintext', where)
  const result = asObject(field(t, 'result', where), `${where}.result`)
  if (isObject(result.output)) return str(result.output, 'plaintext', `${where}.result.output`)
  if (isObject(result.error)) return undefined
  throw new ShapeError(`${where}.result: expected output or error`)
}

/** Version 5: one `decryptKeyDescription`, `result` is the plaintext URI, `reproduced-encryption-context` goes to decrypt. */
function planScenario(ctx: Context, value: JsonObject, where: string): Plan {
  const type = str(value, 'type', where)
  if (type !== 'positive-esdk' && type !== 'negative-esdk')
    throw new ShapeError(`${where}: unknown scenario type ${type}`)
  const built = buildDescription(
    field(value, 'decryptKeyDescription', where),
    ctx.keys,
    `${where}.decryptKeyDescription`,
  )
  const reproduced = value['reproduced-encryption-context']
  const context = reproduced === undefined ? undefined : strMap(reproduced, `${where}.reproduced-encryption-context`)
  const plaintextUri = type === 'positive-esdk' ? str(value, 'result', where) : undefined
  return runPlan(ctx, built, str(value, 'ciphertext', where), plaintextUri, context, where)
}

function runPlan(
  ctx: Context,
  built: Built,
  ciphertextUri: string,
  plaintextUri: string | undefined,
  context: Record<string, string> | undefined,
  where: string,
): Plan {
  if (built.kind !== 'ready') return built
  const ciphertextPath = resolveUri(ciphertextUri, ctx.manifestPath, `${where}.ciphertext`)
  const plaintextPath =
    plaintextUri === undefined ? undefined : resolveUri(plaintextUri, ctx.manifestPath, `${where}.plaintext`)
  return {
    kind: 'run',
    materials: built.materials,
    ciphertext: () => ctx.source.read(ciphertextPath),
    plaintext: plaintextPath === undefined ? undefined : () => cachedRead(ctx, plaintextPath),
    reproducedContext: context,
  }
}

function cachedRead(ctx: Context, path: string): Buffer {
  let bytes = ctx.cache.get(path)
  if (!bytes) {
    bytes = ctx.source.read(path)
    ctx.cache.set(path, bytes)
  }
  return bytes
}
