// Worker counters (records, bytes, KMS calls, cache, retries, failures) and their CloudWatch Embedded Metric Format log line.

export const METRIC_NAMES = [
  'RecordsIn',
  'UserRecordsIn',
  'RecordsOut',
  'BytesIn',
  'BytesOut',
  'KmsCalls',
  'CacheHits',
  'CacheMisses',
  'PutRecordsCalls',
  'PutRecordsRetries',
  'PutRecordsThrottles',
  'Failures',
  'FailuresHandled',
] as const

export type MetricName = (typeof METRIC_NAMES)[number]
export type MetricCounts = Record<MetricName, number>

export function zeroCounts(): MetricCounts {
  return Object.fromEntries(METRIC_NAMES.map((n) => [n, 0])) as MetricCounts
}

const UNITS: Partial<Record<MetricName, string>> = { BytesIn: 'Bytes', BytesOut: 'Bytes' }

/** Totals since the worker started, plus the failures by reason (a short label, not a record's content). */
export class WorkerMetrics {
  readonly totals: MetricCounts = zeroCounts()
  readonly failureReasons = new Map<string, number>()

  add(counts: Partial<MetricCounts>): void {
    for (const name of METRIC_NAMES) this.totals[name] += counts[name] ?? 0
  }

  failure(reason: string): void {
    this.failureReasons.set(reason, (this.failureReasons.get(reason) ?? 0) + 1)
  }

  snapshot(): { totals: MetricCounts; failureReasons: Record<string, number> } {
    return { totals: { ...this.totals }, failureReasons: Object.fromEntries(this.failureReasons) }
  }
}

/**
 * One EMF document (the Lambda convention: a JSON log line CloudWatch turns into metrics) for one
 * invocation's counts; dimensions: the worker's direction and the source stream.
 */
export function emfLine(
  namespace: string,
  dimensions: Record<string, string>,
  counts: MetricCounts,
  timestamp = Date.now(),
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: METRIC_NAMES.map((Name) => ({ Name, Unit: UNITS[Name] ?? 'Count' })),
        },
      ],
    },
    ...dimensions,
    ...counts,
  })
}

/** Where an invocation's metrics go: 'emf' (console.log, the default inside Lambda), 'none', or a function. */
export type MetricsSink = 'emf' | 'none' | ((counts: MetricCounts, dimensions: Record<string, string>) => void)

export function defaultSink(): MetricsSink {
  return process.env['AWS_LAMBDA_FUNCTION_NAME'] !== undefined ? 'emf' : 'none'
}

export function emit(
  sink: MetricsSink,
  namespace: string,
  dimensions: Record<string, string>,
  counts: MetricCounts,
): void {
  if (sink === 'none') return
  if (sink === 'emf') console.log(emfLine(namespace, dimensions, counts))
  else sink(counts, dimensions)
}
