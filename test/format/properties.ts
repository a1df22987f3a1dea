// Shared by the property tests: run counts (scaled by ESDK_FC_SCALE for long runs) and byte-level mutations of a message (flips, overwrites, insertions, deletions, cuts, trailing bytes).
import fc from 'fast-check'

/** ESDK_FC_SCALE=10 runs ten times as many cases (`npm run properties`); npm test runs the default. */
const SCALE = Math.max(0.01, Number(process.env.ESDK_FC_SCALE ?? '1') || 1)

function runs(n: number): number {
  return Math.max(1, Math.round(n * SCALE))
}

/** Cases per property: pure parsers are cheap, whole messages cost a key unwrap and GCM (and ECDSA for signed suites). */
export const FC_RUNS = {
  parser: runs(300),
  mutations: runs(1000),
  messages: runs(40),
  tampered: runs(60),
} as const

export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'append'; readonly bytes: Uint8Array }

/** Positions are fractions of the length at the time they apply, so one edit list fits any message. */
const where = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })

const mutation: fc.Arbitrary<Mutation> = fc
  .oneof(
    {
      weight: 4,
      arbitrary: fc.record({ kind: fc.constant('flip' as const), at: where, bit: fc.integer({ min: 0, max: 7 }) }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('set' as const), at: where, value: fc.integer({ min: 0, max: 255 }) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('insert' as const),
        at: where,
        bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('delete' as const), at: where, count: fc.integer({ min: 1, max: 24 }) }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: where }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('append' as const),
        bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }),
      }),
    },
  )
  .map((m) => m as Mutation)

/** One to four edits. */
export function mutations(): fc.Arbitrary<Mutation[]> {
  return fc.array(mutation, { minLength: 1, maxLength: 4 })
}

/** `bytes` with the edits applied in order (a new buffer; the input is untouched). */
export function mutated(bytes: Uint8Array, edits: readonly Mutation[]): Buffer {
  let b = Buffer.from(bytes)
  for (const e of edits) {
    const at = e.kind === 'append' ? b.length : Math.floor(e.at * b.length)
    switch (e.kind) {
      case 'flip':
        if (b.length > 0) b[at] = (b[at] as number) ^ (1 << e.bit)
        break
      case 'set':
        if (b.length > 0) b[at] = e.value
        break
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), e.bytes, b.subarray(at)])
        break
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.count)])
        break
      case 'truncate':
        b = Buffer.from(b.subarray(0, at))
        break
      case 'append':
        b = Buffer.concat([b, e.bytes])
        break
    }
  }
  return b
}

/** True when the edits left the bytes as they were (a flip undone by a second flip, a set to the same value). */
export function unchanged(original: Uint8Array, edited: Uint8Array): boolean {
  return Buffer.from(original).equals(Buffer.from(edited))
}
