// Proves the native build pipeline end to end: the addon built here loads, reports truthful CPU/OpenSSL facts, and the loader degrades gracefully.
import test from 'ava'
import { execFileSync } from 'child_process'
import * as fs from 'fs'
import * as path from 'path'
import {
  EXPECTED_ABI_VERSION,
  hasHardwareAes,
  isNativeAddon,
  loadNativeAddon,
  type CpuFeatures,
  type NativeAddon,
} from '../../lib/backend/native-loader'

const loaderJs = path.join(__dirname, '..', '..', 'lib', 'backend', 'native-loader.js')

function requireAddon(): NativeAddon {
  const result = loadNativeAddon()
  if (result.addon === undefined) {
    throw new Error(`native addon did not load (run npm run build:native):\n${result.reasons.join('\n')}`)
  }
  return result.addon
}

// The kernel's view of the CPU is an independent oracle for our cpuid code.
function kernelCpuFlags(): Set<string> | undefined {
  let text: string
  try {
    text = fs.readFileSync('/proc/cpuinfo', 'utf8')
  } catch {
    return undefined
  }
  const line = text.split('\n').find((l) => /^(flags|Features)\s*:/.test(l))
  return line === undefined
    ? undefined
    : new Set(
        line
          .replace(/^[^:]*:/, '')
          .trim()
          .split(/\s+/),
      )
}

// Runs the loader in a fresh process, since the in-process result is memoized.
function loadInChild(env: NodeJS.ProcessEnv): { path: string | null; loaded: boolean; reasons: string[] } {
  const script = `const r = require(${JSON.stringify(loaderJs)}).loadNativeAddon();
process.stdout.write(JSON.stringify({ path: r.path ?? null, loaded: r.addon !== undefined, reasons: r.reasons }));`
  const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' })
  return JSON.parse(out) as { path: string | null; loaded: boolean; reasons: string[] }
}

test('the addon built by this package loads and is memoized', (t) => {
  const result = loadNativeAddon()
  t.truthy(result.addon, result.reasons.join('\n'))
  t.regex(result.path ?? '', /esdk_native\.node$/)
  t.is(result.addon?.abiVersion, EXPECTED_ABI_VERSION)
  t.is(loadNativeAddon(), result)
})

test('cpuFeatures reports booleans for this architecture', (t) => {
  const cpu = requireAddon().cpuFeatures()
  t.is(cpu.arch, process.arch)
  const expected: (keyof CpuFeatures)[] =
    process.arch === 'x64' || process.arch === 'ia32'
      ? ['aesni', 'pclmulqdq', 'avx2', 'vaes', 'vpclmulqdq', 'avx512f']
      : process.arch === 'arm64'
        ? ['aes', 'pmull', 'sha2']
        : []
  for (const key of expected) t.is(typeof cpu[key], 'boolean', key)
})

// Registered only on the architecture it checks, so elsewhere it is reported as skipped, not passed.
const onX86 = process.arch === 'x64' || process.arch === 'ia32' ? test : test.skip
const onArm64 = process.arch === 'arm64' ? test : test.skip

onX86('x86 cpuFeatures agree with the kernel', (t) => {
  const cpu = requireAddon().cpuFeatures()
  const flags = kernelCpuFlags()
  if (flags === undefined) {
    // Without an oracle, at least insist on what every x86_64 CPU of the last decade has.
    t.true(cpu.aesni)
    return
  }
  t.is(cpu.aesni, flags.has('aes'), 'aesni')
  t.is(cpu.pclmulqdq, flags.has('pclmulqdq'), 'pclmulqdq')
  t.is(cpu.avx2, flags.has('avx2'), 'avx2')
  t.is(cpu.vaes, flags.has('vaes'), 'vaes')
  t.is(cpu.vpclmulqdq, flags.has('vpclmulqdq'), 'vpclmulqdq')
  t.is(cpu.avx512f, flags.has('avx512f'), 'avx512f')
  t.is(hasHardwareAes(cpu), flags.has('aes') && flags.has('pclmulqdq'))
})

onArm64('arm64 cpuFeatures agree with the kernel', (t) => {
  const cpu = requireAddon().cpuFeatures()
  const flags = kernelCpuFlags()
  if (flags === undefined) {
    t.true(cpu.aes, 'without /proc/cpuinfo, insist on what every arm64 server CPU has')
    return
  }
  t.is(cpu.aes, flags.has('aes'))
  t.is(cpu.pmull, flags.has('pmull'))
  t.is(cpu.sha2, flags.has('sha2'))
})

