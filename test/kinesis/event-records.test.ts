// The event parser's base64 check against a regular expression of standard padded base64 as the oracle: random text, damaged encodings and real ones.
import test from 'ava'
import fc from 'fast-check'
import { decodeStrictBase64, parseEvent } from '../../lib/kinesis/event-records'

/** Standard (RFC 4648 section 4) base64 with padding: what the parser must accept, and nothing else. */
const STANDARD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

const nearBase64 = fc.string({ unit: fc.constantFrom(...'AQZaz09+/=-_ \n.\u00e9'.split('')), maxLength: 24 })

test('the check accepts exactly standard padded base64, and decodes what it accepts as Node does', (t) => {
  fc.assert(
    fc.property(nearBase64, (text) => {
      const bytes = decodeStrictBase64(text)
      if (STANDARD.test(text) !== (bytes !== undefined)) return false
      return bytes === undefined || bytes.equals(Buffer.from(text, 'base64'))
    }),
    { numRuns: 20_000 },
  )
  t.pass()
})

test('every encoding of random bytes decodes to those bytes; one damaged character anywhere is refused', (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      fc.nat(),
      fc.constantFrom('-', '_', ' ', '\n', '.', '=', '\u00e9'),
      (raw, at, bad) => {
        const text = Buffer.from(raw).toString('base64')
        if (!decodeStrictBase64(text)?.equals(raw)) return false
        // Padding is only damage before the last two characters (an '=' there can make another valid encoding).
        const i = at % (bad === '=' ? Math.max(1, text.length - 2) : text.length)
        const damaged = text.slice(0, i) + bad + text.slice(i + 1)
        return decodeStrictBase64(damaged) === undefined
      },
    ),
    { numRuns: 5_000 },
  )
  t.pass()
})

test('a record whose data is not base64 fails alone, with its reason; the others decode', (t) => {
  const record = (sequenceNumber: string, data: unknown) => ({
    kinesis: { sequenceNumber, partitionKey: 'pk', data },
    eventSourceARN: 'arn:aws:kinesis:us-west-2:111122223333:stream/src',
  })
  const { records, streamName } = parseEvent({
    Records: [record('1', 'QUJD'), record('2', 'QU-D'), record('3', 'QUJ'), record('4', 42), record('5', '')],
  })
  t.is(streamName, 'src')
  t.deepEqual(
    records.map((r) => (Buffer.isBuffer(r.data) ? r.data.toString() : r.data.invalid)),
    ['ABC', 'record data is not base64', 'record data is not base64', 'record data is not base64', ''],
  )
})

test('the decoded records share one arena with nothing but their bytes and zeros: a refused record leaves none of its bytes behind', (t) => {
  const record = (sequenceNumber: string, data: string, partitionKey = 'pk') => ({
    kinesis: { sequenceNumber, partitionKey, data },
  })
  const long = Buffer.alloc(300, 0xab).toString('base64')
  // Refused after Node has decoded most of it: a character outside the alphabet in the middle, and a missing partition key.
  const damaged = `${long.slice(0, 200)}*${long.slice(201)}`
  const { records } = parseEvent({
    Records: [
      record('1', damaged),
      record('2', Buffer.from('first').toString('base64')),
      record('3', long, ''),
      record('4', Buffer.from('second!').toString('base64')),
    ],
  })
  const [first, second] = [records[1]?.data, records[3]?.data]
  if (!Buffer.isBuffer(first) || !Buffer.isBuffer(second)) return t.fail('the good records did not decode')
  t.is(first.toString(), 'first')
  t.is(second.toString(), 'second!')
  t.true(records[0]?.data !== undefined && !Buffer.isBuffer(records[0].data))
  t.true(records[2]?.data !== undefined && !Buffer.isBuffer(records[2].data))
  const arena = Buffer.from(first.buffer, first.byteOffset - first.byteOffset, first.buffer.byteLength)
  t.is(second.buffer, first.buffer)
  t.true(arena.subarray(0, 12).equals(Buffer.from('firstsecond!')), 'the good records back to back from the start')
  t.true(
    arena.subarray(12).every((b) => b === 0),
    'the rest of the arena is zeros',
  )
  t.true(arena.byteLength >= 600, 'the arena was sized for every record')
})

test('sequence numbers: the API pattern 0|[1-9][0-9]{0,128}, nothing else', (t) => {
  const good = ['0', '1', '9', '49590338271490256608559692538361571095921575989136588898', '1' + '0'.repeat(128)]
  const bad = ['', '00', '01', '-1', '1.0', ' 1', '1 ', '1a', '1' + '0'.repeat(129), '\u0661', '+1']
  for (const s of good) t.notThrows(() => parseEvent({ Records: [{ kinesis: { sequenceNumber: s } }] }), s)
  for (const s of bad)
    t.throws(() => parseEvent({ Records: [{ kinesis: { sequenceNumber: s } }] }), { message: /sequenceNumber/ }, s)
})
