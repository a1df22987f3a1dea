// Header v1/v2: parse/serialize round trips against official messages and the spec layout, and typed refusal of bad fields.
import test, { ExecutionContext } from 'ava'
import { EsdkError, InvalidArgumentError, MalformedMessageError, UnsupportedError } from '../../lib/core/errors'
import { findSuite } from '../../lib/core/suites'
import { serializeContextEntries, serializedContextEntries } from '../../lib/format/encryption-context'
import {
  ContentType,
  EncryptedDataKey,
  HeaderParseResult,
  ParsedHeader,
  materialsKeyOf,
  parseHeader,
  planHeaderBody,
  serializeHeaderBody,
  writeHeaderBody,
} from '../../lib/format/header'
import { officialDecrypt, officialMessage } from './official-messages'
import { contextEntries, edkBytes, SAMPLE_EDK, u16, v1Header, v1HeaderBody, v2Header, v2HeaderBody } from './spec-bytes'

const NO_LIMIT = { maxEncryptedDataKeys: false as const }

function parsedOrFail(t: ExecutionContext, bytes: Buffer): ParsedHeader {
  const result: HeaderParseResult = parseHeader(bytes, NO_LIMIT)
  if (!result.done) {
    t.fail(`header incomplete: needs ${result.needMore} more bytes`)
    throw new Error('unreachable')
  }
  return result
}

const CONTEXT = { purpose: 'unit test', ключ: 'значение', '\u{1F600}': 'smile' }

for (const suiteId of [0x0046, 0x0178, 0x0378, 0x0478, 0x0578]) {
  test(`suite 0x${suiteId.toString(16).padStart(4, '0')}: an official message's header parses to the official fields and re-serializes to the same bytes`, async (t) => {
    const { bytes } = await officialMessage(suiteId, 'hello', { encryptionContext: CONTEXT, frameLength: 512 })
    const { header: oracle } = await officialDecrypt(bytes)
    const parsed = parsedOrFail(t, bytes)
    const { header } = parsed
    const suite = findSuite(suiteId)
    if (!suite) return t.fail('suite missing')

    t.is(header.version, oracle.version)
    t.is(header.version, suite.messageFormat)
    t.is(header.suiteId, oracle.suiteId)
    t.deepEqual(header.messageId, Buffer.from(oracle.messageId))
    t.deepEqual({ ...header.encryptionContext }, { ...oracle.encryptionContext })
    t.is(header.contentType, oracle.contentType)
    t.is(header.frameLength, 512)
    t.is(header.encryptedDataKeys.length, 2)
    header.encryptedDataKeys.forEach((edk, i) => {
      const o = oracle.encryptedDataKeys[i]
      if (!o) return t.fail(`official EDK ${i} missing`)
      t.is(edk.providerId, o.providerId)
      t.is(edk.providerInfo, o.providerInfo)
      t.deepEqual(Buffer.from(edk.encryptedDataKey), Buffer.from(o.encryptedDataKey))
      if (o.rawInfo) t.deepEqual(Buffer.from(edk.rawInfo), Buffer.from(o.rawInfo))
    })
    if (suite.messageFormat === 2) {
      if (!('suiteData' in oracle)) return t.fail('official v2 header without suite data')
      t.deepEqual(header.suiteData, Buffer.from(oracle.suiteData))
      t.is(header.type, undefined)
    } else {
      t.is(header.type, 0x80)
      t.is(header.suiteData, undefined)
    }

    // Header body is a verbatim slice; v1 stores IV ‖ tag after it, v2 only the tag.
    const authLength = suite.messageFormat === 1 ? 12 + 16 : 16
    t.deepEqual(parsed.headerBody, bytes.subarray(0, parsed.headerBody.length))
    t.is(parsed.headerLength, parsed.headerBody.length + authLength)
    t.deepEqual(parsed.headerAuthTag, bytes.subarray(parsed.headerLength - 16, parsed.headerLength))
    if (suite.messageFormat === 1) {
      t.deepEqual(parsed.headerIv, bytes.subarray(parsed.headerBody.length, parsed.headerBody.length + 12))
    } else {
      t.deepEqual(parsed.headerIv, Buffer.alloc(12))
    }

    const reserialized = serializeHeaderBody({
      suite,
      messageId: header.messageId,
      encryptionContext: header.encryptionContext,
      encryptedDataKeys: header.encryptedDataKeys,
      frameLength: header.frameLength,
      suiteData: header.suiteData,
    })
    t.deepEqual(reserialized, parsed.headerBody)
  })
}

