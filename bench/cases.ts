// What is measured: the case list of every group, for the full run and for --quick, with Benchmark timing per case.
import type { ImplName } from './impls'

export const KiB = 1024
export const MiB = 1024 * KiB
export const SUITES = [0x0478, 0x0578] as const
export const DEFAULT_FRAME = 4 * KiB

export type Op = 'encrypt' | 'decrypt'
export type GroupId = 'messages' | 'throughput16' | 'throughput256' | 'kms' | 'batch' | 'stream'
export type Unit = 'msg/s' | 'MB/s'

/** Benchmark.js options for one measurement: it samples until it has minSamples and maxTime (s) has passed. */
export interface Timing {
  maxTime: number
  minSamples: number
  /** Seconds per sample (Benchmark.js default 0.05): shorter gives more samples within maxTime. */
  minTime?: number
  /** Untimed calls first, for this many seconds (at least one call when > 0); 0 where the checks already ran it. */
  warmup: number
}

export interface Case {
  /** Stable, filterable name: "msg 1KiB 0x0478 encrypt seq", "16MiB 0x0578 f64KiB decrypt", ... */
  id: string
  group: GroupId
  size: number
  suiteId: number
  frameLength: number
  op: Op
  /** 1: sequential awaits; 4: Promise.all of 4 per iteration (rate = 4 x ops/s). */
  inFlight: 1 | 4
  /** Implementations measured for this case, in column order. */
  impls: ImplName[]
  timing: Timing
  /** Timing overrides for one implementation (the official SDK at 256 MiB takes seconds per message). */
  timingFor?: Partial<Record<ImplName, Timing>>
}

export interface Group {
  id: GroupId
  title: string
  unit: Unit
  notes: string[]
  cases: Case[]
}

export function sizeLabel(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB}MiB`
  if (bytes >= KiB && bytes % KiB === 0) return `${bytes / KiB}KiB`
  return `${bytes}B`
}

export function suiteLabel(suiteId: number): string {
  return `0x${suiteId.toString(16).padStart(4, '0')}`
}

const ALL: ImplName[] = ['native', 'js', 'official']
const OURS: ImplName[] = ['native', 'js']

interface Plan {
  messageSizes: number[]
  messageSuites: readonly number[]
  messageTiming: Timing
  mid: { suites: readonly number[]; frames: number[]; ops: Op[]; timing: Timing }
  big: {
    suites: readonly number[]
    frames: number[]
    ops: Op[]
    timing: Timing
    officialFrame: number | undefined
    officialTiming: Timing
  }
}

const FULL: Plan = {
  messageSizes: [100, KiB, 4 * KiB],
  messageSuites: SUITES,
  messageTiming: { maxTime: 1.25, minSamples: 5, warmup: 0.1 },
  mid: {
    suites: SUITES,
    frames: [4 * KiB, 64 * KiB, MiB],
    ops: ['encrypt', 'decrypt'],
    timing: { maxTime: 1.5, minSamples: 5, warmup: 0.1 },
  },
  big: {
    suites: SUITES,
    frames: [4 * KiB, 64 * KiB, MiB],
    ops: ['encrypt', 'decrypt'],
    timing: { maxTime: 1.5, minSamples: 3, warmup: 0 },
    officialFrame: DEFAULT_FRAME,
    officialTiming: { maxTime: 0, minSamples: 2, warmup: 0 },
  },
}

const QUICK: Plan = {
  messageSizes: [KiB],
  messageSuites: SUITES,
  messageTiming: { maxTime: 0.12, minSamples: 3, minTime: 0.025, warmup: 0.03 },
  mid: {
    suites: [0x0478],
    frames: [4 * KiB, MiB],
    ops: ['encrypt', 'decrypt'],
    timing: { maxTime: 0.2, minSamples: 3, minTime: 0.025, warmup: 0 },
  },
  big: {
    suites: [0x0478],
    frames: [4 * KiB],
    ops: ['encrypt'],
    timing: { maxTime: 0, minSamples: 2, warmup: 0 },
    officialFrame: undefined,
    officialTiming: { maxTime: 0, minSamples: 2, warmup: 0 },
  },
}

export function buildGroups(quick: boolean): Group[] {
  const plan = quick ? QUICK : FULL
  const messages: Case[] = []
  for (const size of plan.messageSizes)
    for (const suiteId of plan.messageSuites)
      for (const op of ['encrypt', 'decrypt'] as const)
        for (const inFlight of [1, 4] as const)
          messages.push({
            id: `msg ${sizeLabel(size)} ${suiteLabel(suiteId)} ${op} ${inFlight === 1 ? 'seq' : 'x4'}`,
            group: 'messages',
            size,
            suiteId,
            frameLength: DEFAULT_FRAME,
            op,
            inFlight,
            impls: ALL,
            timing: plan.messageTiming,
          })

  const throughput = (
    group: GroupId,
    size: number,
    p: Plan['mid'],
    officialFrame?: number | 'all',
    officialTiming?: Timing,
  ): Case[] => {
    const cases: Case[] = []
    for (const suiteId of p.suites)
      for (const frameLength of p.frames)
        for (const op of p.ops) {
          const withOfficial = officialFrame === 'all' || officialFrame === frameLength
          cases.push({
            id: `${sizeLabel(size)} ${suiteLabel(suiteId)} f${sizeLabel(frameLength)} ${op}`,
            group,
            size,
            suiteId,
            frameLength,
            op,
            inFlight: 1,
            impls: withOfficial ? ALL : OURS,
            timing: p.timing,
            timingFor: officialTiming ? { official: officialTiming } : undefined,
          })
        }
    return cases
  }

  const bigNote =
    plan.big.officialFrame === undefined
      ? 'official SDK not run at 256 MiB in --quick (seconds per message); see the 16 MiB table for its ratios'
      : `official SDK run at 256 MiB only with ${sizeLabel(plan.big.officialFrame)} frames (seconds per message, ${plan.big.officialTiming.minSamples} samples); its other frame lengths show "-"`
  return [
    {
      id: 'messages',
      title:
        'Small messages, raw AES-256 keyring: messages/s (x4 = Promise.all of 4 per iteration, reported as 4 x ops/s)',
      unit: 'msg/s',
      notes: [
        `frame length ${sizeLabel(DEFAULT_FRAME)}; encryption context of one pair; decrypt inputs were made by the same implementation`,
      ],
      cases: messages,
    },
    {
      id: 'throughput16',
      title: 'Throughput, 16 MiB buffers: MB/s (10^6 bytes of plaintext per second)',
      unit: 'MB/s',
      notes: ['one message at a time'],
      cases: throughput('throughput16', 16 * MiB, plan.mid, 'all'),
    },
    {
      id: 'throughput256',
      title: 'Throughput, 256 MiB buffers: MB/s (10^6 bytes of plaintext per second)',
      unit: 'MB/s',
      notes: [bigNote, `Benchmark minSamples ${plan.big.timing.minSamples} (few samples: RME is coarse)`],
      cases: throughput('throughput256', 256 * MiB, plan.big, plan.big.officialFrame, plan.big.officialTiming),
    },
  ]
}

/** The case RSS and one-core children measure: a 256 MiB (resp. 16 MiB) buffer, 0x0478, default 4 KiB frames. */
export const RSS_SIZE = 256 * MiB
export const RSS_SUITE = 0x0478
export const RSS_FRAME = DEFAULT_FRAME

/** Timing of the 16 MiB cases, reused by the one-core child. */
export function throughputTiming(quick: boolean): Timing {
  return (quick ? QUICK : FULL).mid.timing
}
