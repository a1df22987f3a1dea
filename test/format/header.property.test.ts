// Property tests of the header parser over generated headers: exact round trips, "need more" as a result at every cut, and only typed errors for any mutation.
import test from 'ava'
import fc from 'fast-check'
import { EsdkError } from '../../lib/core/errors'
import { ALL_SUITES, AlgorithmSuite } from '../../lib/core/suites'
import { EncryptedDataKey, HeaderParseResult, parseHeader, serializeHeaderBody } from '../../lib/format/header'
import { contextEntries, edkBytes, EdkSpec, v1Header, v2Header } from './spec-bytes'
import { FC_RUNS, mutated, mutations } from './properties'

/** What a generated header holds, built with the spec layouts in spec-bytes.ts (not lib/format). */
interface HeaderModel {
  readonly suite: AlgorithmSuite
  readonly messageId: Buffer
  /** Pairs in UTF-8 byte order of their keys, keys distinct. */
  readonly context: ReadonlyArray<readonly [string, string]>
  readonly edks: readonly EdkSpec[]
  readonly framed: boolean
  readonly frameLength: number
  readonly suiteData: Buffer
  readonly headerIv: Buffer
  readonly tag: Buffer
}

const text = fc.string({ unit: 'binary', maxLength: 12 })

function contextArbitrary(): fc.Arbitrary<ReadonlyArray<readonly [string, string]>> {
  return fc
    .uniqueArray(fc.tuple(text, text), { maxLength: 5, selector: ([k]) => k })
    .map((pairs) => [...pairs].sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))))
}

const edk: fc.Arbitrary<EdkSpec> = fc.record({
  providerId: text,
  providerInfo: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
  key: fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)),
})

export const headerModel: fc.Arbitrary<HeaderModel> = fc
  .record({
    suite: fc.constantFrom(...ALL_SUITES),
    idSeed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    context: contextArbitrary(),
    edks: fc.array(edk, { minLength: 1, maxLength: 4 }),
    framed: fc.boolean(),
    frameLength: fc.integer({ min: 1, max: 0xffffffff }),
    suiteData: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    headerIv: fc.uint8Array({ minLength: 12, maxLength: 12 }),
    tag: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  })
  .map((r) => ({
    suite: r.suite,
    messageId: Buffer.from(r.idSeed).subarray(0, r.suite.messageIdLength),
    context: r.context,
    edks: r.edks,
    framed: r.framed,
    frameLength: r.framed ? r.frameLength : 0,
    suiteData: Buffer.from(r.suiteData),
    headerIv: Buffer.from(r.headerIv),
    tag: Buffer.from(r.tag),
  }))

export function headerBytes(m: HeaderModel): Buffer {
  const aad = m.context.length === 0 ? Buffer.alloc(0) : contextEntries(m.context)
  const common = {
    suiteId: m.suite.id,
    messageId: m.messageId,
    aad,
    edks: edkBytes(m.edks),
    contentType: m.framed ? 2 : 1,
    frameLength: m.frameLength,
    tag: m.tag,
  }
  return m.suite.messageFormat === 2
    ? v2Header({ ...common, suiteData: m.suiteData })
    : v1Header({ ...common, headerIv: m.headerIv })
}

const NO_LIMIT = { maxEncryptedDataKeys: false } as const