const EDKS = [
  new EncryptedDataKey({ providerId: 'ns', providerInfo: 'name', encryptedDataKey: Buffer.alloc(48, 0xab) }),
  new EncryptedDataKey({
    providerId: 'raw',
    providerInfo: '',
    rawInfo: Buffer.from([0xff, 0x00, 0x80]),
    encryptedDataKey: Buffer.alloc(3, 1),
  }),
]

test('v1: serializeHeaderBody writes exactly the spec layout and parses back to the same fields', (t) => {
  const suite = findSuite(0x0346)
  if (!suite) return t.fail('suite missing')
  const messageId = Buffer.alloc(16, 0x77)
  const body = serializeHeaderBody({
    suite,
    messageId,
    encryptionContext: { b: '2', a: '1' },
    encryptedDataKeys: EDKS,
    frameLength: 1024,
  })
  const expected = v1HeaderBody({
    suiteId: 0x0346,
    messageId,
    aad: contextEntries([
      ['a', '1'],
      ['b', '2'],
    ]),
    edks: edkBytes([
      { providerId: 'ns', providerInfo: 'name', key: Buffer.alloc(48, 0xab) },
      { providerId: 'raw', providerInfo: Buffer.from([0xff, 0x00, 0x80]), key: Buffer.alloc(3, 1) },
    ]),
    frameLength: 1024,
  })
  t.deepEqual(body, expected)

  const parsed = parsedOrFail(t, Buffer.concat([body, Buffer.alloc(12, 5), Buffer.alloc(16, 6)]))
  t.is(parsed.header.version, 1)
  t.is(parsed.header.suiteId, 0x0346)
  t.deepEqual(parsed.header.messageId, messageId)
  t.deepEqual({ ...parsed.header.encryptionContext }, { a: '1', b: '2' })
  t.deepEqual(Buffer.from(parsed.header.encryptedDataKeys[1]?.rawInfo ?? []), Buffer.from([0xff, 0x00, 0x80]))
  t.is(parsed.header.frameLength, 1024)
  t.deepEqual(parsed.headerIv, Buffer.alloc(12, 5))
  t.deepEqual(parsed.headerAuthTag, Buffer.alloc(16, 6))
  t.is(parsed.headerLength, body.length + 28)
})

test('v2: serializeHeaderBody writes exactly the spec layout and parses back to the same fields', (t) => {
  const suite = findSuite(0x0578)
  if (!suite) return t.fail('suite missing')
  const messageId = Buffer.alloc(32, 0x78)
  const suiteData = Buffer.alloc(32, 0x5d)
  const body = serializeHeaderBody({
    suite,
    messageId,
    encryptionContext: {},
    encryptedDataKeys: EDKS,
    frameLength: 7,
    suiteData,
  })
  const expected = v2HeaderBody({
    suiteId: 0x0578,
    messageId,
    edks: edkBytes([
      { providerId: 'ns', providerInfo: 'name', key: Buffer.alloc(48, 0xab) },
      { providerId: 'raw', providerInfo: Buffer.from([0xff, 0x00, 0x80]), key: Buffer.alloc(3, 1) },
    ]),
    frameLength: 7,
    suiteData,
  })
  t.deepEqual(body, expected)
  const parsed = parsedOrFail(t, Buffer.concat([body, Buffer.alloc(16, 6)]))
  t.is(parsed.header.version, 2)
  t.deepEqual(parsed.header.suiteData, suiteData)
  t.deepEqual({ ...parsed.header.encryptionContext }, {})
  t.is(parsed.headerLength, body.length + 16)
})

test('a v2 header without 32 bytes of suite data cannot be serialized', (t) => {
  const suite = findSuite(0x0478)
  if (!suite) return t.fail('suite missing')
  const base = { suite, messageId: Buffer.alloc(32), encryptionContext: {}, encryptedDataKeys: EDKS, frameLength: 4096 }
  t.throws(() => serializeHeaderBody(base), { instanceOf: EsdkError })
  t.throws(() => serializeHeaderBody({ ...base, suiteData: Buffer.alloc(31) }), { instanceOf: EsdkError })
})

