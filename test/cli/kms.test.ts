// AWS KMS through the real @aws-sdk/client-kms against the local stand-in: strict keys, discovery with a filter, the decrypting key's ARN in the metadata, the endpoint flag, caching.
import test from 'ava'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { startLocalKms } from '../../lib/testing/index'
import { esdk, metadataLines, scratch } from './helpers'

test('encrypt a directory under two KMS keys, decrypt it with discovery: the metadata names the key that decrypted, KMS saw one call per file', async (t) => {
  const kms = await startLocalKms()
  t.teardown(() => kms.close())
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: kms.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: kms.credentials.secretAccessKey,
    AWS_REGION: 'us-west-2',
  }
  const dir = scratch(t)
  for (const d of ['in/sub', 'enc', 'dec']) mkdirSync(path.join(dir, d), { recursive: true })
  for (const n of ['a', 'b', 'sub/c']) writeFileSync(path.join(dir, 'in', n), `kms file ${n}`)
  const west = kms.keys.keyArn('us-west-2')
  const east = kms.keys.keyArn('eu-west-1')
  const e = await esdk(
    [
      '-e',
      '-r',
      '-i',
      'in',
      '-o',
      'enc',
      '-w',
      `key=${west}`,
      `key=${east}`,
      '--kms-endpoint',
      kms.endpoint,
      '--metadata-output',
      'enc.json',
      '-c',
      'purpose=test',
    ],
    { cwd: dir, env },
  )
  t.is(e.status, 0, e.stderr)
  t.deepEqual(kms.calls.map((c) => c.op).sort(), [
    'Encrypt',
    'Encrypt',
    'Encrypt',
    'GenerateDataKey',
    'GenerateDataKey',
    'GenerateDataKey',
  ])
  const encMeta = metadataLines(readFileSync(path.join(dir, 'enc.json')))
  t.is(encMeta.length, 3)
  kms.clearCalls()

  const d = await esdk(
    [
      '-d',
      '-r',
      '-i',
      'enc',
      '-o',
      'dec',
      '-w',
      'discovery=true',
      'discovery-partition=aws',
      `discovery-account=${kms.callerAccount}`,
      '--kms-endpoint',
      kms.endpoint,
      '--metadata-output',
      'dec.json',
      '-c',
      'purpose=test',
    ],
    { cwd: dir, env },
  )
  t.is(d.status, 0, d.stderr)
  t.is(readFileSync(path.join(dir, 'dec', 'sub', 'c.encrypted.decrypted'), 'utf8'), 'kms file sub/c')
  t.deepEqual(
    kms.calls.map((c) => c.op),
    ['Decrypt', 'Decrypt', 'Decrypt'],
  )
  for (const m of metadataLines(readFileSync(path.join(dir, 'dec.json')))) {
    t.is(m.mode, 'decrypt')
    t.deepEqual(m.decrypted_with, { provider_id: 'aws-kms', key: west })
  }

  const other = await esdk(
    [
      '-d',
      '-i',
      path.join('enc', 'a.encrypted'),
      '-o',
      '-',
      '-w',
      'discovery=true',
      'discovery-partition=aws',
      'discovery-account=999999999999',
      '--kms-endpoint',
      kms.endpoint,
      '-S',
    ],
    { cwd: dir, env },
  )
  t.is(other.status, 1, 'a filter that excludes the account decrypts nothing')
  t.is(other.stdout.length, 0)
  t.regex(other.stderr, /^esdk: enc\/a\.encrypted: .*\n$/)

  const strictEast = await esdk(
    [
      '-d',
      '-i',
      path.join('enc', 'b.encrypted'),
      '-o',
      'b.txt',
      '-w',
      `key=${east}`,
      '--kms-endpoint',
      kms.endpoint,
      '--metadata-output',
      '-',
    ],
    { cwd: dir, env },
  )
  t.is(strictEast.status, 0, strictEast.stderr)
  t.is(readFileSync(path.join(dir, 'b.txt'), 'utf8'), 'kms file b')
  const [line] = metadataLines(strictEast.stdout)
  t.deepEqual(
    line?.decrypted_with,
    { provider_id: 'aws-kms', key: east },
    'strict mode names the configured key it used',
  )
})

