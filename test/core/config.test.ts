// The ESDK_* configuration: each variable parsed once in lib/core/config.ts, a bad value an error naming it, the result handed to the addon and shown by getBackendInfo().
import test from 'ava'
import { execFileSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import path from 'node:path'
import { CONFIG_VARIABLES, readConfig } from '../../lib/core/config'
import { InvalidArgumentError } from '../../lib/core/errors'
import { nativeBackend } from '../backend/backends'

const indexJs = path.join(__dirname, '..', '..', 'lib', 'index.js')
const withNative = nativeBackend ? test : test.skip

/** Evaluates `expression` (with `esdk` = the package) in a fresh node whose ESDK_* variables are exactly `env`. */
function inChild(env: Record<string, string>, expression: string): unknown {
  const clean: NodeJS.ProcessEnv = { ...process.env }
  for (const name of CONFIG_VARIABLES) delete clean[name]
  const script = `const esdk = require(${JSON.stringify(indexJs)});
let out; try { out = (${expression}) } catch (e) { out = { error: e.code, message: e.message } }
process.stdout.write(JSON.stringify(out))`
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...clean, ...env }, encoding: 'utf8' }))
}

test('unset: the defaults', (t) => {
  t.deepEqual(readConfig({}), {
    backend: 'auto',
    nativeThreads: Math.min(64, availableParallelism()),
    gcm: 'auto',
    p384: 'auto',
    addonPath: undefined,
    skipNativeBuild: false,
    buildFromSource: false,
    set: {},
  })
  t.deepEqual(readConfig({ ESDK_BACKEND: '', ESDK_P384: '' }).set, {}, 'empty is unset')
})

test('every accepted value parses, and what was set is listed as given', (t) => {
  const c = readConfig({
    ESDK_BACKEND: 'js',
    ESDK_NATIVE_THREADS: '3',
    ESDK_GCM_IMPL: 'evp',
    ESDK_P384: 'openssl',
    ESDK_NATIVE_ADDON_PATH: '/x.node',
    ESDK_SKIP_NATIVE_BUILD: '1',
    ESDK_BUILD_FROM_SOURCE: '0',
    ESDK_TEST_VECTORS: '/v',
  })
  t.like(c, {
    backend: 'js',
    nativeThreads: 3,
    gcm: 'evp',
    p384: 'openssl',
    addonPath: '/x.node',
    skipNativeBuild: true,
    buildFromSource: false,
  })
  t.deepEqual(Object.keys(c.set).sort(), [
    'ESDK_BACKEND',
    'ESDK_BUILD_FROM_SOURCE',
    'ESDK_GCM_IMPL',
    'ESDK_NATIVE_ADDON_PATH',
    'ESDK_NATIVE_THREADS',
    'ESDK_P384',
    'ESDK_SKIP_NATIVE_BUILD',
  ])
  for (const p384 of ['auto', 'keys', 'fast', 'openssl'] as const) t.is(readConfig({ ESDK_P384: p384 }).p384, p384)
  for (const gcm of ['auto', 'vaes', 'evp'] as const) t.is(readConfig({ ESDK_GCM_IMPL: gcm }).gcm, gcm)
  t.is(readConfig({ ESDK_NATIVE_THREADS: '64' }).nativeThreads, 64)
  t.true(Object.isFrozen(c) && Object.isFrozen(c.set))
})

test('a bad value is an InvalidArgumentError that names the variable and the value', (t) => {
  const bad: [string, string][] = [
    ['ESDK_BACKEND', 'fast'],
    ['ESDK_NATIVE_THREADS', '0'],
    ['ESDK_NATIVE_THREADS', '65'],
    ['ESDK_NATIVE_THREADS', '2x'],
    ['ESDK_NATIVE_THREADS', '-1'],
    ['ESDK_GCM_IMPL', 'aesni'],
    ['ESDK_P384', 'FAST'],
    ['ESDK_SKIP_NATIVE_BUILD', 'yes'],
    ['ESDK_BUILD_FROM_SOURCE', 'true'],
  ]
  for (const [name, value] of bad) {
    const err = t.throws(() => readConfig({ [name]: value }), { instanceOf: InvalidArgumentError }, `${name}=${value}`)
    t.true(err?.message.startsWith(`${name} must be`), err?.message)
    t.true(err?.message.includes(JSON.stringify(value)), err?.message)
  }
})

test('in a process: a bad value fails the first client and getBackendInfo() with that error, before any addon is loaded', (t) => {
  const out = inChild(
    { ESDK_NATIVE_THREADS: 'many' },
    `[(() => { try { esdk.buildClient(); return 'built' } catch (e) { return e.code + ': ' + e.message } })(),
    (() => { try { esdk.getBackendInfo(); return 'info' } catch (e) { return e.code } })()]`,
  )
  t.deepEqual(out, [
    'INVALID_ARGUMENT: ESDK_NATIVE_THREADS must be a whole number from 1 to 64 or unset (got "many")',
    'INVALID_ARGUMENT',
  ])
})

test('getBackendInfo() reports the configuration, read once: later changes to process.env do nothing', (t) => {
  const out = inChild(
    { ESDK_NATIVE_THREADS: '2', ESDK_BACKEND: 'js' },
    `(() => { const a = esdk.getBackendInfo().config; process.env.ESDK_NATIVE_THREADS = '5'; const b = esdk.getBackendInfo().config; return [a.nativeThreads, a.set, b.nativeThreads] })()`,
  )
  t.deepEqual(out, [2, { ESDK_BACKEND: 'js', ESDK_NATIVE_THREADS: '2' }, 2])
})

withNative('the addon gets ESDK_GCM_IMPL and ESDK_P384 at load, and getBackendInfo() shows what is in force', (t) => {
  const settings = (env: Record<string, string>): unknown => inChild(env, 'esdk.getBackendInfo().nativeSettings')
  t.deepEqual(settings({ ESDK_GCM_IMPL: 'evp', ESDK_P384: 'openssl' }), { gcm: 'evp', p384: 'openssl' })
  t.like(settings({ ESDK_P384: 'fast' }), { p384: 'fast' })
  t.like(settings({ ESDK_P384: 'keys' }), { p384: 'keys' })
  const gcm = (settings({ ESDK_GCM_IMPL: 'vaes' }) as { gcm: string }).gcm
  t.true(gcm === 'vaes' || gcm === 'evp', 'vaes where the CPU has it, else evp')
  const why = inChild({ ESDK_GCM_IMPL: 'evp' }, 'esdk.getBackendInfo().nativeSettingsWhy') as {
    gcm: string
    p384: string
  }
  t.is(why.gcm, 'ESDK_GCM_IMPL=evp')
  t.regex(why.p384, /^auto[,:]/)
  const auto = inChild({}, '[esdk.getBackendInfo().nativeSettings, esdk.getBackendInfo().nativeSettingsWhy]') as [
    { gcm: string },
    { gcm: string },
  ]
  // auto is vaes where available, unless EVP measured at least 10% faster at load (then the reason says so).
  if (auto[0].gcm !== gcm) t.regex(auto[1].gcm, /^auto, measured at load/)
  t.regex(
    auto[1].gcm,
    gcm === 'vaes' || /measured/.test(auto[1].gcm)
      ? /^auto, measured at load: ours \d+ us, EVP \d+ us per 64 KiB$/
      : /^auto: the CPU lacks/,
  )
})
