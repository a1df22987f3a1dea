// `npm run soak [-- --messages N]`: the fault soak, 1,000,000 messages by default; progress on stderr, the report as
// JSON on stdout; exits 1 on anything lost, altered or untyped, or RSS growth past the bound.
import { runSoak, type SoakOptions } from './faults-soak'

const USAGE = 'usage: soak [--messages N] [--concurrency N] [--max-rss-growth MB] [--time-limit SECONDS] [--seed N]'

function positive(name: string, value: string | undefined): number {
  const n = Number(value)
  if (value === undefined || !Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number`)
  return n
}

export function parseArgs(argv: readonly string[]): SoakOptions {
  let messages = 1_000_000
  let concurrency: number | undefined
  let maxRssGrowthMb: number | undefined
  let timeLimitMs: number | undefined
  let seed: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = argv[++i]
    if (arg === '--messages') messages = positive(arg, value)
    else if (arg === '--concurrency') concurrency = positive(arg, value)
    else if (arg === '--max-rss-growth') maxRssGrowthMb = positive(arg, value)
    else if (arg === '--time-limit') timeLimitMs = positive(arg, value) * 1000
    else if (arg === '--seed') seed = positive(arg, value)
    else throw new Error(`unknown argument '${String(arg)}'`)
  }
  if (!Number.isSafeInteger(messages)) throw new Error('--messages must be an integer')
  return {
    messages,
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(maxRssGrowthMb === undefined ? {} : { maxRssGrowthMb }),
    ...(timeLimitMs === undefined ? {} : { timeLimitMs }),
    ...(seed === undefined ? {} : { seed }),
  }
}

async function main(): Promise<number> {
  let options: SoakOptions
  try {
    options = parseArgs(process.argv.slice(2))
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`)
    return 2
  }
  const report = await runSoak({
    ...options,
    onProgress: (p) =>
      process.stderr.write(
        `soak: ${p.done}/${p.messages} (${((100 * p.done) / p.messages).toFixed(0)}%), ${p.failed} failed (typed or not), RSS ${p.rssMb.toFixed(0)} MB, ${p.seconds.toFixed(0)} s\n`,
      ),
  })
  process.stdout.write(`${JSON.stringify(report, null, 1)}\n`)
  const summary = `${report.messages} messages, ${report.roundTripped} round-tripped, ${report.typedFailed} typed failures, ${report.untyped} untyped, ${report.altered} altered, ${report.lost} lost, ${report.notRun} not run; RSS ${report.rss.warmupMb.toFixed(1)} -> ${report.rss.endMb.toFixed(1)} MB after warm-up; ${report.seconds.toFixed(0)} s`
  process.stderr.write(
    report.problems.length === 0
      ? `soak: OK, ${summary}\n`
      : `soak: FAILED (${report.problems.join('; ')}), ${summary}\n`,
  )
  return report.problems.length === 0 ? 0 : 1
}

if (require.main === module)
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e)
      process.exit(1)
    },
  )
