// Materials own their data key: set once, exact length, copied from the caller, wiped for good by zeroUnencryptedDataKey.
import test from 'ava'
import { BadStateError, InvalidArgumentError } from '../../lib/core/errors'
import { findSuite } from '../../lib/core/suites'
import { EncryptedDataKey } from '../../lib/format/header'
import { NodeDecryptionMaterial, NodeEncryptionMaterial, ensureDataKey } from '../../lib/materials/materials'
import { generateSigningKey } from '../../lib/materials/signature-keys'

const SUITE_16 = findSuite(0x0114)
const SUITE_32 = findSuite(0x0578)

function makers(): Array<[string, () => NodeEncryptionMaterial | NodeDecryptionMaterial]> {
  if (!SUITE_16 || !SUITE_32) throw new Error('suites missing')
  const s = SUITE_32
  return [
    ['encryption', () => new NodeEncryptionMaterial(s, {})],
    ['decryption', () => new NodeDecryptionMaterial(s, {})],
  ]
}

for (const [kind, make] of makers()) {
  test(`${kind} material: reading a key that was never set is a BadStateError`, (t) => {
    const m = make()
    t.false(m.hasUnencryptedDataKey)
    const err = t.throws(() => m.getUnencryptedDataKey(), { instanceOf: BadStateError })
    t.is(err?.code, 'BAD_STATE')
  })

  test(`${kind} material: the key can be set once only`, (t) => {
    const m = make()
    m.setUnencryptedDataKey(Buffer.alloc(32, 1))
    t.true(m.hasUnencryptedDataKey)
    t.throws(() => m.setUnencryptedDataKey(Buffer.alloc(32, 2)), { instanceOf: BadStateError })
    t.deepEqual(m.getUnencryptedDataKey(), Buffer.alloc(32, 1))
  })

  test(`${kind} material: a key of the wrong length for the suite is refused`, (t) => {
    for (const n of [0, 16, 24, 31, 33, 64]) {
      const m = make()
      t.throws(() => m.setUnencryptedDataKey(Buffer.alloc(n, 1)), { instanceOf: InvalidArgumentError }, `${n} bytes`)
      t.false(m.hasUnencryptedDataKey)
    }
  })

  test(`${kind} material: the key is a private copy of the caller's bytes`, (t) => {
    const m = make()
    const callerBytes = Buffer.alloc(32, 7)
    m.setUnencryptedDataKey(callerBytes)
    callerBytes.fill(0)
    t.deepEqual(m.getUnencryptedDataKey(), Buffer.alloc(32, 7))
  })

  test(`${kind} material: after zeroing, the old buffer is all zeros and the key can be neither read nor set`, (t) => {
    const m = make()
    m.setUnencryptedDataKey(Buffer.alloc(32, 9))
    const held = m.getUnencryptedDataKey()
    m.zeroUnencryptedDataKey()
    t.deepEqual(held, Buffer.alloc(32, 0), 'the owned buffer was wiped in place')
    t.false(m.hasUnencryptedDataKey)
    const err = t.throws(() => m.getUnencryptedDataKey(), { instanceOf: BadStateError })
    t.is(err?.code, 'BAD_STATE')
    t.throws(() => m.setUnencryptedDataKey(Buffer.alloc(32, 9)), { instanceOf: BadStateError })
    t.notThrows(() => m.zeroUnencryptedDataKey(), 'zeroing twice is harmless')
  })
}

test('the encryption context on materials is a frozen copy', (t) => {
  if (!SUITE_32) return t.fail('suite missing')
  const ctx: Record<string, string> = { a: '1' }
  const m = new NodeEncryptionMaterial(SUITE_32, ctx)
  ctx.a = '2'
  t.is(m.encryptionContext.a, '1')
  t.true(Object.isFrozen(m.encryptionContext))
})

test('ensureDataKey fills a random key of the suite length, once', (t) => {
  if (!SUITE_16) return t.fail('suite missing')
  const a = new NodeEncryptionMaterial(SUITE_16, {})
  const b = new NodeEncryptionMaterial(SUITE_16, {})
  ensureDataKey(a)
  ensureDataKey(b)
  t.is(a.getUnencryptedDataKey().length, 16)
  t.notDeepEqual(a.getUnencryptedDataKey(), b.getUnencryptedDataKey())
  const before = Buffer.from(a.getUnencryptedDataKey())
  ensureDataKey(a)
  t.deepEqual(a.getUnencryptedDataKey(), before, 'an existing key is kept')
})

test('only EncryptedDataKey instances are accepted as EDKs; the signature key is set once', (t) => {
  if (!SUITE_32) return t.fail('suite missing')
  const m = new NodeEncryptionMaterial(SUITE_32, {})
  const fake = { providerId: 'p', providerInfo: 'i', encryptedDataKey: Buffer.alloc(1) } as unknown as EncryptedDataKey
  t.throws(() => m.addEncryptedDataKey(fake), { instanceOf: InvalidArgumentError })
  m.addEncryptedDataKey(new EncryptedDataKey({ providerId: 'p', providerInfo: 'i', encryptedDataKey: Buffer.alloc(1) }))
  t.is(m.encryptedDataKeys.length, 1)
  const spec = SUITE_32.signature
  if (!spec) return t.fail('0x0578 signs')
  m.setSignatureKey(generateSigningKey(spec))
  t.throws(() => m.setSignatureKey(generateSigningKey(spec)), { instanceOf: BadStateError })
})
