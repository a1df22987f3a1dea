// Which calls a fault hits: a fraction of the matching calls, evenly spread by default or drawn from a seeded PRNG.
import { mulberry32 } from './prng'
import { KMS_OPERATIONS, type KmsOperation } from './types'

export interface FractionOptions {
  readonly ops?: readonly KmsOperation[] | undefined
  readonly seed?: number | undefined
}

export function opSet(ops: readonly KmsOperation[] | undefined): ReadonlySet<string> | undefined {
  if (ops === undefined) return undefined
  for (const op of ops) if (!KMS_OPERATIONS.includes(op)) throw new TypeError(`unknown KMS operation '${String(op)}'`)
  return new Set(ops)
}

export class FractionRule {
  readonly ops: ReadonlySet<string> | undefined
  private readonly random: (() => number) | undefined
  private seen = 0

  constructor(
    readonly fraction: number,
    options: FractionOptions,
    what: string,
  ) {
    if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1)
      throw new RangeError(`${what} fraction must be within 0..1`)
    this.ops = opSet(options.ops)
    this.random = options.seed === undefined ? undefined : mulberry32(options.seed)
  }

  /** Whether the rule covers this operation (an unknown name is covered only by a rule for every operation). */
  matches(op: string): boolean {
    return this.ops === undefined || this.ops.has(op)
  }

  /**
   * Counts one matching call and says whether it is hit. Without a seed, the n-th call (1-based) is hit when
   * ceil(n·fraction) > ceil((n−1)·fraction), so 0.5 hits calls 1, 3, 5, …; with a seed, when the PRNG draws below it.
   */
  hit(): boolean {
    this.seen++
    if (this.random !== undefined) return this.random() < this.fraction
    return Math.ceil(this.seen * this.fraction) > Math.ceil((this.seen - 1) * this.fraction)
  }
}
