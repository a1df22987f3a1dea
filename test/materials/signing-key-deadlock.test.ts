// Signing-key generation must never hang the thread: Node 20 deadlocks when a garbage collection lands inside a JWK export of a key made by generateKeyPairSync.
import test from 'ava'
import { spawn } from 'node:child_process'
import { join } from 'node:path'

/*
 * The hazard: generateKeyPairSync('ec') leaves a finished job object for the garbage collector;
 * its finaliser takes the key's mutex. KeyObject.export({ format: 'jwk' }) of that key's public
 * half holds the same mutex while it allocates, so a collection at that moment blocks the thread
 * on itself, forever, with no CPU use and no error. Our earlier generateSigningKey made its keys
 * that way and exported them as JWK (its own public half; the native backend's import of the
 * private half); that loop hangs at its first collections here, and once hung a whole test run.
 * These loops run in a child, so a hang shows as a timeout here instead of stalling ava.
 */
const SIGNATURE_KEYS = join(__dirname, '..', '..', 'lib', 'materials', 'signature-keys.js')
const SUITES = join(__dirname, '..', '..', 'lib', 'core', 'suites.js')
const TIMEOUT_MS = 60_000

function runChild(script: string): Promise<{ code: number | null; timedOut: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, TIMEOUT_MS)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, timedOut, output })
    })
  })
}

// P-256 keys are cheap, so the loop runs far past where the old code hung (within 1,000 keys here).
for (const [suiteId, keys] of [[0x0214, 10_000]] as const) {
  test(`generateSigningKey (suite 0x${suiteId.toString(16).padStart(4, '0')}): ${keys} keys in a row, through many garbage collections, never hang`, async (t) => {
    t.timeout(TIMEOUT_MS + 10_000)
    const script = `
      const { generateSigningKey } = require(${JSON.stringify(SIGNATURE_KEYS)})
      const { findSuite } = require(${JSON.stringify(SUITES)})
      const spec = findSuite(${suiteId}).signature
      const seen = new Set()
      for (let i = 0; i < ${keys}; i++) {
        const key = generateSigningKey(spec)
        if (key.publicKeyCompressed.length !== spec.publicKeyLength) throw new Error('bad public key length')
        // What the native backend did to sign with a key it did not make (it now reads SEC1 DER).
        if (typeof key.privateKey.export({ format: 'jwk' }).d !== 'string') throw new Error('no private scalar')
        seen.add(key.publicKeyCompressed.toString('hex'))
      }
      console.log('keys', seen.size)
    `
    const { code, timedOut, output } = await runChild(script)
    t.false(timedOut, `the child hung (killed after ${TIMEOUT_MS} ms)`)
    t.is(code, 0, output)
    t.is(output.trim(), `keys ${keys}`, 'every key distinct')
  })
}
