// Shape checks for a parsed JSON request: wrong types are SerializationException, broken constraints ValidationException.
import { sortPairs, type ContextPairs } from './context'
import { fault } from './errors'

export type Body = { readonly [field: string]: unknown }

export function asBody(value: unknown): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw fault.serialization('The request body must be a JSON object')
  return value as Body
}

/** An own field, with JSON null read as absent. */
function field(body: Body, name: string): unknown {
  return Object.hasOwn(body, name) && body[name] !== null ? body[name] : undefined
}

function constraint(name: string, rule: string): never {
  throw fault.validation(
    `1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must ${rule}`,
  )
}

export function optString(body: Body, name: string, max: number): string | undefined {
  const v = field(body, name)
  if (v === undefined) return undefined
  if (typeof v !== 'string') throw fault.serialization(`${name} must be a string`)
  if (v.length < 1 || v.length > max) constraint(name, `have length between 1 and ${max}`)
  return v
}

export function reqString(body: Body, name: string, max: number): string {
  const v = optString(body, name, max)
  if (v === undefined) constraint(name, 'not be null')
  return v
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

export function reqBlob(body: Body, name: string, max: number): Buffer {
  const v = field(body, name)
  if (v === undefined) constraint(name, 'not be null')
  if (typeof v !== 'string' || !BASE64.test(v)) throw fault.serialization(`${name} must be a base64-encoded blob`)
  const bytes = Buffer.from(v, 'base64')
  if (bytes.length < 1 || bytes.length > max) constraint(name, `have length between 1 and ${max}`)
  return bytes
}

export function optInt(body: Body, name: string, min: number, max: number): number | undefined {
  const v = field(body, name)
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) throw fault.serialization(`${name} must be an integer`)
  if (v < min || v > max) constraint(name, `have value between ${min} and ${max}`)
  return v
}

export function optBool(body: Body, name: string): boolean | undefined {
  const v = field(body, name)
  if (v === undefined) return undefined
  if (typeof v !== 'boolean') throw fault.serialization(`${name} must be a boolean`)
  return v
}

export function optEnum<T extends string>(body: Body, name: string, allowed: readonly T[]): T | undefined {
  const v = field(body, name)
  if (v === undefined) return undefined
  if (typeof v !== 'string') throw fault.serialization(`${name} must be a string`)
  const hit = allowed.find((a) => a === v)
  if (hit === undefined) constraint(name, `satisfy enum value set: [${allowed.join(', ')}]`)
  return hit
}

/** An encryption context: a JSON object of strings to strings ([] when absent). */
export function context(body: Body, name: string): ContextPairs {
  const v = field(body, name)
  if (v === undefined) return []
  if (typeof v !== 'object' || Array.isArray(v) || v === null)
    throw fault.serialization(`${name} must be a map of strings`)
  const pairs: Array<readonly [string, string]> = []
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== 'string') throw fault.serialization(`${name} values must be strings`)
    pairs.push([k, value])
  }
  return sortPairs(pairs)
}

export function grantTokens(body: Body): readonly string[] {
  const v = field(body, 'GrantTokens')
  if (v === undefined) return []
  if (!Array.isArray(v)) throw fault.serialization('GrantTokens must be a list of strings')
  const tokens: unknown[] = v
  if (tokens.length > 10) constraint('grantTokens', 'have length less than or equal to 10')
  return tokens.map((t) => {
    if (typeof t !== 'string') throw fault.serialization('GrantTokens must be a list of strings')
    if (t.length < 1 || t.length > 8192) constraint('grantTokens', 'have length between 1 and 8192')
    return t
  })
}
