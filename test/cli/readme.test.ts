// The README's CLI recipes run as written (each ```sh block of the "CLI" section, in order, in one directory) with `esdk` on PATH and the local KMS stand-in.
import test from 'ava'
import { spawn } from 'node:child_process'
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { startLocalKms } from '../../lib/testing/index'
import { ESDK, ROOT, metadataLines, scratch } from './helpers'

function recipes(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const start = readme.indexOf('\n## CLI\n')
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string)
}

function bash(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

test('the CLI recipes: offline raw key, a directory with KMS, decrypt from a pipe', async (t) => {
  const blocks = recipes()
  t.is(blocks.length, 3, 'three recipes in the CLI section')
  const kms = await startLocalKms()
  t.teardown(() => kms.close())
  const dir = scratch(t)
  const bin = path.join(dir, '.bin')
  mkdirSync(bin)
  writeFileSync(path.join(bin, 'esdk'), `#!/bin/sh\nexec "${process.execPath}" "${ESDK}" "$@"\n`)
  chmodSync(path.join(bin, 'esdk'), 0o755)
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    KEY_ARN: kms.keys.keyArn('us-west-2'),
    ACCOUNT: kms.callerAccount,
    AWS_ENDPOINT_URL_KMS: kms.endpoint,
    AWS_ACCESS_KEY_ID: kms.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: kms.credentials.secretAccessKey,
    AWS_REGION: 'us-west-2',
  }
  writeFileSync(path.join(dir, 'report.csv'), 'id,amount\n1,100\n')
  mkdirSync(path.join(dir, 'logs', 'old'), { recursive: true })
  writeFileSync(path.join(dir, 'logs', 'app.log'), 'INFO start\nERROR disk full\nINFO stop\n')
  writeFileSync(path.join(dir, 'logs', 'old', 'app.1.log'), 'INFO yesterday\n')

  const [offline, directory, pipe] = blocks as [string, string, string]
  const a = await bash(offline, dir, env)
  t.is(a.status, 0, a.stderr)
  t.is(readFileSync(path.join(dir, 'report.csv.decrypted'), 'utf8'), 'id,amount\n1,100\n')
  t.is(readFileSync(path.join(dir, 'wrapping.key')).length, 32)

  const b = await bash(directory, dir, env)
  t.is(b.status, 0, b.stderr)
  t.deepEqual(readdirSync(path.join(dir, 'encrypted'), { recursive: true }).map(String).sort(), [
    'app.log.encrypted',
    'old',
    path.join('old', 'app.1.log.encrypted'),
  ])
  t.is(metadataLines(readFileSync(path.join(dir, 'metadata.jsonl'))).length, 2)
  t.is(kms.counters.GenerateDataKey, 2)

  const c = await bash(pipe, dir, env)
  t.is(c.status, 0, c.stderr)
  t.is(c.stdout, 'ERROR disk full\n')
  t.is(kms.counters.Decrypt, 1)
})
