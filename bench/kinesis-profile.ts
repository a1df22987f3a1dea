// A CPU profile of the kinesis group's crypto stage in steady state (one 10,000 x 1 KiB event, warmed up): `node build/bench/kinesis-profile.js [events] [out.cpuprofile]`.
import type { KinesisStreamEvent } from 'aws-lambda'
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { startLocalKms } from '../lib/testing'
import { acceptingDestination, EVENT_RECORDS, events, handlerFor } from './kinesis'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}
interface Profile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

/** Self time by function, largest first: where the main thread's time went (idle is the thread pool and KMS waits). */
function summary(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame
    const where = frame?.url ? `${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}` : ''
    const key = `${frame?.functionName || '(anonymous)'} ${where}`.trim()
    const dt = profile.timeDeltas[i] ?? 0
    self.set(key, (self.get(key) ?? 0) + dt)
    total += dt
  })
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`)
    .join('\n')
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 20)
  const out = process.argv[3] ?? 'kinesis-crypto.cpuprofile'
  const kms = await startLocalKms()
  try {
    const [event] = events(EVENT_RECORDS, EVENT_RECORDS, 'bench-src') as [KinesisStreamEvent]
    const handler = handlerFor('ours', kms, acceptingDestination(), 'bench-dest')
    for (let i = 0; i < 3; i++) await handler(event)
    const session = new Session()
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.start')
    const t0 = performance.now()
    for (let i = 0; i < count; i++) await handler(event)
    const ms = performance.now() - t0
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile }
    session.disconnect()
    writeFileSync(out, JSON.stringify(profile))
    console.log(
      `${count} events of ${EVENT_RECORDS} records: ${((count * EVENT_RECORDS * 1000) / ms).toFixed(0)} records/s (profiled)`,
    )
    console.log(summary(profile, 30))
    console.log(`profile: ${out}`)
  } finally {
    await kms.close()
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e)
    process.exit(1)
  },
)
