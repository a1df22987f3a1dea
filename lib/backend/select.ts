// Chooses the backend for a client (ESDK_BACKEND, per-client option, addon + CPU gate) and explains the choice.
import { BackendChoice, EsdkConfig, esdkConfig } from '../core/config'
import { InvalidArgumentError, NativeBindingError } from '../core/errors'
import { CryptoBackend } from './backend'
import { jsBackend } from './js-backend'
import { createNativeBackend } from './native-backend'
import { nativeSelfTest } from './native-self-test'
import { hasHardwareAes, loadNativeAddon } from './native-loader'
import { CpuFeatures, NativeSettings } from './native-types'

export type { BackendChoice } from '../core/config'

export interface BackendInfo {
  /** The backend `auto` resolves to in this process. */
  backend: 'native' | 'js'
  cpu: CpuFeatures | undefined
  openssl: { compiled: string; runtime: string } | undefined
  addonPath: string | undefined
  /** Every reason the native backend was not chosen (empty when it was). */
  reasons: string[]
  /** The configuration read from the ESDK_* variables (lib/core/config.ts), with the ones that were set. */
  config: EsdkConfig
  /** What the loaded addon runs with (frame AES-GCM, P-384 code), whether or not `auto` picked it. */
  nativeSettings: NativeSettings | undefined
  /** Why: the ESDK_* value asked for, or how `auto` chose (measured at load, or known for this OpenSSL). */
  nativeSettingsWhy: { gcm: string; p384: string } | undefined
}

let cached: { info: BackendInfo; native: CryptoBackend | undefined } | undefined

function probe(): { info: BackendInfo; native: CryptoBackend | undefined } {
  if (cached) return cached
  const config = esdkConfig()
  const load = loadNativeAddon()
  const reasons = [...load.reasons]
  let cpu: CpuFeatures | undefined
  let openssl: BackendInfo['openssl']
  let native: CryptoBackend | undefined
  if (load.addon) {
    cpu = load.addon.cpuFeatures()
    openssl = load.addon.opensslVersion()
    const hardwareAes = hasHardwareAes(cpu)
    if (!hardwareAes) reasons.push(`CPU (${cpu.arch}) lacks hardware AES and carry-less multiply`)
    let candidate: CryptoBackend | undefined
    try {
      candidate = createNativeBackend(load.addon)
    } catch (err) {
      reasons.push(err instanceof Error ? err.message : String(err))
    }
    // Run even when the CPU gate already failed, so getBackendInfo() reports every reason.
    const failure = candidate && nativeSelfTest(candidate)
    if (failure) reasons.push(`native known-answer self-test failed: ${failure}`)
    if (candidate && !failure && hardwareAes) native = candidate
  }
  // The loader's notes on candidates it passed over before the one that loaded are no reasons once native is chosen.
  cached = {
    info: {
      backend: native ? 'native' : 'js',
      cpu,
      openssl,
      addonPath: load.path,
      reasons: native ? [] : reasons,
      config,
      nativeSettings: load.settings,
      nativeSettingsWhy: load.settingsWhy,
    },
    native,
  }
  return cached
}

export function getBackendInfo(): BackendInfo {
  const { info } = probe()
  return { ...info, reasons: [...info.reasons] }
}

export function parseBackendChoice(value: unknown, source: string): BackendChoice {
  if (value === undefined || value === '') return 'auto'
  if (value === 'auto' || value === 'native' || value === 'js') return value
  throw new InvalidArgumentError(`${source} must be auto, native or js (got ${String(value)})`)
}

/** The backend for a client. Forcing `native` where it cannot run is an error, never a silent fallback. */
export function selectBackend(choice: BackendChoice = esdkConfig().backend): CryptoBackend {
  if (choice === 'js') return jsBackend
  const { native, info } = probe()
  if (native) return native
  if (choice === 'native')
    throw new NativeBindingError('the native backend was requested but cannot be used', info.reasons)
  return jsBackend
}
