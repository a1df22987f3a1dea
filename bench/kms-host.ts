// The local KMS stand-in the KMS group talks to: started in this process, or in a child (--kms-server child) over IPC.
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import * as path from 'node:path'
import { startLocalKms } from '../lib/testing/index'
import type { LocalKmsCredentials } from '../lib/testing/index'
import { KMS_REGION } from './kms-cases'

export type KmsServerMode = 'in-process' | 'child'

/** What the KMS group needs from the stand-in: where it is, the generator key, and its per-operation call counters. */
export interface KmsHost {
  /** For the output: "in this process (...)" or "in a child process (pid N)". */
  where: string
  endpoint: string
  credentials: LocalKmsCredentials
  generatorKeyId: string
  counters(): Promise<Record<string, number>>
  clearCalls(): Promise<void>
  close(): Promise<void>
}

/** The stand-in keeps only this many call records (counters are unaffected); the bench reads counters only. */
export const MAX_LOGGED_CALLS = 1_000

/** Child-side messages: the first one describes the server, the rest answer requests by id. */
export type HostReady = { type: 'ready'; endpoint: string; credentials: LocalKmsCredentials; generatorKeyId: string }
export type HostReply = { type: 'reply'; id: number; counters?: Record<string, number> }
export type HostRequest = { id: number; cmd: 'counters' | 'clear' | 'close' }

async function inProcess(): Promise<KmsHost> {
  const kms = await startLocalKms({ maxLoggedCalls: MAX_LOGGED_CALLS })
  return {
    where: 'in this process (its request handling shares the event loop with the client)',
    endpoint: kms.endpoint,
    credentials: kms.credentials,
    generatorKeyId: kms.keys.keyArn(KMS_REGION),
    counters: async () => ({ ...kms.counters }),
    clearCalls: async () => kms.clearCalls(),
    close: () => kms.close(),
  }
}

function inChild(): Promise<KmsHost> {
  const child: ChildProcess = fork(path.join(__dirname, 'kms-host-child.js'), [], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const pending = new Map<number, { resolve: (reply: HostReply) => void; reject: (err: Error) => void }>()
  let nextId = 1
  let exitError: Error | undefined
  const ask = (cmd: HostRequest['cmd']): Promise<HostReply> =>
    new Promise((resolve, reject) => {
      if (exitError) return reject(exitError)
      const id = nextId++
      pending.set(id, { resolve, reject })
      child.send({ id, cmd } satisfies HostRequest, (err) => err && reject(err))
    })
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => {
      exitError = new Error(`KMS stand-in child exited (${code ?? signal}): ${stderr.trim() || 'no output'}`)
      reject(exitError) // no effect once it was ready
      for (const p of pending.values()) p.reject(exitError)
      pending.clear()
    })
    child.on('message', (m: HostReady | HostReply) => {
      if (m.type === 'reply') {
        pending.get(m.id)?.resolve(m)
        return pending.delete(m.id)
      }
      resolve({
        where: `in a child process (pid ${child.pid ?? '?'}), so its request handling runs on its own event loop`,
        endpoint: m.endpoint,
        credentials: m.credentials,
        generatorKeyId: m.generatorKeyId,
        counters: async () => (await ask('counters')).counters ?? {},
        clearCalls: async () => void (await ask('clear')),
        close: async () => {
          if (exitError) return
          const exited = new Promise<void>((done) => child.once('exit', () => done()))
          await ask('close').catch(() => undefined)
          await exited
        },
      })
    })
  })
}

export function startKmsHost(mode: KmsServerMode): Promise<KmsHost> {
  return mode === 'child' ? inChild() : inProcess()
}
