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

test('the raw ECDH examples: ephemeral to discovery, and a static pair', (t) => {
  const r = run('raw-ecdh.js')
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /ephemeral -> discovery: for the recipient only/)
  t.regex(r.stdout, /static pair: hello bob \/ sender rereads: hello bob/)
})

test('the hierarchical keyring examples (simple, multi-tenant, caching CMM, rotation) against the KMS and DynamoDB stand-ins', (t) => {
  const r = run('hierarchy.js')
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /simple: asdf; 10 encrypts and 1 decrypt, KMS calls: \{"Decrypt":2\}/)
  t.regex(r.stdout, /multi-tenant: asdf; tenant B's keyring refused A's message: true/)
  t.regex(r.stdout, /caching CMM: asdf/)
  t.regex(r.stdout, /after versionKey: asdf/)
})

test('the AWS KMS ECDH example: KMS to raw, raw to KMS discovery', (t) => {
  const r = run('kms-ecdh.js')
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /kms -> raw: from a KMS key/)
  t.regex(r.stdout, /raw -> kms discovery: to a KMS key/)
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

test('the Kinesis demo, as the README runs it: kinesalite on a port, then the demo encrypts 1,000 records through the runner and decrypts them back', async (t) => {
  const kinesalite = require('kinesalite') as (o: object) => import('node:http').Server
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as import('node:net').AddressInfo).port
  try {
    const { spawn } = await import('node:child_process')
    const child = spawn(
      process.execPath,
      [path.join(examples, 'kinesis-demo.js'), '--kinesis', `http://127.0.0.1:${port}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    t.is(code, 0, stderr)
    t.regex(stdout, /produced 1000 records/)
    t.regex(stdout, /encrypted 1000 records into demo-destination-\w+: 1 KMS call\(s\), cache hits 999, /)
    t.regex(stdout, /decrypted 1000 records: all match the input/)
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})
