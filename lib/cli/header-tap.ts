// A pass-through that reads the message header from the first ciphertext bytes, for the metadata's header_auth (IV and tag); the decrypt stream does the checking.
import { Transform, TransformCallback } from 'node:stream'
import { parseHeader } from '../format/header'

/** Past this the tap stops looking: the decrypt stream refuses such headers itself. */
const MAX_LOOK = 16 * 1024 * 1024

export class HeaderTap extends Transform {
  headerAuth: { iv: Buffer; tag: Buffer } | undefined
  private seen: Buffer[] = []
  private seenBytes = 0
  private looking = true

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.looking) this.look(chunk)
    done(null, chunk)
  }

  private look(chunk: Buffer): void {
    this.seen.push(chunk)
    this.seenBytes += chunk.length
    try {
      const r = parseHeader(this.seen.length === 1 ? chunk : Buffer.concat(this.seen), { maxEncryptedDataKeys: false })
      if (!r.done && this.seenBytes < MAX_LOOK) return
      if (r.done) this.headerAuth = { iv: Buffer.from(r.headerIv), tag: Buffer.from(r.headerAuthTag) }
    } catch {
      // Malformed: the decrypt stream reports it.
    }
    this.looking = false
    this.seen = []
  }
}
