// Command-line encrypt-manifest runner (`npm run vectors:encrypt -- [--backend auto|js|native] [--sample N]`): ours encrypts, ours and the official SDK decrypt.
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { parseArgs } from 'node:util'
import { BackendChoice, getBackendInfo } from '../../lib/index'
import { loadEncryptManifest, sample } from './encrypt-manifest'
import { runEncryptCases } from './encrypt-run'
import { vectorFolder, vectorFolderPresent } from './paths'

const SECURITY_REVERT = '--security-revert=CVE-2023-46809'

/** The encrypt manifests under the vector folder that can run without a network (KMS tests are counted, not run). */
export const ENCRYPT_MANIFESTS = [
  'framework-manifests/0003-awses-message-encryption.v2.json',
  'dafny-4.1.0/encrypt-manifest.json',
]

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { backend: { type: 'string' }, sample: { type: 'string' } }, strict: true })
  const backend = values.backend as BackendChoice | undefined
  // The JS backend decrypts RSA PKCS#1 v1.5 through node:crypto, which Node 20 refuses without the revert flag.
  if (backend === 'js' && !process.execArgv.includes(SECURITY_REVERT)) {
    console.log(
      `encrypt vectors: re-running under node ${SECURITY_REVERT} for the JS backend's RSA PKCS#1 v1.5 decryption`,
    )
    const run = spawnSync(
      process.execPath,
      [SECURITY_REVERT, ...process.execArgv, __filename, ...process.argv.slice(2)],
      { stdio: 'inherit' },
    )
    return run.status ?? 1
  }
  const folder = vectorFolder()
  if (!vectorFolderPresent(folder)) {
    console.log(`encrypt vectors: 0 passed, 0 failed (vector folder not found at ${folder})`)
    return 1
  }
  const step = Number.parseInt(values.sample ?? '1', 10) || 1
  console.log(
    `encrypt vectors: folder ${folder}; backend ${backend ?? getBackendInfo().backend}; every ${step === 1 ? '' : `${step}th `}test`,
  )
  let passed = 0
  let failed = 0
  for (const manifest of ENCRYPT_MANIFESTS) {
    const cases = sample(loadEncryptManifest(path.join(folder, manifest)), step)
    const t = await runEncryptCases(cases, backend)
    console.log(
      `${manifest}: ${cases.length} tests, ${t.passed} passed (${t.officialChecked} also opened by the official SDK), ${t.failed} failed, ${t.needsNetwork} need AWS KMS, ${t.notWritten} non-framed (never written)`,
    )
    for (const f of t.failures.slice(0, 20)) console.log(`  failed ${f}`)
    passed += t.passed
    failed += t.failed
  }
  console.log(`encrypt vectors: ${passed} passed, ${failed} failed`)
  return failed === 0 ? 0 : 1
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      console.error(e)
      process.exitCode = 1
    },
  )
}
