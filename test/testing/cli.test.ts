// The standalone command: bin/local-kms.js and build/lib/testing/cli.js print one JSON line, serve, and stop on SIGINT.
import test from 'ava'
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { KMSClient, GenerateDataKeyCommand } from '@aws-sdk/client-kms'
import './helpers'

const root = path.resolve(__dirname, '..', '..', '..')

interface Banner {
  endpoint: string
  callerAccount: string
  credentials: { accessKeyId: string; secretAccessKey: string }
  keys: Array<{ arn: string; region: string; account: string; aliases: string[]; multiRegion: boolean }>
}

function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout })
    lines.once('line', (line) => {
      lines.close()
      resolve(line)
    })
    child.once('exit', (code) => reject(new Error(`exited with ${String(code)} before printing`)))
  })
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode)
    else child.once('exit', (code) => resolve(code))
  })
}

async function run(script: string, args: string[]): Promise<{ banner: Banner; child: ChildProcessWithoutNullStreams }> {
  const child = spawn(process.execPath, [path.join(root, script), ...args], { stdio: 'pipe' })
  const banner = JSON.parse(await firstLine(child)) as Banner
  return { banner, child }
}

test('bin/local-kms.js prints its endpoint and keys, serves the SDK, and exits 0 on SIGINT', async (t) => {
  const { banner, child } = await run('bin/local-kms.js', [])
  t.teardown(() => child.kill('SIGKILL'))
  t.regex(banner.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.is(banner.keys.length, 12)
  t.is(banner.callerAccount, '111122223333')
  const west = banner.keys.find(
    (k) => k.region === 'us-west-2' && k.account === banner.callerAccount && k.aliases.includes('alias/local-kms'),
  )
  const client = new KMSClient({ region: 'us-west-2', endpoint: banner.endpoint, credentials: banner.credentials })
  t.teardown(() => client.destroy())
  const made = await client.send(new GenerateDataKeyCommand({ KeyId: 'alias/local-kms', NumberOfBytes: 32 }))
  t.is(made.KeyId, west?.arn)
  child.kill('SIGINT')
  t.is(await exited(child), 0)
})

test('the compiled cli.js takes --port and --seed', async (t) => {
  const first = await run('build/lib/testing/cli.js', ['--seed', 'cli'])
  t.teardown(() => first.child.kill('SIGKILL'))
  const port = Number(new URL(first.banner.endpoint).port) + 1
  const second = await run('build/lib/testing/cli.js', ['--port', String(port), '--seed', 'cli']).catch(() => undefined)
  if (second !== undefined) {
    t.teardown(() => second.child.kill('SIGKILL'))
    t.is(second.banner.endpoint, `http://127.0.0.1:${port}`)
    t.deepEqual(second.banner.keys, first.banner.keys, 'same seed, same keys')
    second.child.kill('SIGTERM')
    t.is(await exited(second.child), 0)
  } else {
    t.log(`port ${port} was busy; --port not checked`)
  }
  first.child.kill('SIGINT')
  t.is(await exited(first.child), 0)
})

test('bad arguments exit 2 with usage; --help prints it', (t) => {
  const bad = spawnSync(process.execPath, [path.join(root, 'bin/local-kms.js'), '--port', 'x'], { encoding: 'utf8' })
  t.is(bad.status, 2)
  t.regex(bad.stderr, /bad port/)
  t.regex(bad.stderr, /usage/)
  const unknown = spawnSync(process.execPath, [path.join(root, 'bin/local-kms.js'), '--host', '0.0.0.0'], {
    encoding: 'utf8',
  })
  t.is(unknown.status, 2)
  const help = spawnSync(process.execPath, [path.join(root, 'bin/local-kms.js'), '--help'], { encoding: 'utf8' })
  t.is(help.status, 0)
  t.regex(help.stdout, /127\.0\.0\.1/)
})
