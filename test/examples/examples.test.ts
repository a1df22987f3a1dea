// The README's examples and `npm start`'s demo run to completion and print what they promise.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import path from 'node:path'

const examples = path.resolve(__dirname, '..', '..', 'examples')

function run(file: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [path.join(examples, file)], { encoding: 'utf8', timeout: 120_000 })
}

test('quickstart prints the decrypted secret', (t) => {
  const r = run('quickstart.js')
  t.is(r.status, 0, r.stderr)
  t.is(r.stdout.trim(), 'my secret data')
})

test('demo round-trips and compares with the official SDK', (t) => {
  const r = run('demo.js')
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /getBackendInfo\(\)/)
  t.regex(r.stdout, /decrypted OK/)
  t.regex(r.stdout, /official @aws-crypto\/client-node: \d+ msg\/s/)
})
