// Child side of `--kms-server child`: runs the local KMS stand-in and answers the parent's counter requests over IPC.
import { startLocalKms } from '../lib/testing/index'
import { KMS_REGION } from './kms-cases'
import { MAX_LOGGED_CALLS } from './kms-host'
import type { HostReady, HostReply, HostRequest } from './kms-host'

async function main(): Promise<void> {
  const kms = await startLocalKms({ maxLoggedCalls: MAX_LOGGED_CALLS })
  const send = (m: HostReady | HostReply): void => void process.send?.(m)
  process.on('message', (req: HostRequest) => {
    if (req.cmd === 'counters') send({ type: 'reply', id: req.id, counters: { ...kms.counters } })
    else if (req.cmd === 'clear') {
      kms.clearCalls()
      send({ type: 'reply', id: req.id })
    } else
      void kms.close().then(() => {
        send({ type: 'reply', id: req.id })
        process.disconnect()
      })
  })
  // The parent going away (crash, Ctrl-C) closes the IPC channel: stop serving then too.
  process.on('disconnect', () => void kms.close())
  send({
    type: 'ready',
    endpoint: kms.endpoint,
    credentials: kms.credentials,
    generatorKeyId: kms.keys.keyArn(KMS_REGION),
  })
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
