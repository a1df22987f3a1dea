// startLocalKms: assembles the key store, faults, call log and dispatcher behind an HTTP server on 127.0.0.1.
import { CallLog } from './call-log'
import { createDefaultKeys, DEFAULT_ACCOUNTS, DEFAULT_REGIONS } from './default-keys'
import { Delays } from './delays'
import { Dispatcher } from './dispatcher'
import { FaultInjector } from './faults'
import { listen, LOOPBACK, shutdown } from './http-server'
import { KeyStore } from './key-store'
import { keysFacade } from './keys-facade'
import type { LocalKms, LocalKmsOptions } from './types'

/** A fresh object each time: the AWS SDK writes bookkeeping ($source) into the credentials it is given. */
function credentials(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`)
  return value
}

/** Starts a KMS stand-in on 127.0.0.1 (a random free port unless `options.port`); `close()` it when done. */
export async function startLocalKms(options: LocalKmsOptions = {}): Promise<LocalKms> {
  const accounts = Object.freeze([...(options.accounts ?? DEFAULT_ACCOUNTS)])
  const regions = Object.freeze([...(options.regions ?? DEFAULT_REGIONS)])
  const callerAccount = options.callerAccount ?? accounts[0] ?? DEFAULT_ACCOUNTS[0] ?? ''
  const maxBodyBytes = positiveInteger(options.maxBodyBytes ?? 1024 * 1024, 'maxBodyBytes')
  const port = options.port ?? 0
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw new RangeError('port must be 0..65535')
  const store = new KeyStore(callerAccount, options.seed)
  if (options.defaultKeys ?? true) createDefaultKeys(store, accounts, regions)
  for (const spec of options.keys ?? []) store.create(spec)
  const faults = new FaultInjector()
  const log = new CallLog(positiveInteger(options.maxLoggedCalls ?? 10_000, 'maxLoggedCalls'))
  const delays = new Delays()
  const dispatcher = new Dispatcher(store, faults, log, delays)
  const { server, port: bound } = await listen(
    port,
    maxBodyBytes,
    (req, body) => dispatcher.handle(req.headers, body),
    (op) => faults.dropFor(op),
  )
  const endpoint = `http://${LOOPBACK}:${bound}`
  let closing: Promise<void> | undefined
  return {
    endpoint,
    host: LOOPBACK,
    port: bound,
    accounts,
    regions,
    callerAccount,
    get credentials() {
      return credentials()
    },
    clientConfig: (region) => ({ region, endpoint, credentials: credentials() }),
    keys: keysFacade(store),
    faults,
    get calls() {
      return log.calls
    },
    get counters() {
      return log.counters
    },
    clearCalls: () => log.clear(),
    close() {
      if (closing === undefined) {
        delays.cancelAll()
        closing = shutdown(server)
      }
      return closing
    },
  }
}
