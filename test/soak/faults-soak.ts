// The fault soak (issue 14, memory): messages encrypted and decrypted through a caching CMM over a KMS keyring and the
// real @aws-sdk/client-kms, against the local stand-in throttling, delaying, failing (5xx) and dropping connections.
// Every message must round-trip to its exact plaintext or fail with one of our typed errors, none may go missing,
// and RSS must stay flat after warm-up.
import { randomBytes } from 'node:crypto'
import { KMSClient } from '@aws-sdk/client-kms'
import * as esdk from '../../lib/index'
import { startLocalKms, type InjectedFaults, type LocalKms } from '../../lib/testing/index'

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true'

export interface SoakOptions {
  readonly messages: number
  /** Messages in flight at once (default 32). */
  readonly concurrency?: number
  /** RSS is sampled as a baseline once this fraction of messages is done (default 0.1). */
  readonly warmup?: number
  /** The most RSS may grow from the baseline to the end, in MB (default 32). */
  readonly maxRssGrowthMb?: number
  /** The run stops itself after this long, whatever is left (default 1 hour). */
  readonly timeLimitMs?: number
  /** Seeds the stand-in's fault PRNGs so a run's faults repeat (default 14). */
  readonly seed?: number
  /** Throttle every attempt instead, so that every message fails (to show failures are counted, not lost). */
  readonly failEverything?: boolean
  /** Called about every 1% of messages. */
  readonly onProgress?: (progress: SoakProgress) => void
}

export interface SoakProgress {
  readonly done: number
  readonly messages: number
  readonly failed: number
  readonly rssMb: number
  readonly seconds: number
}

export interface SoakReport {
  readonly messages: number
  readonly roundTripped: number
  /** Failures that were one of our typed errors, by `name` and the KMS error beneath it (e.g. "encrypt KeyringError < KmsError < ThrottlingException"). */
  readonly typedFailures: Readonly<Record<string, number>>
  readonly typedFailed: number
  /** Failures that were not an EsdkError: must be 0. */
  readonly untyped: number
  readonly untypedSamples: readonly string[]
  /** Decrypted to something other than the plaintext: must be 0. */
  readonly altered: number
  /** Started but never settled: must be 0. */
  readonly lost: number
  /** Never started because the time limit came first (the run then fails as timed out). */
  readonly notRun: number
  readonly kms: {
    /** SDK calls (each may make several attempts) the keyring made. */
    readonly calls: number
    /** Calls that succeeded only after the SDK retried. */
    readonly retriedThenOk: number
    /** Calls that failed after the SDK's last attempt (or with its retry quota spent). */
    readonly failed: number
    /** HTTP attempts the SDK made in all. */
    readonly attempts: number
  }
  readonly faultsInjected: InjectedFaults
  readonly cache: { readonly encryptHits: number; readonly decryptHits: number }
  readonly rss: {
    readonly warmupMb: number
    readonly endMb: number
    readonly growthMb: number
    readonly peakMb: number
  }
  readonly maxRssGrowthMb: number
  readonly timedOut: boolean
  readonly seconds: number
  /** Why the soak failed; empty when it passed. */
  readonly problems: readonly string[]
}

interface KmsTally {
  calls: number
  retriedThenOk: number
  failed: number
  attempts: number
}

const MB = 1024 * 1024
const CONTEXTS = 8
/** Small enough that the cache goes back to KMS often, so the faults are met tens of thousands of times in 1M messages. */
const MESSAGES_PER_DATA_KEY = 20

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc

function rssMb(): number {
  gc?.()
  return process.memoryUsage.rss() / MB
}

