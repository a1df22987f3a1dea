// Cache entry identifiers against bytes laid out by hand from caching-cmm.md v0.4.0 Appendix A, and the properties they must have.
import test from 'ava'
import { createHash } from 'node:crypto'
import { InvalidArgumentError } from '../../lib/core/errors'
import { EncryptedDataKey } from '../../lib/format/header'
import { checkPartition, decryptionCacheId, encryptionCacheId } from '../../lib/materials/caching/cache-id'
import { suite } from './helpers'

const sha384 = (hex: string): string =>
  createHash('sha384')
    .update(Buffer.from(hex.replace(/\s+/g, ''), 'hex'))
    .digest('base64')

// Context {a: "b"}: count 0001, key length 0001, "a", value length 0001, "b".
const CONTEXT_A_B = '0001 0001 61 0001 62'

test('encrypt, with suite: SHA384(01 00 01 00 partition 00 01 00 suite-id 00 context)', (t) => {
  const expected = sha384(`01 00 01 00 70 00 01 00 0478 00 ${CONTEXT_A_B}`)
  t.is(encryptionCacheId('p', suite(0x0478), { a: 'b' }), expected)
})

test('encrypt, without suite: SHA384(01 00 01 00 partition 00 00 00 context); an empty context is no bytes', (t) => {
  t.is(encryptionCacheId('p', undefined, { a: 'b' }), sha384(`01 00 01 00 70 00 00 00 ${CONTEXT_A_B}`))
  t.is(encryptionCacheId('p', undefined, {}), sha384('01 00 01 00 70 00 00 00'))
})

test('decrypt: SHA384(01 00 02 00 partition 00 suite-id 00 sorted serialized EDKs 00 context)', (t) => {
  // EDK: id length, id, info length, info, key length, key.
  const edkX = new EncryptedDataKey({ providerId: 'x', providerInfo: 'i', encryptedDataKey: Buffer.from([0xaa]) })
  const edkW = new EncryptedDataKey({ providerId: 'w', providerInfo: 'j', encryptedDataKey: Buffer.from([0xbb, 0xcc]) })
  const serializedX = '0001 78 0001 69 0001 aa'
  const serializedW = '0001 77 0001 6a 0002 bbcc'
  // Sorted byte-wise: "w..." (0x77) before "x..." (0x78).
  const expected = sha384(`01 00 02 00 70 00 0178 00 ${serializedW} ${serializedX} 00 ${CONTEXT_A_B}`)
  t.is(decryptionCacheId('p', suite(0x0178), [edkX, edkW], { a: 'b' }), expected)
  t.is(decryptionCacheId('p', suite(0x0178), [edkW, edkX], { a: 'b' }), expected, 'EDK order does not matter')
})

test('decrypt with a reproduced context (our extension): one more NUL-separated serialized context', (t) => {
  const edk = new EncryptedDataKey({ providerId: 'x', providerInfo: 'i', encryptedDataKey: Buffer.from([0xaa]) })
  const base = `01 00 02 00 70 00 0178 00 0001 78 0001 69 0001 aa 00 ${CONTEXT_A_B}`
  t.is(decryptionCacheId('p', suite(0x0178), [edk], { a: 'b' }, { a: 'b' }), sha384(`${base} 00 ${CONTEXT_A_B}`))
  t.is(decryptionCacheId('p', suite(0x0178), [edk], { a: 'b' }, {}), sha384(`${base} 00`))
  t.is(
    decryptionCacheId('p', suite(0x0178), [edk], { a: 'b' }),
    sha384(base),
    'without one, exactly the spec identifier',
  )
})

test('provider info is taken as its raw header bytes', (t) => {
  const raw = Buffer.from([0xff, 0x00, 0x80])
  const edk = new EncryptedDataKey({
    providerId: 'x',
    providerInfo: raw.toString('utf8'),
    rawInfo: raw,
    encryptedDataKey: Buffer.from([1]),
  })
  t.is(
    decryptionCacheId('p', suite(0x0178), [edk], {}),
    sha384('01 00 02 00 70 00 0178 00 0001 78 0003 ff0080 0001 01 00'),
  )
})

test('identifiers separate what must be separate', (t) => {
  const ctx = { a: 'b', c: 'd' }
  const ids = new Set([
    encryptionCacheId('p', undefined, ctx),
    encryptionCacheId('p', suite(0x0178), ctx),
    encryptionCacheId('p', suite(0x0378), ctx),
    encryptionCacheId('q', suite(0x0378), ctx),
    encryptionCacheId('p', suite(0x0378), { a: 'b' }),
    decryptionCacheId('p', suite(0x0378), [], ctx),
  ])
  t.is(ids.size, 6)
  t.is(
    encryptionCacheId('p', suite(0x0178), { c: 'd', a: 'b' }),
    encryptionCacheId('p', suite(0x0178), ctx),
    'context order does not matter',
  )
})

test('partitions must be non-empty and free of NUL (the field separator)', (t) => {
  t.throws(() => checkPartition(''), { instanceOf: InvalidArgumentError })
  t.throws(() => checkPartition('a\u0000b'), { instanceOf: InvalidArgumentError })
  t.notThrows(() => checkPartition('ünïcode partition'))
  t.is(encryptionCacheId('ü', undefined, {}), sha384('01 00 01 00 c3bc 00 00 00'), 'the partition is UTF-8 encoded')
})