test('a header with no EDKs cannot be serialized', (t) => {
  const suite = findSuite(0x0178)
  if (!suite) return t.fail('suite missing')
  t.throws(
    () =>
      serializeHeaderBody({
        suite,
        messageId: Buffer.alloc(16),
        encryptionContext: {},
        encryptedDataKeys: [],
        frameLength: 4096,
      }),
    { instanceOf: EsdkError },
  )
})

test('a non-framed v1 header (content type 1, frame length 0) parses', (t) => {
  const parsed = parsedOrFail(t, v1Header({ contentType: 1, frameLength: 0 }))
  t.is(parsed.header.contentType, ContentType.NO_FRAMING)
  t.is(parsed.header.frameLength, 0)
})

function refused(
  t: ExecutionContext,
  bytes: Buffer,
  type: typeof MalformedMessageError | typeof UnsupportedError,
  what: string,
): void {
  const err = t.throws(() => parseHeader(bytes, NO_LIMIT), { instanceOf: type }, what)
  t.true(err instanceof EsdkError, what)
}

test('an unknown message format version is refused', (t) => {
  for (const version of [0, 3, 0x80, 0xff])
    refused(t, v1Header({ version }), MalformedMessageError, `version ${version}`)
})

test('v1: a message type other than 0x80 is refused', (t) => {
  for (const type of [0x00, 0x81, 0x7f])
    refused(t, v1Header({ type }), MalformedMessageError, `type 0x${type.toString(16)}`)
})

test('an unknown algorithm suite is refused as unsupported', (t) => {
  for (const suiteId of [0x0000, 0x0015, 0x0999, 0xffff]) {
    refused(t, v1Header({ suiteId }), UnsupportedError, `v1 suite 0x${suiteId.toString(16)}`)
    refused(t, v2Header({ suiteId }), UnsupportedError, `v2 suite 0x${suiteId.toString(16)}`)
  }
})

test('a suite in the wrong message format version is refused', (t) => {
  refused(t, v1Header({ suiteId: 0x0478 }), MalformedMessageError, 'committing suite in v1')
  refused(t, v2Header({ suiteId: 0x0178 }), MalformedMessageError, 'non-committing suite in v2')
})

test('an unknown content type is refused', (t) => {
  for (const contentType of [0, 3, 0xff]) {
    refused(t, v1Header({ contentType }), MalformedMessageError, `v1 content type ${contentType}`)
    refused(t, v2Header({ contentType }), MalformedMessageError, `v2 content type ${contentType}`)
  }
})

test('v1: non-zero reserved bytes are refused', (t) => {
  for (const r of [
    [0, 0, 0, 1],
    [0x80, 0, 0, 0],
    [0xff, 0xff, 0xff, 0xff],
  ]) {
    refused(
      t,
      v1Header({ reserved: Buffer.from(r) }),
      MalformedMessageError,
      `reserved ${Buffer.from(r).toString('hex')}`,
    )
  }
})

test('v1: an IV length other than 12 is refused', (t) => {
  for (const ivLength of [0, 11, 13, 16])
    refused(t, v1Header({ ivLength }), MalformedMessageError, `IV length ${ivLength}`)
})

test('a framed header with frame length 0 is refused', (t) => {
  refused(t, v1Header({ frameLength: 0 }), MalformedMessageError, 'v1')
  refused(t, v2Header({ frameLength: 0 }), MalformedMessageError, 'v2')
})

test('a non-framed header with a non-zero frame length is refused', (t) => {
  refused(t, v1Header({ contentType: 1, frameLength: 4096 }), MalformedMessageError, 'v1')
})

test('an EDK count of zero is refused', (t) => {
  refused(t, v1Header({ edks: edkBytes([]) }), MalformedMessageError, 'v1')
  refused(t, v2Header({ edks: edkBytes([]) }), MalformedMessageError, 'v2')
})

