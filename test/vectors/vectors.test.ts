// Runs the vector CLI as a child process and checks its per-set counts against catalog.json (skipped, loudly, without vectors).
import test from 'ava'
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { JsonObject, asArray, asObject, field, int, parseJson, str } from './json'
import { vectorFolder, vectorFolderPresent } from './paths'
import { getBackendInfo } from '../../lib/index'
import { nodeRejectsPkcs1Implicitly } from '../runtime/openssl'

/** Catalog keyring descriptions the library cannot build yet; their vectors must be reported pending, every other offline one must pass. */
const PENDING_KEYRINGS: ReadonlySet<string> = new Set([])
const folder = vectorFolder()

interface CliRun {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
  readonly report: JsonObject
}

function runCli(backend: 'js' | 'native'): Promise<CliRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esdk-vectors-'))
  const jsonFile = path.join(dir, 'results.json')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'cli.js'), '--json', jsonFile, '--backend', backend], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (status) => {
      try {
        const report = asObject(parseJson(fs.readFileSync(jsonFile), jsonFile), jsonFile)
        resolve({ status, stdout, stderr, report })
      } catch (e) {
        reject(
          new Error(`the CLI wrote no readable --json report (exit ${status}):\n${stdout}\n${stderr}\n${String(e)}`),
        )
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })
  })
}

/** Offline vectors whose keyring is built, counted straight from catalog.json (independently of the runner's catalog reader). */
function expectedPassedBySet(): Map<string, number> {
  const file = path.join(folder, 'catalog.json')
  const sets = asObject(field(asObject(parseJson(fs.readFileSync(file), file), file), 'sets', file), 'sets')
  const counts = new Map<string, number>()
  for (const [name, set] of Object.entries(sets)) {
    const vectors = asArray(field(asObject(set, name), 'vectors', name), name)
    const runnable = vectors.filter((v) => {
      const vector = asObject(v, name)
      return str(vector, 'offline', name).startsWith('yes') && !PENDING_KEYRINGS.has(str(vector, 'keyring', name))
    })
    counts.set(name, runnable.length)
  }
  return counts
}

/** Offline vectors whose keyring is not built yet, counted from catalog.json. */
function expectedPending(): number {
  const file = path.join(folder, 'catalog.json')
  const sets = asObject(field(asObject(parseJson(fs.readFileSync(file), file), file), 'sets', file), 'sets')
  let n = 0
  for (const [name, set] of Object.entries(sets)) {
    for (const v of asArray(field(asObject(set, name), 'vectors', name), name)) {
      const vector = asObject(v, name)
      if (str(vector, 'offline', name).startsWith('yes') && PENDING_KEYRINGS.has(str(vector, 'keyring', name))) n++
    }
  }
  return n
}

/** Offline vectors whose keyring is RSA PKCS#1 v1.5, counted from catalog.json. */
function expectedPkcs1(): number {
  const file = path.join(folder, 'catalog.json')
  const sets = asObject(field(asObject(parseJson(fs.readFileSync(file), file), file), 'sets', file), 'sets')
  let n = 0
  for (const [name, set] of Object.entries(sets)) {
    for (const v of asArray(field(asObject(set, name), 'vectors', name), name)) {
      const vector = asObject(v, name)
      if (/pkcs1/i.test(str(vector, 'keyring', name)) && str(vector, 'offline', name).startsWith('yes')) n++
    }
  }
  return n
}

if (!vectorFolderPresent(folder)) {
  const banner = '!'.repeat(78)
  console.warn(
    `${banner}\n!!! test/vectors: vector folder not found at ${folder}\n!!! The decrypt vectors are SKIPPED, not passed. Set ESDK_TEST_VECTORS to run them.\n${banner}`,
  )
  test.skip(`decrypt vectors (folder not found at ${folder})`, () => {})
} else {
  // The whole run on every backend this machine has; a missing native backend shows as skipped.
  const nativeAvailable = getBackendInfo().backend === 'native'
  for (const backend of ['js', 'native'] as const) {
    const register = backend === 'native' && !nativeAvailable ? test.skip : test
    let run: Promise<CliRun> | undefined
    const once = (): Promise<CliRun> => (run ??= runCli(backend))
    const setsOf = async (): Promise<Map<string, JsonObject>> => {
      const sets = asArray(field((await once()).report, 'sets', 'report'), 'report.sets').map((s, i) =>
        asObject(s, `report.sets[${i}]`),
      )
      return new Map(sets.map((s) => [str(s, 'name', 'report.sets[]'), s]))
    }

    register(`[${backend}] the vector CLI exits 0 and ends with the summary line`, async (t) => {
      const { status, stdout, stderr } = await once()
      const lines = stdout.trimEnd().split('\n')
      t.regex(lines[lines.length - 1] ?? '', /^vectors: \d+ passed, 0 failed, \d+ pending$/, stdout)
      t.regex(stdout, new RegExp(`backend ${backend}`), 'the CLI ran on the requested backend')
      t.is(status, 0, `${stdout}\n${stderr}`)
    })

    // Only the JS backend goes through node:crypto, which Node 20 (OpenSSL 3.0) refuses PKCS#1 v1.5 decryption
    // without the flag; Node 22.20+ and 24 (OpenSSL 3.5) reject implicitly and know no such flag.
    const needsFlag = backend === 'js' && !nodeRejectsPkcs1Implicitly()
    register(
      `[${backend}] RSA PKCS#1 v1.5 vectors all pass, ${needsFlag ? 'with' : 'without'} --security-revert (and the CLI says so)`,
      async (t) => {
        const { stdout, report } = await once()
        const reexec = /re-running under node --security-revert=CVE-2023-46809/
        if (!needsFlag) {
          t.is(report.securityRevert, false, 'the native run must not use the flag')
          t.notRegex(stdout, reexec)
          t.regex(stdout, /without --security-revert/)
        } else {
          t.is(report.securityRevert, true)
          t.regex(stdout, reexec)
        }
        const results = asArray(field(report, 'results', 'report'), 'report.results').map((r, i) =>
          asObject(r, `report.results[${i}]`),
        )
        const pkcs1 = results.filter((r) => /pkcs1/i.test(str(r, 'keyring', 'result')))
        const expected = expectedPkcs1()
        t.true(expected > 0, 'the catalog has PKCS#1 v1.5 vectors')
        t.is(pkcs1.length, expected)
        t.deepEqual(
          pkcs1.filter((r) => str(r, 'status', 'result') !== 'passed'),
          [],
        )
      },
    )

    register(
      `[${backend}] exactly the vectors of keyrings not built yet are pending (${[...PENDING_KEYRINGS].join(', ') || 'none'})`,
      async (t) => {
        const totals = asObject(field((await once()).report, 'totals', 'report'), 'report.totals')
        t.is(int(totals, 'pending', 'totals'), expectedPending())
      },
    )

    for (const [name, expected] of expectedPassedBySet()) {
      register(`[${backend}] set ${name}: no failures, ${expected} passed`, async (t) => {
        const set = (await setsOf()).get(name)
        if (!set) return t.fail(`the CLI report has no set ${name}`)
        const failures = JSON.stringify(set.failures, null, 2)
        t.is(int(set, 'failed', name), 0, failures)
        t.is(int(set, 'passed', name), expected, failures)
      })
    }
  }
}
