// Runs work over items with at most a given number of promises outstanding; synchronous work stays synchronous.

/**
 * Calls `work` for every item, in order, with at most `limit` of its promises pending at once (a
 * batch over a KMS keyring without a cache must not open thousands of requests). Work that answers
 * synchronously never waits for a turn.
 */
export async function forEachInFlight<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => void | Promise<void>,
): Promise<void> {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const pending = work(items[next++] as T)
      if (pending) await pending
    }
  }
  const lanes: Promise<void>[] = []
  for (let i = 0; i < Math.min(limit, items.length); i++) lanes.push(lane())
  await Promise.all(lanes)
}
