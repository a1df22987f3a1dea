// Hostile declared sizes (a 4 GiB frame, a 2^36-byte non-framed body, 65,535-byte EDK fields, a 65,535 AAD length, 65,535 EDKs) are refused without sizing anything by them: each decrypt, one-shot and streamed, on every backend, in a child process, grows RSS by at most 64 MB and takes under a second of CPU.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { REFUSALS } from './property-helpers'

interface Line {
  readonly backend: string
  readonly what: string
  readonly api: string
  readonly bytes: number
  readonly outcome: string
  readonly rssGrowthMB: number
  readonly cpuMs: number
}

function isLine(v: unknown): v is Line {
  const o = v as Record<string, unknown>
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof o.what === 'string' &&
    typeof o.outcome === 'string' &&
    typeof o.rssGrowthMB === 'number' &&
    typeof o.cpuMs === 'number'
  )
}

const MAX_RSS_GROWTH_MB = 64
// CPU time, not wall time: the machine is shared, and a hostile message that costs a second of CPU is a problem on any machine.
const MAX_CPU_MS = 1000

test('every hostile message is refused within 64 MB of RSS growth and a second of CPU, on every backend, one-shot and streamed', (t) => {
  const child = spawnSync(process.execPath, ['--expose-gc', join(__dirname, 'hostile-child.js')], {
    encoding: 'utf8',
    timeout: 120_000,
  })
  t.is(child.status, 0, child.stderr)
  const lines = child.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown)
  t.true(lines.every(isLine), 'child output')
  const results = lines.filter(isLine)
  t.true(results.length >= 20, `${results.length} decrypts measured`)
  const problems: string[] = []
  for (const r of results) {
    const where = `[${r.backend}] ${r.api}: ${r.what}`
    if (!REFUSALS.has(r.outcome)) problems.push(`${where}: ${r.outcome}`)
    if (r.rssGrowthMB > MAX_RSS_GROWTH_MB) problems.push(`${where}: RSS grew ${r.rssGrowthMB.toFixed(1)} MB`)
    if (r.cpuMs > MAX_CPU_MS) problems.push(`${where}: ${r.cpuMs.toFixed(0)} ms of CPU`)
  }
  t.deepEqual(problems, [])
  const worst = results.reduce((a, b) => (b.cpuMs > a.cpuMs ? b : a))
  const fattest = results.reduce((a, b) => (b.rssGrowthMB > a.rssGrowthMB ? b : a))
  t.log(
    `${results.length} hostile decrypts; most CPU ${worst.cpuMs.toFixed(0)} ms (${worst.api}: ${worst.what}); most RSS growth ${fattest.rssGrowthMB.toFixed(1)} MB (${fattest.api}: ${fattest.what})`,
  )
})
