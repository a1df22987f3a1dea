// Outputs land under their final name only after the whole message authenticated: written to a private temporary file beside the target, renamed on success, removed on failure.
import { randomBytes } from 'node:crypto'
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { rename, unlink } from 'node:fs/promises'
import path from 'node:path'
import { FileSink } from './file-sink'

/** This run's random tag, drawn once: a draw per small file costs more than its write. Names stay unguessable; a counter keeps them distinct. */
let runTag: string | undefined
let counter = 0

/** The temporary name beside `destination`: hidden, unguessable, never an existing file (opened with `wx`, so a planted name fails instead of being followed). */
function temporaryBeside(destination: string): string {
  runTag ??= randomBytes(6).toString('hex')
  return path.join(
    path.dirname(destination),
    `.${path.basename(destination)}.${runTag}${(counter++).toString(36)}.esdk-partial`,
  )
}

/**
 * A whole, already authenticated result at once (small files): written under a temporary name, then renamed.
 * Synchronous on purpose: for a few KiB, four round trips through libuv's pool cost more than the syscalls.
 */
export function writeWholeSync(destination: string, mode: number, bytes: Uint8Array): void {
  const temporary = temporaryBeside(destination)
  let fd: number | undefined
  try {
    fd = openSync(temporary, 'wx', mode)
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at)
    closeSync(fd)
    fd = undefined
    renameSync(temporary, destination)
  } catch (e) {
    if (fd !== undefined) closeSync(fd)
    try {
      unlinkSync(temporary)
    } catch {
      // Never created, or already gone: nothing partial is left either way.
    }
    throw e
  }
}

export class PendingOutput {
  readonly temporary: string
  readonly stream: FileSink

  /** `mode` applies to the temporary file, and so to the result (0600 for plaintext). `wx`: never follow or reuse an existing file. */
  constructor(
    readonly destination: string,
    mode: number,
  ) {
    this.temporary = temporaryBeside(destination)
    this.stream = new FileSink(this.temporary, mode)
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
