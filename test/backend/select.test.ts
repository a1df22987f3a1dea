// Backend selection: auto picks native exactly when addon, CPU gate and self-test allow it; overrides and reasons behave.
import test from 'ava'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { CryptoBackend } from '../../lib/backend/backend'
import { jsBackend } from '../../lib/backend/js-backend'
import { CRYPTO_FUNCTIONS, createNativeBackend } from '../../lib/backend/native-backend'
import { nativeSelfTest } from '../../lib/backend/native-self-test'
import { hasHardwareAes, loadNativeAddon } from '../../lib/backend/native-loader'
import { getBackendInfo, selectBackend } from '../../lib/backend/select'
import { NativeBindingError } from '../../lib/core/errors'
import { nodeSigningKeys } from '../../lib/materials/signature-keys'
import { nativeBackend } from './backends'

const selectJs = path.join(__dirname, '..', '..', 'lib', 'backend', 'select.js')
const withNative = nativeBackend ? test : test.skip

function inChild(env: NodeJS.ProcessEnv, expression: string): string {
  const script = `const s = require(${JSON.stringify(selectJs)}); process.stdout.write(String(${expression}))`
  return execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' })
}

test('auto resolves to native exactly when the addon loads, the CPU has hardware AES and the self-test passes', (t) => {
  const info = getBackendInfo()
  const load = loadNativeAddon()
  const expectNative =
    nativeBackend !== undefined &&
    load.addon !== undefined &&
    hasHardwareAes(load.addon.cpuFeatures()) &&
    nativeSelfTest(nativeBackend) === undefined
  t.is(info.backend, expectNative ? 'native' : 'js', info.reasons.join('\n'))
  t.is(info.reasons.length === 0, expectNative, info.reasons.join('\n'))
  t.is(selectBackend('auto').name, info.backend)
})

test('getBackendInfo returns a fresh copy of the reasons', (t) => {
  const info = getBackendInfo()
  info.reasons.push('mutated')
  t.false(getBackendInfo().reasons.includes('mutated'))
})

test('js is always available and is the reference object', (t) => {
  t.is(selectBackend('js'), jsBackend)
})

withNative('native can be forced, and is the same instance every time', (t) => {
  if (getBackendInfo().backend !== 'native')
    return t.pass('CPU gate keeps auto on js here; forcing is covered by the reasons test')
  const a = selectBackend('native')
  t.is(a.name, 'native')
  t.is(selectBackend('native'), a)
})

test('without a loadable addon: auto is js with reasons, and forcing native throws NativeBindingError', (t) => {
  // A child whose dlopen always fails stands in for a machine where the addon cannot load.
  const script = `process.dlopen = () => { throw new Error('simulated: no addon') }
const s = require(${JSON.stringify(selectJs)})
let forced
try { s.selectBackend('native'); forced = 'no error' } catch (e) { forced = { code: e.code, reasons: e.reasons } }
process.stdout.write(JSON.stringify({ info: s.getBackendInfo(), auto: s.selectBackend('auto').name, forced }))`
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
    info: { backend: string; reasons: string[]; cpu: unknown }
    auto: string
    forced: { code: string; reasons: string[] } | string
  }
  t.is(out.info.backend, 'js')
  t.is(out.auto, 'js')
  t.is(out.info.cpu, undefined)
  t.true(
    out.info.reasons.some((r) => r.includes('dlopen failed: simulated: no addon')),
    out.info.reasons.join('\n'),
  )
  t.deepEqual(typeof out.forced === 'string' ? out.forced : out.forced.code, 'NATIVE_BINDING')
  t.deepEqual(typeof out.forced === 'string' ? [] : out.forced.reasons, out.info.reasons)
})

test('ESDK_BACKEND chooses for selectBackend() and rejects unknown values', (t) => {
  t.is(inChild({ ESDK_BACKEND: 'js' }, 's.selectBackend().name'), 'js')
  const auto = inChild({ ESDK_BACKEND: 'auto' }, 's.selectBackend().name + " " + s.getBackendInfo().backend')
  const [name, info] = auto.split(' ')
  t.is(name, info)
  t.is(
    inChild(
      { ESDK_BACKEND: 'fast' },
      `(() => { try { s.selectBackend(); return 'ok' } catch (e) { return e.code } })()`,
    ),
    'INVALID_ARGUMENT',
  )
  // With ESDK_BACKEND=js, getBackendInfo still explains what auto would pick.
  t.is(inChild({ ESDK_BACKEND: 'js' }, 's.getBackendInfo().backend'), getBackendInfo().backend)
})

