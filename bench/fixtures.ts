// Inputs for the timed functions, checked before any timing: plaintexts, and per implementation a ciphertext that
// round-trips through that implementation AND decrypts with the official SDK (so a broken fast path cannot win).
import { randomFillSync } from 'node:crypto'
import { MiB, suiteLabel } from './cases'
import type { Impl, ImplName } from './impls'

const plaintexts = new Map<number, Buffer>()

/** Incompressible-looking bytes of `size` (1 MiB of random data repeated: AES-GCM speed does not depend on content). */
export function plaintextOf(size: number): Buffer {
  let p = plaintexts.get(size)
  if (!p) {
    p = Buffer.allocUnsafe(size)
    const block = randomFillSync(Buffer.allocUnsafe(Math.min(size, MiB)))
    for (let o = 0; o < size; o += block.length) block.copy(p, o, 0, Math.min(block.length, size - o))
    plaintexts.set(size, p)
  }
  return p
}

export function dropPlaintexts(keep?: number): void {
  for (const size of [...plaintexts.keys()]) if (size !== keep) plaintexts.delete(size)
}

export type Prepared = { ok: true; ciphertext: Buffer; checks: string[] } | { ok: false; error: string }

interface Entry {
  /** The message, checked by the official SDK (or, for the official SDK, by its own decrypt). */
  encrypted: Promise<Prepared>
  /** Additionally checked to round-trip through the implementation's own decrypt (needed before timing its decrypt). */
  roundTrip?: Promise<Prepared>
}

interface Key {
  size: number
  suiteId: number
  frameLength: number
}

/**
 * Verified ciphertexts for the current (size, suite, frame length); asking for another combination drops the previous
 * ones, so at most one 256 MiB set is held at a time.
 */
export class Fixtures {
  private key = ''
  private readonly prepared = new Map<ImplName, Entry>()

  constructor(private readonly official: Impl) {}

  /** For `encrypt` the message must decrypt with the official SDK; for `decrypt` it must also round-trip. */
  prepare(impl: Impl, k: Key, op: 'encrypt' | 'decrypt'): Promise<Prepared> {
    const key = `${k.size}|${k.suiteId}|${k.frameLength}`
    if (key !== this.key) {
      this.prepared.clear()
      this.key = key
    }
    let entry = this.prepared.get(impl.name)
    if (!entry) {
      entry = { encrypted: this.encryptChecked(impl, k) }
      this.prepared.set(impl.name, entry)
    }
    if (op === 'encrypt') return entry.encrypted
    entry.roundTrip ??= entry.encrypted.then((p) => (p.ok ? this.roundTrip(impl, p, k.size) : p))
    return entry.roundTrip
  }

  clear(): void {
    this.prepared.clear()
    this.key = ''
  }

  private async encryptChecked(impl: Impl, k: Key): Promise<Prepared> {
    const plaintext = plaintextOf(k.size)
    try {
      const ciphertext = await impl.encrypt(plaintext, k.suiteId, k.frameLength)
      // Message format version 2 (both suites commit): version byte, then the suite id.
      if (ciphertext[0] !== 0x02 || ciphertext.readUInt16BE(1) !== k.suiteId)
        return {
          ok: false,
          error: `encrypt wrote version 0x${ciphertext[0]?.toString(16)} suite 0x${ciphertext.readUInt16BE(1).toString(16)}, expected v2 ${suiteLabel(k.suiteId)}`,
        }
      const byOfficial = await this.official.decrypt(ciphertext)
      if (!byOfficial.equals(plaintext))
        return { ok: false, error: `official SDK decrypt of the ${impl.name} message returned different bytes` }
      return {
        ok: true,
        ciphertext,
        checks: ['header suite', impl.name === 'official' ? 'own round trip' : 'official decrypts it'],
      }
    } catch (err) {
      return { ok: false, error: `encrypt check failed: ${err instanceof Error ? err.message : String(err)}` }
    }
  }

  private async roundTrip(impl: Impl, p: Prepared & { ok: true }, size: number): Promise<Prepared> {
    if (impl.name === 'official') return p
    try {
      const own = await impl.decrypt(p.ciphertext)
      if (!own.equals(plaintextOf(size)))
        return { ok: false, error: `${impl.name} decrypt of its own message returned different bytes` }
      return { ...p, checks: [...p.checks, 'own round trip'] }
    } catch (err) {
      return { ok: false, error: `round-trip check failed: ${err instanceof Error ? err.message : String(err)}` }
    }
  }
}
