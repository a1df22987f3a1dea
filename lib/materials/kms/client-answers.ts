// Tells a client cache that a client's region answered a KMS call, without wrapping or mutating the caller's client object.

const listeners = new WeakMap<object, Array<() => void>>()

/** Runs `listener` once, the first time a keyring reports that `client` got an answer from its KMS endpoint. */
export function onFirstAnswer(client: object, listener: () => void): void {
  const list = listeners.get(client)
  if (list) list.push(listener)
  else listeners.set(client, [listener])
}

export function reportAnswer(client: object): void {
  const list = listeners.get(client)
  if (!list) return
  listeners.delete(client)
  for (const listener of list) listener()
}

/**
 * An error that carries an HTTP status came from a live KMS endpoint (the request, not the region, was
 * wrong), so the region counts as answered; network failures do not (v3 `$metadata`, v2 `statusCode`).
 */
export function isServiceAnswer(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const metadata: unknown = (error as { $metadata?: unknown }).$metadata
  const v3Status =
    typeof metadata === 'object' && metadata !== null
      ? (metadata as { httpStatusCode?: unknown }).httpStatusCode
      : undefined
  return typeof v3Status === 'number' || typeof (error as { statusCode?: unknown }).statusCode === 'number'
}
