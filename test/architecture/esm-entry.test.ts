// The ESM entry exports exactly the names of the CommonJS build, so neither import style misses an API.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(__dirname, '..', '..', '..')

test('esm/index.mjs exports the same names as the CommonJS entry', (t) => {
  const script = `
    const esm = await import(${JSON.stringify(path.join(root, 'esm', 'index.mjs'))});
    const cjs = (await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(path.join(root, 'build', 'lib', 'index.js'))});
    console.log(JSON.stringify({ esm: Object.keys(esm).filter(k => k !== 'default').sort(), cjs: Object.keys(cjs).sort(), same: esm.buildClient === cjs.buildClient }));
  `
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  t.is(run.status, 0, run.stderr)
  const result = JSON.parse(run.stdout) as { esm: string[]; cjs: string[]; same: boolean }
  t.deepEqual(result.esm, result.cjs)
  t.true(result.same)
})

test('esm/kinesis.mjs exports the same names as the CommonJS esdk-native/kinesis entry', (t) => {
  const script = `
    const esm = await import(${JSON.stringify(path.join(root, 'esm', 'kinesis.mjs'))});
    const cjs = (await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(path.join(root, 'build', 'lib', 'kinesis', 'index.js'))});
    console.log(JSON.stringify({ esm: Object.keys(esm).filter(k => k !== 'default').sort(), cjs: Object.keys(cjs).sort(), same: esm.createEncryptHandler === cjs.createEncryptHandler }));
  `
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  t.is(run.status, 0, run.stderr)
  const result = JSON.parse(run.stdout) as { esm: string[]; cjs: string[]; same: boolean }
  t.deepEqual(result.esm, result.cjs)
  t.true(result.same)
})
