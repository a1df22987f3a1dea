// Finds, loads and validates the optional native addon, reporting why candidates were rejected instead of throwing.
import * as fs from 'fs'
import * as path from 'path'
import { esdkConfig } from '../core/config'
import type { CpuFeatures, NativeAddon, NativeLoadResult, OpensslVersion } from './native-types'
import { resolveNativeSettings } from './native-settings'

export type { CpuFeatures, NativeAddon, NativeLoadResult, OpensslVersion } from './native-types'

/** Must match kAbiVersion in native/addon.cc, so a stale binary is rejected rather than misused. */
export const EXPECTED_ABI_VERSION = 6

const ADDON_FILE = 'esdk_native.node'

/**
 * The prebuilt addon's package for each platform, installed through optionalDependencies (npm
 * skips the ones whose os/cpu/libc do not match) and loaded without any install script. N-API
 * keeps one binary valid on every supported Node; it is built against the oldest one's OpenSSL.
 */
export const PLATFORM_PACKAGES: Readonly<Record<string, string>> = {
  'linux-x64': '@esdk-native/linux-x64-gnu',
}

const CPU_FLAGS = ['aesni', 'pclmulqdq', 'avx2', 'vaes', 'vpclmulqdq', 'avx512f', 'aes', 'pmull', 'sha2'] as const

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

export function isCpuFeatures(value: unknown): value is CpuFeatures {
  return (
    isRecord(value) &&
    typeof value.arch === 'string' &&
    CPU_FLAGS.every((flag) => value[flag] === undefined || typeof value[flag] === 'boolean')
  )
}

export function isOpensslVersion(value: unknown): value is OpensslVersion {
  return (
    isRecord(value) &&
    typeof value.compiled === 'string' &&
    typeof value.runtime === 'string' &&
    typeof value.number === 'number'
  )
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * Shape-checks a loaded module, pushing the first problem found onto
 * `problems`. The functions are called once here so that a binary returning
 * malformed data is rejected at load time, not in the middle of encryption.
 */
// The parameter is not called `exports`: under CommonJS output that would
// shadow the module's own exports object and break references to constants.
export function isNativeAddon(mod: unknown, problems: string[]): mod is NativeAddon {
  if (!isRecord(mod)) {
    problems.push('shape check failed: module exports are not an object')
    return false
  }
  const { abiVersion, cpuFeatures, opensslVersion, configure } = mod
  if (typeof abiVersion !== 'number') {
    problems.push('shape check failed: abiVersion is not a number')
    return false
  }
  if (abiVersion !== EXPECTED_ABI_VERSION) {
    problems.push(`abi mismatch: addon has ${abiVersion}, loader expects ${EXPECTED_ABI_VERSION}`)
    return false
  }
  if (typeof cpuFeatures !== 'function' || typeof opensslVersion !== 'function' || typeof configure !== 'function') {
    problems.push('shape check failed: cpuFeatures/opensslVersion/configure are not functions')
    return false
  }
  try {
    const cpu: unknown = cpuFeatures.call(mod)
    if (!isCpuFeatures(cpu)) {
      problems.push('shape check failed: cpuFeatures() returned an unexpected value')
      return false
    }
    const ssl: unknown = opensslVersion.call(mod)
    if (!isOpensslVersion(ssl)) {
      problems.push('shape check failed: opensslVersion() returned an unexpected value')
      return false
    }
    const mismatch = opensslMismatch(ssl)
    if (mismatch) {
      problems.push(mismatch)
      return false
    }
  } catch (err) {
    problems.push(`shape check failed: ${errorMessage(err)}`)
    return false
  }
  return true
}

/** "OpenSSL 3.0.19 1 Jul 2025" -> [3, 0, 19]; undefined when unparsable. */
function opensslTriple(text: string): [number, number, number] | undefined {
  const m = /OpenSSL (\d+)\.(\d+)\.(\d+)/.exec(text)
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined
}

/**
 * OpenSSL 3 keeps its ABI within the major version, so headers older than the runtime are fine (one
 * binary built on Node 20's 3.0 runs on Node 22/24's 3.5); newer headers are not (macros that name
 * 3.4+ functions). The link already fails for those (-z now); this says why in words.
 */
export function opensslMismatch(ssl: OpensslVersion): string | undefined {
  const compiled = opensslTriple(ssl.compiled)
  const runtime = opensslTriple(ssl.runtime)
  if (!compiled || !runtime) return `openssl version unparsable: compiled ${ssl.compiled}, runtime ${ssl.runtime}`
  // Patch releases add no functions (OpenSSL's release policy), so only major.minor counts: the
  // prebuilt binary from Node 20.20's 3.0.19 must load on Node 20.19's 3.0.15.
  if (compiled[0] !== runtime[0] || compiled[1] > runtime[1]) {
    return `openssl mismatch: built against ${compiled.join('.')}, this node runs ${runtime.join('.')}`
  }
  return undefined
}

/** x86 needs AES-NI plus carry-less multiply for GHASH; arm64 needs AES plus PMULL. */
export function hasHardwareAes(cpu: CpuFeatures): boolean {
  switch (cpu.arch) {
    case 'x64':
    case 'ia32':
      return cpu.aesni === true && cpu.pclmulqdq === true
    case 'arm64':
      return cpu.aes === true && cpu.pmull === true
    default:
      return false
  }
}

// The compiled file sits at build/lib/backend/, but walking up to binding.gyp
// keeps this correct when run from source (ts-node) or from an installed copy.
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'binding.gyp'))) return dir
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..', '..', '..')
  }
}

