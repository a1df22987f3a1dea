// Encryption-context serialization and parsing: empty forms, UTF-8 key order, and refusal of malformed encodings (framework/structures.md "Serialization").
import test from 'ava'
import * as official from '@aws-crypto/client-node'
import { InvalidArgumentError, MalformedMessageError } from '../../lib/core/errors'
import {
  normalizeContext,
  parseContext,
  parseContextEntries,
  rememberSerializedContext,
  serializeContextEntries,
  serializeHeaderAad,
  serializedContextEntries,
} from '../../lib/format/encryption-context'
import { contextEntries, lv, u16 } from './spec-bytes'

function refusedAsMalformed(t: import('ava').ExecutionContext, bytes: Buffer, what: string): void {
  const err = t.throws(() => parseContextEntries(bytes), { instanceOf: MalformedMessageError }, what)
  t.is(err?.code, 'MALFORMED_MESSAGE', what)
}

test('an empty context is exactly 00 00 in header form and no bytes in entries form', (t) => {
  t.deepEqual(serializeHeaderAad({}), Buffer.from([0, 0]))
  t.is(serializeContextEntries({}).length, 0)
  t.deepEqual(parseContextEntries(Buffer.alloc(0)), {})
})

test('a one-pair context matches the spec layout byte for byte', (t) => {
  // count 1 | key length 1 | "a" | value length 1 | "b"
  t.is(serializeContextEntries({ a: 'b' }).toString('hex'), '0001' + '0001' + '61' + '0001' + '62')
  t.is(serializeHeaderAad({ a: 'b' }).toString('hex'), '0008' + '0001' + '0001' + '61' + '0001' + '62')
})

// Keys whose UTF-8 byte order differs from both localeCompare and UTF-16 code-unit order.
const MIXED = { a: '1', B: '2', '\uFFFD': '3', '\u{1F600}': '4', ab: '5' }
// Unsigned UTF-8 byte order: 42 < 61 < 61 62 < EF BF BD < F0 9F 98 80.
const MIXED_UTF8_ORDER = ['B', 'a', 'ab', '\uFFFD', '\u{1F600}'] as const

test('entries are sorted by the unsigned UTF-8 bytes of the keys', (t) => {
  // The orders this must not fall back to really differ for this context.
  t.notDeepEqual(Object.keys(MIXED).sort(), [...MIXED_UTF8_ORDER], 'UTF-16 order differs')
  t.notDeepEqual(
    Object.keys(MIXED).sort((x, y) => x.localeCompare(y)),
    [...MIXED_UTF8_ORDER],
    'locale order differs',
  )
  const expected = contextEntries(MIXED_UTF8_ORDER.map((k) => [k, MIXED[k]] as const))
  t.deepEqual(serializeContextEntries(MIXED), expected)
  t.deepEqual(serializeHeaderAad(MIXED), Buffer.concat([u16(expected.length), expected]))
})

