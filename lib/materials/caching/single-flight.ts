// At most one backing call in flight per cache entry: later requests for the same entry wait for it instead of making their own.

/**
 * The official caching CMM makes N data keys for N concurrent cold requests (each misses before the
 * first one has stored anything). Here the first miss registers its backing call under the cache
 * identifier and the others await that promise, then read the entry it stored.
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Promise<T>>()

  /** The call in flight for `key`, if any. */
  get(key: string): Promise<T> | undefined {
    return this.flights.get(key)
  }

  get size(): number {
    return this.flights.size
  }

  /** Starts `call` as the flight for `key`. The caller must have checked that none is in flight. */
  run(key: string, call: () => Promise<T>): Promise<T> {
    let flight: Promise<T>
    try {
      flight = call()
    } catch (e) {
      flight = Promise.reject(e)
    }
    this.flights.set(key, flight)
    // Registered before anyone else can await the flight, so it runs first when it settles: a waiter
    // that wakes up never finds this settled flight still registered (which would make it spin).
    const done = (): void => {
      if (this.flights.get(key) === flight) this.flights.delete(key)
    }
    flight.then(done, done)
    return flight
  }
}