/** Where the platform package's binary is, or why there is none. */
function platformBinary(root: string): { file: string } | { reason: string } {
  const name = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`]
  if (name === undefined) return { reason: `no prebuilt package for ${process.platform}-${process.arch}` }
  try {
    // Resolved from the package root, so an installed copy finds its sibling in node_modules.
    return { file: path.join(path.dirname(require.resolve(`${name}/package.json`, { paths: [root] })), ADDON_FILE) }
  } catch {
    return { reason: `${name}: not installed` }
  }
}

/**
 * The fixed search order: ESDK_NATIVE_ADDON_PATH; a build from source in this package (made by the
 * install script only when no prebuilt binary fitted, or when asked); the prebuilt platform
 * package; cmake-js and debug builds.
 */
function candidates(root: string, reasons: string[]): string[] {
  const list: string[] = []
  const override = esdkConfig().addonPath
  if (override !== undefined) list.push(path.resolve(override))
  list.push(path.join(root, 'build', 'Release', ADDON_FILE))
  const prebuilt = platformBinary(root)
  if ('file' in prebuilt) list.push(prebuilt.file)
  else reasons.push(prebuilt.reason)
  list.push(path.join(root, 'build-cmake', 'Release', ADDON_FILE), path.join(root, 'build', 'Debug', ADDON_FILE))
  return list
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

function loadUncached(): NativeLoadResult {
  const reasons: string[] = []
  // Outside the try below: a bad ESDK_* value is the caller's error, not a reason to fall back.
  const config = esdkConfig()
  try {
    for (const candidate of candidates(packageRoot(), reasons)) {
      if (!isFile(candidate)) {
        reasons.push(`${candidate}: not found`)
        continue
      }
      // process.dlopen rather than require(): an override pointing at a .js
      // file must not be executed, and the require cache stays untouched.
      const mod: { exports: unknown } = { exports: {} }
      try {
        process.dlopen(mod, candidate)
      } catch (err) {
        reasons.push(`${candidate}: dlopen failed: ${errorMessage(err)}`)
        continue
      }
      const problems: string[] = []
      if (isNativeAddon(mod.exports, problems)) {
        // The settings go in before anything else runs in the addon (native/addon.cc Configure).
        const addon = mod.exports
        try {
          const resolved = resolveNativeSettings(config, addon)
          const settings = addon.configure(resolved.settings)
          return { addon, path: candidate, reasons, settings, settingsWhy: resolved.why }
        } catch (err) {
          reasons.push(`${candidate}: configure failed: ${errorMessage(err)}`)
          continue
        }
      }
      reasons.push(`${candidate}: ${problems.join('; ')}`)
    }
  } catch (err) {
    reasons.push(`native loader failed unexpectedly: ${errorMessage(err)}`)
  }
  return { addon: undefined, path: undefined, reasons, settings: undefined, settingsWhy: undefined }
}

let memo: NativeLoadResult | undefined

/** Memoized: dlopen is process-wide, so a second search could only repeat the first. */
export function loadNativeAddon(): NativeLoadResult {
  memo ??= loadUncached()
  return memo
}