test('the header AAD equals the bytes the official SDK writes for the same context', async (t) => {
  const key = Buffer.alloc(32, 9)
  const keyring = new official.RawAesKeyringNode({
    keyName: 'k',
    keyNamespace: 'ns',
    unencryptedMasterKey: key,
    wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  const client = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const { result } = await client.encrypt(keyring, 'x', {
    encryptionContext: MIXED,
    suiteId: official.AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
  })
  // v2: version(1) suite(2) message id(32), then the AAD with its uint16 length.
  const aadStart = 1 + 2 + 32
  const aadLength = result.readUInt16BE(aadStart)
  t.deepEqual(serializeHeaderAad(MIXED), result.subarray(aadStart, aadStart + 2 + aadLength))
})

test("'locale' order reproduces the legacy JS keyring order, which differs from UTF-8 order", (t) => {
  const ctx = { a: '1', B: '2' }
  t.deepEqual(
    serializeContextEntries(ctx, 'locale'),
    contextEntries([
      ['a', '1'],
      ['B', '2'],
    ]),
  )
  t.deepEqual(
    serializeContextEntries(ctx, 'utf8'),
    contextEntries([
      ['B', '2'],
      ['a', '1'],
    ]),
  )
})

test('parse inverts serialize, including non-ASCII and empty strings', (t) => {
  const ctx = { ...MIXED, '': 'empty key', 'empty value': '', ключ: 'значение' }
  const parsed = parseContextEntries(serializeContextEntries(ctx))
  t.deepEqual({ ...parsed }, ctx)
})

test('parse accepts entries that are not in UTF-8 order (legacy writers) and keeps every pair', (t) => {
  const parsed = parseContextEntries(
    contextEntries([
      ['b', '2'],
      ['a', '1'],
    ]),
  )
  t.deepEqual({ ...parsed }, { a: '1', b: '2' })
})

test('duplicate keys are refused', (t) => {
  refusedAsMalformed(
    t,
    contextEntries([
      ['k', '1'],
      ['k', '2'],
    ]),
    'same key and different values',
  )
  refusedAsMalformed(
    t,
    contextEntries([
      ['k', '1'],
      ['k', '1'],
    ]),
    'identical pairs',
  )
})

test('invalid UTF-8 in a key or a value is refused', (t) => {
  const invalid = [
    Buffer.from([0xc3, 0x28]), // bad continuation byte
    Buffer.from([0xed, 0xa0, 0x80]), // encoded UTF-16 surrogate
    Buffer.from([0xc0, 0xaf]), // overlong encoding of "/"
    Buffer.from([0xff]),
    Buffer.from([0xe2, 0x82]), // truncated sequence
  ]
  for (const bad of invalid) {
    refusedAsMalformed(t, contextEntries([[bad, 'v']]), `key ${bad.toString('hex')}`)
    refusedAsMalformed(t, contextEntries([['k', bad]]), `value ${bad.toString('hex')}`)
  }
})

test('a zero entry count is refused (an empty context has no count at all)', (t) => {
  refusedAsMalformed(t, Buffer.from([0, 0]), 'count 0')
})

test('every truncation of a valid encoding is refused', (t) => {
  const full = contextEntries([
    ['key', 'value'],
    ['k2', 'v2'],
  ])
  for (let n = 1; n < full.length; n++) refusedAsMalformed(t, full.subarray(0, n), `prefix of ${n} bytes`)
})

test('a count larger than the pairs present is refused', (t) => {
  refusedAsMalformed(t, contextEntries([['k', 'v']], 2), 'count 2, one pair')
})

test('trailing bytes after the declared entries are refused', (t) => {
  const full = contextEntries([['k', 'v']])
  refusedAsMalformed(t, Buffer.concat([full, Buffer.from([0])]), 'one extra zero byte')
  refusedAsMalformed(t, Buffer.concat([full, lv('k2'), lv('v2')]), 'a pair beyond the count')
})

test('a serialized context over 65535 bytes is refused in header form', (t) => {
  // A value of exactly 65535 bytes is a legal entry, but the whole AAD then exceeds the uint16 length.
  const big = { k: 'x'.repeat(0xffff) }
  t.is(serializeContextEntries(big).length, 2 + 2 + 1 + 2 + 0xffff)
  t.throws(() => serializeHeaderAad(big), { instanceOf: InvalidArgumentError })
  t.throws(() => serializeContextEntries({ k: 'x'.repeat(0x10000) }), { instanceOf: InvalidArgumentError })
})

test('caller contexts must map strings to strings', (t) => {
  t.throws(() => normalizeContext({ a: 1 }), { instanceOf: InvalidArgumentError })
  t.throws(() => normalizeContext(['a']), { instanceOf: InvalidArgumentError })
  t.throws(() => normalizeContext('a=b'), { instanceOf: InvalidArgumentError })
  t.deepEqual({ ...normalizeContext(undefined) }, {})
  t.deepEqual({ ...normalizeContext(null) }, {}, 'null is no context, as undefined is')
  t.deepEqual({ ...normalizeContext({ a: 'b' }) }, { a: 'b' })
})

test('parseContext says canonical only for the bytes serializeContextEntries writes, and serializedContextEntries then reuses them', (t) => {
  const sorted = contextEntries([
    ['B', '2'],
    ['a', '1'],
  ])
  const parsed = parseContext(sorted)
  t.true(parsed.canonical)
  t.true(Object.isFrozen(parsed.context))
  const kept = Buffer.from(sorted)
  rememberSerializedContext(parsed.context, kept)
  t.is(serializedContextEntries(parsed.context), kept)
  t.deepEqual(Buffer.from(serializedContextEntries(parsed.context)), serializeContextEntries(parsed.context))

  // Legacy (locale) order and a single pair.
  t.false(
    parseContext(
      contextEntries([
        ['a', '1'],
        ['B', '2'],
      ]),
    ).canonical,
  )
  t.true(parseContext(contextEntries([['only', 'one']])).canonical)
})

test('serializedContextEntries of a frozen context equals serializeContextEntries, and of an unfrozen one is made afresh', (t) => {
  const frozen = normalizeContext({ z: '1', a: '2', ключ: '3' })
  t.deepEqual(Buffer.from(serializedContextEntries(frozen)), serializeContextEntries(frozen))
  t.is(serializedContextEntries(frozen), serializedContextEntries(frozen))
  t.is(serializedContextEntries(normalizeContext({})).length, 0)
  const open: Record<string, string> = { a: '1' }
  const first = serializedContextEntries(open)
  open.b = '2'
  t.deepEqual(Buffer.from(serializedContextEntries(open)), serializeContextEntries(open))
  t.not(serializedContextEntries(open).length, first.length)
})

test('UTF-8 order where UTF-16 order disagrees: U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80, a surrogate pair in UTF-16)', (t) => {
  const ctx = { '\u{1F600}': 'emoji', '\uFF21': 'fullwidth A', a: 'ascii' }
  t.deepEqual(
    serializeContextEntries(ctx),
    contextEntries([
      ['a', 'ascii'],
      ['\uFF21', 'fullwidth A'],
      ['\u{1F600}', 'emoji'],
    ]),
  )
  t.true(parseContext(serializeContextEntries(ctx)).canonical)
})

test('keys with no order-sensitive code unit are still sorted, whatever order the caller gave them in', (t) => {
  const ctx = { zeta: '1', ключ: '2', alpha: '3' }
  t.deepEqual(
    serializeContextEntries(ctx),
    contextEntries([
      ['alpha', '3'],
      ['zeta', '1'],
      ['ключ', '2'],
    ]),
  )
})

test('UTF-8 order when every key is order-sensitive: U+FF21 before U+1F600 even with no ASCII key beside them', (t) => {
  // In UTF-16 U+1F600 (D83D DE00) sorts first; in UTF-8 bytes U+FF21 (EF BC A1) does.
  const ctx = { '\u{1F600}': 'emoji', '\uFF21': 'fullwidth A' }
  t.deepEqual(
    serializeContextEntries(ctx),
    contextEntries([
      ['\uFF21', 'fullwidth A'],
      ['\u{1F600}', 'emoji'],
    ]),
  )
})

test("'locale' order sorts keys the caller gave in another order", (t) => {
  // Neither the insertion order (B, a) nor UTF-8 order (B, a) is the locale order (a, B).
  t.deepEqual(
    serializeContextEntries({ B: '2', a: '1' }, 'locale'),
    contextEntries([
      ['a', '1'],
      ['B', '2'],
    ]),
  )
})

test('a leading U+FEFF (byte order mark) in a key or a value is kept, short or long', (t) => {
  for (const tail of ['k', 'k'.repeat(100), 'ключ'.repeat(30)]) {
    const ctx = { ['\uFEFF' + tail]: '\uFEFF' + tail, plain: '\uFEFF' }
    const parsed = parseContextEntries(serializeContextEntries(ctx))
    t.deepEqual({ ...parsed }, ctx, `tail of ${tail.length}`)
  }
})

test('invalid UTF-8 longer than the ASCII fast path is refused too', (t) => {
  // 100 ASCII bytes then a bad continuation byte: past the short-string path, so the strict decoder decides.
  const bad = Buffer.concat([Buffer.alloc(100, 0x61), Buffer.from([0xc3, 0x28])])
  refusedAsMalformed(t, contextEntries([[bad, 'v']]), 'long key')
  refusedAsMalformed(t, contextEntries([['k', bad]]), 'long value')
})

test('the entries form takes up to 65,535 pairs and refuses 65,536', (t) => {
  const ctx = (n: number): Record<string, string> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [i.toString(36), ''] as const))
  const most = serializeContextEntries(ctx(0xffff))
  t.is(most.readUInt16BE(0), 0xffff)
  t.is(Object.keys(parseContextEntries(most)).length, 0xffff)
  t.throws(() => serializeContextEntries(ctx(0x10000)), { instanceOf: InvalidArgumentError })
})

