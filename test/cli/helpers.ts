// Runs the real `esdk` command (node bin/esdk.js) in a child process, and makes the scratch directories and key files the CLI tests use.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { ExecutionContext } from 'ava'

export const ROOT = path.resolve(__dirname, '..', '..', '..')
export const ESDK = path.join(ROOT, 'bin', 'esdk.js')

export interface Run {
  readonly status: number | null
  readonly stdout: Buffer
  readonly stderr: string
}

export interface RunOptions {
  readonly cwd?: string
  readonly input?: Buffer | string
  readonly env?: NodeJS.ProcessEnv
  /** A new session: the child has no controlling terminal (no /dev/tty), whatever the test runner has. */
  readonly detached?: boolean
}

export function esdk(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ESDK, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: options.detached === true,
    })
    const out: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out), stderr }))
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.input)
  })
}

/** A scratch directory removed when the test ends. */
export function scratch(t: ExecutionContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'esdk-cli-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A 32-byte AES wrapping key in `dir/aes.key`, and the -w arguments that name it. */
export function aesKey(
  dir: string,
  name = 'aes.key',
  bytes: Buffer = randomBytes(32),
): { file: string; bytes: Buffer; w: string[] } {
  const file = path.join(dir, name)
  writeFileSync(file, bytes)
  return { file, bytes, w: ['-w', 'provider=raw-aes', `key=file:${file}`, 'namespace=cli-tests', 'name=aes-1'] }
}

export function lines(text: Buffer | string): string[] {
  return text
    .toString()
    .split('\n')
    .filter((l) => l !== '')
}

export function metadataLines(text: Buffer | string): Record<string, unknown>[] {
  return lines(text).map((l) => JSON.parse(l) as Record<string, unknown>)
}
