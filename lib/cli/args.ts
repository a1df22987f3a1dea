// The command line: flags named and checked as the Python aws-encryption-sdk-cli's arg_parsing.py has them, plus this tool's extensions; yields one checked CliOptions.
import { Command, CommanderError, Option } from 'commander'
import type { CommitmentPolicy } from '../core/policy'
import { suiteIdOf } from './algorithms'
import { expandArgFiles } from './arg-files'
import { UsageError } from './errors'
import { collapse, parseKeyValues } from './key-value'
import { WrappingKeyConfig, checkWrappingKeyConfigs } from './wrapping-key-config'

export type { Action } from './action'
import type { Action } from './action'

export interface CachingOptions {
  readonly capacity: number
  /** `max_age` is seconds on the command line (Python), milliseconds here (the caching CMM's unit). */
  readonly maxAgeMs: number
  readonly maxMessagesEncrypted?: number
  readonly maxBytesEncrypted?: number
}

export interface CliOptions {
  readonly action: Action
  readonly input: string
  readonly output: string
  /** undefined with -S. */
  readonly metadataOutput: string | undefined
  readonly overwriteMetadata: boolean
  readonly wrappingKeys: readonly WrappingKeyConfig[]
  readonly commitmentPolicy: CommitmentPolicy
  readonly caching: CachingOptions | undefined
  readonly buffer: boolean
  readonly encode: boolean
  readonly decode: boolean
  /** On encrypt the context to bind; on decrypt the pairs that must match. */
  readonly encryptionContext: Readonly<Record<string, string>>
  /** Decrypt only: keys (bare `-c key`) that must be present. */
  readonly requiredContextKeys: readonly string[]
  readonly suiteId: number | undefined
  readonly frameLength: number | undefined
  readonly maxLength: number | undefined
  readonly maxEncryptedDataKeys: number | undefined
  readonly suffix: string | undefined
  readonly interactive: boolean
  readonly noOverwrite: boolean
  readonly recursive: boolean
  readonly verbosity: number
  readonly quiet: boolean
  readonly jobs: number
  readonly backend: 'auto' | 'native' | 'js' | undefined
  readonly kmsEndpoint: string | undefined
  /** `--progress` forces the bar (tests, and terminals that do not say they are one); default: only on a TTY. */
  readonly progress: boolean | undefined
}

export type ParseOutcome =
  { readonly kind: 'run'; readonly options: CliOptions } | { readonly kind: 'print'; readonly text: string }

/** The CommitmentPolicy enum's values, spelled out so parsing loads nothing of the library. */
const POLICIES: Readonly<Record<string, string>> = {
  'forbid-encrypt-allow-decrypt': 'FORBID_ENCRYPT_ALLOW_DECRYPT',
  'require-encrypt-allow-decrypt': 'REQUIRE_ENCRYPT_ALLOW_DECRYPT',
  'require-encrypt-require-decrypt': 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT',
}

/** A wrapping-key group starts at each -w; commander merges repeated variadic options, so each group's first word is tagged here. */
const GROUP_START = '\u0000'

function tagGroups(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '-R') {
      out.push('-r')
      continue
    }
    if (arg.startsWith('--wrapping-keys=')) {
      out.push('--wrapping-keys', GROUP_START + arg.slice('--wrapping-keys='.length))
      continue
    }
    out.push(arg)
    const next = argv[i + 1]
    if ((arg === '-w' || arg === '--wrapping-keys') && next !== undefined && !next.startsWith('-')) {
      out.push(GROUP_START + next)
      i++
    }
  }
  return out
}