function parseOrError(
  bytes: Buffer,
  limits: { maxEncryptedDataKeys: number | false } = NO_LIMIT,
): HeaderParseResult | EsdkError {
  try {
    return parseHeader(bytes, limits)
  } catch (e) {
    if (e instanceof EsdkError) return e
    throw new Error(
      `parseHeader threw a non-EsdkError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
      { cause: e },
    )
  }
}

const HEADER_ERRORS = new Set(['MALFORMED_MESSAGE', 'UNSUPPORTED', 'LIMIT_EXCEEDED'])

test('a generated header parses to exactly its fields, views into a private copy, and serializes back to the same body (framed)', (t) => {
  fc.assert(
    fc.property(headerModel, fc.uint8Array({ maxLength: 20 }), (m, after) => {
      const bytes = headerBytes(m)
      const input = Buffer.concat([bytes, after])
      const parsed = parseHeader(input, NO_LIMIT)
      if (!parsed.done) return false
      const h = parsed.header
      const v2 = m.suite.messageFormat === 2
      const expectedEdks = m.edks.map((e) => [
        Buffer.from(e.providerId as string, 'utf8').toString('hex'),
        Buffer.from(e.providerInfo).toString('hex'),
        e.key.toString('hex'),
      ])
      const ok =
        parsed.headerLength === bytes.length &&
        parsed.headerBytes.equals(bytes) &&
        parsed.headerBody.equals(bytes.subarray(0, bytes.length - (v2 ? 16 : 28))) &&
        parsed.headerAuthTag.equals(m.tag) &&
        (v2 ? parsed.headerIv.equals(Buffer.alloc(12)) : parsed.headerIv.equals(m.headerIv)) &&
        h.version === m.suite.messageFormat &&
        h.suiteId === m.suite.id &&
        h.messageId.equals(m.messageId) &&
        h.contentType === (m.framed ? 2 : 1) &&
        h.frameLength === m.frameLength &&
        (v2 ? h.suiteData?.equals(m.suiteData) === true : h.suiteData === undefined) &&
        JSON.stringify(Object.entries(h.encryptionContext)) === JSON.stringify(m.context) &&
        JSON.stringify(
          h.encryptedDataKeys.map((e) => [
            Buffer.from(e.providerId, 'utf8').toString('hex'),
            Buffer.from(e.rawInfo).toString('hex'),
            Buffer.from(e.encryptedDataKey).toString('hex'),
          ]),
        ) === JSON.stringify(expectedEdks)
      if (!ok) return false
      // Nothing returned aliases the caller's bytes: scribbling over them changes nothing parsed.
      const before = parsed.headerBytes.toString('hex')
      input.fill(0x5a)
      if (parsed.headerBytes.toString('hex') !== before || !h.messageId.equals(m.messageId)) return false
      // lib's serializer writes the same header body (it writes framed headers only).
      if (!m.framed) return true
      const again = serializeHeaderBody({
        suite: m.suite,
        messageId: m.messageId,
        encryptionContext: Object.fromEntries(m.context),
        encryptedDataKeys: m.edks.map(
          (e) =>
            new EncryptedDataKey({
              providerId: e.providerId as string,
              providerInfo: '',
              rawInfo: Buffer.from(e.providerInfo),
              encryptedDataKey: e.key,
            }),
        ),
        frameLength: m.frameLength,
        suiteData: v2 ? m.suiteData : undefined,
      })
      return again.equals(parsed.headerBody)
    }),
    { numRuns: FC_RUNS.parser },
  )
  t.pass()
})

test('every cut of a generated header is "need more" (a result, never an error) with an honest lower bound', (t) => {
  fc.assert(
    fc.property(headerModel, fc.nat(), (m, seed) => {
      const bytes = headerBytes(m)
      // Every cut of short headers; a spread of cuts for long ones.
      const cuts =
        bytes.length <= 200
          ? [...Array(bytes.length).keys()]
          : [
              0,
              1,
              2,
              3,
              bytes.length - 1,
              bytes.length - 17,
              ...Array.from({ length: 60 }, (_, i) => (seed + i * 7919) % bytes.length),
            ]
      for (const n of cuts) {
        const r = parseHeader(bytes.subarray(0, n), NO_LIMIT)
        if (r.done || r.needMore < 1 || n + r.needMore > bytes.length) return false
      }
      return true
    }),
    { numRuns: FC_RUNS.parser },
  )
  t.pass()
})

test('a header with more EDKs than the limit fails LIMIT_EXCEEDED as soon as the count is read, before any EDK', (t) => {
  fc.assert(
    fc.property(headerModel, fc.integer({ min: 1, max: 3 }), (m, limit) => {
      fc.pre(m.edks.length > limit)
      const bytes = headerBytes(m)
      const countAt =
        (m.suite.messageFormat === 2 ? 3 : 4) +
        m.suite.messageIdLength +
        2 +
        bytes.readUInt16BE((m.suite.messageFormat === 2 ? 3 : 4) + m.suite.messageIdLength)
      for (const n of [countAt + 2, bytes.length]) {
        const r = parseOrError(bytes.subarray(0, n), { maxEncryptedDataKeys: limit })
        if (!(r instanceof EsdkError) || r.code !== 'LIMIT_EXCEEDED') return false
      }
      return true
    }),
    { numRuns: FC_RUNS.parser },
  )
  t.pass()
})

test('random mutations, insertions, deletions, truncations and trailing bytes give a header, "need more" or a typed EsdkError, never anything else', (t) => {
  fc.assert(
    fc.property(headerModel, mutations(), fc.uint8Array({ maxLength: 40 }), (m, edits, after) => {
      const bytes = mutated(Buffer.concat([headerBytes(m), after]), edits)
      const r = parseOrError(bytes)
      if (r instanceof EsdkError) return HEADER_ERRORS.has(r.code)
      if (!r.done) return r.needMore >= 1
      // A header that parses covers exactly its first headerLength bytes, and reading on changes nothing.
      if (r.headerLength > bytes.length || !r.headerBytes.equals(bytes.subarray(0, r.headerLength))) return false
      const extended = parseHeader(Buffer.concat([bytes, Buffer.alloc(7, 0xee)]), NO_LIMIT)
      return extended.done && extended.headerLength === r.headerLength && extended.headerBytes.equals(r.headerBytes)
    }),
    { numRuns: FC_RUNS.mutations },
  )
  t.pass()
})

test('random bytes, and bytes that start like a header, never make the parser throw anything but a typed EsdkError', (t) => {
  const start = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.constantFrom(...ALL_SUITES), fc.uint8Array({ maxLength: 300 })).map(([s, rest]) => {
      const prefix = s.messageFormat === 2 ? [2, s.id >> 8, s.id & 0xff] : [1, 0x80, s.id >> 8, s.id & 0xff]
      return Uint8Array.from([...prefix, ...rest])
    }),
  )
  fc.assert(
    fc.property(start, (bytes) => {
      const r = parseOrError(Buffer.from(bytes))
      return r instanceof EsdkError ? HEADER_ERRORS.has(r.code) : r.done || r.needMore >= 1
    }),
    { numRuns: FC_RUNS.mutations },
  )
  t.pass()
})
