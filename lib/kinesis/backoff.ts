// Retry delays: exponential backoff with full jitter, capped, and a sleep that a stop signal cuts short.

export interface BackoffOptions {
  /** First delay ceiling in ms (default 50). */
  readonly baseDelayMs?: number
  /** Largest delay in ms (default 5000). */
  readonly maxDelayMs?: number
}

/** Full jitter: a uniform delay in [0, min(max, base * 2^attempt)), so many workers retrying at once spread out. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseDelayMs ?? 50
  const max = options.maxDelayMs ?? 5000
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30))
  return Math.floor(random() * ceiling)
}

/** Resolves after `ms`, or at once when `signal` aborts (the caller checks the signal afterwards). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
