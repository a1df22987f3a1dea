// One input to one output: source, base64, the encrypt or decrypt stream, context checks, then the output renamed into place only after the message authenticated.
import { createReadStream, readFileSync } from 'node:fs'
import { Readable, Transform, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { EsdkClient } from '../api/client'
import { parseHeader } from '../format/header'
import type { MessageHeader } from '../format/header'
import type { KeyringNode, NodeMaterialsManager } from '../materials/keyring'
import { MessageDuplex } from '../stream/message-duplex'
import type { CliOptions } from './args'
import { base64Decoder, base64Encoder } from './base64'
import { OperationError } from './errors'
import { HeaderTap } from './header-tap'
import { KeyWitnessLog } from './key-witness'
import { MetadataRecord, MetadataWriter } from './metadata'
import { PendingOutput, writeWholeSync } from './output-file'
import { Progress } from './progress'
import { ReusingFileReader } from './reusing-file-reader'
import { identityOf, Job, ParentDirectories } from './targets'

export interface OperationContext {
  readonly options: CliOptions
  readonly client: EsdkClient
  readonly materials: KeyringNode | NodeMaterialsManager
  readonly metadata: MetadataWriter
  readonly log: KeyWitnessLog
  readonly progress: Progress
  /** True when an existing output may be replaced (asks the user with --interactive). */
  readonly mayOverwrite: (destination: string) => Promise<boolean>
  /** Every input file's `dev:ino`: never written over. */
  readonly inputs: ReadonlySet<string>
  /** Outputs this run has already chosen to write: a second job aiming at one (two inputs named alike) counts as overwriting. */
  readonly claimed: Set<string>
  readonly directories: ParentDirectories
}

export type OperationResult = 'done' | 'skipped'

/**
 * Files up to this size go through the one-shot API: read whole, authenticated whole, written whole.
 * Same messages and the same guarantees; a stream's set-up (slabs, a keyed native handle, five piped
 * stages) costs more than the crypto of a 4 KiB file.
 */
export const WHOLE_FILE_LIMIT = 1024 * 1024

/**
 * Reads 1 MiB + 64 KiB at a time: fewer, larger calls into the backend (a stream holds about a chunk per side). A
 * stream's run is the whole frames one chunk holds, and the native backend takes runs of 1 MiB or more to its thread
 * pool, off the event loop that does this file's reads and writes. A 1 MiB chunk held only 15 frames of 64 KiB with
 * their overhead, so every decrypt run stayed on the event loop (measured: decrypt about half encrypt's speed); this
 * size holds 16 (or 270 frames of 4 KiB), and is a whole number of 4 KiB and 64 KiB frames for encrypt.
 */
const READ_CHUNK = 1024 * 1024 + 64 * 1024

/** A decrypt whose context lacks what -c asked for: reported in the metadata (as the Python CLI does), and a failure (which it is not there). */
export class ContextMismatch extends OperationError {
  constructor(
    readonly missingKeys: string[],
    readonly missingPairs: [string, string][],
  ) {
    const parts = [
      ...missingKeys.map((k) => `key "${k}" missing`),
      ...missingPairs.map(([k, v]) => `"${k}" is not "${v}"`),
    ]
    super(`encryption context does not match: ${parts.join(', ')}`)
  }
}

export function checkContext(options: CliOptions, header: MessageHeader): ContextMismatch | undefined {
  const found = header.encryptionContext
  const missingKeys = options.requiredContextKeys.filter((k) => !Object.prototype.hasOwnProperty.call(found, k))
  const missingPairs = Object.entries(options.encryptionContext).filter(([k, v]) => found[k] !== v)
  return missingKeys.length + missingPairs.length === 0 ? undefined : new ContextMismatch(missingKeys, missingPairs)
}

/**
 * Whether the job may write its output: one stat of the destination. An input there (same device and inode,
 * through any link) is refused; an existing file, or one an earlier job of this run writes, goes by the overwrite policy.
 */
export function mayWrite(job: Job, ctx: OperationContext): boolean | Promise<boolean> {
  if (job.destination === '-') return true
  const there = identityOf(job.destination)
  if (there !== undefined && ctx.inputs.has(there))
    throw new OperationError(`refusing to overwrite the input ${job.destination}`)
  const claimedBefore = ctx.claimed.has(job.outputName)
  ctx.claimed.add(job.outputName)
  return there === undefined && !claimedBefore ? true : ctx.mayOverwrite(job.destination)
}

export async function runOperation(job: Job, ctx: OperationContext): Promise<OperationResult> {
  const { options } = ctx
  const encrypting = options.action === 'encrypt'
  if (!(await mayWrite(job, ctx))) return 'skipped'

  if (
    job.size !== undefined &&
    job.size <= WHOLE_FILE_LIMIT &&
    !options.decode &&
    !options.encode &&
    options.action !== 'decrypt-unsigned'
  )
    return runWhole(job, ctx)

  // A file read straight into the crypto stream reuses its buffers; through a base64 decoder it cannot know when one is free.
  const reader = job.source === '-' || options.decode ? undefined : new ReusingFileReader(job.source, READ_CHUNK)
  const source: Readable =
    reader ?? (job.source === '-' ? process.stdin : createReadStream(job.source, { highWaterMark: READ_CHUNK }))
  source.on('data', (chunk: Buffer) => ctx.progress.add(chunk.length))
  const stages: (Readable | Transform | Writable)[] = [source]
  if (options.decode) stages.push(base64Decoder())

  let plaintextLength: number | undefined
  if (encrypting && job.size !== undefined) plaintextLength = options.decode ? Math.ceil(job.size / 4) * 3 : job.size
  const tap = encrypting ? undefined : new HeaderTap()
  if (tap) stages.push(tap)

  const crypto = encrypting
    ? ctx.client.encryptStream(ctx.materials, {
        encryptionContext: { ...options.encryptionContext },
        ...(options.suiteId === undefined ? {} : { suiteId: options.suiteId }),
        ...(options.frameLength === undefined ? {} : { frameLength: options.frameLength }),
        ...(plaintextLength === undefined ? {} : { plaintextLength }),
      })
    : (options.action === 'decrypt' ? ctx.client.decryptStream : ctx.client.decryptUnsignedMessageStream)(
        ctx.materials,
        {
          ...(options.maxLength === undefined ? {} : { maxBodySize: options.maxLength }),
        },
      )
  if (reader && crypto instanceof MessageDuplex) crypto.returnInputTo((chunk) => reader.giveBack(chunk))
  let header: MessageHeader | undefined
  let mismatch: ContextMismatch | undefined
  crypto.on('MessageHeader', (h: MessageHeader) => {
    header = h
    // Checked before any plaintext is released: the stream emits the header first.
    mismatch = encrypting ? undefined : checkContext(options, h)
    if (mismatch) crypto.destroy(mismatch)
  })
  stages.push(crypto)
  if (options.encode) stages.push(base64Encoder())

  let pending: PendingOutput | undefined
  const buffered: Buffer[] = []
  if (job.destination === '-') {
    stages.push(
      options.buffer
        ? new Writable({
            write(chunk: Buffer, _enc, done) {
              buffered.push(chunk)
              done()
            },
          })
        : stdoutSink(),
    )
  } else {
    ctx.directories.ensure(job.destination)
    pending = new PendingOutput(job.destination, encrypting && !options.decode ? 0o666 : 0o600)
    // Written straight from the crypto stream's buffers, each handed back once on its way to the disk.
    if (!options.encode && crypto instanceof MessageDuplex) {
      crypto.willReturnOutput()
      pending.stream.onWritten = (chunk) => crypto.returnOutput(chunk)
    }
    stages.push(pending.stream)
  }

  try {
    await pipeline(stages as unknown as [Readable, Writable])
    if (header === undefined) throw new OperationError('the stream ended without a message header')
    if (pending) await pending.commit()
    else if (options.buffer) await writeStdout(Buffer.concat(buffered))
  } catch (e) {
    if (pending) await pending.discard()
    buffered.length = 0
    const failure = mismatch ?? e
    if (failure instanceof ContextMismatch && header !== undefined) {
      ctx.metadata.write({
        ...record(job, options, header, tap),
        skipped: {
          reason: 'Missing encryption context key or value',
          missingKeys: failure.missingKeys,
          missingPairs: failure.missingPairs,
        },
      })
    }
    throw failure
  }
  ctx.metadata.write({ ...record(job, options, header, tap), ...(encrypting ? {} : withKey(ctx.log, header)) })
  return 'done'
}

/** The small-file path: one read, one encrypt or decrypt (which returns only after every tag and the signature verified), one write. */
async function runWhole(job: Job, ctx: OperationContext): Promise<OperationResult> {
  const { options } = ctx
  const input = readFileSync(job.source)
  ctx.progress.add(input.length)
  let output: Buffer
  let header: MessageHeader
  let headerAuth: MetadataRecord['headerAuth']
  if (options.action === 'encrypt') {
    const r = await ctx.client.encrypt(ctx.materials, input, {
      encryptionContext: { ...options.encryptionContext },
      ...(options.suiteId === undefined ? {} : { suiteId: options.suiteId }),
      ...(options.frameLength === undefined ? {} : { frameLength: options.frameLength }),
    })
    output = r.result
    header = r.messageHeader
  } else {
    const r = await ctx.client.decrypt(
      ctx.materials,
      input,
      options.maxLength === undefined ? {} : { maxBodySize: options.maxLength },
    )
    output = r.plaintext
    header = r.messageHeader
    headerAuth = headerAuthOf(input, ctx.metadata)
    const mismatch = checkContext(options, header)
    if (mismatch) {
      output.fill(0)
      ctx.metadata.write({
        ...record(job, options, header, undefined),
        ...(headerAuth ? { headerAuth } : {}),
        skipped: {
          reason: 'Missing encryption context key or value',
          missingKeys: mismatch.missingKeys,
          missingPairs: mismatch.missingPairs,
        },
      })
      throw mismatch
    }
  }
  if (job.destination === '-') await writeStdout(output)
  else {
    ctx.directories.ensure(job.destination)
    writeWholeSync(job.destination, options.action === 'encrypt' ? 0o666 : 0o600, output)
  }
  ctx.metadata.write({
    ...record(job, options, header, undefined),
    ...(headerAuth ? { headerAuth } : {}),
    ...(options.action === 'encrypt' ? {} : withKey(ctx.log, header)),
  })
  return 'done'
}

/** The header's IV and tag for the metadata (read from the message's own bytes); skipped when no metadata is written. */
export function headerAuthOf(message: Buffer, metadata: MetadataWriter): MetadataRecord['headerAuth'] | undefined {
  if (!metadata.enabled) return undefined
  const parsed = parseHeader(message, { maxEncryptedDataKeys: false })
  return parsed.done ? { iv: Buffer.from(parsed.headerIv), tag: Buffer.from(parsed.headerAuthTag) } : undefined
}

export function record(
  job: Job,
  options: CliOptions,
  header: MessageHeader,
  tap: HeaderTap | undefined,
): MetadataRecord {
  return {
    mode: options.action,
    input: job.inputName,
    output: job.outputName,
    header,
    ...(tap?.headerAuth ? { headerAuth: tap.headerAuth } : {}),
  }
}

export function withKey(log: KeyWitnessLog, header: MessageHeader): Partial<MetadataRecord> {
  const key = log.find(header.encryptedDataKeys)
  return key === undefined ? {} : { decryptedWith: key }
}

/** stdout as a pipeline end that is never closed (other writers, such as metadata, may follow). */
function stdoutSink(): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      process.stdout.write(chunk, (e) => done(e ?? null))
    },
  })
}

function writeStdout(bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(bytes, (e) => (e ? reject(e) : resolve())))
}