test("openssl headers are a Node's OpenSSL 3 no newer than this node's, and the runtime is this node's own", (t) => {
  const ssl = requireAddon().opensslVersion()
  t.true(ssl.compiled.startsWith('OpenSSL 3.'), ssl.compiled)
  // Built here from source: this node's headers; the prebuilt binary: Node 20's 3.0, also run on 22/24's 3.5.
  const version = (v: string): number[] => (/(\d+)\.(\d+)\.(\d+)/.exec(v) ?? []).slice(1).map(Number)
  const [cMajor = -1, cMinor = -1] = version(ssl.compiled)
  const [rMajor = -2, rMinor = -2] = version(process.versions.openssl)
  t.is(cMajor, rMajor)
  t.true(cMinor <= rMinor, `${ssl.compiled} vs ${process.versions.openssl}`)
  // The runtime symbols resolve into the node binary, so this must be exact.
  t.true(ssl.runtime.includes(process.versions.openssl), `${ssl.runtime} vs ${process.versions.openssl}`)
  t.true(Number.isInteger(ssl.number) && ssl.number >= 0x30000000)
})

test('a missing ESDK_NATIVE_ADDON_PATH is recorded and the search continues', (t) => {
  const bogus = path.join(path.sep, 'nonexistent', 'esdk_native.node')
  const result = loadInChild({ ESDK_NATIVE_ADDON_PATH: bogus })
  t.is(result.reasons[0], `${bogus}: not found`)
  t.true(result.loaded)
  t.not(result.path, bogus)
})

test('a non-addon ESDK_NATIVE_ADDON_PATH is a dlopen failure, never executed', (t) => {
  const notAddon = path.join(__dirname, 'native-loader.test.js')
  const result = loadInChild({ ESDK_NATIVE_ADDON_PATH: notAddon })
  t.regex(result.reasons[0] ?? '', /: dlopen failed: /)
  t.true(result.loaded)
})

test('shape check rejects wrong ABI versions and malformed modules', (t) => {
  const valid = {
    abiVersion: EXPECTED_ABI_VERSION,
    cpuFeatures: () => ({ arch: 'x64', aesni: true }),
    opensslVersion: () => ({ compiled: 'OpenSSL 3.0.0', runtime: 'OpenSSL 3.0.0', number: 0x30000000 }),
    configure: () => ({ gcm: 'evp', p384: 'openssl' }),
  }
  const check = (mod: unknown): string[] => {
    const problems: string[] = []
    isNativeAddon(mod, problems)
    return problems
  }
  t.deepEqual(check(valid), [])
  t.regex(check({ ...valid, abiVersion: EXPECTED_ABI_VERSION + 1 })[0] ?? '', /abi mismatch/)
  t.regex(check(null)[0] ?? '', /shape check failed/)
  t.regex(check({ ...valid, cpuFeatures: 1 })[0] ?? '', /shape check failed/)
  t.regex(check({ ...valid, configure: undefined })[0] ?? '', /shape check failed: .*configure/)
  t.regex(check({ ...valid, cpuFeatures: () => ({ arch: 'x64', aesni: 'yes' }) })[0] ?? '', /cpuFeatures\(\)/)
  t.regex(
    check({
      ...valid,
      opensslVersion: () => {
        throw new Error('boom')
      },
    })[0] ?? '',
    /boom/,
  )
  const ssl = (compiled: string, runtime: string) => ({
    ...valid,
    opensslVersion: () => ({ compiled, runtime, number: 0x30000000 }),
  })
  t.deepEqual(check(ssl('OpenSSL 3.0.19 1 Jul 2025', 'OpenSSL 3.5.9 1 Oct 2026')), [], 'older headers load')
  t.regex(
    check(ssl('OpenSSL 3.5.9 1 Oct 2026', 'OpenSSL 3.0.19 1 Jul 2025'))[0] ?? '',
    /openssl mismatch: built against 3\.5\.9, this node runs 3\.0\.19/,
  )
  t.deepEqual(check(ssl('OpenSSL 3.0.19 x', 'OpenSSL 3.0.15 x')), [], 'patch releases add no functions')
  t.regex(check(ssl('OpenSSL 3.2.0 x', 'OpenSSL 3.0.19 x'))[0] ?? '', /openssl mismatch/)
  t.regex(check(ssl('OpenSSL 4.0.0 x', 'OpenSSL 3.5.9 x'))[0] ?? '', /openssl mismatch/)
  t.regex(check(ssl('BoringSSL', 'OpenSSL 3.5.9 x'))[0] ?? '', /unparsable/)
})

test('hasHardwareAes needs both the cipher and the GHASH multiply', (t) => {
  t.true(hasHardwareAes({ arch: 'x64', aesni: true, pclmulqdq: true }))
  t.false(hasHardwareAes({ arch: 'x64', aesni: true, pclmulqdq: false }))
  t.false(hasHardwareAes({ arch: 'x64', aesni: true }))
  t.true(hasHardwareAes({ arch: 'arm64', aes: true, pmull: true }))
  t.false(hasHardwareAes({ arch: 'arm64', aes: true, pmull: false }))
  t.false(hasHardwareAes({ arch: 'arm64', aesni: true, pclmulqdq: true }))
  t.false(hasHardwareAes({ arch: 'riscv64' }))
})