test('a key or a value of 65,535 UTF-8 bytes serializes; one byte more is refused', (t) => {
  const longest = 'é'.repeat(32767) + 'x' // 65,535 bytes
  t.is(Buffer.byteLength(longest), 0xffff)
  for (const ctx of [{ [longest]: 'v' }, { k: longest }])
    t.deepEqual({ ...parseContextEntries(serializeContextEntries(ctx)) }, ctx)
  const over = longest + 'x'
  t.throws(() => serializeContextEntries({ [over]: 'v' }), { instanceOf: InvalidArgumentError })
  t.throws(() => serializeContextEntries({ k: over }), { instanceOf: InvalidArgumentError })
})

test('the header form takes a serialized context of exactly 65,535 bytes and refuses 65,536', (t) => {
  // count(2) + key length(2) + "k"(1) + value length(2) + value: 7 bytes besides the value.
  const fits = { k: 'v'.repeat(0xffff - 7) }
  const aad = serializeHeaderAad(fits)
  t.is(aad.readUInt16BE(0), 0xffff)
  t.is(aad.length, 2 + 0xffff)
  t.throws(() => serializeHeaderAad({ k: 'v'.repeat(0xffff - 6) }), { instanceOf: InvalidArgumentError })
})

test('a value that is not a string is refused by the serializer itself, not only by normalizeContext', (t) => {
  const bad = { a: 'fine', b: 7 } as unknown as Record<string, string>
  t.throws(() => serializeContextEntries(bad), { instanceOf: InvalidArgumentError, message: /"b"/ })
})

test('a parsed "__proto__" key is an own, enumerable, writable data property like every other key', (t) => {
  const parsed = parseContextEntries(
    contextEntries([
      ['__proto__', 'p'],
      ['a', 'x'],
    ]),
  )
  const plain = { enumerable: true, writable: true, configurable: true }
  t.deepEqual(Object.getOwnPropertyDescriptor(parsed, '__proto__'), { value: 'p', ...plain })
  t.deepEqual(Object.getOwnPropertyDescriptor(parsed, 'a'), { value: 'x', ...plain })
  t.is(Object.getPrototypeOf(parsed), Object.prototype)
  t.deepEqual(Object.keys(parsed), ['__proto__', 'a'])
})