withNative('the known-answer self-test passes on the native backend and the JS one', (t) => {
  if (!nativeBackend) return t.fail()
  t.is(nativeSelfTest(nativeBackend), undefined)
  t.is(nativeSelfTest(jsBackend), undefined)
})

withNative('the self-test catches a backend that is wrong in any of its checks', (t) => {
  const good = nativeBackend
  if (!good) return t.fail()
  const broken: [string, Partial<CryptoBackend>, RegExp][] = [
    [
      'derive',
      {
        deriveKeys: (s, k, m) => {
          const d = good.deriveKeys(s, k, m)
          d.encryptionKey[0] = (d.encryptionKey[0] ?? 0) ^ 1
          return d
        },
      },
      /HKDF-SHA512 key/,
    ],
    [
      'seal',
      {
        sealFramedBody: (input) => {
          const n = good.sealFramedBody(input)
          input.out[input.outOffset + 20] = (input.out[input.outOffset + 20] ?? 0) ^ 1
          return n
        },
      },
      /body differs/,
    ],
    ['header', { headerAuthTag: () => Buffer.alloc(16) }, /header tag differs/],
    ['verify', { verifyHeaderAuth: () => true }, /corrupted header tag verified/],
    ['open', { openBody: () => true }, /(does not open|corrupted frame tag opened)/],
    ['no zeroing', { openBody: (input) => (good.openBody(input) ? true : (input.out.fill(1), false)) }, /not zeroed/],
    [
      'throws',
      {
        deriveKeys: () => {
          throw new Error('boom')
        },
      },
      /threw: boom/,
    ],
  ]
  for (const [what, override, reason] of broken) {
    t.regex(nativeSelfTest({ ...good, ...override }) ?? 'passed', reason, what)
  }
})

test('createNativeBackend refuses an addon without the crypto entry points', (t) => {
  const base = {
    abiVersion: 2,
    cpuFeatures: () => ({ arch: 'x64' }),
    opensslVersion: () => ({ compiled: 'x', runtime: 'x', number: 0 }),
    configure: () => ({ gcm: 'evp' as const, p384: 'openssl' as const }),
  }
  const err = t.throws(() => createNativeBackend(base), { instanceOf: NativeBindingError })
  t.is(err?.code, 'NATIVE_BINDING')
  t.regex(err?.message ?? '', /deriveKeys, headerAuthTag, verifyHeaderAuth, sealFramedBody, openBody/)
  // Every entry point but the last one: the error names exactly the missing one.
  const last = CRYPTO_FUNCTIONS[CRYPTO_FUNCTIONS.length - 1] as string
  const almost = {
    ...base,
    ...Object.fromEntries(CRYPTO_FUNCTIONS.slice(0, -1).map((name) => [name, (): void => undefined])),
    [last]: 1,
  }
  t.regex(t.throws(() => createNativeBackend(almost))?.message ?? '', new RegExp(`lacks ${last}$`))
})

withNative('the native backend brings its own signing keys; the JS backend uses node:crypto', (t) => {
  t.not(nativeBackend?.signingKeys, jsBackend.signingKeys)
  t.is(jsBackend.signingKeys, nodeSigningKeys)
})

withNative('the addon loads and passes its self-test in worker threads too (context-aware module)', async (t) => {
  const lib = path.join(__dirname, '..', '..', 'lib', 'backend')
  const source = `const { parentPort } = require('node:worker_threads')
const nb = require(${JSON.stringify(path.join(lib, 'native-backend.js'))})
const st = require(${JSON.stringify(path.join(lib, 'native-self-test.js'))})
const b = nb.createNativeBackend(require(${JSON.stringify(path.join(lib, 'native-loader.js'))}).loadNativeAddon().addon)
const failures = []
for (let i = 0; i < 50; i++) { const r = st.nativeSelfTest(b); if (r) failures.push(r) }
parentPort.postMessage({ name: b.name, failures })`
  const results = await Promise.all(
    [0, 1, 2].map(
      () =>
        new Promise<{ name: string; failures: string[] }>((resolve, reject) => {
          const w = new Worker(source, { eval: true })
          w.once('message', resolve)
          w.once('error', reject)
          // A worker that dies without reporting must fail the test, not leave it pending forever.
          w.once('exit', (code) => reject(new Error(`worker exited with ${code} before reporting`)))
        }),
    ),
  )
  for (const r of results) t.deepEqual(r, { name: 'native', failures: [] })
})