/** The real client, counting each call's attempts from the outermost middleware (outside the SDK's retries). */
function countingClient(kms: LocalKms, tally: KmsTally): KMSClient {
  const client = new KMSClient({ ...kms.clientConfig('us-west-2'), maxAttempts: 3 })
  client.middlewareStack.add(
    (next) => async (args) => {
      tally.calls++
      try {
        const out = await next(args)
        const attempts = (out.output as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1
        tally.attempts += attempts
        if (attempts > 1) tally.retriedThenOk++
        return out
      } catch (e) {
        tally.failed++
        tally.attempts += (e as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1
        throw e
      }
    },
    { step: 'initialize', name: 'soakAttemptCount' },
  )
  return client
}

/** "KeyringError < KmsError < ThrottlingException": the error and its causes, by name. */
function typeChain(e: unknown): string {
  const names: string[] = []
  let cur: unknown = e
  for (let depth = 0; cur instanceof Error && depth < 5; depth++) {
    names.push(cur.name)
    cur = cur instanceof AggregateError ? cur.errors[0] : cur.cause
  }
  return names.join(' < ')
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1)
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const messages = options.messages
  if (!Number.isSafeInteger(messages) || messages < 1) throw new RangeError('messages must be a positive integer')
  const concurrency = options.concurrency ?? 32
  const warmupAt = Math.max(1, Math.floor(messages * (options.warmup ?? 0.1)))
  const maxRssGrowthMb = options.maxRssGrowthMb ?? 32
  const timeLimitMs = options.timeLimitMs ?? 3_600_000
  const seed = options.seed ?? 14

  const kms = await startLocalKms({ maxLoggedCalls: 1000 })
  // Rates per attempt: ~13% of attempts meet a fault, so a few calls in a thousand fail all three attempts.
  kms.faults.throttle(options.failEverything === true ? 1 : 0.05, { seed })
  kms.faults.serverError(0.02, { seed: seed + 1, status: 500 })
  kms.faults.serverError(0.01, { seed: seed + 2, status: 503 })
  kms.faults.dropConnection(0.04, { seed: seed + 3 })
  kms.faults.latency(2)
  const tally: KmsTally = { calls: 0, retriedThenOk: 0, failed: 0, attempts: 0 }
  const client = countingClient(kms, tally)
  const cmm = new esdk.NodeCachingMaterialsManager({
    backingMaterials: new esdk.KmsKeyringNode({
      generatorKeyId: kms.keys.keyArn('us-west-2'),
      clientProvider: () => client,
    }),
    cache: esdk.getLocalCryptographicMaterialsCache(64),
    maxAge: 60_000,
    maxMessagesEncrypted: MESSAGES_PER_DATA_KEY,
  })
  const { encrypt, decrypt } = esdk.buildClient(esdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)

  // 0 = not started, 1 = in flight, 2 = round-tripped, 3 = typed failure, 4 = untyped, 5 = altered.
  const state = new Uint8Array(messages)
  const typed = new Map<string, number>()
  const untypedSamples: string[] = []
  let altered = 0
  let untyped = 0
  let typedFailed = 0
  let done = 0
  let next = 0
  let warmupMb = 0
  let peakMb = 0
  let timedOut = false
  const start = Date.now()
  const progressEvery = Math.max(1, Math.floor(messages / 100))

  const fail = (i: number, phase: string, e: unknown): void => {
    if (e instanceof esdk.EsdkError) {
      state[i] = 3
      typedFailed++
      bump(typed, `${phase} ${typeChain(e)}`)
    } else {
      state[i] = 4
      untyped++
      if (untypedSamples.length < 5) untypedSamples.push(`${phase} ${typeChain(e)}: ${String(e)}`)
    }
  }

  const one = async (i: number): Promise<void> => {
    state[i] = 1
    const plaintext = randomBytes(i % 7 === 0 ? 0 : (i * 2654435761) % 3000)
    const encryptionContext = { soak: `context-${i % CONTEXTS}` }
    let ciphertext: Buffer
    try {
      ciphertext = (await encrypt(cmm, plaintext, { encryptionContext, frameLength: 1024 })).result
    } catch (e) {
      fail(i, 'encrypt', e)
      return
    }
    try {
      const { plaintext: back, messageHeader } = await decrypt(cmm, ciphertext)
      const sameContext = Object.entries(encryptionContext).every(([k, v]) => messageHeader.encryptionContext[k] === v)
      if (back.equals(plaintext) && sameContext) state[i] = 2
      else {
        state[i] = 5
        altered++
      }
    } catch (e) {
      fail(i, 'decrypt', e)
    }
  }

  const worker = async (): Promise<void> => {
    while (next < messages) {
      if (Date.now() - start > timeLimitMs) {
        timedOut = true
        return
      }
      const i = next++
      await one(i)
      done++
      if (done === warmupAt) warmupMb = rssMb()
      if (done % progressEvery === 0) {
        const rss = process.memoryUsage.rss() / MB
        peakMb = Math.max(peakMb, rss)
        options.onProgress?.({
          done,
          messages,
          failed: typedFailed + untyped,
          rssMb: rss,
          seconds: (Date.now() - start) / 1000,
        })
      }
    }
  }

  let endMb: number
  let faultsInjected: InjectedFaults
  let stats: esdk.CachingMaterialsManagerStats
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, messages) }, worker))
    endMb = rssMb()
    peakMb = Math.max(peakMb, endMb)
    faultsInjected = kms.faults.injected
    stats = cmm.getStats()
  } finally {
    client.destroy()
    await kms.close()
  }

  let roundTripped = 0
  let lost = 0
  let notRun = 0
  for (const s of state) {
    if (s === 2) roundTripped++
    else if (s === 1) lost++
    else if (s === 0) notRun++
  }
  const growthMb = endMb - warmupMb
  const problems: string[] = []
  if (lost > 0) problems.push(`${lost} messages lost`)
  if (altered > 0) problems.push(`${altered} messages altered`)
  if (untyped > 0) problems.push(`${untyped} untyped failures: ${untypedSamples.join('; ')}`)
  if (timedOut) problems.push(`stopped at the time limit (${timeLimitMs} ms)`)
  if (roundTripped + typedFailed + untyped + altered + lost + notRun !== messages)
    problems.push('the outcomes do not add up')
  if (growthMb > maxRssGrowthMb)
    problems.push(`RSS grew ${growthMb.toFixed(1)} MB after warm-up (bound ${maxRssGrowthMb} MB)`)
  return {
    messages,
    roundTripped,
    typedFailures: Object.fromEntries([...typed].sort(([a], [b]) => a.localeCompare(b))),
    typedFailed,
    untyped,
    untypedSamples,
    altered,
    lost,
    notRun,
    kms: { ...tally },
    faultsInjected,
    cache: { encryptHits: stats.encrypt.hits, decryptHits: stats.decrypt.hits },
    rss: { warmupMb, endMb, growthMb, peakMb },
    maxRssGrowthMb,
    timedOut,
    seconds: (Date.now() - start) / 1000,
    problems,
  }
}
