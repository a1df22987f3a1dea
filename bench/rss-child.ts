// Child process: encrypts one big buffer with one implementation and reports its peak resident set size.
// argv: impl size suiteId frameLength. Run fresh per implementation so no other case's memory is counted.
import { randomBytes } from 'node:crypto'
import { reportToParent } from './child-process'
import { plaintextOf } from './fixtures'
import { createImpls, ImplName } from './impls'
import { collectGarbage } from './gc'
import { procStatus as status } from './proc-memory'

export interface RssReport {
  impl: ImplName
  status: 'ok' | 'skipped' | 'failed'
  note?: string
  /** Where the peak came from: VmHWM of /proc/self/status, else process.resourceUsage().maxRSS. */
  source?: string
  peakBytes?: number
  /** RSS after loading everything and one small warm-up message, before the plaintext exists. */
  baselineBytes?: number
  plaintextBytes?: number
  outputBytes?: number
  /** peak - baseline - plaintext - output: what the encrypt itself added. */
  extraBytes?: number
  seconds?: number
}

async function main(): Promise<RssReport> {
  const [implName, sizeArg, suiteArg, frameArg] = process.argv.slice(2)
  const impl = createImpls(randomBytes(32))[implName as ImplName]
  if (!impl) throw new Error(`unknown implementation ${String(implName)}`)
  if (!impl.available) return { impl: impl.name, status: 'skipped', note: impl.note }
  const size = Number(sizeArg)
  const suiteId = Number(suiteArg)
  const frameLength = Number(frameArg)
  // Load every lazily loaded path (modules, addon, keyring, suite) before the baseline.
  await impl.decrypt(await impl.encrypt(Buffer.alloc(64 * 1024, 1), suiteId, frameLength))
  collectGarbage()
  const baselineBytes = status('VmRSS') ?? process.memoryUsage().rss
  const plaintext = plaintextOf(size)
  const start = performance.now()
  const output = await impl.encrypt(plaintext, suiteId, frameLength)
  const seconds = (performance.now() - start) / 1000
  const hwm = status('VmHWM')
  const peakBytes = hwm ?? process.resourceUsage().maxRSS * 1024
  return {
    impl: impl.name,
    status: 'ok',
    source: hwm === undefined ? 'process.resourceUsage().maxRSS' : '/proc/self/status VmHWM',
    peakBytes,
    baselineBytes,
    plaintextBytes: plaintext.length,
    outputBytes: output.length,
    extraBytes: peakBytes - baselineBytes - plaintext.length - output.length,
    seconds,
  }
}

main().then(reportToParent, (err: unknown) => {
  reportToParent({ impl: process.argv[2], status: 'failed', note: err instanceof Error ? err.message : String(err) })
})
