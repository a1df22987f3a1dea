// What the batch group measures (issue 9): batches of 1 KiB records through caching CMMs (raw AES, and KMS via the stand-in), full and --quick.
import { DEFAULT_FRAME, KiB, sizeLabel, suiteLabel } from './cases'
import type { Case, Group, Timing } from './cases'
import type { ImplName } from './impls'

/** cached-aes: caching CMM over a raw AES keyring; cached-kms: over a KMS keyring at the stand-in; one-shot: one encrypt per record, raw AES keyring. */
export type BatchMaterials = 'cached-aes' | 'cached-kms' | 'one-shot'

export interface BatchCase extends Case {
  materials: BatchMaterials
  /** Records per batch (per iteration: the rate is records/s). */
  records: number
}

export interface BatchGroup extends Group {
  cases: BatchCase[]
}

export const BATCH_RECORD_SIZE = KiB
export const BATCH_RECORDS = 500
/** Caching settings for every cached case, ours and official alike. */
export const BATCH_CACHE = { capacity: 100, maxAgeMs: 60_000, maxMessagesEncrypted: 10_000 } as const

const ALL: ImplName[] = ['native', 'js', 'official']

interface Plan {
  cases: readonly { suiteId: number; op: Case['op']; materials: BatchMaterials }[]
  timing: Timing
  /** The official SDK takes about a second per batch of 500: fewer samples. */
  officialTiming: Timing
}

const CASES: Plan['cases'] = [
  { suiteId: 0x0478, op: 'encrypt', materials: 'cached-aes' },
  { suiteId: 0x0478, op: 'decrypt', materials: 'cached-aes' },
  { suiteId: 0x0478, op: 'encrypt', materials: 'cached-kms' },
  { suiteId: 0x0478, op: 'decrypt', materials: 'cached-kms' },
  { suiteId: 0x0578, op: 'encrypt', materials: 'cached-aes' },
  { suiteId: 0x0578, op: 'decrypt', materials: 'cached-aes' },
  { suiteId: 0x0478, op: 'encrypt', materials: 'one-shot' },
]

const FULL: Plan = {
  cases: CASES,
  timing: { maxTime: 2, minSamples: 8, warmup: 0.3 },
  officialTiming: { maxTime: 1, minSamples: 3, warmup: 0 },
}
const QUICK: Plan = {
  cases: CASES.filter((c) => c.suiteId === 0x0478 || c.op === 'encrypt'),
  timing: { maxTime: 0.3, minSamples: 3, minTime: 0.05, warmup: 0.05 },
  officialTiming: { maxTime: 0, minSamples: 2, warmup: 0 },
}

export function buildBatchGroup(quick: boolean): BatchGroup {
  const plan = quick ? QUICK : FULL
  const cases: BatchCase[] = plan.cases.map(({ suiteId, op, materials }) => ({
    id:
      materials === 'one-shot'
        ? `batch one-shot ${sizeLabel(BATCH_RECORD_SIZE)} ${suiteLabel(suiteId)} ${op} seq`
        : `batch ${BATCH_RECORDS}x${sizeLabel(BATCH_RECORD_SIZE)} ${suiteLabel(suiteId)} ${op} ${materials}`,
    group: 'batch',
    size: BATCH_RECORD_SIZE,
    suiteId,
    frameLength: DEFAULT_FRAME,
    op,
    inFlight: 1,
    impls: ALL,
    timing: plan.timing,
    timingFor: { official: plan.officialTiming },
    materials,
    records: BATCH_RECORDS,
  }))
  return {
    id: 'batch',
    title: `Batches of ${BATCH_RECORDS} x ${sizeLabel(BATCH_RECORD_SIZE)} records: records/s (ours encryptBatch / decryptBatch; official Promise.all of ${BATCH_RECORDS} encrypt / decrypt calls)`,
    unit: 'msg/s',
    notes: [
      `cached-aes: NodeCachingMaterialsManager over a raw AES-256 keyring; cached-kms: over a KmsKeyringNode (us-west-2) at the local KMS stand-in; cache capacity ${BATCH_CACHE.capacity}, maxAge ${BATCH_CACHE.maxAgeMs / 1000} s, maxMessagesEncrypted ${BATCH_CACHE.maxMessagesEncrypted} (a fresh data key every ${BATCH_CACHE.maxMessagesEncrypted / BATCH_RECORDS} batches)`,
      'one-shot: one encrypt call per record, sequential, raw AES keyring (no cache): the single-message path, for comparison',
      'decrypt: the batch made by the same implementation and CMM; every encrypted record of the checks decrypts with the official SDK',
      'KMS calls: counted by the stand-in during the timed run only, per 1,000 records',
    ],
    cases,
  }
}
