// Runs one bench helper script in a fresh Node process (optionally pinned to one CPU) and returns the JSON it reports.
import { spawn, spawnSync } from 'node:child_process'
import * as path from 'node:path'

const RESULT_MARK = '@@bench-result '

/** Child side: hand a result to the parent (one line on stdout). */
export function reportToParent(value: unknown): void {
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(value)}\n`)
}

let tasksetChecked: boolean | undefined
export function hasTaskset(): boolean {
  tasksetChecked ??= process.platform === 'linux' && spawnSync('taskset', ['-c', '0', 'true']).status === 0
  return tasksetChecked
}

export interface ChildOptions {
  /** Pin the child (every thread of it) to this CPU with taskset. */
  pinCpu?: number
  timeoutMs: number
  env?: NodeJS.ProcessEnv
}

/** Runs build/bench/<script>.js with `args`; resolves with the reported value, rejects with the child's stderr tail. */
export function runChild<T>(script: string, args: string[], options: ChildOptions): Promise<T> {
  const file = path.join(__dirname, `${script}.js`)
  const [cmd, argv] =
    options.pinCpu === undefined
      ? [process.execPath, [file, ...args]]
      : ['taskset', ['-c', String(options.pinCpu), process.execPath, file, ...args]]
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARK))
      if (line) return resolve(JSON.parse(line.slice(RESULT_MARK.length)) as T)
      const why = signal === 'SIGKILL' ? `timed out after ${options.timeoutMs / 1000} s` : `exit ${code ?? signal}`
      reject(new Error(`${script} child: ${why}: ${err.trim().split('\n').slice(-3).join(' | ') || 'no output'}`))
    })
  })
}
