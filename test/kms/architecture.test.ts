// The AWS SDK stays behind one module: only kms-sdk.ts imports @aws-sdk/client-kms, and loading the library or any keyring does not load it.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(__dirname, '..', '..', '..')
const lib = path.join(root, 'lib')
const SUPPLIER = path.join('lib', 'materials', 'kms', 'kms-sdk.ts')

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : []
  })
}

test('only the SDK loader module imports @aws-sdk/client-kms', (t) => {
  const importing = sourceFiles(lib)
    .filter((file) => /(from\s+|require\(\s*|import\(\s*)'@aws-sdk\/client-kms'/.test(fs.readFileSync(file, 'utf8')))
    .map((file) => path.relative(root, file))
  t.deepEqual(importing, [SUPPLIER])
})

test('the KMS keyrings import nothing outside core, format and materials', (t) => {
  const kmsDir = path.join(lib, 'materials', 'kms')
  for (const file of sourceFiles(kmsDir)) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)) {
      const spec = m[1] as string
      if (!spec.startsWith('.')) {
        t.true(
          spec.startsWith('node:') ||
            (spec === '@aws-sdk/client-kms' && (file.endsWith('aws-sdk.ts') || file.endsWith('kms-sdk.ts'))),
          `${path.relative(root, file)} imports ${spec}`,
        )
        continue
      }
      const target = path.relative(lib, path.resolve(path.dirname(file), spec)).split(path.sep)[0]
      t.true(['core', 'format', 'materials'].includes(target ?? ''), `${path.relative(root, file)} imports ${spec}`)
    }
  }
})

test('loading the library and every keyring module leaves the AWS SDK unloaded until a client is built', (t) => {
  const build = path.join(root, 'build', 'lib')
  const modules = [
    'index.js',
    ...fs
      .readdirSync(path.join(build, 'materials', 'kms'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => path.join('materials', 'kms', f)),
  ]
  const script = `
    const path = require('node:path');
    const sdkLoaded = () => Object.keys(require.cache).some((p) => p.includes(path.join('@aws-sdk', 'client-kms')));
    const loaded = ${JSON.stringify(modules)}.map((m) => require(path.join(${JSON.stringify(build)}, m)));
    const before = sdkLoaded();
    const ours = loaded[0];
    const client = new ours.KMS({ region: 'us-west-2' });
    const sdk = require('@aws-sdk/client-kms');
    console.log(JSON.stringify({ before, after: sdkLoaded(), real: client instanceof sdk.KMS, proxied: client instanceof ours.KMS, send: typeof client.send }));
  `
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: root })
  t.is(run.status, 0, run.stderr)
  t.deepEqual(JSON.parse(run.stdout), { before: false, after: true, real: true, proxied: true, send: 'function' })
})
