// `npm run soak [-- --messages N]`: the fault soak, 1,000,000 messages by default; progress on stderr, the report as
// JSON on stdout; exits 1 on anything lost, altered or untyped, or RSS growth past the bound.
import { parseArgs as parseCommandLine } from 'node:util'
import { runSoak, type SoakOptions } from './faults-soak'

const USAGE = 'usage: soak [--messages N] [--concurrency N] [--max-rss-growth MB] [--time-limit SECONDS] [--seed N]'

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`)
  return n
}

export function parseArgs(argv: readonly string[]): SoakOptions {
  // node:util's parser refuses unknown flags and missing values; the numbers are checked here.
  const { values } = parseCommandLine({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      messages: { type: 'string' },
      concurrency: { type: 'string' },
      'max-rss-growth': { type: 'string' },
      'time-limit': { type: 'string' },
      seed: { type: 'string' },
    },
  })
  const messages = positive('messages', values.messages) ?? 1_000_000
  if (!Number.isSafeInteger(messages)) throw new Error('--messages must be an integer')
  const concurrency = positive('concurrency', values.concurrency)
  const maxRssGrowthMb = positive('max-rss-growth', values['max-rss-growth'])
  const timeLimit = positive('time-limit', values['time-limit'])
  const seed = positive('seed', values.seed)
  return {
    messages,
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(maxRssGrowthMb === undefined ? {} : { maxRssGrowthMb }),
    ...(timeLimit === undefined ? {} : { timeLimitMs: timeLimit * 1000 }),
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
