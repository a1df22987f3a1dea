// What a timed run can be wrapped with: hooks around it, and the KMS call count they report.
import type { ImplName } from './impls'

export interface KmsCallCount {
  /** Every request the stand-in received during the timed run (retries and failures included). */
  calls: number
  byOp: Record<string, number>
  /** Messages encrypted or decrypted during the timed run. */
  messages: number
  /** calls x 1000 / messages. */
  per1000: number
}

/** Called around the timed run only (after the checks and the warm-up), e.g. to count a server's calls. */
export interface TimingHooks {
  before(impl: ImplName): Promise<void>
  /** `messages`: how many messages the timed run processed (iterations x in flight). */
  after(impl: ImplName, messages: number): Promise<{ kms?: KmsCallCount }>
}
