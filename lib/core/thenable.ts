// Tells a promise (or any thenable a custom CMM or keyring hands back) from a plain value, so synchronous answers skip a microtask turn.
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}