function buildProgram(version: string): Command {
  const p = new Command('esdk')
    .description(
      'Encrypt or decrypt files, directories and pipes with the AWS Encryption SDK message format (esdk-native).',
    )
    .usage('(-e | -d | --decrypt-unsigned) -i INPUT -o OUTPUT -w KEY-CONFIG... (-S | --metadata-output FILE) [options]')
    .version(version, '--version', 'print the versions and exit')
    .helpOption('-h, --help', 'show this help and exit')
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 an operation failed, 2 usage error. Arguments may come from @file. See the README, "CLI".',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: () => undefined })
    .allowExcessArguments(false)
  p.option('-e, --encrypt', 'encrypt data')
    .option('-d, --decrypt', 'decrypt data')
    .option('--decrypt-unsigned', 'decrypt data, refusing signed messages')
    .option('-S, --suppress-metadata', 'suppress metadata output')
    .option('--metadata-output <file>', 'file to which to append metadata records (JSON lines), - for stdout')
    .option('--overwrite-metadata', 'overwrite the metadata file instead of appending')
    .option(
      '-w, --wrapping-keys <config...>',
      'a wrapping key configuration: provider=aws-kms key=ARN [key=...] [region=R] [profile=P], discovery=true [discovery-partition=P discovery-account=A], provider=raw-aes key=file:PATH namespace=N name=N, provider=raw-rsa key=file:PEM namespace=N name=N [padding=oaep-sha256]',
      collectGroups,
      [] as string[][],
    )
    .addOption(
      new Option('--commitment-policy <policy>', 'key commitment policy')
        .choices(Object.keys(POLICIES))
        .default('require-encrypt-require-decrypt'),
    )
    .option(
      '--caching <config...>',
      'data key caching: capacity=N max_age=SECONDS [max_messages_encrypted=N] [max_bytes_encrypted=N]',
    )
    .option('-b, --buffer', 'hold the whole result in memory and release it only when the message authenticated')
    .option('-i, --input <path>', 'input file, directory (with -r), glob, or - for stdin')
    .option('-o, --output <path>', 'output file or directory, or - for stdout')
    .option('--encode', 'base64-encode the output')
    .option('--decode', 'base64-decode the input')
    .option(
      '-c, --encryption-context <pairs...>',
      'encrypt: key=value pairs to bind; decrypt: key=value pairs that must match, bare keys that must be present',
    )
    .option('--algorithm <name>', 'algorithm suite (encrypt only), e.g. AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384')
    .option('--frame-length <bytes>', 'frame length in bytes (encrypt only)')
    .option('--max-length <bytes>', 'largest frame (or non-framed body) to accept (decrypt only)')
    .option('--max-encrypted-data-keys <n>', 'most encrypted data keys to wrap or unwrap')
    .option(
      '--suffix [suffix]',
      'suffix for output file names (default .encrypted / .decrypted; empty when given without a value)',
    )
    .option('--interactive', 'ask before overwriting an existing file')
    .option('--no-overwrite', 'never overwrite an existing file')
    .option('-r, --recursive', 'allow directories as input (also -R)')
    .option('-v', 'more detail on stderr (stack traces with errors); repeatable', (_v: string, n: number) => n + 1, 0)
    .option('-q, --quiet', 'no warnings and no progress bar')
    .option('--jobs <n>', 'files processed at once for a directory or glob (extension)', '1')
    .addOption(new Option('--backend <backend>', 'crypto backend (extension)').choices(['auto', 'native', 'js']))
    .option(
      '--kms-endpoint <url>',
      'AWS KMS endpoint for every aws-kms key: a VPC endpoint or a local stand-in (extension)',
    )
    .option('--progress', 'show the progress bar even when stderr is not a terminal (extension)')
    // The Python CLI's internal flag, accepted by its parser only to be refused: the same here (checkOptions).
    .addOption(new Option('--required-encryption-context-keys <keys...>').hideHelp())
  return p
}

/**
 * The Python CLI's argparse habits, before commander sees the words: a long flag may be shortened to any unique
 * prefix (`--enc`, `--metadata=FILE`); an ambiguous one is a usage error; a long flag with one dash (`-encrypt`) is
 * the typo its parser catches. Words after a bare `--` are left alone.
 */
