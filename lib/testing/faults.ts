// Runtime fault injection: throttling, server errors and dropped connections on a fraction of calls, added latency,
// keys that always fail, and a tally of every fault injected.
import { KmsFault } from './errors'
import { FractionRule, opSet } from './fraction-rule'
import type {
  DropConnectionOptions,
  DropPoint,
  FailKeyOptions,
  InjectedFaults,
  KmsErrorType,
  KmsOperation,
  LatencyOptions,
  LocalKmsFaults,
  ServerErrorOptions,
  ThrottleOptions,
} from './types'

interface ThrottleRule {
  readonly rule: FractionRule
  readonly keys: ReadonlySet<string> | undefined
}

interface ServerErrorRule {
  readonly rule: FractionRule
  readonly status: 500 | 503
}

interface DropRule {
  readonly rule: FractionRule
  readonly points: readonly DropPoint[]
  drops: number
}

interface KeyFailure {
  readonly type: KmsErrorType
  readonly ops: ReadonlySet<string> | undefined
  readonly message: string | undefined
}

const DROP_POINTS: readonly DropPoint[] = ['arrival', 'before-answer', 'mid-answer']

type Tally = { -readonly [K in keyof InjectedFaults]: number }

function emptyTally(): Tally {
  return { throttle: 0, latency: 0, serverError: 0, dropConnection: 0, failKey: 0 }
}

function dropPoints(at: DropConnectionOptions['at']): readonly DropPoint[] {
  const points: readonly DropPoint[] = at === undefined ? DROP_POINTS : typeof at === 'string' ? [at] : at
  if (points.length === 0) throw new RangeError('dropConnection needs at least one drop point')
  for (const p of points)
    if (!DROP_POINTS.includes(p)) throw new TypeError(`unknown drop point '${String(p)}' (${DROP_POINTS.join(', ')})`)
  return [...points]
}

export class FaultInjector implements LocalKmsFaults {
  private throttles: ThrottleRule[] = []
  private serverErrors: ServerErrorRule[] = []
  private drops: DropRule[] = []
  private readonly delays = new Map<string | undefined, number>()
  private readonly failures = new Map<string, KeyFailure>()
  private tally = emptyTally()

  throttle(fraction: number, options: ThrottleOptions = {}): void {
    const rule = new FractionRule(fraction, options, 'throttle')
    this.throttles.push({ rule, keys: options.keys && new Set(options.keys) })
  }

  serverError(fraction: number, options: ServerErrorOptions = {}): void {
    const status = options.status ?? 500
    if (status !== 500 && status !== 503) throw new RangeError('serverError status must be 500 or 503')
    this.serverErrors.push({ rule: new FractionRule(fraction, options, 'serverError'), status })
  }

  dropConnection(fraction: number, options: DropConnectionOptions = {}): void {
    const points = dropPoints(options.at)
    this.drops.push({ rule: new FractionRule(fraction, options, 'dropConnection'), points, drops: 0 })
  }

  latency(ms: number, options: LatencyOptions = {}): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('latency must be a non-negative number of milliseconds')
    const ops = opSet(options.ops)
    for (const op of ops ?? [undefined]) this.delays.set(op, ms)
  }

  failKey(keyArn: string, errorType: KmsErrorType, options: FailKeyOptions = {}): void {
    this.failures.set(keyArn, { type: errorType, ops: opSet(options.ops), message: options.message })
  }

  get injected(): InjectedFaults {
    return { ...this.tally }
  }

  clear(): void {
    this.throttles = []
    this.serverErrors = []
    this.drops = []
    this.delays.clear()
    this.failures.clear()
    this.tally = emptyTally()
  }

  /** Milliseconds to hold a response for this operation (counted as an injected latency when non-zero). */
  delayFor(op: KmsOperation): number {
    const ms = this.delays.get(op) ?? this.delays.get(undefined) ?? 0
    if (ms > 0) this.tally.latency++
    return ms
  }

  /**
   * Whether, and where, to drop this request's connection. Asked once per request as it arrives, with the operation
   * named by X-Amz-Target (the raw name: one no rule lists is dropped only by a rule for every operation).
   */
  dropFor(op: string): DropPoint | undefined {
    for (const d of this.drops) {
      if (!d.rule.matches(op) || !d.rule.hit()) continue
      this.tally.dropConnection++
      return d.points[d.drops++ % d.points.length]
    }
    return undefined
  }

  /** Server errors and throttling that do not depend on the key: checked before the key is resolved. */
  beforeKey(op: KmsOperation): void {
    for (const e of this.serverErrors) {
      if (!e.rule.matches(op) || !e.rule.hit()) continue
      this.tally.serverError++
      if (e.status === 503) throw new KmsFault('ServiceUnavailable', 'Service Unavailable', 503)
      throw new KmsFault('KMSInternalException', 'Injected internal error', 500)
    }
    this.applyThrottles(op, undefined)
  }

  /** Key-scoped throttling and failures, once the request has resolved to `keyArn`. */
  forKey(op: KmsOperation, keyArn: string): void {
    const failure = this.failures.get(keyArn)
    if (failure !== undefined && (failure.ops === undefined || failure.ops.has(op))) {
      this.tally.failKey++
      throw new KmsFault(failure.type, failure.message ?? `Injected ${failure.type} for ${keyArn}`)
    }
    this.applyThrottles(op, keyArn)
  }

  private applyThrottles(op: KmsOperation, keyArn: string | undefined): void {
    for (const { rule, keys } of this.throttles) {
      if (!rule.matches(op)) continue
      if ((keys === undefined) !== (keyArn === undefined)) continue
      if (keys !== undefined && keyArn !== undefined && !keys.has(keyArn)) continue
      if (rule.hit()) {
        this.tally.throttle++
        throw new KmsFault('ThrottlingException', 'Rate exceeded')
      }
    }
  }
}