test('a header AAD with a zero context count is refused', (t) => {
  refused(t, v1Header({ aad: Buffer.from([0, 0]) }), MalformedMessageError, 'AAD length 2, count 0')
})

test('a header AAD with trailing bytes inside its declared length is refused', (t) => {
  refused(
    t,
    v1Header({ aad: Buffer.concat([serializeContextEntries({ a: 'b' }), Buffer.from([0])]) }),
    MalformedMessageError,
    'extra byte',
  )
})

test('an EDK provider id that is not UTF-8 is refused', (t) => {
  const edks = edkBytes([{ ...SAMPLE_EDK, providerId: Buffer.from([0xc3, 0x28]) }])
  refused(t, v1Header({ edks }), MalformedMessageError, 'provider id c3 28')
})

test('parsed fields are a private copy: changing the input afterwards changes nothing parsed or authenticated', (t) => {
  const suite = findSuite(0x0478)
  if (!suite) return t.fail('suite missing')
  const messageId = Buffer.alloc(32, 0x78)
  const suiteData = Buffer.alloc(32, 0x5d)
  const body = serializeHeaderBody({
    suite,
    messageId,
    encryptionContext: { b: '2', a: '1' },
    encryptedDataKeys: EDKS,
    frameLength: 7,
    suiteData,
  })
  const input = Buffer.concat([body, Buffer.alloc(16, 6), Buffer.alloc(40, 9)])
  const parsed = parsedOrFail(t, input)
  const before = Buffer.from(input.subarray(0, parsed.headerLength))
  input.fill(0xee)
  const { header } = parsed
  t.deepEqual(Buffer.concat([parsed.headerBody, parsed.headerAuthTag]), before)
  t.deepEqual(header.messageId, messageId)
  t.deepEqual(header.suiteData, suiteData)
  t.deepEqual(
    header.encryptedDataKeys.map((e) => Buffer.from(e.encryptedDataKey)),
    EDKS.map((e) => Buffer.from(e.encryptedDataKey)),
  )
  t.deepEqual(
    header.encryptedDataKeys.map((e) => Buffer.from(e.rawInfo)),
    EDKS.map((e) => Buffer.from(e.rawInfo)),
  )
  t.deepEqual({ ...header.encryptionContext }, { a: '1', b: '2' })
  // The context's remembered serialization (the keyring's AAD) is the private copy too.
  t.deepEqual(
    Buffer.from(serializedContextEntries(header.encryptionContext)),
    serializeContextEntries({ a: '1', b: '2' }),
  )
})

test('planHeaderBody: each EDK field and the EDK count may reach 65,535 and no further, checked before any output exists', (t) => {
  const suite = findSuite(0x0178)
  if (!suite) return t.fail('suite missing')
  const fields = (encryptedDataKeys: EncryptedDataKey[]) => ({
    suite,
    messageId: Buffer.alloc(16),
    encryptionContext: {},
    encryptedDataKeys,
    frameLength: 4096,
  })
  const edk = (providerId: string, rawInfo: Buffer, key: Buffer): EncryptedDataKey =>
    new EncryptedDataKey({ providerId, providerInfo: '', rawInfo, encryptedDataKey: key })
  const most = Buffer.alloc(0xffff, 1)
  const over = Buffer.alloc(0x10000, 1)
  const longestId = 'é'.repeat(32767) + 'x' // 65,535 UTF-8 bytes from 32,768 code units
  for (const fits of [
    edk(longestId, Buffer.alloc(1), Buffer.alloc(1)),
    edk('p', most, Buffer.alloc(1)),
    edk('p', Buffer.alloc(1), most),
  ]) {
    const body = serializeHeaderBody(fields([fits]))
    const parsed = parsedOrFail(t, Buffer.concat([body, Buffer.alloc(28)]))
    const back = parsed.header.encryptedDataKeys[0]
    t.is(back?.providerId, fits.providerId)
    t.deepEqual(Buffer.from(back?.rawInfo ?? []), Buffer.from(fits.rawInfo))
    t.deepEqual(Buffer.from(back?.encryptedDataKey ?? []), Buffer.from(fits.encryptedDataKey))
  }
  for (const tooLong of [
    edk(longestId + 'x', Buffer.alloc(1), Buffer.alloc(1)),
    edk('p', over, Buffer.alloc(1)),
    edk('p', Buffer.alloc(1), over),
  ])
    t.throws(() => planHeaderBody(fields([tooLong])), { instanceOf: MalformedMessageError })

  const small = edk('p', Buffer.alloc(1), Buffer.alloc(1))
  const plan = planHeaderBody(fields(new Array<EncryptedDataKey>(0xffff).fill(small)))
  t.is(plan.providerIdLengths.length, 0xffff)
  t.throws(() => planHeaderBody(fields(new Array<EncryptedDataKey>(0x10000).fill(small))), {
    instanceOf: MalformedMessageError,
  })
})