export function expandAbbreviations(argv: readonly string[], longFlags: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--') {
      out.push(...argv.slice(i))
      break
    }
    if (/^-[A-Za-z][A-Za-z-]+(=|$)/.test(arg)) {
      const name = `-${arg.split('=')[0] as string}`
      if (longFlags.includes(name)) throw new UsageError(`found invalid argument "${arg}": did you mean "-${arg}"?`)
    }
    if (!arg.startsWith('--') || arg.length === 2) {
      out.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const name = eq < 0 ? arg : arg.slice(0, eq)
    if (longFlags.includes(name)) {
      out.push(arg)
      continue
    }
    const matches = longFlags.filter((f) => f.startsWith(name))
    if (matches.length > 1) throw new UsageError(`ambiguous option: ${name} could match ${matches.join(', ')}`)
    out.push(matches.length === 1 ? (matches[0] as string) + (eq < 0 ? '' : arg.slice(eq)) : arg)
  }
  return out
}

function longFlagsOf(program: Command): string[] {
  const flags = program.options.map((o) => o.long).filter((f): f is string => f !== undefined)
  return [...flags, '--help']
}

function collectGroups(value: string, groups: string[][]): string[][] {
  if (value.startsWith(GROUP_START) || groups.length === 0) return [...groups, [value.replace(GROUP_START, '')]]
  const last = groups[groups.length - 1] as string[]
  return [...groups.slice(0, -1), [...last, value]]
}

/** Parses argv (without node and the script). Usage problems throw UsageError; --help / --version return text to print. */
export function parseCommandLine(argv: readonly string[], version: string): ParseOutcome {
  const program = buildProgram(version)
  let help: string | undefined
  program.configureOutput({ writeOut: (s) => (help = (help ?? '') + s), writeErr: () => undefined })
  try {
    program.parse(tagGroups(expandAbbreviations(expandArgFiles(argv), longFlagsOf(program))), { from: 'user' })
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return { kind: 'print', text: help ?? '' }
      throw new UsageError(e.message.replace(/^error: /, ''))
    }
    throw e
  }
  return { kind: 'run', options: checkOptions(program.opts()) }
}

