// Cancellable waits for injected latency, so closing the server never leaves a timer holding the process open.

export class Delays {
  private readonly pending = new Map<NodeJS.Timeout, () => void>()

  wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer)
        resolve()
      }, ms)
      this.pending.set(timer, resolve)
    })
  }

  /** Ends every pending wait now. */
  cancelAll(): void {
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer)
      resolve()
    }
    this.pending.clear()
  }
}
