// A whole run: client and keyring from the options, jobs planned, processed --jobs at a time, one line per failure, the exit code.
import { openSync } from 'node:fs'
import type { ReadStream } from 'node:tty'
import { buildClient } from '../api/client'
import { CommitmentPolicy } from '../core/policy'
import { AlgorithmSuiteIdentifier } from '../core/suites'
import { NodeCachingMaterialsManager } from '../materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../materials/caching/local-cache'
import type { CliOptions } from './args'
import { EXIT_FAILURE, EXIT_OK, oneLine } from './errors'
import { KeyWitnessLog } from './key-witness'
import { MetadataWriter } from './metadata'
import { OperationContext, runOperation } from './operation'
import { startProgress } from './progress'
import { Outcome, planUnits, runBatch, Unit } from './small-files'
import { inputIdentities, Job, ParentDirectories, planJobs } from './targets'
import { buildKeyring } from './wrapping-keys'

export interface Reporter {
  error(message: string, e?: unknown): void
  warn(message: string): void
  info(message: string): void
}

export async function run(options: CliOptions, report: Reporter): Promise<number> {
  const jobs = planJobs({ ...options, warn: (m) => report.warn(m) })
  const log = new KeyWitnessLog()
  const keyring = buildKeyring(options.wrappingKeys, {
    kmsEndpoint: options.kmsEndpoint,
    log,
    decrypting: options.action !== 'encrypt',
  })
  const materials = options.caching
    ? new NodeCachingMaterialsManager({
        backingMaterials: keyring,
        cache: getLocalCryptographicMaterialsCache(options.caching.capacity),
        maxAge: options.caching.maxAgeMs,
        ...(options.caching.maxMessagesEncrypted === undefined
          ? {}
          : { maxMessagesEncrypted: options.caching.maxMessagesEncrypted }),
        ...(options.caching.maxBytesEncrypted === undefined
          ? {}
          : { maxBytesEncrypted: options.caching.maxBytesEncrypted }),
      })
    : keyring
  const client = buildClient({
    commitmentPolicy: options.commitmentPolicy,
    maxEncryptedDataKeys: options.maxEncryptedDataKeys ?? false,
    ...(options.backend === undefined ? {} : { backend: options.backend }),
  })
  // The Python CLI's default under this policy: the newest suite that commits to nothing.
  const defaults =
    options.commitmentPolicy === CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT && options.suiteId === undefined
      ? { suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384 }
      : {}
  const metadata = new MetadataWriter(options.metadataOutput, options.overwriteMetadata)
  metadata.open()
  const totalBytes = jobs.reduce((n, j) => n + (j.size ?? 0), 0)
  const showBar = options.progress === true || (process.stderr.isTTY === true && !options.quiet)
  const progress = startProgress(showBar, totalBytes, jobs.length)
  const ctx: OperationContext = {
    options: { ...options, ...defaults },
    client,
    materials,
    metadata,
    log,
    progress,
    mayOverwrite: overwritePolicy(options, report),
    inputs: inputIdentities(jobs),
    claimed: new Set(),
    directories: new ParentDirectories(),
  }

  let failures = 0
  const settle = (job: Job, outcome: Outcome): void => {
    if (outcome.ok) {
      if (outcome.result === 'skipped') report.warn(`skipped ${job.source}: ${job.destination} exists`)
      else report.info(`${options.action} ${job.inputName} -> ${job.outputName}`)
    } else {
      failures++
      report.error(`${job.source === '-' ? 'stdin' : job.source}: ${oneLine(outcome.error)}`, outcome.error)
    }
    progress.fileDone()
  }
  // --jobs units in flight: a unit is one file, or a batch of small files (one batch call, on the pool's threads when big enough).
  const units = planUnits(jobs, ctx.options)
  let next = 0
  const worker = async (): Promise<void> => {
    for (let u = next++; u < units.length; u = next++) {
      const unit = units[u] as Unit
      if (unit.batch) {
        const outcomes = await runBatch(unit.jobs, ctx)
        unit.jobs.forEach((job, i) => settle(job, outcomes[i] as Outcome))
        continue
      }
      const job = unit.jobs[0] as Job
      let outcome: Outcome
      try {
        outcome = { ok: true, result: await runOperation(job, ctx) }
      } catch (e) {
        outcome = { ok: false, error: e }
      }
      settle(job, outcome)
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(options.jobs, units.length) }, worker))
  } finally {
    progress.stop()
    metadata.close()
  }
  if (failures > 0 && jobs.length > 1) report.error(`${failures} of ${jobs.length} inputs failed`)
  return failures === 0 ? EXIT_OK : EXIT_FAILURE
}

/** The user's terminal (/dev/tty) for a question, whatever stdin is; undefined without one (no controlling terminal: cron, CI). */
function openTerminal(): ReadStream | undefined {
  try {
    const tty = require('node:tty') as typeof import('node:tty')
    return new tty.ReadStream(openSync('/dev/tty', 'r'))
  } catch {
    return undefined
  }
}

/** --no-overwrite skips, --interactive asks (one question at a time, even with --jobs; the answer from the terminal, else stdin), otherwise replace, as the Python CLI does. */
function overwritePolicy(options: CliOptions, report: Reporter): (destination: string) => Promise<boolean> {
  if (options.noOverwrite) return () => Promise.resolve(false)
  if (!options.interactive) {
    return (destination) => {
      report.info(`overwriting existing output file ${destination}`)
      return Promise.resolve(true)
    }
  }
  let queue: Promise<unknown> = Promise.resolve()
  return (destination) => {
    const answer = queue.then(
      () =>
        new Promise<boolean>((resolve) => {
          // readline and tty load only for a question: a run without --interactive never needs them.
          const { createInterface } = require('node:readline') as typeof import('node:readline')
          const terminal = openTerminal()
          const rl = createInterface({ input: terminal ?? process.stdin, output: process.stderr, terminal: false })
          const done = (answer: boolean): void => {
            // Resolved first: close() emits 'close' at once, whose "no" must not win over the answer given.
            resolve(answer)
            rl.close()
            terminal?.destroy()
          }
          rl.question(`Overwrite existing output file "${destination}" with new contents? [y/N]: `, (text) =>
            done(text.trim().toLowerCase().startsWith('y')),
          )
          rl.once('close', () => done(false))
        }),
    )
    queue = answer
    return answer
  }
}
