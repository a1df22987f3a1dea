// Where key ids and key material come from: fresh randomness, or an HMAC of a seed so a restart yields the same keys.
import { createHmac, randomBytes } from 'node:crypto'

export class KeySource {
  private readonly seed: string | undefined
  private counter = 0

  constructor(seed?: string) {
    this.seed = seed
  }

  private bytes(label: string, length: number): Buffer {
    if (this.seed === undefined) return randomBytes(length)
    return createHmac('sha256', this.seed).update(label).digest().subarray(0, length)
  }

  /** A UUID-shaped key id, or `mrk-` and 32 hex digits for a multi-Region key. */
  newKeyId(multiRegion: boolean): string {
    const b = this.bytes(`key-id\0${this.counter++}`, 16)
    if (multiRegion) return `mrk-${b.toString('hex')}`
    b[6] = ((b[6] ?? 0) & 0x0f) | 0x40
    b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
    const h = b.toString('hex')
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
  }

  /** 32 bytes of AES-256 material for the key with this identity. */
  material(identity: string): Buffer {
    return this.bytes(`material\0${identity}`, 32)
  }
}
