// The CLI's two failure kinds and their exit codes: a usage error (2) and a failed operation (1).

/** Exit codes, documented in the README ("CLI"). */
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

/** The command line itself is wrong (unknown flag, bad value, conflicting options): exit 2, nothing was read or written. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** One input could not be processed (the run goes on with the others and exits 1). */
export class OperationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'OperationError'
  }
}

/** One line, no stack: what a user sees for any error unless -v asked for more. */
export function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e)
  const code =
    typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code)
      ? ` (${e.code})`
      : ''
  return `${text.split('\n')[0] ?? ''}${code}`.trim()
}
