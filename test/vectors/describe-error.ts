// One-line descriptions of thrown values, following cause chains, for failure listings.
import { EsdkError, KeyringError } from '../../lib/index'

const MAX_LENGTH = 600

export function isEsdkError(e: unknown): e is EsdkError {
  return e instanceof EsdkError && typeof e.code === 'string'
}

export function describeError(e: unknown): string {
  const text = describe(e, 0)
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}...` : text
}

function describe(e: unknown, depth: number): string {
  if (!(e instanceof Error)) return String(e)
  const head = isEsdkError(e) ? `${e.name} [${e.code}]: ${e.message}` : `${e.name}: ${e.message}`
  if (depth >= 3) return head
  const causes: unknown[] =
    e instanceof KeyringError
      ? [...e.causes]
      : e instanceof AggregateError
        ? [...(e.errors as unknown[])]
        : e.cause !== undefined
          ? [e.cause]
          : []
  if (causes.length === 0) return head
  return `${head} <- (${causes.map((c) => describe(c, depth + 1)).join('; ')})`
}
