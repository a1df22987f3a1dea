// Batch encrypt: records grouped by encryption context, materials from the caller's CMM as if asked one by one, every record sealed as its own message.
import { BadStateError, EsdkError, InvalidArgumentError } from '../core/errors'
import { AlgorithmSuite } from '../core/suites'
import { isThenable } from '../core/thenable'
import { EncryptionContext, normalizeContext, serializeContextEntries } from '../format/encryption-context'
import { MessageHeader } from '../format/header'
import { EncryptionMaterialsRun, NodeMaterialsManager } from '../materials/keyring'
import { NodeEncryptionMaterial } from '../materials/materials'
import { drawsFreshSigningKeys } from '../materials/default-cmm'
import { disposeSigningKey } from '../materials/signature-keys'
import { EncryptSettings, encryptionRequest } from '../session/encrypt-setup'
import { PlannedRun, SealedOrFailed, planMessages, sealRecords } from '../session/seal-records'
import { backendError, recordError } from './errors'
import { forEachInFlight } from './in-flight'

export type BatchBytes = Buffer | Uint8Array | string

/** A plaintext, or a plaintext with its own encryption context (used instead of the shared one). */
export type EncryptBatchRecord =
  BatchBytes | { readonly plaintext: BatchBytes; readonly encryptionContext?: Record<string, string> }

export type EncryptBatchEntry =
  | { readonly ok: true; readonly result: Buffer; readonly messageHeader?: MessageHeader }
  | { readonly ok: false; readonly error: EsdkError }

export interface EncryptManyOptions {
  readonly suite: AlgorithmSuite | undefined
  readonly frameLength: number
  readonly encryptionContext: EncryptionContext
  readonly messageHeaders: boolean
  readonly encoding: BufferEncoding
}

/** CMM calls pending at once when the CMM has no batch method and answers asynchronously (a KMS keyring without a cache). */
export const MATERIALS_IN_FLIGHT = 16

interface ContextGroup {
  readonly context: EncryptionContext
  readonly records: number[]
}

const EMPTY = Buffer.alloc(0)

export async function encryptMany(
  settings: EncryptSettings,
  cmm: NodeMaterialsManager,
  records: Iterable<EncryptBatchRecord>,
  options: EncryptManyOptions,
): Promise<EncryptBatchEntry[]> {
  const entries: EncryptBatchEntry[] = []
  const plaintexts: Uint8Array[] = []
  const groups = groupByContext(records, options, plaintexts, entries)
  const planned: PlannedRun[] = []
  const fail = (recordsOf: readonly number[], error: unknown): void => {
    const typed = recordError(error)
    for (const r of recordsOf) entries[r] = { ok: false, error: typed }
  }
  const materials: NodeEncryptionMaterial[] = []
  // Only the default CMM is known to draw a fresh signing key per message; any other may share one.
  const sharedSigningKey = !drawsFreshSigningKeys(cmm)
  const sealed = new Array<SealedOrFailed>(plaintexts.length)
  // Each run is sealed as soon as its materials are answered, while the CMM fetches the next ones.
  const sealing: Promise<unknown>[] = []
  try {
    try {
      for (const group of groups) {
        let k = 0
        const accept = (run: EncryptionMaterialsRun): void => {
          const covered = group.records.slice(k, k + run.count)
          k += run.count
          if (run.material === undefined) {
            fail(covered, run.error)
            return
          }
          materials.push(run.material)
          try {
            const plannedRun: PlannedRun = {
              plan: planMessages(settings, run.material, options.suite, options.frameLength),
              material: run.material,
              records: covered,
              sharedSigningKey,
            }
            planned.push(plannedRun)
            sealing.push(sealRecords(settings, [plannedRun], plaintexts, options.messageHeaders, sealed))
          } catch (e) {
            fail(covered, e)
          }
        }
        await materialsFor(settings, cmm, group, plaintexts, options, accept)
        if (k < group.records.length)
          fail(group.records.slice(k), new BadStateError('the CMM answered fewer messages than the batch asked for'))
      }
    } finally {
      // Nothing returns (or wipes a data key) while a region may still be sealing under it.
      await Promise.allSettled(sealing)
    }
    await Promise.all(sealing)
    // Every region has settled: per-message signing keys go now, not at garbage collection.
    if (drawsFreshSigningKeys(cmm)) for (const m of materials) disposeSigningKey(m.signatureKey)
    for (const run of planned) {
      for (const r of run.records) {
        const s = sealed[r]
        if (!s) continue
        if ('error' in s) entries[r] = { ok: false, error: backendError(s.error) }
        else
          entries[r] = s.messageHeader
            ? { ok: true, result: s.result, messageHeader: s.messageHeader }
            : { ok: true, result: s.result }
      }
    }
  } finally {
    for (const m of materials) m.zeroUnencryptedDataKey()
  }
  return entries
}

