// What the KMS group measures: 1 KiB messages through a KMS keyring, uncached vs a caching CMM, full and --quick.
import { DEFAULT_FRAME, KiB, sizeLabel, suiteLabel } from './cases'
import type { Case, Group, Timing } from './cases'
import type { ImplName } from './impls'

export type Caching = 'uncached' | 'cached'

export interface KmsCase extends Case {
  caching: Caching
}

export interface KmsGroup extends Group {
  cases: KmsCase[]
}

export const KMS_SIZE = KiB
export const KMS_REGION = 'us-west-2'

/** The caching CMM settings, the same for ours and the official one. */
export const CACHE = { capacity: 100, maxAgeMs: 60_000, maxMessagesEncrypted: 100 } as const

const ALL: ImplName[] = ['native', 'js', 'official']

interface Plan {
  suites: readonly number[]
  /** Sequential always; these also get a 4-in-flight cached encrypt (shows coalesced misses on entry roll-over). */
  x4Suites: readonly number[]
  timing: Timing
}

const FULL: Plan = {
  suites: [0x0478, 0x0578],
  x4Suites: [0x0478],
  timing: { maxTime: 1.25, minSamples: 5, warmup: 0.1 },
}
const QUICK: Plan = {
  suites: [0x0478],
  x4Suites: [0x0478],
  timing: { maxTime: 0.15, minSamples: 3, minTime: 0.025, warmup: 0.03 },
}

export function buildKmsGroup(quick: boolean): KmsGroup {
  const plan = quick ? QUICK : FULL
  const cases: KmsCase[] = []
  const add = (suiteId: number, op: Case['op'], caching: Caching, inFlight: 1 | 4): void => {
    cases.push({
      id: `kms ${sizeLabel(KMS_SIZE)} ${suiteLabel(suiteId)} ${op} ${caching} ${inFlight === 1 ? 'seq' : 'x4'}`,
      group: 'kms',
      size: KMS_SIZE,
      suiteId,
      frameLength: DEFAULT_FRAME,
      op,
      inFlight,
      impls: ALL,
      timing: plan.timing,
      caching,
    })
  }
  for (const suiteId of plan.suites)
    for (const op of ['encrypt', 'decrypt'] as const)
      for (const caching of ['uncached', 'cached'] as const) {
        add(suiteId, op, caching, 1)
        if (op === 'encrypt' && caching === 'cached' && plan.x4Suites.includes(suiteId)) add(suiteId, op, caching, 4)
      }
  return {
    id: 'kms',
    title: 'KMS keyring through the local KMS stand-in, 1 KiB messages: messages/s, and the KMS calls each made',
    unit: 'msg/s',
    notes: [
      `KmsKeyringNode, generator only (${KMS_REGION}), real @aws-sdk/client-kms (one client per implementation) over HTTP to the stand-in on 127.0.0.1`,
      'clientProvider: ours getClient(KMS, config); official cacheClients(getClient(KMS, config)), as its default provider (plain getClient makes a client per call)',
      `cached = NodeCachingMaterialsManager over that keyring, getLocalCryptographicMaterialsCache(${CACHE.capacity}), maxAge ${CACHE.maxAgeMs / 1000} s, maxMessagesEncrypted ${CACHE.maxMessagesEncrypted} (ours and official alike)`,
      'x4 = Promise.all of 4 per iteration (4 x ops/s): misses can overlap when an entry runs out; ours coalesces overlapping misses into one KMS call',
      'decrypt: the same message every time (made by the same implementation and CMM), so cached decrypt calls KMS at most once per maxAge',
      'KMS calls: counted by the stand-in during the timed run only (after checks and warm-up); per 1,000 messages, then total calls / messages',
    ],
    cases,
  }
}
