// Command-line options of `npm run bench`: --quick, --json FILE, --only PATTERN, --no-rss, --no-one-core, --kms-server, --help.
import type { KmsServerMode } from './kms-host'

export interface BenchOptions {
  /** Fewer cases and shorter timing per case: the whole run (build included) in under a minute. */
  quick: boolean
  /** Where to write every result as JSON (undefined: no file). */
  json: string | undefined
  /** Only cases whose id matches (case-insensitive), the one-core ("1core ...") and RSS ("rss ...") ids included. */
  only: RegExp | undefined
  /** Skip the fresh-process peak-RSS measurement. */
  rss: boolean
  /** Skip the one-core (taskset-pinned) child run. */
  oneCore: boolean
  /** Where the KMS group's local KMS stand-in runs. */
  kmsServer: KmsServerMode
  help: boolean
}

export const USAGE = `usage: npm run bench -- [--quick] [--json FILE] [--only PATTERN] [--no-rss] [--no-one-core] [--kms-server MODE]
  --quick          fewer cases, shorter time per case (whole run under a minute)
  --json FILE      also write every result, the environment and the target summary to FILE
  --only PATTERN   run only cases whose id matches PATTERN (a case-insensitive regular expression),
                   e.g. --only '1KiB 0x0478', --only '16MiB.*encrypt', --only rss, --only kms
  --no-rss         skip the peak-RSS child processes
  --no-one-core    skip the one-core (taskset -c 0) child run
  --kms-server M   where the KMS group's local KMS stand-in runs: in-process (default) or child`

export function parseOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    quick: false,
    json: undefined,
    only: undefined,
    rss: true,
    oneCore: true,
    kmsServer: 'in-process',
    help: false,
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined]
    const value = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined || v === '') throw new Error(`${flag} needs a value\n${USAGE}`)
      return v
    }
    switch (flag) {
      case '--quick':
        options.quick = true
        break
      case '--json':
        options.json = value()
        break
      case '--only':
        options.only = new RegExp(value(), 'i')
        break
      case '--no-rss':
        options.rss = false
        break
      case '--no-one-core':
        options.oneCore = false
        break
      case '--kms-server': {
        const mode = value()
        if (mode !== 'in-process' && mode !== 'child')
          throw new Error(`--kms-server takes in-process or child, not ${mode}\n${USAGE}`)
        options.kmsServer = mode
        break
      }
      case '-h':
      case '--help':
        options.help = true
        break
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`)
    }
  }
  return options
}
