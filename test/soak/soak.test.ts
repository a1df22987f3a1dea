// The smoke of `npm run soak`: 2,000 messages through the caching CMM and the real KMS client against a stand-in
// injecting all four faults, with the full run's checks.
import test from 'ava'
import { runSoak } from './faults-soak'
import { parseArgs } from './soak'

test('2,000 messages under throttling, latency, 5xx and dropped connections: nothing lost, altered or untyped', async (t) => {
  // Without --expose-gc (ava's workers) and this short, RSS is noisy: the bound here is loose; `npm run soak` is the measure.
  const r = await runSoak({ messages: 2000, timeLimitMs: 120_000, warmup: 0.25, maxRssGrowthMb: 64 })
  t.log(JSON.stringify({ ...r, untypedSamples: undefined }))
  t.deepEqual(r.problems, [])
  t.is(r.lost, 0)
  t.is(r.notRun, 0)
  t.is(r.altered, 0)
  t.is(r.untyped, 0)
  t.is(r.roundTripped + r.typedFailed, 2000)
  t.true(r.roundTripped >= 1800, 'most messages survive the faults through the retries')
  // Every kind of fault was met, and the SDK's retries absorbed some of them.
  t.true(r.faultsInjected.throttle > 0)
  t.true(r.faultsInjected.serverError > 0)
  t.true(r.faultsInjected.dropConnection > 0)
  t.true(r.faultsInjected.latency > 0)
  t.true(r.kms.retriedThenOk > 0)
  t.true(r.kms.attempts > r.kms.calls)
  t.true(r.cache.encryptHits > 0 && r.cache.decryptHits > 0)
})

test('a typed failure is counted, not lost: a CMM whose KMS calls all fail', async (t) => {
  // All faults on every attempt: every message fails, each with a typed error.
  const r = await runSoak({ messages: 50, timeLimitMs: 60_000, maxRssGrowthMb: 1024, failEverything: true })
  t.is(r.lost, 0)
  t.is(r.untyped, 0)
  t.is(r.roundTripped, 0)
  t.is(r.typedFailed, 50)
  t.true(
    Object.keys(r.typedFailures).every((k) => k.startsWith('encrypt KmsError < ')),
    JSON.stringify(r.typedFailures),
  )
})

test('the soak CLI reads its options', (t) => {
  t.like(parseArgs([]), { messages: 1_000_000 })
  t.like(parseArgs(['--messages', '5000', '--time-limit', '60', '--max-rss-growth', '16']), {
    messages: 5000,
    timeLimitMs: 60_000,
    maxRssGrowthMb: 16,
  })
  t.throws(() => parseArgs(['--messages', '0']))
  t.throws(() => parseArgs(['--messages', '1.5']))
  t.throws(() => parseArgs(['--wat', '1']))
})
