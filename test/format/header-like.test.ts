// parseHeaderLike: a header equal to another but for its message id and commitment parses to what parseHeader gives, sharing the context and EDKs; any other difference falls back.
import test from 'ava'
import { findSuite } from '../../lib/core/suites'
import {
  EncryptedDataKey,
  ParsedHeader,
  parseHeader,
  parseHeaderLike,
  serializeHeaderBody,
} from '../../lib/format/header'
import { contextFromEntries } from '../../lib/format/encryption-context'

const EDKS = [new EncryptedDataKey({ providerId: 'p', providerInfo: 'info', encryptedDataKey: Buffer.alloc(40, 3) })]

/** A framed header (body, then v1 IV ‖ tag or v2 tag, with arbitrary tag bytes) followed by `tail`. */
function header(
  suiteId: number,
  id: number,
  options: { context?: Record<string, string>; frameLength?: number; commitment?: number } = {},
): Buffer {
  const suite = findSuite(suiteId)
  if (!suite) throw new Error('suite')
  const v2 = suite.messageFormat === 2
  const body = serializeHeaderBody({
    suite,
    messageId: Buffer.alloc(suite.messageIdLength, id),
    encryptionContext: contextFromEntries(Object.entries(options.context ?? { a: 'b', tenant: 'x' })),
    encryptedDataKeys: EDKS,
    frameLength: options.frameLength ?? 4096,
    suiteData: v2 ? Buffer.alloc(32, options.commitment ?? id) : undefined,
  })
  return Buffer.concat([body, Buffer.alloc(v2 ? 16 : 28, 0x5a + id), Buffer.from('body bytes')])
}

function full(bytes: Buffer): ParsedHeader {
  const r = parseHeader(bytes, { maxEncryptedDataKeys: false })
  if (!r.done) throw new Error('need more')
  return r
}

for (const suiteId of [0x0478, 0x0578, 0x0178, 0x0014]) {
  test(`suite 0x${suiteId.toString(16)}: same as parseHeader, sharing the context and EDK objects`, (t) => {
    const like = full(header(suiteId, 1))
    const bytes = header(suiteId, 2)
    const shared = parseHeaderLike(bytes, like)
    if (!shared) return t.fail('fell back')
    const reference = full(bytes)
    t.deepEqual(shared.header, reference.header)
    t.true(shared.headerBody.equals(reference.headerBody))
    t.true(shared.headerIv.equals(reference.headerIv))
    t.true(shared.headerAuthTag.equals(reference.headerAuthTag))
    t.is(shared.headerLength, reference.headerLength)
    t.true(shared.headerBytes.equals(bytes.subarray(0, reference.headerLength)))
    t.is(shared.header.encryptionContext, like.header.encryptionContext)
    t.is(shared.header.encryptedDataKeys, like.header.encryptedDataKeys)
    // A private copy: changing the input afterwards changes nothing parsed.
    bytes.fill(0, 0, shared.headerLength)
    t.true(shared.headerBody.equals(reference.headerBody))
    t.is(shared.header.messageId[0], 2)
  })
}

test('any difference beyond the id and commitment falls back (undefined)', (t) => {
  const like = full(header(0x0478, 1))
  t.is(parseHeaderLike(header(0x0478, 2, { context: { a: 'c', tenant: 'x' } }), like), undefined)
  t.is(parseHeaderLike(header(0x0478, 2, { frameLength: 1024 }), like), undefined)
  t.is(parseHeaderLike(header(0x0578, 2), like), undefined)
  t.is(parseHeaderLike(header(0x0478, 2).subarray(0, like.headerLength - 1), like), undefined)
  t.truthy(parseHeaderLike(header(0x0478, 2, { commitment: 9 }), like))
  const v1 = full(header(0x0178, 1))
  t.is(parseHeaderLike(header(0x0178, 2, { frameLength: 1024 }), v1), undefined)
})
