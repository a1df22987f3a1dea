// Many messages under planned materials: ids drawn, laid out in shared output regions, sealed in one backend batch call per region.
import { randomFill } from '../core/random'
import { framedBodySize } from '../format/body'
import { float64Table } from '../format/body-table'
import { HeaderBodyPlan, MessageHeader, planHeaderBody, writeHeaderBody } from '../format/header'
import { NodeEncryptionMaterial } from '../materials/materials'
import { MESSAGE_ID_SLOT, SEAL_BATCH_STRIDE, SealBatchRun, footerRoom } from '../backend/backend'
import { EncryptSettings, HeaderSetup, messageHeaderFor, sharedHeaderSetup } from './encrypt-setup'

/**
 * What every message sealed under one materials answer shares: the checked header setup (zero
 * message id) and its plan. Messages differ only in id, commitment, header tag, body and footer.
 */
export interface MessagePlan {
  readonly setup: HeaderSetup
  readonly header: HeaderBodyPlan
  readonly headerAuthLength: number
  /** Where the message id sits in the header body: after the version (and v1's type byte) and the suite id. */
  readonly messageIdOffset: number
}

/** encrypt.md's checks of the materials (as for one message), and the plan of the messages they seal. */
export function planMessages(
  settings: EncryptSettings,
  material: NodeEncryptionMaterial,
  requested: Parameters<typeof sharedHeaderSetup>[2],
  frameLength: number,
): MessagePlan {
  const setup = sharedHeaderSetup(settings, material, requested, frameLength)
  const v2 = setup.suite.messageFormat === 2
  return { setup, header: planHeaderBody(setup.fields), headerAuthLength: v2 ? 16 : 28, messageIdOffset: v2 ? 3 : 4 }
}

function messageCapacity(plan: MessagePlan, plaintextLength: number): number {
  return (
    plan.header.size +
    plan.headerAuthLength +
    framedBodySize(plaintextLength, plan.setup.fields.frameLength).size +
    footerRoom(plan.setup.suite)
  )
}

/** One materials answer and the records (indices into the plaintexts) it seals, in order. */
export interface PlannedRun {
  readonly plan: MessagePlan
  readonly material: NodeEncryptionMaterial
  readonly records: readonly number[]
  /** The signing key may also sign elsewhere at the same time (anything but a fresh key per message). */
  readonly sharedSigningKey: boolean
}

export interface SealedRecord {
  readonly result: Buffer
  readonly messageHeader: MessageHeader | undefined
}

export type SealedOrFailed = SealedRecord | { readonly error: unknown }

/**
 * Output regions are cut at this size: one region per batch normally, several for huge batches, so
 * no single allocation grows without bound (and a kept record pins at most one region).
 */
export const REGION_BYTES = 64 * 1024 * 1024

/**
 * Seals every record of every run: each its own message (own id, derived key, commitment, header
 * tag), exactly as encryptMessage would write it. Ids are drawn in one call for the whole batch, so
 * both backends see the same random bytes. Results are views of the regions, indexed like
 * `plaintexts` (written into `into` when given, so several calls can share one array); a failed
 * region's records get its error. The caller wipes the materials.
 */
