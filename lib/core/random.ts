// The one source of the random bytes a message is built from (message ids, data keys, wrapping IVs), with a test-only override.
import { randomFillSync } from 'node:crypto'
import { allocSecret } from './secret-bytes'

/** Fills `out` completely. */
export type RandomSource = (out: Uint8Array) => void

/*
 * randomFillSync costs several microseconds per call whatever the size (it is a CryptoJob), and a
 * message needs three small draws, so bytes are drawn 4 KiB at a time and handed out in order,
 * each handed-out byte zeroed in the pool at once (Node's randomUUID caches random bytes the same
 * way). Secrets drawn from here therefore live in exactly one place: the caller's buffer.
 */
const POOL_BYTES = 4096
/** Larger requests bypass the pool: amortising them gains nothing. */
const POOLED_MAX = 256
// Buffer.alloc, never allocUnsafe: the pool holds future keys, so it must not sit in the shared slab.
const pool = Buffer.alloc(POOL_BYTES)
let used = POOL_BYTES

let override: RandomSource | undefined

/** Fills `out` with random bytes (from the test source when one is set) and returns it. */
export function randomFill<T extends Uint8Array>(out: T): T {
  if (override !== undefined) {
    override(out)
    return out
  }
  const n = out.byteLength
  if (n > POOLED_MAX) return randomFillSync(out)
  if (used + n > POOL_BYTES) {
    randomFillSync(pool)
    used = 0
  }
  for (let i = 0; i < n; i++) {
    out[i] = pool[used + i] as number
    pool[used + i] = 0
  }
  used += n
  return out
}

/**
 * `n` random bytes in a Buffer of their own (never a slice of the shared pool, so a key drawn here
 * can be wiped alone). allocUnsafeSlow, not alloc: every byte is overwritten, and small
 * Buffer.alloc arrays live on the V8 heap, which the addon would force off it on first use.
 */
export function randomBytes(n: number): Buffer {
  return randomFill(allocSecret(n))
}

/** `n` random bytes that are public once the message is written (message ids, IVs): a slice of Node's shared pool is fine. */
export function randomPublicBytes(n: number): Buffer {
  return randomFill(Buffer.allocUnsafe(n))
}

/** True while a test source is installed: anything that pre-draws randomness (key pools) must bypass itself. */
export function isRandomSourceOverridden(): boolean {
  return override !== undefined
}

/**
 * TEST ONLY. Replaces the random source for every later draw (undefined restores the real one), so
 * a test can make two encryptions byte-identical. Never call this outside tests: it removes all
 * the randomness a message's security rests on.
 */
export function setRandomSourceForTesting(source: RandomSource | undefined): void {
  override = source
  // Bytes drawn before the switch must not leak into a deterministic run (or vice versa).
  pool.fill(0)
  used = POOL_BYTES
}
