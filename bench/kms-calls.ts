// KMS calls of one timed run, from the stand-in's per-operation counters: total, by operation, per 1,000 messages.
import type { KmsHost } from './kms-host'
import type { KmsCallCount, TimingHooks } from './timing-hooks'

export function countCalls(byOp: Record<string, number>, messages: number): KmsCallCount {
  const calls = Object.values(byOp).reduce((a, b) => a + b, 0)
  return { calls, byOp, messages, per1000: messages > 0 ? (calls * 1000) / messages : 0 }
}

/** Clears the stand-in's counters right before each timed run and reads them right after. */
export function kmsCallHooks(host: KmsHost): TimingHooks {
  return {
    before: () => host.clearCalls(),
    after: async (_impl, messages) => ({ kms: countCalls(await host.counters(), messages) }),
  }
}
