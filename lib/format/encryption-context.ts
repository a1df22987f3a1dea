// Encryption context: validation, canonical serialization and parsing (data-format/message-header.md#aad, framework/structures.md#serialization).
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

/** Code units from which UTF-16 order and UTF-8 byte order can disagree (surrogates against U+E000..U+FFFF). */
const ORDER_SENSITIVE = /[\uD800-\uFFFF]/

/** The keys in serialization order. */
function orderedKeys(keys: string[], order: ContextOrder): string[] {
  if (keys.length < 2) return keys
  if (order === 'locale') {
    // The official JS raw keyrings (default utf8Sorting: false) order by localeCompare; kept only
    // so that messages they wrote still open (framework/raw-aes-keyring.md "OnDecrypt").
    return keys.sort((a, b) => a.localeCompare(b))
  }
  // UTF-16 code-unit order (the default sort) is UTF-8 byte order unless a key holds a surrogate
  // or a code unit from U+E000 up; only then are the keys encoded to be compared.
  if (!keys.some((k) => ORDER_SENSITIVE.test(k))) return keys.sort()
  return keys
    .map((k): [Buffer, string] => [Buffer.from(k, 'utf8'), k])
    .sort((a, b) => compareUtf8(a[0], b[0]))
    .map(([, k]) => k)
}

/**
 * Count and entries, without the outer length: the form keyrings use as AAD. An empty context
 * serializes to no bytes at all. Strings are measured and written in place, not encoded into
 * intermediate Buffers first.
 */
export function serializeContextEntries(context: EncryptionContext, order: ContextOrder = 'utf8'): Buffer {
  const keys = orderedKeys(Object.keys(context), order)
  const n = keys.length
  if (n === 0) return Buffer.alloc(0)
  if (n > 0xffff) throw new InvalidArgumentError('encryption context has too many entries')
  const values: string[] = []
  const lengths: number[] = []
  let size = 2
  for (const k of keys) {
    const v = context[k]
    if (typeof v !== 'string') throw new InvalidArgumentError(`encryption context value for "${k}" must be a string`)
    const kl = Buffer.byteLength(k, 'utf8')
    const vl = Buffer.byteLength(v, 'utf8')
    if (kl > 0xffff || vl > 0xffff) throw new InvalidArgumentError('encryption context entry too long')
    values.push(v)
    lengths.push(kl, vl)
    size += 4 + kl + vl
  }
  const out = Buffer.allocUnsafe(size)
  let o = out.writeUInt16BE(n, 0)
  for (let i = 0; i < n; i++) {
    const kl = lengths[2 * i] as number
    const vl = lengths[2 * i + 1] as number
    o = out.writeUInt16BE(kl, o)
    o += out.write(keys[i] as string, o, kl, 'utf8')
    o = out.writeUInt16BE(vl, o)
    o += out.write(values[i] as string, o, vl, 'utf8')
  }
  if (o !== size) throw new InvalidArgumentError('encryption context size mismatch')
  return out
}

const NO_ENTRIES: Uint8Array = new Uint8Array(0)

/*
 * The last frozen context serialized (or parsed from canonical bytes) and its bytes. One encrypt
 * needs the serialization twice (keyring AAD, then header) and one decrypt needs the header's
 * bytes again as the keyring's AAD, back to back; a frozen context cannot change, so identity is
 * enough. One entry rather than a WeakMap: a WeakMap insertion per message costs more than the
 * serialization it saves. Interleaved messages just miss and serialize again.
 */
let lastContext: EncryptionContext | undefined
let lastBytes: Uint8Array = NO_ENTRIES

/**
 * serializeContextEntries in UTF-8 order, shared with the other stage of the same message. The
 * result is read-only by contract (it is shared); callers that hand bytes out use
 * serializeContextEntries.
 */
export function serializedContextEntries(context: EncryptionContext): Uint8Array {
  if (context === lastContext) return lastBytes
  if (!Object.isFrozen(context)) return serializeContextEntries(context)
  const bytes = serializeContextEntries(context)
  lastContext = context
  lastBytes = bytes
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
  return parseEntries(bytes).entries
}

export interface ParsedContext {
  readonly context: EncryptionContext
  /** The bytes are exactly what serializeContextEntries writes for this context (keys in UTF-8 order). */
  readonly canonical: boolean
}

/** parseContextEntries, frozen, and whether the bytes were the canonical serialization. */
export function parseContext(bytes: Buffer): ParsedContext {
  const { entries, canonical } = parseEntries(bytes)
  return { context: Object.freeze(entries), canonical }
}

/**
 * Records `entries` as the serialization of a context parsed from them (parseContext said
 * canonical), so a keyring that needs it as AAD does not re-encode it. `entries` must be bytes
 * nobody will change: the message's private header copy, not the caller's buffer.
 */
export function rememberSerializedContext(context: EncryptionContext, entries: Uint8Array): void {
  if (!Object.isFrozen(context)) return
  lastContext = context
  lastBytes = entries
}

function parseEntries(bytes: Buffer): { entries: Record<string, string>; canonical: boolean } {
  if (bytes.length === 0) return { entries: {}, canonical: true }
  const pairs: Record<string, string> = {}
  const r = new ByteReader(bytes)
  let canonical = true
  try {
    const count = r.uint16()
    // An empty context is encoded with no count at all; a zero count is a different, invalid encoding.
    if (count === 0) throw new MalformedMessageError('encryption context has a zero entry count')
    let previous: Buffer | undefined
    for (let i = 0; i < count; i++) {
      const keyBytes = r.bytesView(r.uint16())
      const key = decodeUtf8Strict(keyBytes, 'encryption context key')
      const value = decodeUtf8Strict(r.bytesView(r.uint16()), 'encryption context value')
      if (hasContextKey(pairs, key)) throw new MalformedMessageError('duplicate encryption context key')
      // "__proto__" would hit the prototype setter if assigned; every other key is a plain own property.
      if (key === '__proto__')
        Object.defineProperty(pairs, key, { value, enumerable: true, writable: true, configurable: true })
      else pairs[key] = value
      // Strictly valid UTF-8 re-encodes to the same bytes, so keys in increasing byte order mean
      // serializeContextEntries would write exactly these bytes.
      if (canonical && previous !== undefined && compareUtf8(previous, keyBytes) >= 0) canonical = false
      previous = keyBytes
    }
  } catch (e) {
    if (e instanceof MalformedMessageError) throw e
    throw new MalformedMessageError('encryption context is truncated')
  }
  if (r.remaining !== 0) throw new MalformedMessageError('encryption context has trailing bytes')
  return { entries: pairs, canonical }
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
