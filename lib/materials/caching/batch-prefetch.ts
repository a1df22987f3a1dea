// The data keys a batch will need, asked of the backing CMM a few at once ahead of use, handed out in order; those never used are wiped.
import { NodeEncryptionMaterial } from '../materials'

/** Backing calls of one batch in flight at once: a batch of 10,000 records at 1,000 per data key makes its 10 calls together. */
export const BATCH_DATA_KEYS_IN_FLIGHT = 16

const ignore = (): void => undefined

/**
 * `planned` backing calls for the fresh entries a batch will take one after another, made up to
 * `inFlight` at a time: each `take()` hands out the oldest call and starts the next, so at most
 * `inFlight` are outstanding and none is made beyond the plan. The caching CMM still stores, counts
 * and shares each answer exactly when a one-after-another batch would have asked for it; only the
 * waiting overlaps.
 */
export class BatchPrefetch {
  private readonly pending: Promise<NodeEncryptionMaterial>[] = []
  private started = 0

  constructor(
    private readonly planned: number,
    private readonly call: () => Promise<NodeEncryptionMaterial>,
    private readonly inFlight: number = BATCH_DATA_KEYS_IN_FLIGHT,
  ) {}

  /** The next planned answer (started now if it was not yet), or undefined when the plan is used up. */
  take(): Promise<NodeEncryptionMaterial> | undefined {
    while (this.pending.length < this.inFlight && this.started < this.planned) {
      this.started++
      let answer: Promise<NodeEncryptionMaterial>
      try {
        answer = this.call()
      } catch (e) {
        answer = Promise.reject(e)
      }
      // The taker handles the outcome; until it is taken a rejection must not count as unhandled.
      answer.catch(ignore)
      this.pending.push(answer)
    }
    return this.pending.shift()
  }

  /** Stops the plan; answers made but never taken have their data keys wiped as they land. */
  discard(): void {
    this.started = this.planned
    for (const answer of this.pending.splice(0)) answer.then((m) => m.zeroUnencryptedDataKey(), ignore)
  }
}
