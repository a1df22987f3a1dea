// Every ESDK_* environment variable the library and its install script read, parsed and validated in one place, once.
import { availableParallelism } from 'node:os'
import { InvalidArgumentError } from './errors'

export type BackendChoice = 'auto' | 'native' | 'js'
/** Frame AES-GCM in the addon: our VAES code where the CPU has it (auto, vaes) or OpenSSL's EVP. */
export type GcmChoice = 'auto' | 'vaes' | 'evp'
/**
 * P-384 in the addon: auto (the addon's default, or OpenSSL where the load-time check finds it
 * faster), keys (our k*G for key generation and nonces), fast (our verification too), openssl.
 */
export type P384Choice = 'auto' | 'keys' | 'fast' | 'openssl'

export interface EsdkConfig {
  /** ESDK_BACKEND: the backend `auto` clients use. */
  readonly backend: BackendChoice
  /** ESDK_NATIVE_THREADS: pool workers per big message, 1..64 (default: one per core). */
  readonly nativeThreads: number
  /** ESDK_GCM_IMPL. */
  readonly gcm: GcmChoice
  /** ESDK_P384. */
  readonly p384: P384Choice
  /** ESDK_NATIVE_ADDON_PATH: an addon binary to try before every other place. */
  readonly addonPath: string | undefined
  /** ESDK_SKIP_NATIVE_BUILD=1: the install script builds nothing (the JS backend, unless a prebuilt binary fits). */
  readonly skipNativeBuild: boolean
  /** ESDK_BUILD_FROM_SOURCE=1: the install script compiles even when a prebuilt binary fits. */
  readonly buildFromSource: boolean
  /** The variables that were set (non-empty), as given: what getBackendInfo() shows. */
  readonly set: Readonly<Record<string, string>>
}

/** Every variable read here; anything else named ESDK_* is not configuration (e.g. the test-only ESDK_TEST_VECTORS). */
export const CONFIG_VARIABLES = [
  'ESDK_BACKEND',
  'ESDK_NATIVE_THREADS',
  'ESDK_GCM_IMPL',
  'ESDK_P384',
  'ESDK_NATIVE_ADDON_PATH',
  'ESDK_SKIP_NATIVE_BUILD',
  'ESDK_BUILD_FROM_SOURCE',
] as const

type Env = Readonly<Record<string, string | undefined>>

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = env[name]
  if (value === undefined || value === '') return fallback
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new InvalidArgumentError(`${name} must be ${allowed.join(', ')} or unset (got ${JSON.stringify(value)})`)
}

function flag(env: Env, name: string): boolean {
  return oneOf(env, name, ['0', '1'], '0') === '1'
}

function threads(env: Env): number {
  const value = env.ESDK_NATIVE_THREADS
  if (value === undefined || value === '') return Math.min(64, availableParallelism())
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > 64) {
    throw new InvalidArgumentError(
      `ESDK_NATIVE_THREADS must be a whole number from 1 to 64 or unset (got ${JSON.stringify(value)})`,
    )
  }
  return Number(value)
}

/** Parses `env` (pure: tests pass their own); throws InvalidArgumentError naming the first bad variable. */
export function readConfig(env: Env = process.env): EsdkConfig {
  const set: Record<string, string> = {}
  for (const name of CONFIG_VARIABLES) {
    const value = env[name]
    if (value !== undefined && value !== '') set[name] = value
  }
  return Object.freeze({
    backend: oneOf(env, 'ESDK_BACKEND', ['auto', 'native', 'js'], 'auto'),
    nativeThreads: threads(env),
    gcm: oneOf(env, 'ESDK_GCM_IMPL', ['auto', 'vaes', 'evp'], 'auto'),
    p384: oneOf(env, 'ESDK_P384', ['auto', 'keys', 'fast', 'openssl'], 'auto'),
    addonPath: set.ESDK_NATIVE_ADDON_PATH,
    skipNativeBuild: flag(env, 'ESDK_SKIP_NATIVE_BUILD'),
    buildFromSource: flag(env, 'ESDK_BUILD_FROM_SOURCE'),
    set: Object.freeze(set),
  })
}

let memo: { config: EsdkConfig } | { error: unknown } | undefined

/**
 * This process's configuration, read from the environment on first use and never again (later
 * changes to process.env have no effect, so nothing changes under a running message). A bad value
 * throws the same error on every call: at the first client built, or the first getBackendInfo().
 */
export function esdkConfig(): EsdkConfig {
  if (memo === undefined) {
    try {
      memo = { config: readConfig() }
    } catch (error) {
      memo = { error }
    }
  }
  if ('error' in memo) throw memo.error
  return memo.config
}
