// Regional client suppliers: getClient's config and per-region cache, limitRegions, excludeRegions, and cacheClients keeping a client only once its region answered.
import test from 'ava'
import { InvalidArgumentError } from '../../lib/core/errors'
import { cacheClients, excludeRegions, getClient, limitRegions } from '../../lib/materials/kms/client-supplier'
import { callKms } from '../../lib/materials/kms/kms-client'
import { FakeKms, keyArn, named } from './fake-kms'

const REQUEST = { KeyId: keyArn('us-west-2', 'k'), NumberOfBytes: 32, EncryptionContext: {} }

test('getClient builds new KMSClient({ ...defaultConfig, region }) and leaves region out for ""', (t) => {
  const configs: unknown[] = []
  class Client extends FakeKms {
    constructor(config: { region?: string; endpoint?: string }) {
      super(config.region ?? 'default')
      configs.push(config)
    }
  }
  const defaults = { endpoint: 'http://127.0.0.1:1', region: 'fallback' }
  const supplier = getClient(Client, defaults)
  supplier('eu-west-1')
  supplier('')
  t.deepEqual(configs, [
    { endpoint: 'http://127.0.0.1:1', region: 'eu-west-1' },
    { endpoint: 'http://127.0.0.1:1', region: 'fallback' },
  ])
  t.deepEqual(defaults, { endpoint: 'http://127.0.0.1:1', region: 'fallback' }, 'the caller’s config is not modified')
  t.throws(() => getClient(undefined as unknown as typeof Client), { instanceOf: InvalidArgumentError })
})

test('getClient caches one client per region once that region answered', async (t) => {
  let built = 0
  class Client extends FakeKms {
    constructor(config: { region?: string }) {
      super(config.region)
      built++
    }
  }
  const supplier = getClient(Client, {})
  const first = supplier('us-west-2')
  if (!first) return t.fail()
  t.not(supplier('us-west-2'), first, 'not cached before any answer')
  await callKms(first, 'GenerateDataKey', REQUEST)
  const cached = supplier('us-west-2')
  t.is(cached, first)
  t.is(supplier('us-west-2'), first)
  t.is(built, 2)
})

test('cacheClients: a service error (HTTP status) counts as an answer, a network error does not', async (t) => {
  let n = 0
  const made: FakeKms[] = []
  const supplier = cacheClients((region) => {
    n++
    const c = new FakeKms(region)
    made.push(c)
    return c
  })
  const network = supplier('us-east-1') as FakeKms
  network.bend = () => {
    throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
  }
  await t.throwsAsync(callKms(network, 'GenerateDataKey', REQUEST))
  const next = supplier('us-east-1') as FakeKms
  t.not(next, network, 'an unreachable region is not cached')
  next.bend = () => {
    throw named('NotFoundException', 'no such key', 400)
  }
  await t.throwsAsync(callKms(next, 'GenerateDataKey', REQUEST))
  t.is(supplier('us-east-1'), next, 'a region whose KMS answered with an error is live and cached')
  t.is(n, 2)
})

test('cacheClients caches refusals; limitRegions and excludeRegions refuse without building a client', (t) => {
  const asked: string[] = []
  const base = (region: string): FakeKms => {
    asked.push(region)
    return new FakeKms(region)
  }
  const limited = limitRegions(['us-west-2'], base)
  t.false(limited('eu-west-1'))
  t.truthy(limited('us-west-2'))
  const excluded = excludeRegions(['us-west-2'], base)
  t.false(excluded('us-west-2'))
  t.truthy(excluded('eu-west-1'))
  t.deepEqual(asked, ['us-west-2', 'eu-west-1'])
  let calls = 0
  const cached = cacheClients(() => {
    calls++
    return false
  })
  t.false(cached('x'))
  t.false(cached('x'))
  t.is(calls, 1)
  for (const bad of [[''], [1 as unknown as string], 'us-west-2' as unknown as string[]]) {
    t.throws(() => limitRegions(bad, base), { instanceOf: InvalidArgumentError })
    t.throws(() => excludeRegions(bad, base), { instanceOf: InvalidArgumentError })
  }
})
