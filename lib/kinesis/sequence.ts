// Kinesis sequence numbers: decimal strings (API pattern 0|([1-9]\d{0,128})), compared as integers.

export function compareSequence(a: string, b: string): number {
  const x = BigInt(a)
  const y = BigInt(b)
  return x < y ? -1 : x > y ? 1 : 0
}

export function isSequenceNumber(value: unknown): value is string {
  return typeof value === 'string' && /^(0|[1-9][0-9]{0,128})$/.test(value)
}

/** The lowest of the given sequence numbers: where Lambda (and the runner) resume after a partial failure. */
export function lowestSequence(values: Iterable<string>): string | undefined {
  let low: string | undefined
  for (const v of values) if (low === undefined || compareSequence(v, low) < 0) low = v
  return low
}
