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
  t.regex(r.stdout, /KMS keyring via http:\/\/127\.0\.0\.1:\d+: decrypted OK; KMS calls: GenerateDataKey, Decrypt/)
})

test('the KMS examples run strict, discovery, MRK and caching against the stand-in', (t) => {
  const r = run('kms.js')
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /strict: hello, KMS \(data key wrapped in us-west-2 and eu-west-1\)/)
  t.regex(r.stdout, /discovery: hello, KMS/)
  t.regex(r.stdout, /mrk: hello, MRK/)
  t.regex(r.stdout, /caching: 20 encrypts, 1 GenerateDataKey call\(s\); hits 19, misses 1/)
})

test('the streaming examples round-trip a file and the kms_stream flow against the stand-in', (t) => {
  const r = run('stream.js')
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /file: decrypted file matches/)
  t.regex(r.stdout, /chained: round trip matches/)
})

test('the batch example encrypts 1,000 records in one call and one damaged record fails alone', (t) => {
  const r = run('batch.js')
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /^record 500: AUTHENTICATION_FAILED$/m)
  t.regex(r.stdout, /999 of 1000 records decrypted; record 999 context stream=audit/)
  t.regex(r.stdout, /data keys made: 2 for 1000 records/)
})
