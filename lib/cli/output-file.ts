// Outputs land under their final name only after the whole message authenticated: written to a private temporary file beside the target, renamed on success, removed on failure.
import { randomBytes } from 'node:crypto'
import { createWriteStream, WriteStream } from 'node:fs'
import { rename, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'

/** The temporary name beside `destination`: hidden, random, never an existing file (opened with `wx`). */
function temporaryBeside(destination: string): string {
  return path.join(path.dirname(destination), `.${path.basename(destination)}.${randomBytes(6).toString('hex')}.esdk-partial`)
}

/** A whole result at once (small files): written under a temporary name, then renamed. */
export async function writeWhole(destination: string, mode: number, bytes: Uint8Array): Promise<void> {
  const temporary = temporaryBeside(destination)
  try {
    await writeFile(temporary, bytes, { flag: 'wx', mode })
    await rename(temporary, destination)
  } catch (e) {
    await unlink(temporary).catch(() => undefined)
    throw e
  }
}

export class PendingOutput {
  readonly temporary: string
  readonly stream: WriteStream

  /** `mode` applies to the temporary file, and so to the result (0600 for plaintext). `wx`: never follow or reuse an existing file. */
  constructor(
    readonly destination: string,
    mode: number,
  ) {
    this.temporary = temporaryBeside(destination)
    this.stream = createWriteStream(this.temporary, { flags: 'wx', mode })
  }

  /** The message authenticated and the file is closed: give it its name (replacing any file there, atomically). */
  async commit(): Promise<void> {
    await rename(this.temporary, this.destination)
  }

  /** Something failed: no partial output survives. */
  async discard(): Promise<void> {
    this.stream.destroy()
    await unlink(this.temporary).catch(() => undefined)
  }
}