export async function sealRecords(
  settings: EncryptSettings,
  runs: readonly PlannedRun[],
  plaintexts: readonly Uint8Array[],
  withHeaders: boolean,
  into?: SealedOrFailed[],
): Promise<SealedOrFailed[]> {
  const results = into ?? new Array<SealedOrFailed>(plaintexts.length)
  const order: { run: number; record: number }[] = []
  runs.forEach((run, r) => {
    for (const record of run.records) order.push({ run: r, record })
  })
  const messageIds = randomFill(Buffer.allocUnsafe(order.length * MESSAGE_ID_SLOT))
  const batchRuns: SealBatchRun[] = runs.map(({ plan, material, records, sharedSigningKey }) => {
    // The header body with a zero id and commitment: the backend copies it per message and writes both.
    const header = Buffer.alloc(plan.header.size)
    writeHeaderBody(plan.setup.fields, plan.header, header)
    return {
      suite: plan.setup.suite,
      dataKey: material.getUnencryptedDataKey(),
      header,
      messageIdOffset: plan.messageIdOffset,
      extraAad: plan.setup.extraAad,
      frameLength: plan.setup.fields.frameLength,
      signingKey: material.signatureKey,
      sharedSigningKey: sharedSigningKey || records.length > 1,
    }
  })
  const sealing: Promise<void>[] = []
  for (let start = 0; start < order.length;) {
    // A region holds consecutive messages up to REGION_BYTES (at least one).
    let end = start
    let bytes = 0
    const capacities: number[] = []
    while (end < order.length) {
      const { run, record } = order[end] as { run: number; record: number }
      const capacity = messageCapacity((runs[run] as PlannedRun).plan, (plaintexts[record] as Uint8Array).length)
      if (end > start && bytes + capacity > REGION_BYTES) break
      capacities.push(capacity)
      bytes += capacity
      end++
    }
    sealing.push(
      sealRegion(
        settings,
        runs,
        batchRuns,
        plaintexts,
        order,
        start,
        end,
        capacities,
        bytes,
        messageIds,
        withHeaders,
        results,
      ),
    )
    start = end
  }
  await Promise.all(sealing)
  return results
}

async function sealRegion(
  settings: EncryptSettings,
  runs: readonly PlannedRun[],
  batchRuns: readonly SealBatchRun[],
  plaintexts: readonly Uint8Array[],
  order: readonly { run: number; record: number }[],
  start: number,
  end: number,
  capacities: readonly number[],
  bytes: number,
  allIds: Buffer,
  withHeaders: boolean,
  results: SealedOrFailed[],
): Promise<void> {
  const count = end - start
  const table = float64Table(count * SEAL_BATCH_STRIDE)
  const lengths = float64Table(count)
  const regionPlaintexts = new Array<Uint8Array>(count)
  let at = 0
  for (let k = 0; k < count; k++) {
    const { run, record } = order[start + k] as { run: number; record: number }
    table[k * SEAL_BATCH_STRIDE] = run
    table[k * SEAL_BATCH_STRIDE + 1] = at
    table[k * SEAL_BATCH_STRIDE + 2] = capacities[k] as number
    regionPlaintexts[k] = plaintexts[record] as Uint8Array
    at += capacities[k] as number
  }
  const out = Buffer.allocUnsafe(bytes)
  const messageIds = allIds.subarray(start * MESSAGE_ID_SLOT, end * MESSAGE_ID_SLOT)
  try {
    const sealed = settings.backend.sealBatch({
      runs: batchRuns,
      plaintexts: regionPlaintexts,
      table,
      messageIds,
      out,
      lengths,
    })
    if (sealed) await sealed
  } catch (error) {
    for (let k = start; k < end; k++) results[(order[k] as { record: number }).record] = { error }
    return
  }
  for (let k = 0; k < count; k++) {
    const { run, record } = order[start + k] as { run: number; record: number }
    const offset = table[k * SEAL_BATCH_STRIDE + 1] as number
    const result = out.subarray(offset, offset + (lengths[k] as number))
    let messageHeader: MessageHeader | undefined
    if (withHeaders) {
      const { plan, material } = runs[run] as PlannedRun
      const { setup } = plan
      const idAt = k * MESSAGE_ID_SLOT
      const messageId = Buffer.from(messageIds.subarray(idAt, idAt + setup.suite.messageIdLength))
      const end = plan.header.size
      messageHeader = messageHeaderFor(
        { ...setup, messageId },
        material,
        setup.suite.messageFormat === 2 ? result.subarray(end - 32, end) : undefined,
      )
    }
    results[record] = { result, messageHeader }
  }
}
