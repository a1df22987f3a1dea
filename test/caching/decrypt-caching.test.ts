// Decrypt through the caching CMM: repeated decrypts of a message skip the keyring, entries are keyed by EDKs, context and reproduced context, and expire.
import test from 'ava'
import { AuthenticationError, InvalidArgumentError } from '../../lib/core/errors'
import { RequiredEncryptionContextCMM } from '../../lib/materials/required-context-cmm'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { TransparentKeyring } from '../materials/test-keyrings'
import { CountingKeyring, FORBID, FakeClock, client, rawAesKeyring } from './helpers'

function setup(clock = new FakeClock(), maxAge = 60_000, cacheClock = clock) {
  const keyring = new CountingKeyring()
  const cache = getLocalCryptographicMaterialsCache(100, undefined, { now: cacheClock.now })
  const cmm = new NodeCachingMaterialsManager({ backingMaterials: keyring, cache, maxAge, now: clock.now })
  return { keyring, cache, cmm, clock }
}

async function message(text: string, context: Record<string, string> = { purpose: 'decrypt-cache' }): Promise<Buffer> {
  return (await client().encrypt(rawAesKeyring(), Buffer.from(text), { encryptionContext: context })).result
}

test('the second decrypt of the same message makes no keyring call', async (t) => {
  const { keyring, cmm } = setup()
  const ciphertext = await message('hello')
  t.is((await client().decrypt(cmm, ciphertext)).plaintext.toString(), 'hello')
  t.is((await client().decrypt(cmm, ciphertext)).plaintext.toString(), 'hello')
  t.is(keyring.decryptCalls, 1)
  t.like(cmm.getStats().decrypt, { requests: 2, hits: 1, misses: 1 })
})

test('different messages (different data keys) are different entries', async (t) => {
  const { keyring, cmm } = setup()
  const a = await message('a')
  const b = await message('b')
  await client().decrypt(cmm, a)
  await client().decrypt(cmm, b)
  await client().decrypt(cmm, a)
  await client().decrypt(cmm, b)
  t.is(keyring.decryptCalls, 2)
})

test('messages encrypted from one cached entry share one decrypt entry (same EDKs and context)', async (t) => {
  const { keyring, cmm } = setup()
  const writer = new NodeCachingMaterialsManager({
    backingMaterials: rawAesKeyring(),
    cache: getLocalCryptographicMaterialsCache(10),
    maxAge: 60_000,
  })
  const ciphertexts = []
  for (let i = 0; i < 5; i++)
    ciphertexts.push((await client().encrypt(writer, Buffer.from(`m${i}`), { encryptionContext: { k: 'v' } })).result)
  for (const [i, c] of ciphertexts.entries()) t.is((await client().decrypt(cmm, c)).plaintext.toString(), `m${i}`)
  t.is(keyring.decryptCalls, 1)
})

test('encrypt and decrypt entries are separate: decrypting a message the manager just wrote calls the keyring', async (t) => {
  const { keyring, cmm } = setup()
  const { result } = await client().encrypt(cmm, Buffer.from('own'))
  await client().decrypt(cmm, result)
  t.is(keyring.encryptCalls, 1)
  t.is(keyring.decryptCalls, 1)
  await client().decrypt(cmm, result)
  t.is(keyring.decryptCalls, 1)
})

// The cache's own clock either moves with the manager's or stands still; in the second case only the manager's
// own age check can see that an entry is old.
for (const cacheClock of ['shared', 'frozen'] as const) {
  test(`decrypt entries expire after maxAge (fake clock, the cache's clock ${cacheClock})`, async (t) => {
    const clock = new FakeClock()
    const { keyring, cmm } = setup(clock, 1000, cacheClock === 'shared' ? clock : new FakeClock())
    const ciphertext = await message('old')
    await client().decrypt(cmm, ciphertext)
    clock.advance(999)
    await client().decrypt(cmm, ciphertext)
    t.is(keyring.decryptCalls, 1)
    clock.advance(1)
    t.is((await client().decrypt(cmm, ciphertext)).plaintext.toString(), 'old')
    t.is(keyring.decryptCalls, 2)
    t.is(cmm.getStats().evictions.expired, 1)
    t.like(cmm.getStats().decrypt, { misses: 2, hits: 1 })
  })
}

test('identity-KDF messages bypass the decrypt cache', async (t) => {
  const { keyring, cmm, cache } = setup()
  const { result } = await client(FORBID).encrypt(rawAesKeyring(), Buffer.from('id'), { suiteId: 0x0078 })
  await client(FORBID).decrypt(cmm, result)
  await client(FORBID).decrypt(cmm, result)
  t.is(keyring.decryptCalls, 2)
  t.is(cache.size, 0)
  t.is(cmm.getStats().bypasses.identityKdf, 2)
})

test('the reproduced encryption context is part of the entry: a mismatch is never served from the cache', async (t) => {
  const { keyring, cmm } = setup()
  const ciphertext = await message('ctx', { tenant: 'a' })
  t.is((await client().decrypt(cmm, ciphertext, { encryptionContext: { tenant: 'a' } })).plaintext.toString(), 'ctx')
  await t.throwsAsync(client().decrypt(cmm, ciphertext, { encryptionContext: { tenant: 'b' } }), {
    instanceOf: InvalidArgumentError,
  })
  t.is((await client().decrypt(cmm, ciphertext)).plaintext.toString(), 'ctx')
  t.is((await client().decrypt(cmm, ciphertext, { encryptionContext: { tenant: 'a' } })).plaintext.toString(), 'ctx')
  t.is(keyring.decryptCalls, 2, 'with {tenant: a}: one call; without: one call; the mismatch failed in the backing CMM')
})

test('required encryption context: a wrong or missing reproduced value still fails after a cached success', async (t) => {
  // Without the reproduced context in the identifier, the cached materials (which carry the right
  // value) would authenticate a caller who supplied the wrong one. The transparent keyring does not
  // bind the context, so only the header tag can catch the wrong value.
  const keyring = new CountingKeyring(new TransparentKeyring('required'))
  const required = new RequiredEncryptionContextCMM({ keyring, requiredEncryptionContextKeys: ['secret-tag'] })
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: required,
    cache: getLocalCryptographicMaterialsCache(10),
    maxAge: 60_000,
  })
  const { result } = await client().encrypt(required, Buffer.from('req'), {
    encryptionContext: { 'secret-tag': 'right', shown: 'yes' },
  })
  t.is(
    (await client().decrypt(cmm, result, { encryptionContext: { 'secret-tag': 'right' } })).plaintext.toString(),
    'req',
  )
  t.is(
    (await client().decrypt(cmm, result, { encryptionContext: { 'secret-tag': 'right' } })).plaintext.toString(),
    'req',
  )
  t.is(keyring.decryptCalls, 1)
  await t.throwsAsync(client().decrypt(cmm, result, { encryptionContext: { 'secret-tag': 'wrong' } }), {
    instanceOf: AuthenticationError,
  })
  await t.throwsAsync(client().decrypt(cmm, result), { instanceOf: InvalidArgumentError })
  t.is(keyring.decryptCalls, 2, 'the wrong value went to the backing CMM, the missing one was refused before it')
})
