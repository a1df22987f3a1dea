// What the stream group measures (issue 8): 1 GiB through encryptStream / decryptStream from an in-memory source to a counting sink, full and --quick.
import { KiB, MiB, sizeLabel, suiteLabel } from './cases'
import type { Case, Group, Timing } from './cases'
import type { ImplName } from './impls'

export const STREAM_CHUNK = 64 * KiB
export const GiB = 1024 * MiB

export interface StreamGroup extends Group {
  cases: Case[]
  /** What the official SDK streams (it is 20-30x slower: a shorter message gives the same MB/s). */
  officialSize: number
}

interface Plan {
  size: number
  officialSize: number
  frames: readonly number[]
  suites: readonly number[]
  timing: Timing
  officialTiming: Timing
}

const FULL: Plan = {
  size: GiB,
  officialSize: 256 * MiB,
  frames: [4 * KiB, 64 * KiB],
  suites: [0x0478, 0x0578],
  timing: { maxTime: 0, minSamples: 3, warmup: 0 },
  officialTiming: { maxTime: 0, minSamples: 1, warmup: 0 },
}
const QUICK: Plan = {
  ...FULL,
  size: 64 * MiB,
  officialSize: 16 * MiB,
  timing: { maxTime: 0, minSamples: 2, warmup: 0 },
}

const ALL: ImplName[] = ['native', 'js', 'official']

export function buildStreamGroup(quick: boolean): StreamGroup {
  const plan = quick ? QUICK : FULL
  const cases: Case[] = []
  for (const suiteId of plan.suites) {
    for (const frameLength of plan.frames) {
      for (const op of ['encrypt', 'decrypt'] as const) {
        cases.push({
          id: `stream ${sizeLabel(plan.size)} ${suiteLabel(suiteId)} f${sizeLabel(frameLength)} ${op}`,
          group: 'stream',
          size: plan.size,
          suiteId,
          frameLength,
          op,
          inFlight: 1,
          impls: ALL,
          timing: plan.timing,
          timingFor: { official: plan.officialTiming },
        })
      }
    }
  }
  return {
    id: 'stream',
    title: `Streams: ${sizeLabel(plan.size)} through encryptStream / decryptStream, in-memory source (${sizeLabel(STREAM_CHUNK)} chunks) and counting sink, MB/s`,
    unit: 'MB/s',
    notes: [
      `ours stream ${sizeLabel(plan.size)}; the official SDK ${sizeLabel(plan.officialSize)} (its rate does not depend on the length; a full-length run would take minutes)`,
      "decrypt: a message the same implementation streamed, held in memory and fed in 64 KiB views; checks first: each implementation's streamed 1 MiB message decrypts with the official SDK, and the official one with ours",
      'SHA-384 (one core, node:crypto = the same OpenSSL): measured in the same run, the bound of a signed suite (0x0578), whose signature hashes every byte in order',
    ],
    cases,
    officialSize: plan.officialSize,
  }
}
