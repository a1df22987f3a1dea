// The `esdk` command: parse, run, and turn every outcome into one line on stderr and an exit code (0 ok, 1 failure, 2 usage).
import { EXIT_FAILURE, EXIT_USAGE, UsageError, oneLine } from './errors'
import { versionReport } from './version'

/** Returns the exit code; never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const verbose = argv.includes('-v') || argv.some((a) => /^-v+$/.test(a))
  const quiet = argv.includes('-q') || argv.includes('--quiet')
  const say = (line: string): void => {
    process.stderr.write(`esdk: ${line}\n`)
  }
  // The common case without loading the argument parser.
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${versionReport()}\n`)
    return 0
  }
  let parsed
  try {
    // The argument parser (commander) loads only now: `esdk --version` above needs none of it.
    const { parseCommandLine } = await import('./args')
    parsed = parseCommandLine(argv, versionReport())
  } catch (e) {
    if (e instanceof UsageError) {
      say(`${e.message} (see esdk --help)`)
      return EXIT_USAGE
    }
    say(oneLine(e))
    if (verbose && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`)
    return EXIT_FAILURE
  }
  if (parsed.kind === 'print') {
    process.stdout.write(parsed.text.endsWith('\n') ? parsed.text : `${parsed.text}\n`)
    return 0
  }
  const { options } = parsed
  // Crypto, keyrings and (through them) the AWS SDK load only now, after --help and --version have had their chance.
  const { run } = await import('./run')
  const report = {
    error(message: string, e?: unknown) {
      say(message)
      if (options.verbosity > 0 && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`)
    },
    warn(message: string) {
      if (!options.quiet) say(`warning: ${message}`)
    },
    info(message: string) {
      if (options.verbosity > 1) say(message)
    },
  }
  try {
    return await run(options, report)
  } catch (e) {
    if (e instanceof UsageError) {
      say(`${e.message} (see esdk --help)`)
      return EXIT_USAGE
    }
    say(oneLine(e))
    if ((verbose || options.verbosity > 0) && !quiet && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`)
    return EXIT_FAILURE
  }
}
