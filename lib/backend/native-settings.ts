// Resolves the addon's settings from the configuration: our own code or the runtime OpenSSL's, for frame AES-GCM and P-384, whichever is faster here.
import { EsdkConfig } from '../core/config'
import { GCM_IMPL, NativeAddon, NativeSettings } from './native-types'

/** The settings and, for each, why (what was asked, measured or known). */
export interface ResolvedSettings {
  settings: NativeSettings
  why: { gcm: string; p384: string }
}

/**
 * OpenSSL minor versions whose P-384 `npm run bench -- --only primitives` measured against our k*G
 * (x86-64 AMD EPYC, 2 cores): on 3.0 (Node 20) ours made keys 2.4x faster and OpenSSL verified 1.4x
 * faster than our u1*G + u2*Q; on 3.5 (Node 22.23, 24.22) the same split (keys 2.4-2.5x ours, verify
 * 1.5x OpenSSL's). Either way `keys`: our k*G, OpenSSL's verification. Other minors are measured at load.
 */
const P384_KNOWN: Readonly<Record<string, NativeSettings['p384']>> = { '3.0': 'keys', '3.5': 'keys' }

interface RaceAddon {
  gcmTestSeal(
    impl: number,
    key: Uint8Array,
    iv: Uint8Array,
    aadA: Uint8Array,
    aadB: Uint8Array,
    input: Uint8Array,
    out: Uint8Array,
    outTag: Uint8Array,
  ): void
  signingKeyFromScalar(curveBits: 384, scalar: Uint8Array): unknown
  disposeSigningKey(handle: unknown): void
}

function canRace(addon: NativeAddon): addon is NativeAddon & RaceAddon {
  const r = addon as unknown as Record<string, unknown>
  return ['gcmTestSeal', 'signingKeyFromScalar', 'disposeSigningKey'].every((name) => typeof r[name] === 'function')
}

/** The best of `rounds` timings of `fn`, in ms: the minimum is the least disturbed by other load. */
function bestOf(rounds: number, fn: () => void): number {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < rounds; i++) {
    const start = performance.now()
    fn()
    best = Math.min(best, performance.now() - start)
  }
  return best
}

/**
 * Frame AES-GCM: where the CPU has VAES, ours and EVP each seal 64 KiB (best of 5, about 0.2 ms in
 * all); EVP is used only if it is at least 10% faster (OpenSSL's AVX-512 code on CPUs that have it).
 * Both are diffed against node:crypto by the tests, so the race chooses speed, never correctness.
 */
function resolveGcm(config: EsdkConfig, addon: NativeAddon): { gcm: NativeSettings['gcm']; why: string } {
  if (config.gcm === 'evp' || config.gcm === 'vaes') return { gcm: config.gcm, why: `ESDK_GCM_IMPL=${config.gcm}` }
  const cpu = addon.cpuFeatures()
  const vaes =
    cpu.avx2 === true && cpu.vaes === true && cpu.vpclmulqdq === true && cpu.aesni === true && cpu.pclmulqdq === true
  if (!vaes || !canRace(addon)) return { gcm: 'evp', why: 'auto: the CPU lacks VAES/VPCLMULQDQ' }
  const key = new Uint8Array(32)
  const iv = new Uint8Array(12)
  const empty = new Uint8Array(0)
  const data = new Uint8Array(64 * 1024)
  const tag = new Uint8Array(16)
  const time = (impl: number): number =>
    bestOf(5, () => addon.gcmTestSeal(impl, key, iv, empty, empty, data, data, tag))
  time(GCM_IMPL.vaes)
  time(GCM_IMPL.evp)
  const ours = time(GCM_IMPL.vaes)
  const evp = time(GCM_IMPL.evp)
  const measured = `ours ${(ours * 1000).toFixed(0)} us, EVP ${(evp * 1000).toFixed(0)} us per 64 KiB`
  return evp < 0.9 * ours
    ? { gcm: 'evp', why: `auto, measured at load: ${measured}` }
    : { gcm: 'vaes', why: `auto, measured at load: ${measured}` }
}

/**
 * P-384: the known answer for OpenSSL minors the bench measured; for others, 3 key generations each
 * way (a few ms, once) decide between our k*G and OpenSSL's, verification staying with OpenSSL.
 */
function resolveP384(config: EsdkConfig, addon: NativeAddon): { p384: NativeSettings['p384']; why: string } {
  if (config.p384 !== 'auto') return { p384: config.p384, why: `ESDK_P384=${config.p384}` }
  // Before any configure() the addon reports its build default: 'openssl' only where p384.cc is not built.
  if (!canRace(addon) || addon.p384Implementation === 'openssl')
    return { p384: 'openssl', why: 'auto: our P-384 code is not built here' }
  const minor = /OpenSSL (\d+\.\d+)\./.exec(addon.opensslVersion().runtime)?.[1] ?? 'unknown'
  const known = P384_KNOWN[minor]
  if (known !== undefined)
    return { p384: known, why: `auto, known for OpenSSL ${minor}: our k*G is faster, OpenSSL's verification is` }
  const scalar = new Uint8Array(48)
  scalar[47] = 7
  const keygen = (mode: NativeSettings['p384']): number => {
    addon.configure({ p384: mode })
    return bestOf(3, () => addon.disposeSigningKey(addon.signingKeyFromScalar(384, scalar)))
  }
  const ours = keygen('keys')
  const openssl = keygen('openssl')
  const measured = `key generation ours ${ours.toFixed(2)} ms, OpenSSL ${openssl.toFixed(2)} ms`
  return openssl < 0.9 * ours
    ? { p384: 'openssl', why: `auto, measured at load (OpenSSL ${minor}): ${measured}` }
    : { p384: 'keys', why: `auto, measured at load (OpenSSL ${minor}): ${measured}` }
}

/** ESDK_GCM_IMPL and ESDK_P384, resolved for this addon (it still falls back to EVP where the CPU lacks VAES). */
export function resolveNativeSettings(config: EsdkConfig, addon: NativeAddon): ResolvedSettings {
  const gcm = resolveGcm(config, addon)
  const p384 = resolveP384(config, addon)
  return { settings: { gcm: gcm.gcm, p384: p384.p384 }, why: { gcm: gcm.why, p384: p384.why } }
}