function checkOptions(o: Record<string, unknown>): CliOptions {
  if (o.requiredEncryptionContextKeys !== undefined)
    throw new UsageError('--required-encryption-context-keys cannot be manually provided')
  const actions = (['encrypt', 'decrypt', 'decryptUnsigned'] as const).filter((a) => o[a] === true)
  if (actions.length !== 1)
    throw new UsageError('exactly one of -e/--encrypt, -d/--decrypt or --decrypt-unsigned is required')
  const action: Action = actions[0] === 'decryptUnsigned' ? 'decrypt-unsigned' : (actions[0] as Action)
  const encrypting = action === 'encrypt'
  const suppress = o.suppressMetadata === true
  const metadataOutput = str(o.metadataOutput)
  if (suppress === (metadataOutput !== undefined))
    throw new UsageError('exactly one of -S/--suppress-metadata or --metadata-output is required')
  if (metadataOutput === '') throw new UsageError('metadata output file name cannot be empty')
  const input = str(o.input)
  const output = str(o.output)
  if (input === undefined || input === '') throw new UsageError('-i/--input is required')
  if (output === undefined || output === '') throw new UsageError('-o/--output is required')
  const groups = o.wrappingKeys as string[][]
  if (groups.length === 0) throw new UsageError('-w/--wrapping-keys is required')
  const wrappingKeys = checkWrappingKeyConfigs(groups, action)

  const rawContext = (o.encryptionContext as string[] | undefined) ?? []
  const requiredContextKeys = encrypting ? [] : rawContext.filter((a) => !a.includes('='))
  const encryptionContext = collapse(
    parseKeyValues(encrypting ? rawContext : rawContext.filter((a) => a.includes('=')), '-c/--encryption-context'),
  )

  const algorithm = str(o.algorithm)
  const suiteId = algorithm === undefined ? undefined : suiteIdOf(algorithm)
  if (algorithm !== undefined && suiteId === undefined)
    throw new UsageError(`--algorithm: unknown algorithm ${algorithm}`)
  const frameLength = int(o.frameLength, '--frame-length', 1, 2 ** 32 - 1)
  const maxLength = int(o.maxLength, '--max-length', 1, Number.MAX_SAFE_INTEGER)
  // Stricter than the Python CLI, which ignores these on the other operation.
  if (!encrypting && algorithm !== undefined) throw new UsageError('--algorithm is for encryption only')
  if (!encrypting && frameLength !== undefined) throw new UsageError('--frame-length is for encryption only')
  if (encrypting && maxLength !== undefined) throw new UsageError('--max-length is for decryption only')
  const jobs = int(o.jobs, '--jobs', 1, 256) ?? 1
  const kmsEndpoint = str(o.kmsEndpoint)
  if (kmsEndpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(kmsEndpoint))
    throw new UsageError(`--kms-endpoint must be an http(s) URL (got ${kmsEndpoint})`)
  if (o.encode === true && output === '-' && metadataOutput === '-')
    throw new UsageError('metadata output cannot be stdout when output is stdout')
  if (output === '-' && metadataOutput === '-')
    throw new UsageError('metadata output cannot be stdout when output is stdout')
  if (o.interactive === true && input === '-')
    throw new UsageError('--interactive cannot ask questions while the input is stdin')

  return {
    action,
    input,
    output,
    metadataOutput,
    overwriteMetadata: o.overwriteMetadata === true,
    wrappingKeys,
    commitmentPolicy: POLICIES[String(o.commitmentPolicy)] as CommitmentPolicy,
    caching: o.caching === undefined ? undefined : checkCaching(o.caching as string[]),
    buffer: o.buffer === true,
    encode: o.encode === true,
    decode: o.decode === true,
    encryptionContext,
    requiredContextKeys,
    suiteId,
    frameLength,
    maxLength,
    maxEncryptedDataKeys: int(o.maxEncryptedDataKeys, '--max-encrypted-data-keys', 1, 65535),
    suffix: o.suffix === true ? '' : str(o.suffix),
    interactive: o.interactive === true,
    noOverwrite: o.overwrite === false,
    recursive: o.recursive === true,
    verbosity: typeof o.v === 'number' ? o.v : 0,
    quiet: o.quiet === true,
    jobs,
    backend: o.backend as CliOptions['backend'],
    kmsEndpoint,
    progress: o.progress === true ? true : undefined,
  }
}

function checkCaching(args: readonly string[]): CachingOptions {
  const config = collapse(parseKeyValues(args, '--caching'))
  if (config.capacity === undefined || config.max_age === undefined)
    throw new UsageError('--caching: both "capacity" and "max_age" are required')
  for (const key of Object.keys(config)) {
    if (!['capacity', 'max_age', 'max_messages_encrypted', 'max_bytes_encrypted'].includes(key))
      throw new UsageError(`--caching: invalid key "${key}"`)
  }
  const maxAge = Number(config.max_age)
  if (!Number.isFinite(maxAge) || maxAge <= 0)
    throw new UsageError(`--caching: max_age must be a positive number of seconds (got ${config.max_age})`)
  const maxMessagesEncrypted = int(config.max_messages_encrypted, '--caching max_messages_encrypted', 1, 2 ** 32)
  const maxBytesEncrypted = int(config.max_bytes_encrypted, '--caching max_bytes_encrypted', 0, Number.MAX_SAFE_INTEGER)
  return {
    capacity: int(config.capacity, '--caching capacity', 1, 2 ** 31) as number,
    maxAgeMs: maxAge * 1000,
    ...(maxMessagesEncrypted === undefined ? {} : { maxMessagesEncrypted }),
    ...(maxBytesEncrypted === undefined ? {} : { maxBytesEncrypted }),
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

function int(v: unknown, what: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined
  const text = String(v)
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`${what} must be an integer from ${min} to ${max} (got ${text})`)
  return n
}
