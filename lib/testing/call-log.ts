// The call log: one frozen record per request, capped to the newest N, and per-operation counters.
import type { KmsCallRecord } from './types'

export class CallLog {
  private records: KmsCallRecord[] = []
  private readonly counts = new Map<string, number>()
  private readonly max: number

  constructor(max: number) {
    this.max = max
  }

  add(record: KmsCallRecord): void {
    this.records.push(Object.freeze(record))
    if (this.records.length > this.max) this.records.splice(0, this.records.length - this.max)
    this.counts.set(record.op, (this.counts.get(record.op) ?? 0) + 1)
  }

  get calls(): readonly KmsCallRecord[] {
    return Object.freeze([...this.records])
  }

  get counters(): Readonly<Record<string, number>> {
    return Object.freeze(Object.fromEntries(this.counts))
  }

  clear(): void {
    this.records = []
    this.counts.clear()
  }
}
