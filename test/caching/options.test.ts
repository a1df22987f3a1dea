// Caching CMM options: the official names, their bounds and defaults, keyring wrapping, and partitions.
import test from 'ava'
import { InvalidArgumentError } from '../../lib/core/errors'
import { NodeDefaultCryptographicMaterialsManager } from '../../lib/materials/default-cmm'
import { NodeMaterialsManager } from '../../lib/materials/keyring'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import {
  CachingMaterialsManagerInput,
  MAX_BYTES_ENCRYPTED,
  MAX_MESSAGES_ENCRYPTED,
} from '../../lib/materials/caching/options'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { CountingKeyring, client, rawAesKeyring } from './helpers'

const base = (): CachingMaterialsManagerInput => ({
  backingMaterials: rawAesKeyring(),
  cache: getLocalCryptographicMaterialsCache(10),
  maxAge: 1000,
})

/** Builds with `patch` applied, bypassing the static types the way a JavaScript caller could. */
function build(patch: Record<string, unknown>): NodeCachingMaterialsManager {
  return new NodeCachingMaterialsManager({ ...base(), ...patch } as unknown as CachingMaterialsManagerInput)
}

test('defaults: 2^32 messages, Number.MAX_SAFE_INTEGER bytes (2^63-1 is beyond exact JS numbers), a random UUID partition', (t) => {
  const a = new NodeCachingMaterialsManager(base())
  const b = new NodeCachingMaterialsManager(base())
  t.is(a.maxMessagesEncrypted, 2 ** 32)
  t.is(MAX_MESSAGES_ENCRYPTED, 2 ** 32)
  t.is(a.maxBytesEncrypted, Number.MAX_SAFE_INTEGER)
  t.is(MAX_BYTES_ENCRYPTED, 2 ** 53 - 1)
  t.regex(a.partition, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  t.not(a.partition, b.partition)
  t.is(a.maxAge, 1000)
})

test('maxAge is required and must be a positive number of milliseconds', (t) => {
  for (const maxAge of [undefined, 0, -1, Number.NaN, Infinity, '1000']) {
    t.throws(() => build({ maxAge }), { instanceOf: InvalidArgumentError }, String(maxAge))
  }
})

test('maxBytesEncrypted: 1 to Number.MAX_SAFE_INTEGER', (t) => {
  for (const maxBytesEncrypted of [0, -1, 1.5, 2 ** 53, 2 ** 63, Number.NaN]) {
    t.throws(() => build({ maxBytesEncrypted }), { instanceOf: InvalidArgumentError }, String(maxBytesEncrypted))
  }
  t.is(build({ maxBytesEncrypted: 1 }).maxBytesEncrypted, 1)
  t.is(build({ maxBytesEncrypted: Number.MAX_SAFE_INTEGER }).maxBytesEncrypted, Number.MAX_SAFE_INTEGER)
})

test('maxMessagesEncrypted: 1 to 2^32', (t) => {
  for (const maxMessagesEncrypted of [0, -1, 2.5, 2 ** 32 + 1]) {
    t.throws(() => build({ maxMessagesEncrypted }), { instanceOf: InvalidArgumentError }, String(maxMessagesEncrypted))
  }
  t.is(build({ maxMessagesEncrypted: 2 ** 32 }).maxMessagesEncrypted, 2 ** 32)
})

test('cache, backingMaterials and partition are checked', (t) => {
  t.throws(() => build({ cache: undefined }), { instanceOf: InvalidArgumentError })
  t.throws(() => build({ cache: {} }), { instanceOf: InvalidArgumentError })
  t.throws(() => build({ backingMaterials: undefined }), { instanceOf: InvalidArgumentError })
  t.throws(() => build({ backingMaterials: { onEncrypt: 1 } }), { instanceOf: InvalidArgumentError })
  t.throws(() => build({ partition: '' }), { instanceOf: InvalidArgumentError })
  t.throws(() => build({ partition: 'a\u0000b' }), { instanceOf: InvalidArgumentError })
  t.throws(() => build({ partition: 42 }), { instanceOf: InvalidArgumentError })
  t.throws(() => build({ now: 5 }), { instanceOf: InvalidArgumentError })
})

test('a keyring is wrapped in a default CMM; a CMM is used as is', (t) => {
  t.true(
    new NodeCachingMaterialsManager(base()).backingMaterialsManager instanceof NodeDefaultCryptographicMaterialsManager,
  )
  const cmm: NodeMaterialsManager = new NodeDefaultCryptographicMaterialsManager(rawAesKeyring())
  t.is(build({ backingMaterials: cmm }).backingMaterialsManager, cmm)
})

test('managers on one cache share entries only when they share a partition', async (t) => {
  const cache = getLocalCryptographicMaterialsCache(10)
  const keyring = new CountingKeyring()
  const a = new NodeCachingMaterialsManager({ backingMaterials: keyring, cache, maxAge: 60_000, partition: 'shared' })
  const b = new NodeCachingMaterialsManager({ backingMaterials: keyring, cache, maxAge: 60_000, partition: 'shared' })
  const c = new NodeCachingMaterialsManager({ backingMaterials: keyring, cache, maxAge: 60_000 })
  await client().encrypt(a, Buffer.from('x'))
  await client().encrypt(b, Buffer.from('x'))
  t.is(keyring.encryptCalls, 1, 'same partition: one entry')
  await client().encrypt(c, Buffer.from('x'))
  t.is(keyring.encryptCalls, 2, 'default partition: its own entries')
  t.is(cache.size, 2)
})

test('the manager is frozen', (t) => {
  const cmm = new NodeCachingMaterialsManager(base())
  t.true(Object.isFrozen(cmm))
})
