// npm run tamper: the full tamper matrix (every bit of every byte, every truncation, every suite, framed and non-framed, every backend, every damaged message also streamed); prints the counts and exits non-zero on any problem.
import { ALL_SUITE_IDS, BACKENDS, hex4 } from './fixtures'
import { readerFor } from './property-helpers'
import { matrixMessage, runMatrix } from './tamper-matrix'

async function main(): Promise<void> {
  const started = Date.now()
  let flips = 0
  let truncations = 0
  let streamed = 0
  const problems: string[] = []
  for (const backend of BACKENDS) {
    const reader = readerFor(backend)
    for (const framed of [true, false]) {
      for (const suiteId of ALL_SUITE_IDS) {
        const m = await matrixMessage(backend, suiteId, framed)
        const c = await runMatrix(reader, m, { bits: 'all', truncateEvery: 1, streamEvery: 1 })
        flips += c.flips
        truncations += c.truncations
        streamed += c.streamed
        problems.push(...c.problems)
        process.stdout.write(
          `[${backend}] ${hex4(suiteId)} ${framed ? 'framed    ' : 'non-framed'} ${m.message.length} bytes: ${c.flips} flips, ${c.truncations} truncations, ${c.streamed} streamed, ${c.problems.length} problems\n`,
        )
      }
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  process.stdout.write(
    `tamper matrix: ${flips} bit flips + ${truncations} truncations = ${flips + truncations} damaged messages (one-shot), ${streamed} through decryptStream, backends ${BACKENDS.join('+')}, ${seconds}s: ${problems.length} accepted or mistyped\n`,
  )
  for (const p of problems.slice(0, 50)) process.stdout.write(`  ${p}\n`)
  process.exitCode = problems.length === 0 ? 0 : 1
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
  process.exitCode = 1
})
