// Shape checks for parsed JSON: unknown in, typed values out, with where it came from in every error.

export type JsonObject = { readonly [key: string]: unknown }

/** A manifest, catalog or keys file that does not have the shape its format describes. */
export class ShapeError extends Error {
  override name = 'ShapeError'
}

export function parseJson(bytes: Buffer | string, where: string): unknown {
  try {
    return JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8')) as unknown
  } catch (e) {
    throw new ShapeError(`${where}: not valid JSON (${e instanceof Error ? e.message : String(e)})`)
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function asObject(value: unknown, where: string): JsonObject {
  if (!isObject(value)) throw new ShapeError(`${where}: expected an object`)
  return value
}

export function asArray(value: unknown, where: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new ShapeError(`${where}: expected a list`)
  return value
}

export function asString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new ShapeError(`${where}: expected a string`)
  return value
}

export function field(o: JsonObject, key: string, where: string): unknown {
  if (!(key in o)) throw new ShapeError(`${where}: missing "${key}"`)
  return o[key]
}

export function str(o: JsonObject, key: string, where: string): string {
  return asString(field(o, key, where), `${where}.${key}`)
}

export function optStr(o: JsonObject, key: string, where: string): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, where)
}

export function int(o: JsonObject, key: string, where: string): number {
  const v = field(o, key, where)
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ShapeError(`${where}.${key}: expected an integer`)
  return v
}

export function optBool(o: JsonObject, key: string, where: string): boolean | undefined {
  const v = o[key]
  if (v === undefined) return undefined
  if (typeof v !== 'boolean') throw new ShapeError(`${where}.${key}: expected true or false`)
  return v
}

export function strList(value: unknown, where: string): string[] {
  return asArray(value, where).map((v, i) => asString(v, `${where}[${i}]`))
}

/** An object whose values are all strings (an encryption context). */
export function strMap(value: unknown, where: string): Record<string, string> {
  const o = asObject(value, where)
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(o)) out[k] = asString(v, `${where}.${k}`)
  return out
}

/** Strict base64 (the decoder in Buffer ignores junk, so round-trip to be sure). */
export function base64(value: unknown, where: string): Buffer {
  const s = asString(value, where)
  const bytes = Buffer.from(s, 'base64')
  if (bytes.toString('base64').replace(/=+$/, '') !== s.replace(/=+$/, ''))
    throw new ShapeError(`${where}: not canonical base64`)
  return bytes
}
