// Incremental header parsing: every short prefix asks for more without throwing, and limits fire as soon as the EDK count is read.
import test, { ExecutionContext } from 'ava'
import { LimitExceededError, MalformedMessageError } from '../../lib/core/errors'
import { HeaderLimits, parseHeader } from '../../lib/format/header'
import { officialMessage } from './official-messages'
import { edkBytes, SAMPLE_EDK, u16, u8, v1Header, v2Header } from './spec-bytes'

const NO_LIMIT: HeaderLimits = { maxEncryptedDataKeys: false }

function checkEveryPrefix(t: ExecutionContext, message: Buffer, limits: HeaderLimits = NO_LIMIT): number {
  const full = parseHeader(message, limits)
  if (!full.done) {
    t.fail('the whole message did not yield a header')
    return 0
  }
  const headerLength = full.headerLength
  for (let n = 0; n < headerLength; n++) {
    const prefix = message.subarray(0, n)
    let result
    try {
      result = parseHeader(prefix, limits)
    } catch (e) {
      t.fail(`prefix of ${n} bytes threw ${String(e)}`)
      continue
    }
    if (result.done) {
      t.fail(`prefix of ${n} bytes reported a complete header`)
      continue
    }
    // needMore is a lower bound: asking for it never overshoots the real header.
    if (!(result.needMore >= 1 && n + result.needMore <= headerLength)) {
      t.fail(`prefix of ${n} bytes asked for ${result.needMore} more (header is ${headerLength})`)
    }
  }
  const exact = parseHeader(message.subarray(0, headerLength), limits)
  t.true(exact.done, 'exactly the header bytes complete the header')
  if (exact.done) t.is(exact.headerLength, headerLength)
  return headerLength
}

for (const suiteId of [0x0046, 0x0214, 0x0378, 0x0478, 0x0578]) {
  test(`suite 0x${suiteId.toString(16).padStart(4, '0')}: every prefix of an official message's header is "need more", the full header is done`, async (t) => {
    const { bytes } = await officialMessage(suiteId, Buffer.alloc(100, 1), {
      encryptionContext: { a: '1', bé: '2' },
      frameLength: 64,
    })
    const headerLength = checkEveryPrefix(t, bytes)
    t.true(headerLength > 100, 'the header includes a context and two EDKs')
  })
}

test('spec-built headers with a long context and several EDKs parse incrementally too', (t) => {
  const aad = Buffer.concat([u16(1), u16(3), Buffer.from('key'), u16(300), Buffer.alloc(300, 0x61)])
  const edks = edkBytes([
    SAMPLE_EDK,
    { providerId: 'p'.repeat(40), providerInfo: Buffer.alloc(70, 1), key: Buffer.alloc(300, 2) },
    SAMPLE_EDK,
  ])
  checkEveryPrefix(t, v1Header({ aad, edks }))
  checkEveryPrefix(t, v2Header({ aad, edks }))
})

/** A header cut right after an EDK count, with nothing following. */
function cutAfterEdkCount(version: 1 | 2, count: number): Buffer {
  const full = version === 1 ? v1Header({ edks: u16(count) }) : v2Header({ edks: u16(count) })
  const countEnd = version === 1 ? 1 + 1 + 2 + 16 + 2 + 2 : 1 + 2 + 32 + 2 + 2
  return full.subarray(0, countEnd)
}

test('maxEncryptedDataKeys is enforced as soon as the count is read, before any EDK bytes arrive', (t) => {
  for (const version of [1, 2] as const) {
    const cut = cutAfterEdkCount(version, 65535)
    const err = t.throws(
      () => parseHeader(cut, { maxEncryptedDataKeys: 3 }),
      { instanceOf: LimitExceededError },
      `v${version}`,
    )
    t.is(err?.code, 'LIMIT_EXCEEDED')
    // One over the limit is enough.
    t.throws(() => parseHeader(cutAfterEdkCount(version, 4), { maxEncryptedDataKeys: 3 }), {
      instanceOf: LimitExceededError,
    })
    // Without a limit the same bytes are simply incomplete.
    const open = parseHeader(cut, NO_LIMIT)
    t.false(open.done, `v${version} without a limit`)
  }
})

test('a count equal to maxEncryptedDataKeys is accepted', (t) => {
  const bytes = v1Header({ edks: edkBytes([SAMPLE_EDK, SAMPLE_EDK]) })
  const result = parseHeader(bytes, { maxEncryptedDataKeys: 2 })
  t.true(result.done)
  if (result.done) t.is(result.header.encryptedDataKeys.length, 2)
  t.throws(() => parseHeader(bytes, { maxEncryptedDataKeys: 1 }), { instanceOf: LimitExceededError })
})

test('an EDK count of zero is refused as soon as it is read', (t) => {
  for (const version of [1, 2] as const) {
    t.throws(
      () => parseHeader(cutAfterEdkCount(version, 0), NO_LIMIT),
      { instanceOf: MalformedMessageError },
      `v${version}`,
    )
  }
})

test('a bad version byte is refused from the first byte, not reported as incomplete', (t) => {
  t.throws(() => parseHeader(u8(3), NO_LIMIT), { instanceOf: MalformedMessageError })
  t.false(parseHeader(u8(1), NO_LIMIT).done)
  t.false(parseHeader(Buffer.alloc(0), NO_LIMIT).done)
})