test('caching with KMS: many files, one GenerateDataKey; the endpoint can also come from AWS_ENDPOINT_URL_KMS or endpoint=', async (t) => {
  const kms = await startLocalKms()
  t.teardown(() => kms.close())
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: kms.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: kms.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_KMS: kms.endpoint,
  }
  const dir = scratch(t)
  mkdirSync(path.join(dir, 'in'))
  mkdirSync(path.join(dir, 'out'))
  for (let i = 0; i < 20; i++) writeFileSync(path.join(dir, 'in', `f${i}`), `file ${i}`)
  const e = await esdk(
    [
      '-e',
      '-r',
      '-i',
      'in',
      '-o',
      'out',
      '-w',
      `key=${kms.keys.keyArn('us-west-2')}`,
      '-S',
      '--caching',
      'capacity=5',
      'max_age=300',
      '--jobs',
      '2',
    ],
    { cwd: dir, env },
  )
  t.is(e.status, 0, e.stderr)
  t.is(readdirSync(path.join(dir, 'out')).length, 20)
  t.deepEqual(kms.counters, { GenerateDataKey: 1 })
  kms.clearCalls()
  const { AWS_ENDPOINT_URL_KMS: _fromEnv, ...noEnv } = env
  const d = await esdk(
    [
      '-d',
      '-i',
      path.join('out', 'f3.encrypted'),
      '-o',
      '-',
      '-w',
      `key=${kms.keys.keyArn('us-west-2')}`,
      `endpoint=${kms.endpoint}`,
      '-S',
    ],
    { cwd: dir, env: noEnv },
  )
  t.is(d.status, 0, d.stderr)
  t.is(d.stdout.toString(), 'file 3')
})

test('region= and profile= reach the SDK client: an alias goes to the region named, credentials come from the named profile only', async (t) => {
  const kms = await startLocalKms()
  t.teardown(() => kms.close())
  const dir = scratch(t)
  writeFileSync(
    path.join(dir, 'credentials'),
    `[cli-test]\naws_access_key_id = ${kms.credentials.accessKeyId}\naws_secret_access_key = ${kms.credentials.secretAccessKey}\n`,
  )
  writeFileSync(path.join(dir, 'config'), '')
  writeFileSync(path.join(dir, 'p.txt'), 'profiled')
  // No credentials in the environment and no [default] profile: only profile= can supply them. AWS_REGION says another region than region=.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'),
    AWS_CONFIG_FILE: path.join(dir, 'config'),
    AWS_REGION: 'us-west-2',
  }
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_ENDPOINT_URL_KMS',
  ])
    delete env[name]
  const key = (profile: string): string[] => ['-w', 'key=alias/local-kms', 'region=eu-west-1', `profile=${profile}`]
  const e = await esdk(['-e', '-i', 'p.txt', '-o', 'p.enc', ...key('cli-test'), '--kms-endpoint', kms.endpoint, '-S'], {
    cwd: dir,
    env,
  })
  t.is(e.status, 0, e.stderr)
  t.deepEqual(
    kms.calls.map((c) => [c.op, c.region, c.resolvedKeyArn]),
    [['GenerateDataKey', 'eu-west-1', kms.keys.keyArn('eu-west-1')]],
  )
  const d = await esdk(
    [
      '-d',
      '-i',
      'p.enc',
      '-o',
      '-',
      '-w',
      `key=${kms.keys.keyArn('eu-west-1')}`,
      'profile=cli-test',
      '--kms-endpoint',
      kms.endpoint,
      '-S',
    ],
    { cwd: dir, env },
  )
  t.is(d.status, 0, d.stderr)
  t.is(d.stdout.toString(), 'profiled')
  kms.clearCalls()
  const missing = await esdk(
    ['-e', '-i', 'p.txt', '-o', 'q.enc', ...key('nobody'), '--kms-endpoint', kms.endpoint, '-S'],
    { cwd: dir, env },
  )
  t.is(missing.status, 1, 'a profile that is not there: no credentials, no call')
  t.regex(missing.stderr, /^esdk: p\.txt: .*\n$/)
  t.deepEqual(kms.calls, [])
  t.false(readdirSync(dir).includes('q.enc'))
})
