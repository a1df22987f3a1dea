// Runtime fault injection: deterministic throttling of a fraction of calls, added latency, and keys that always fail.
import { KmsFault } from './errors'
import { mulberry32 } from './prng'
import {
  KMS_OPERATIONS,
  type FailKeyOptions,
  type KmsErrorType,
  type KmsOperation,
  type LatencyOptions,
  type LocalKmsFaults,
  type ThrottleOptions,
} from './types'

interface ThrottleRule {
  readonly fraction: number
  readonly ops: ReadonlySet<string> | undefined
  readonly keys: ReadonlySet<string> | undefined
  readonly random: (() => number) | undefined
  seen: number
}

interface KeyFailure {
  readonly type: KmsErrorType
  readonly ops: ReadonlySet<string> | undefined
  readonly message: string | undefined
}

function opSet(ops: readonly KmsOperation[] | undefined): ReadonlySet<string> | undefined {
  if (ops === undefined) return undefined
  for (const op of ops) if (!KMS_OPERATIONS.includes(op)) throw new TypeError(`unknown KMS operation '${String(op)}'`)
  return new Set(ops)
}

export class FaultInjector implements LocalKmsFaults {
  private throttles: ThrottleRule[] = []
  private readonly delays = new Map<string | undefined, number>()
  private readonly failures = new Map<string, KeyFailure>()

  throttle(fraction: number, options: ThrottleOptions = {}): void {
    if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1)
      throw new RangeError('throttle fraction must be within 0..1')
    const random = options.seed === undefined ? undefined : mulberry32(options.seed)
    this.throttles.push({
      fraction,
      ops: opSet(options.ops),
      keys: options.keys && new Set(options.keys),
      random,
      seen: 0,
    })
  }

  latency(ms: number, options: LatencyOptions = {}): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('latency must be a non-negative number of milliseconds')
    const ops = opSet(options.ops)
    for (const op of ops ?? [undefined]) this.delays.set(op, ms)
  }

  failKey(keyArn: string, errorType: KmsErrorType, options: FailKeyOptions = {}): void {
    this.failures.set(keyArn, { type: errorType, ops: opSet(options.ops), message: options.message })
  }

  clear(): void {
    this.throttles = []
    this.delays.clear()
    this.failures.clear()
  }

  /** Milliseconds to hold a response for this operation. */
  delayFor(op: KmsOperation): number {
    return this.delays.get(op) ?? this.delays.get(undefined) ?? 0
  }

  /** Throttling that does not depend on the key: checked before the key is resolved. */
  beforeKey(op: KmsOperation): void {
    this.applyThrottles(op, undefined)
  }

  /** Key-scoped throttling and failures, once the request has resolved to `keyArn`. */
  forKey(op: KmsOperation, keyArn: string): void {
    const failure = this.failures.get(keyArn)
    if (failure !== undefined && (failure.ops === undefined || failure.ops.has(op))) {
      throw new KmsFault(failure.type, failure.message ?? `Injected ${failure.type} for ${keyArn}`)
    }
    this.applyThrottles(op, keyArn)
  }

  private applyThrottles(op: KmsOperation, keyArn: string | undefined): void {
    for (const rule of this.throttles) {
      if (rule.ops !== undefined && !rule.ops.has(op)) continue
      if ((rule.keys === undefined) !== (keyArn === undefined)) continue
      if (rule.keys !== undefined && keyArn !== undefined && !rule.keys.has(keyArn)) continue
      rule.seen++
      const hit =
        rule.random !== undefined
          ? rule.random() < rule.fraction
          : Math.ceil(rule.seen * rule.fraction) > Math.ceil((rule.seen - 1) * rule.fraction)
      if (hit) throw new KmsFault('ThrottlingException', 'Rate exceeded')
    }
  }
}
