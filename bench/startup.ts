// The start-up group: in fresh processes, the time `require('esdk-native')` takes and the time to the first encrypt, native and JS backends, beside the official SDK.
import { execFileSync } from 'node:child_process'
import * as path from 'node:path'
import { renderTable } from './table'

export const STARTUP_CASE_ID = 'startup require and first encrypt'

/** One fresh process: ms for the require, ms from the start of the require to the first encrypt's result, the backend. */
interface Sample {
  requireMs: number
  firstEncryptMs: number
  backend: string
  sdkModules: number
}

export interface StartupRow {
  impl: 'native' | 'js' | 'official'
  runs: number
  requireMs: { median: number; min: number; max: number }
  firstEncryptMs: { median: number; min: number; max: number }
  backend: string
  /** AWS SDK modules in require.cache after the first encrypt (ours must load none). */
  sdkModules: number
}

const INDEX = path.join(__dirname, '..', 'lib', 'index.js')

/** The child: times the require and the first 1 KiB encrypt (default suite 0x0578, raw AES keyring), prints one JSON line. */
function childScript(impl: StartupRow['impl']): string {
  const target = impl === 'official' ? JSON.stringify('@aws-crypto/client-node') : JSON.stringify(INDEX)
  return `const t0 = performance.now();
const esdk = require(${target});
const t1 = performance.now();
(async () => {
  const keyring = new esdk.RawAesKeyringNode({ keyName: 'k', keyNamespace: 'startup', unencryptedMasterKey: Buffer.alloc(32, 3),
    wrappingSuite: esdk.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING });
  const { encrypt } = esdk.buildClient(esdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  await encrypt(keyring, Buffer.alloc(1024, 1));
  const t2 = performance.now();
  const backend = ${impl === 'official' ? "'official'" : 'esdk.getBackendInfo().backend'};
  const sdkModules = Object.keys(require.cache).filter((f) => /[\\\\/]node_modules[\\\\/]@aws-sdk[\\\\/]/.test(f)).length;
  process.stdout.write(JSON.stringify({ requireMs: t1 - t0, firstEncryptMs: t2 - t0, backend, sdkModules }));
})();`
}

function spread(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median =
    sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number }
}

/**
 * Fresh processes, one after another, alternating the implementations so a load change hits all alike.
 * Not Benchmark.js: a start-up happens once per process, so the sample is N processes and the figure their median.
 */
export function measureStartup(runs: number): StartupRow[] {
  const impls: StartupRow['impl'][] = ['native', 'js', 'official']
  const samples = new Map<StartupRow['impl'], Sample[]>(impls.map((i) => [i, []]))
  for (let r = 0; r < runs; r++) {
    for (const impl of impls) {
      const env = { ...process.env, ESDK_BACKEND: impl === 'js' ? 'js' : '' }
      const out = execFileSync(process.execPath, ['-e', childScript(impl)], {
        env,
        encoding: 'utf8',
        cwd: path.join(__dirname, '..', '..'),
      })
      samples.get(impl)?.push(JSON.parse(out) as Sample)
    }
  }
  return impls.map((impl) => {
    const list = samples.get(impl) ?? []
    return {
      impl,
      runs: list.length,
      requireMs: spread(list.map((s) => s.requireMs)),
      firstEncryptMs: spread(list.map((s) => s.firstEncryptMs)),
      backend: impl === 'js' ? 'js (ESDK_BACKEND=js)' : (list[0]?.backend ?? '?'),
      sdkModules: Math.max(0, ...list.map((s) => s.sdkModules)),
    }
  })
}

export function startupTable(rows: StartupRow[]): string {
  const ms = (s: { median: number; min: number; max: number }): string =>
    `${s.median.toFixed(1)} (${s.min.toFixed(1)}-${s.max.toFixed(1)})`
  return [
    `== Start-up (fresh node ${process.version} processes, median (min-max) ms of ${rows[0]?.runs ?? 0}): require, and require to the first 1 KiB encrypt (suite 0x0578, raw AES keyring)`,
    renderTable(
      ['impl', 'backend', 'require ms', 'first encrypt ms', '@aws-sdk modules loaded'],
      rows.map((r) => [r.impl, r.backend, ms(r.requireMs), ms(r.firstEncryptMs), String(r.sdkModules)]),
      ['l', 'l', 'r', 'r', 'r'],
    ),
  ].join('\n')
}
