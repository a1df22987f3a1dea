// Encryption context: validation, canonical serialization and parsing (data-format/message-header.md#aad, SPEC-NOTES 8).
import { InvalidArgumentError, MalformedMessageError } from '../core/errors'
import { ByteReader } from './reader'

export type EncryptionContext = Readonly<Record<string, string>>

/*
 * Contexts are plain objects for API compatibility, so a key such as "__proto__" must never be
 * assigned with `obj[key] = v` (that calls the prototype setter and drops the pair) nor tested
 * with `in` (that finds inherited names). These three helpers are the only way lib/ touches keys.
 */

/** Builds a context from pairs with own data properties only. */
export function contextFromEntries(entries: Iterable<readonly [string, string]>): EncryptionContext {
  return Object.freeze(Object.fromEntries(entries))
}

/** True when the context itself (not its prototype) has the key. */
export function hasContextKey(context: EncryptionContext, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(context, key)
}

/** The value stored under an own key, or undefined. */
export function contextValue(context: EncryptionContext, key: string): string | undefined {
  return hasContextKey(context, key) ? context[key] : undefined
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Below this length an all-ASCII string is built directly: TextDecoder's fixed cost dominates short strings. */
const SHORT_STRING = 64

/** UTF-8 decode that refuses invalid sequences instead of replacing them. */
export function decodeUtf8Strict(bytes: Uint8Array, what: string): string {
  const n = bytes.length
  if (n <= SHORT_STRING) {
    let ascii = true
    for (let i = 0; i < n; i++) {
      if ((bytes[i] as number) >= 0x80) {
        ascii = false
        break
      }
    }
    // ASCII is valid UTF-8 and decodes to the same code units.
    if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[])
  }
  try {
    return utf8Strict.decode(bytes)
  } catch {
    throw new MalformedMessageError(`${what} is not valid UTF-8`)
  }
}

/** Unsigned byte-wise order of UTF-8 encodings, the order every ESDK writes. */
export function compareUtf8(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b)
}

export type ContextOrder = 'utf8' | 'locale'

type EncodedPair = readonly [Buffer, Buffer]

function encodePairs(context: EncryptionContext, order: ContextOrder): EncodedPair[] {
  const entries = Object.entries(context)
  if (order === 'locale') {
    // The official JS raw keyrings (default utf8Sorting: false) order by localeCompare; kept only
    // so that messages they wrote still open (SPEC-NOTES 24).
    entries.sort(([a], [b]) => a.localeCompare(b))
    return entries.map(([k, v]) => [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')])
  }
  const pairs = entries.map(([k, v]): EncodedPair => [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')])
  return pairs.sort((a, b) => compareUtf8(a[0], b[0]))
}

/**
 * Count and entries, without the outer length: the form keyrings use as AAD. An empty context
 * serializes to no bytes at all.
 */
export function serializeContextEntries(context: EncryptionContext, order: ContextOrder = 'utf8'): Buffer {
  const pairs = encodePairs(context, order)
  if (pairs.length === 0) return Buffer.alloc(0)
  if (pairs.length > 0xffff) throw new InvalidArgumentError('encryption context has too many entries')
  let size = 2
  for (const [k, v] of pairs) {
    if (k.length > 0xffff || v.length > 0xffff) throw new InvalidArgumentError('encryption context entry too long')
    size += 4 + k.length + v.length
  }
  const out = Buffer.allocUnsafe(size)
  let o = out.writeUInt16BE(pairs.length, 0)
  for (const [k, v] of pairs) {
    o = out.writeUInt16BE(k.length, o)
    o += k.copy(out, o)
    o = out.writeUInt16BE(v.length, o)
    o += v.copy(out, o)
  }
  return out
}

const NO_ENTRIES: Uint8Array = new Uint8Array(0)
/** Frozen contexts cannot change, so their UTF-8-order serialization is made once per context object. */
const serialized = new WeakMap<EncryptionContext, Uint8Array>()

/**
 * serializeContextEntries in UTF-8 order, shared: one encrypt serializes its context for the
 * keyring's AAD and again for the header. The result is read-only by contract (it is shared);
 * callers that hand bytes out use serializeContextEntries.
 */
export function serializedContextEntries(context: EncryptionContext): Uint8Array {
  if (!Object.isFrozen(context)) return serializeContextEntries(context)
  let bytes = serialized.get(context)
  if (bytes === undefined) {
    // Checked first so the empty context costs no WeakMap entry.
    for (const _ in context) {
      bytes = serializeContextEntries(context)
      serialized.set(context, bytes)
      return bytes
    }
    return NO_ENTRIES
  }
  return bytes
}

/** The header form: uint16 length then the entries; an empty context is exactly 00 00. */
export function serializeHeaderAad(context: EncryptionContext): Buffer {
  const entries = serializeContextEntries(context)
  if (entries.length > 0xffff) throw new InvalidArgumentError('serialized encryption context exceeds 65535 bytes')
  const out = Buffer.allocUnsafe(2 + entries.length)
  out.writeUInt16BE(entries.length, 0)
  entries.copy(out, 2)
  return out
}

/** Parses the entries part (count + pairs) that fills exactly `bytes`. */
export function parseContextEntries(bytes: Buffer): Record<string, string> {
  if (bytes.length === 0) return {}
  const pairs = new Map<string, string>()
  const r = new ByteReader(bytes)
  try {
    const count = r.uint16()
    // An empty context is encoded with no count at all; a zero count is a different, invalid encoding.
    if (count === 0) throw new MalformedMessageError('encryption context has a zero entry count')
    for (let i = 0; i < count; i++) {
      const key = decodeUtf8Strict(r.bytesView(r.uint16()), 'encryption context key')
      const value = decodeUtf8Strict(r.bytesView(r.uint16()), 'encryption context value')
      if (pairs.has(key)) throw new MalformedMessageError('duplicate encryption context key')
      pairs.set(key, value)
    }
  } catch (e) {
    if (e instanceof MalformedMessageError) throw e
    throw new MalformedMessageError('encryption context is truncated')
  }
  if (r.remaining !== 0) throw new MalformedMessageError('encryption context has trailing bytes')
  return Object.fromEntries(pairs)
}

/** Checks a caller-supplied context: strings only. Returns a plain frozen copy. */
export function normalizeContext(context: unknown): EncryptionContext {
  if (context === undefined || context === null) return Object.freeze({})
  if (typeof context !== 'object' || Array.isArray(context)) {
    throw new InvalidArgumentError('encryptionContext must be an object of string values')
  }
  const entries = Object.entries(context)
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw new InvalidArgumentError(`encryption context value for "${k}" must be a string`)
  }
  return contextFromEntries(entries as [string, string][])
}
