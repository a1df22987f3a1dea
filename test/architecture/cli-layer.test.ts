// lib/cli is a sink (nothing else in lib/ imports it, index.ts included), and parsing the command line loads nothing of the library (esdk --version / --help stay fast).
import test from 'ava'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(__dirname, '..', '..', '..')
const lib = path.join(root, 'lib')

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : []
  })
}

test('no file outside lib/cli imports it', (t) => {
  const cli = path.join(lib, 'cli')
  const offenders: string[] = []
  let scanned = 0
  for (const file of sourceFiles(lib)) {
    if (file.startsWith(cli + path.sep)) continue
    scanned++
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), m[1] as string)
      if (target === cli || target.startsWith(cli + path.sep))
        offenders.push(`${path.relative(root, file)} imports ${m[1]}`)
    }
  }
  t.true(scanned > 50)
  t.deepEqual(offenders, [])
})

test('loading the entry point and the parser, and parsing a full command line, loads no library module outside lib/cli', (t) => {
  const script = `
    const { parseCommandLine } = require('./build/lib/cli/args')
    require('./build/lib/cli/main')
    const r = parseCommandLine(['-e', '-i', '-', '-o', '-', '-S', '-w', 'key=arn:aws:kms:us-west-2:111122223333:key/k', '--caching', 'capacity=1', 'max_age=1'], 'v')
    if (r.kind !== 'run') throw new Error('did not parse')
    const loaded = Object.keys(require.cache).filter((f) => f.includes('/build/lib/') && !f.includes('/build/lib/cli/'))
    const sdk = Object.keys(require.cache).filter((f) => f.includes('@aws-sdk') || f.includes('cli-progress'))
    process.stdout.write(JSON.stringify({ loaded, sdk, cli: Object.keys(require.cache).filter((f) => f.includes('/build/lib/cli/')).length }))
  `
  const r = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })
  t.is(r.status, 0, r.stderr)
  const { loaded, sdk, cli } = JSON.parse(r.stdout) as { loaded: string[]; sdk: string[]; cli: number }
  t.true(cli >= 3, 'the CLI modules did load')
  t.deepEqual(loaded, [])
  t.deepEqual(sdk, [])
})
