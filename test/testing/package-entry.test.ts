// The package entry: `esdk-native/testing` resolves from CommonJS and ESM, and lib/testing stays self-contained.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(__dirname, '..', '..', '..')

test('require and import of esdk-native/testing give startLocalKms', (t) => {
  const cjs = spawnSync(
    process.execPath,
    ['-e', "const m = require('esdk-native/testing'); console.log(typeof m.startLocalKms)"],
    { cwd: root, encoding: 'utf8' },
  )
  t.is(cjs.stdout.trim(), 'function', cjs.stderr)
  const esm = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', "const m = await import('esdk-native/testing'); console.log(typeof m.startLocalKms)"],
    {
      cwd: root,
      encoding: 'utf8',
    },
  )
  t.is(esm.stdout.trim(), 'function', esm.stderr)
})

test('package.json declares the bin and the kms:local script', (t) => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    bin: Record<string, string>
    scripts: Record<string, string>
  }
  t.is(pkg.bin['esdk-local-kms'], 'bin/local-kms.js')
  t.regex(pkg.scripts['kms:local'] ?? '', /bin\/local-kms\.js/)
})

test('lib/testing imports nothing from the rest of lib/ and no AWS SDK at runtime', (t) => {
  const dir = path.join(root, 'lib', 'testing')
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))
  t.true(files.length > 10)
  for (const f of files) {
    const source = fs.readFileSync(path.join(dir, f), 'utf8')
    for (const m of source.matchAll(/from '([^']+)'/g)) {
      const spec = m[1] ?? ''
      if (spec.startsWith('.'))
        t.true(path.resolve(path.dirname(path.join(dir, f)), spec).startsWith(dir), `${f} imports ${spec}`)
      else t.true(spec.startsWith('node:'), `${f} imports ${spec}`)
    }
  }
})