test('planHeaderBody refuses a context whose serialization exceeds 65,535 bytes and takes one of exactly 65,535', (t) => {
  const suite = findSuite(0x0178)
  if (!suite) return t.fail('suite missing')
  const fields = (value: string) => ({
    suite,
    messageId: Buffer.alloc(16),
    // count(2) + key length(2) + "k"(1) + value length(2): 7 bytes besides the value.
    encryptionContext: { k: value },
    encryptedDataKeys: EDKS,
    frameLength: 4096,
  })
  t.is(planHeaderBody(fields('v'.repeat(0xffff - 7))).aad.length, 0xffff)
  t.throws(() => planHeaderBody(fields('v'.repeat(0xffff - 6))), { instanceOf: InvalidArgumentError })
})

test('planHeaderBody refuses v2 fields without 32 bytes of suite data; writeHeaderBody refuses a plan made for other fields', (t) => {
  const v2 = findSuite(0x0478)
  if (!v2) return t.fail('suite missing')
  const fields = (suiteData: Buffer | undefined) => ({
    suite: v2,
    messageId: Buffer.alloc(32),
    encryptionContext: {},
    encryptedDataKeys: EDKS,
    frameLength: 4096,
    suiteData,
  })
  for (const suiteData of [undefined, Buffer.alloc(31), Buffer.alloc(33)])
    t.throws(() => planHeaderBody(fields(suiteData)), { instanceOf: MalformedMessageError })
  const plan = planHeaderBody(fields(Buffer.alloc(32)))
  const bigger = { ...fields(Buffer.alloc(32)), messageId: Buffer.alloc(40) }
  t.throws(() => writeHeaderBody(bigger, plan, Buffer.alloc(plan.size + 100)), {
    instanceOf: MalformedMessageError,
    message: /size mismatch/,
  })
  t.is(writeHeaderBody(fields(Buffer.alloc(32)), plan, Buffer.alloc(plan.size)), plan.size)
})

test('materialsKeyOf is the suite id, the context and the EDKs of the header body, and nothing else', (t) => {
  const aad = contextEntries([['purpose', 'materials key']])
  const edks = edkBytes([SAMPLE_EDK, { providerId: 'other', providerInfo: 'x', key: Buffer.alloc(5, 7) }])
  const expected = (suiteId: number): string =>
    Buffer.concat([u16(suiteId), u16(aad.length), aad, edks]).toString('latin1')
  const keyOf = (bytes: Buffer): string => materialsKeyOf(parsedOrFail(t, bytes))

  t.is(keyOf(v1Header({ suiteId: 0x0178, aad, edks })), expected(0x0178))
  t.is(keyOf(v2Header({ suiteId: 0x0478, aad, edks })), expected(0x0478))
  t.is(keyOf(v2Header({ suiteId: 0x0578, aad, edks })), expected(0x0578))
  // What does not decide the unwrap does not change the key: message id, frame length, suite data, tag, IV.
  t.is(
    keyOf(
      v2Header({
        suiteId: 0x0478,
        aad,
        edks,
        messageId: Buffer.alloc(32, 9),
        frameLength: 7,
        suiteData: Buffer.alloc(32, 1),
        tag: Buffer.alloc(16, 2),
      }),
    ),
    expected(0x0478),
  )
  t.is(
    keyOf(
      v1Header({
        suiteId: 0x0178,
        aad,
        edks,
        messageId: Buffer.alloc(16, 9),
        frameLength: 7,
        headerIv: Buffer.alloc(12, 3),
      }),
    ),
    expected(0x0178),
  )
})
