// Encryption contexts: a sorted, prototype-safe pair list, its canonical bytes for AAD, and a plain-object copy for logs.

export type ContextPairs = ReadonlyArray<readonly [string, string]>

/** Sorts by the UTF-8 bytes of the keys, so equal maps give equal canonical bytes whatever the JSON key order. */
export function sortPairs(pairs: ContextPairs): ContextPairs {
  return [...pairs].sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')))
}

/** count ‖ (keyLen ‖ key ‖ valueLen ‖ value)* with 32-bit big-endian lengths, keys in sorted order. */
export function canonicalContext(pairs: ContextPairs): Buffer {
  const parts: Buffer[] = [u32(pairs.length)]
  for (const [k, v] of sortPairs(pairs)) {
    const kb = Buffer.from(k, 'utf8')
    const vb = Buffer.from(v, 'utf8')
    parts.push(u32(kb.length), kb, u32(vb.length), vb)
  }
  return Buffer.concat(parts)
}

/** A plain object with own properties only (Object.fromEntries never calls the __proto__ setter). */
export function contextObject(pairs: ContextPairs): Readonly<Record<string, string>> {
  return Object.freeze(Object.fromEntries(pairs))
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}
