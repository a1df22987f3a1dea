// Kinesis sequence numbers: decimal strings (API pattern 0|([1-9]\d{0,128})), compared as integers.

export function compareSequence(a: string, b: string): number {
  const x = BigInt(a)
  const y = BigInt(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** The API's pattern 0|([1-9]\d{0,128}), checked by hand: the regular expression was a tenth of a 10,000-record event's parse. */
export function isSequenceNumber(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 129) return false
  const first = value.charCodeAt(0)
  if (first === 0x30) return value.length === 1
  if (first < 0x31 || first > 0x39) return false
  for (let i = 1; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return false
  }
  return true
}

/** The lowest of the given sequence numbers: where Lambda (and the runner) resume after a partial failure. */
export function lowestSequence(values: Iterable<string>): string | undefined {
  let low: string | undefined
  for (const v of values) if (low === undefined || compareSequence(v, low) < 0) low = v
  return low
}
