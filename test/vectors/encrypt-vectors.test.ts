// The encrypt manifests that need no network: ours encrypts each test, ours and (for raw AES/RSA) the official SDK decrypt it; a sample of the framework set, all of Dafny's.
import test from 'ava'
import * as path from 'node:path'
import { loadEncryptManifest, sample } from './encrypt-manifest'
import { runEncryptCases } from './encrypt-run'
import { vectorFolder, vectorFolderPresent } from './paths'

const folder = vectorFolder()

if (!vectorFolderPresent(folder)) {
  test.skip(`encrypt vectors (folder not found at ${folder})`, () => {})
} else {
  // npm test takes every 3rd scenario (every keyring type is among them) and every 25th framework test; `npm run vectors:encrypt` runs all.
  test('dafny-4.1.0 encrypt manifest: every 3rd offline scenario (raw AES/RSA, raw ECDH, multi, required context, hierarchy) encrypts and decrypts; raw ones open in the official SDK', async (t) => {
    const all = loadEncryptManifest(path.join(folder, 'dafny-4.1.0/encrypt-manifest.json'))
    t.is(all.filter((c) => c.plan.kind === 'run').length, 297, 'the offline scenarios the manifest holds')
    const cases = sample(all, 3)
    const totals = await runEncryptCases(cases, undefined)
    t.deepEqual(totals.failures, [])
    t.is(totals.passed, cases.filter((c) => c.plan.kind === 'run').length)
    t.is(totals.passed + totals.needsNetwork, cases.length)
    t.is(totals.officialChecked, cases.filter((c) => c.plan.kind === 'run' && c.plan.officialDecrypt).length)
    t.true(totals.officialChecked >= 20, `${totals.officialChecked} checked by the official SDK`)
  })

  test('framework 0003 v2 encrypt manifest: every 25th raw-key test encrypts, and opens in ours and the official SDK', async (t) => {
    const all = loadEncryptManifest(path.join(folder, 'framework-manifests/0003-awses-message-encryption.v2.json'))
    t.is(all.length, 3300)
    const cases = sample(all, 25)
    const totals = await runEncryptCases(cases, undefined)
    t.deepEqual(totals.failures, [])
    const runnable = cases.filter((c) => c.plan.kind === 'run').length
    t.true(runnable > 60, `${runnable} runnable in the sample`)
    t.is(totals.passed, runnable)
    t.is(totals.passed + totals.needsNetwork + totals.notWritten, cases.length)
    // Every one the official SDK has a keyring for (all but RSA PKCS#1 v1.5, which Node 20 refuses it) opened there too.
    t.is(totals.officialChecked, cases.filter((c) => c.plan.kind === 'run' && c.plan.officialDecrypt).length)
    t.true(totals.officialChecked > 20)
  })
}