/**
 * Each record's bytes, and the records grouped by context in first-seen order: the shared context
 * (by identity) and each distinct own context (by its serialization). A record that is not a
 * plaintext fails alone.
 */
function groupByContext(
  records: Iterable<EncryptBatchRecord>,
  options: EncryptManyOptions,
  plaintexts: Uint8Array[],
  entries: EncryptBatchEntry[],
): ContextGroup[] {
  const shared: ContextGroup = { context: options.encryptionContext, records: [] }
  const groups: ContextGroup[] = [shared]
  const byBytes = new Map<string, ContextGroup>()
  let i = 0
  for (const record of records) {
    try {
      if (isBytes(record)) {
        plaintexts[i] = toBytes(record, options.encoding)
        shared.records.push(i)
      } else if (
        typeof record === 'object' &&
        record !== null &&
        isBytes((record as { plaintext?: unknown }).plaintext)
      ) {
        plaintexts[i] = toBytes(record.plaintext, options.encoding)
        if (record.encryptionContext === undefined) {
          shared.records.push(i)
        } else {
          const context = normalizeContext(record.encryptionContext)
          const key = serializeContextEntries(context).toString('latin1')
          let group = byBytes.get(key)
          if (!group) {
            group = { context, records: [] }
            byBytes.set(key, group)
            groups.push(group)
          }
          group.records.push(i)
        }
      } else {
        throw new InvalidArgumentError(
          'a batch record must be a Buffer, Uint8Array or string, or { plaintext, encryptionContext }',
        )
      }
    } catch (e) {
      plaintexts[i] = EMPTY
      entries[i] = { ok: false, error: recordError(e) }
    }
    i++
  }
  entries.length = i
  return groups.filter((g) => g.records.length > 0)
}

/**
 * One CMM interaction for the group when the CMM can answer for many messages (a caching CMM:
 * one lookup, every message counted), else one request per message as encrypt would make. Each
 * run goes to `accept` in order, as soon as it is known; a failure fails the messages not yet
 * answered.
 */
function materialsFor(
  settings: EncryptSettings,
  cmm: NodeMaterialsManager,
  group: ContextGroup,
  plaintexts: readonly Uint8Array[],
  options: EncryptManyOptions,
  accept: (run: EncryptionMaterialsRun) => void,
): void | Promise<void> {
  const lengths = group.records.map((r) => (plaintexts[r] as Uint8Array).length)
  let answered = 0
  let covered = 0
  const take = (run: EncryptionMaterialsRun): void => {
    answered++
    covered += run.count
    accept(run)
  }
  // A CMM that ignores onRun (or answered only some runs through it): the rest of the returned runs.
  const rest = (runs: readonly EncryptionMaterialsRun[]): void => {
    for (const run of runs.slice(answered)) take(run)
  }
  const failRest = (error: unknown): void => {
    if (covered < lengths.length) take({ count: lengths.length - covered, error })
  }
  try {
    if (typeof cmm.getEncryptionMaterialsForBatch === 'function') {
      const request = encryptionRequest(settings, {
        encryptionContext: group.context,
        suite: options.suite,
        plaintextLength: undefined,
      })
      const answer = cmm.getEncryptionMaterialsForBatch(request, lengths, take)
      if (isThenable(answer)) return Promise.resolve(answer).then(rest, failRest)
      rest(answer)
      return undefined
    }
    const runs = new Array<EncryptionMaterialsRun>(lengths.length)
    const perMessage = forEachInFlight(
      lengths.map((length, k) => ({ length, k })),
      MATERIALS_IN_FLIGHT,
      ({ length, k }) => {
        try {
          const request = encryptionRequest(settings, {
            encryptionContext: group.context,
            suite: options.suite,
            plaintextLength: length,
          })
          const material = cmm.getEncryptionMaterialsSync?.(request)
          if (material) {
            runs[k] = { count: 1, material }
            return undefined
          }
          return cmm.getEncryptionMaterials(request).then(
            (m) => void (runs[k] = { count: 1, material: m }),
            (error: unknown) => void (runs[k] = { count: 1, error }),
          )
        } catch (error) {
          runs[k] = { count: 1, error }
          return undefined
        }
      },
    )
    return perMessage.then(() => rest(runs))
  } catch (error) {
    failRest(error)
    return undefined
  }
}

function isBytes(value: unknown): value is BatchBytes {
  return typeof value === 'string' || value instanceof Uint8Array
}

function toBytes(value: BatchBytes, encoding: BufferEncoding): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, encoding) : value
}
