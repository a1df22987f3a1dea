// Small files in batches: each read whole (synchronously), the lot sealed or opened by one batch call (every file its own message), each result written under a temporary name and renamed only once its own message authenticated.
import { readFileSync } from 'node:fs'
import type { DecryptBatchEntry } from '../batch/decrypt-many'
import type { EncryptBatchEntry } from '../batch/encrypt-many'
import type { MessageHeader } from '../format/header'
import type { CliOptions } from './args'
import { OperationError } from './errors'
import { checkContext, headerAuthOf, mayWrite, OperationContext, OperationResult, record, withKey } from './operation'
import { writeWholeSync } from './output-file'
import type { Job } from './targets'

/** Files up to this size may share a batch; bigger ones go alone (one-shot up to 1 MiB, then the stream API). */
export const BATCH_FILE_LIMIT = 256 * 1024
/** At most this many files, and about this many bytes, per batch: enough to amortize a batch call and run it on the pool's threads, little enough to keep memory flat. */
export const BATCH_FILES = 64
export const BATCH_BYTES = 8 * 1024 * 1024

/** One unit of work for a worker: a single job, or a batch of small ones. */
export interface Unit {
  readonly jobs: readonly Job[]
  readonly batch: boolean
}

/** One outcome per job of a unit, in its order. */
export type Outcome =
  { readonly ok: true; readonly result: OperationResult } | { readonly ok: false; readonly error: unknown }

/** A regular file to a file, bytes in and bytes out (base64 and --decrypt-unsigned keep the one-by-one paths). */
export function batchable(job: Job, options: CliOptions): boolean {
  return (
    job.size !== undefined &&
    job.size <= BATCH_FILE_LIMIT &&
    job.source !== '-' &&
    job.destination !== '-' &&
    !options.encode &&
    !options.decode &&
    options.action !== 'decrypt-unsigned'
  )
}

/** Consecutive batchable jobs grouped, in order; every other job a unit of its own. */
export function planUnits(jobs: readonly Job[], options: CliOptions): Unit[] {
  const units: Unit[] = []
  let open: Job[] = []
  let bytes = 0
  const close = (): void => {
    if (open.length > 0) units.push({ jobs: open, batch: open.length > 1 })
    open = []
    bytes = 0
  }
  for (const job of jobs) {
    if (!batchable(job, options)) {
      close()
      units.push({ jobs: [job], batch: false })
      continue
    }
    if (open.length >= BATCH_FILES || bytes + (job.size ?? 0) > BATCH_BYTES) close()
    open.push(job)
    bytes += job.size ?? 0
  }
  close()
  return units
}

/** Runs one batch unit; never throws (each job's failure is its outcome). */
export async function runBatch(jobs: readonly Job[], ctx: OperationContext): Promise<Outcome[]> {
  const { options } = ctx
  const encrypting = options.action === 'encrypt'
  const outcomes: Outcome[] = new Array<Outcome>(jobs.length)
  const inputs: Buffer[] = []
  const slots: number[] = []
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i] as Job
    try {
      const allowed = mayWrite(job, ctx)
      if (!(typeof allowed === 'boolean' ? allowed : await allowed)) {
        outcomes[i] = { ok: true, result: 'skipped' }
        continue
      }
      const bytes = readFileSync(job.source)
      ctx.progress.add(bytes.length)
      inputs.push(bytes)
      slots.push(i)
    } catch (e) {
      outcomes[i] = { ok: false, error: e }
    }
  }
  if (inputs.length === 0) return outcomes

  // Headers cost time per record: only when a metadata record or a context check needs them.
  const messageHeaders =
    ctx.metadata.enabled ||
    (!encrypting && (options.requiredContextKeys.length > 0 || Object.keys(options.encryptionContext).length > 0))
  let entries: readonly (EncryptBatchEntry | DecryptBatchEntry)[]
  try {
    entries = encrypting
      ? await ctx.client.encryptBatch(ctx.materials, inputs, {
          encryptionContext: { ...options.encryptionContext },
          ...(options.suiteId === undefined ? {} : { suiteId: options.suiteId }),
          ...(options.frameLength === undefined ? {} : { frameLength: options.frameLength }),
          messageHeaders,
        })
      : await ctx.client.decryptBatch(ctx.materials, inputs, {
          ...(options.maxLength === undefined ? {} : { maxBodySize: options.maxLength }),
          messageHeaders,
        })
  } catch (e) {
    for (const i of slots) outcomes[i] = { ok: false, error: e }
    return outcomes
  }

  for (let k = 0; k < slots.length; k++) {
    const i = slots[k] as number
    const job = jobs[i] as Job
    const entry = entries[k]
    try {
      if (entry === undefined) throw new OperationError('the batch answered fewer records than it was given')
      if (!entry.ok) throw entry.error
      if ('result' in entry) finishEncrypt(job, ctx, entry.result, entry.messageHeader)
      else finishDecrypt(job, ctx, inputs[k] as Buffer, entry.plaintext, entry.messageHeader)
      outcomes[i] = { ok: true, result: 'done' }
    } catch (e) {
      outcomes[i] = { ok: false, error: e }
    }
  }
  return outcomes
}

function finishEncrypt(job: Job, ctx: OperationContext, message: Buffer, header: MessageHeader | undefined): void {
  ctx.directories.ensure(job.destination)
  writeWholeSync(job.destination, 0o666, message)
  if (header !== undefined) ctx.metadata.write(record(job, ctx.options, header, undefined))
}

/** The batch released this plaintext only after its message authenticated (every tag, the signature); the context is checked before it is written. */
function finishDecrypt(
  job: Job,
  ctx: OperationContext,
  message: Buffer,
  plaintext: Buffer,
  header: MessageHeader | undefined,
): void {
  try {
    const headerAuth = headerAuthOf(message, ctx.metadata)
    if (header !== undefined) {
      const mismatch = checkContext(ctx.options, header)
      if (mismatch) {
        ctx.metadata.write({
          ...record(job, ctx.options, header, undefined),
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
    ctx.directories.ensure(job.destination)
    writeWholeSync(job.destination, 0o600, plaintext)
    if (header !== undefined)
      ctx.metadata.write({
        ...record(job, ctx.options, header, undefined),
        ...(headerAuth ? { headerAuth } : {}),
        ...withKey(ctx.log, header),
      })
  } finally {
    // Written or refused, the plaintext leaves memory now (a view of the batch's region).
    plaintext.fill(0)
  }
}
