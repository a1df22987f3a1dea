// The standalone stand-in: `node build/lib/testing/cli.js [--port N] [--seed S]` prints one JSON line and serves until SIGINT.
import { startLocalKms } from './local-kms'
import type { LocalKmsOptions } from './types'

const USAGE =
  'usage: local-kms [--port N] [--seed TEXT]\n  Serves a local AWS KMS stand-in on 127.0.0.1 and prints its endpoint and key ARNs as one JSON line.'

export function parseArgs(argv: readonly string[]): LocalKmsOptions | 'help' {
  let port: number | undefined
  let seed: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = argv[i + 1]
    if (arg === '--help' || arg === '-h') return 'help'
    if ((arg === '--port' || arg === '--seed') && value === undefined) throw new Error(`${arg} needs a value`)
    if (arg === '--port') {
      port = Number(value)
      if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw new Error(`bad port '${String(value)}'`)
      i++
    } else if (arg === '--seed') {
      seed = value
      i++
    } else {
      throw new Error(`unknown argument '${String(arg)}'`)
    }
  }
  return { ...(port === undefined ? {} : { port }), ...(seed === undefined ? {} : { seed }) }
}

export async function main(argv: readonly string[]): Promise<void> {
  let options: LocalKmsOptions | 'help'
  try {
    options = parseArgs(argv)
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`)
    process.exitCode = 2
    return
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const kms = await startLocalKms(options)
  const stop = (): void => {
    kms.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  // Handlers first: whoever reads the banner may signal at once.
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  const keys = kms.keys
    .list()
    .map(({ arn, region, account, aliases, multiRegion }) => ({ arn, region, account, aliases, multiRegion }))
  process.stdout.write(
    `${JSON.stringify({ endpoint: kms.endpoint, callerAccount: kms.callerAccount, credentials: kms.credentials, keys })}\n`,
  )
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  })
}
