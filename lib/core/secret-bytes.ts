// Buffers for secret bytes (data keys, derived keys, wrapping keys, scalars), kept outside V8's heap so that wiping them reaches the only copy.

/**
 * A zero-filled buffer with its own ArrayBuffer. V8 keeps typed arrays of 64 bytes or less (which
 * every key and scalar here is) inside its garbage-collected heap: a scavenge copies them to a new
 * place and a native call copies them out to a backing store, each time leaving a stale copy that
 * no wipe reaches. An ArrayBuffer's backing store is allocated outside the heap and never moves.
 * Never pooled, so nothing else shares its memory.
 */
export function allocSecret(size: number): Buffer {
  return Buffer.from(new ArrayBuffer(size))
}

/** Runs a node:crypto cipher over a secret into an unpooled buffer, wiping the intermediate parts. */
export function cipherToOwnedBuffer(run: () => Buffer[]): Buffer {
  const parts = run()
  const out = allocSecret(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    o += p.copy(out, o)
    p.fill(0)
  }
  return out
}
