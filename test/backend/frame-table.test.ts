// scanFramedBody against format/body.ts parseBody: the same frames for valid bodies, the same error for every malformed one.
import test from 'ava'
import { randomBytes } from 'node:crypto'
import { BodyTable, bodyTable, framesOf, scanFramedBody } from '../../lib/backend/frame-table'
import { jsBackend } from '../../lib/backend/js-backend'
import { BodyLimits, parseBody } from '../../lib/format/body'
import { ContentType } from '../../lib/format/header'
import { A, bodySize, suite } from './backends'

const V2 = suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY)

function body(size: number, frameLength: number, before = 5): Buffer {
  const out = Buffer.alloc(before + bodySize(size, frameLength), 0x33)
  jsBackend.sealFramedBody({ suite: V2, key: randomBytes(32), messageId: randomBytes(32), plaintext: randomBytes(size), frameLength, out, outOffset: before })
  return out
}

type Outcome = { ok: true; frames: string; plaintextLength: number; end: number } | { ok: false; error: string }

function describe(frames: ReturnType<typeof framesOf>, bytes: Buffer): string {
  return frames.map((f) => [f.sequenceNumber, f.kind, f.iv.byteOffset - bytes.byteOffset, f.ciphertext.byteOffset - bytes.byteOffset, f.ciphertext.length, f.tag.byteOffset - bytes.byteOffset].join(':')).join(' ')
}

function outcome(run: () => Outcome): Outcome {
  try {
    return run()
  } catch (e) {
    return { ok: false, error: `${(e as Error).constructor.name}: ${(e as Error).message}` }
  }
}

function viaParseBody(bytes: Buffer, start: number, frameLength: number, limits: BodyLimits): Outcome {
  return outcome(() => {
    const layout = parseBody(bytes, start, ContentType.FRAMED_DATA, frameLength, limits)
    return { ok: true, frames: describe([...layout.frames], bytes), plaintextLength: layout.plaintextLength, end: layout.end }
  })
}

function viaScan(bytes: Buffer, start: number, frameLength: number, limits: BodyLimits): Outcome {
  return outcome(() => {
    const table: BodyTable = scanFramedBody(bytes, start, frameLength, limits)
    return { ok: true, frames: describe(framesOf(table), bytes), plaintextLength: table.plaintextLength, end: table.end }
  })
}

test('valid bodies: the same frames, lengths and end offset', (t) => {
  for (const [size, frameLength] of [[0, 1], [1, 1], [5, 1], [0, 4096], [4095, 4096], [4096, 4096], [4097, 4096], [100_000, 1000], [77, 7], [16, 16], [1 << 20, 65536]] as const) {
    const bytes = body(size, frameLength)
    const scanned = viaScan(bytes, 5, frameLength, {})
    t.deepEqual(scanned, viaParseBody(bytes, 5, frameLength, {}), `${size}/${frameLength}`)
    t.true(scanned.ok && scanned.plaintextLength === size && scanned.end === bytes.length)
  }
})

test('every truncation and every trailing extension gives the same answer', (t) => {
  const bytes = body(50, 16)
  for (let cut = 5; cut <= bytes.length + 3; cut++) {
    const slice = cut <= bytes.length ? bytes.subarray(0, cut) : Buffer.concat([bytes, Buffer.alloc(cut - bytes.length, 0xff)])
    t.deepEqual(viaScan(slice, 5, 16, {}), viaParseBody(slice, 5, 16, {}), `cut at ${cut}`)
  }
})

test('corrupted frame headers (sequence numbers, markers, final lengths) give the same error', (t) => {
  const bytes = body(70, 16)
  const frame = 4 + 12 + 16 + 16
  const finalAt = 5 + 4 * frame
  const edits: [string, (b: Buffer) => void][] = [
    ['first sequence 0', (b) => b.writeUInt32BE(0, 5)],
    ['first sequence 2', (b) => b.writeUInt32BE(2, 5)],
    ['third sequence 4', (b) => b.writeUInt32BE(4, 5 + 2 * frame)],
    ['final sequence wrong', (b) => b.writeUInt32BE(9, finalAt + 4)],
    ['final marker early', (b) => b.writeUInt32BE(0xffffffff, 5 + frame)],
    ['final length beyond frame length', (b) => b.writeUInt32BE(17, finalAt + 8 + 12)],
    ['final length huge', (b) => b.writeUInt32BE(0xfffffff0, finalAt + 8 + 12)],
    ['final marker replaced', (b) => b.writeUInt32BE(5, finalAt)],
  ]
  for (const [what, edit] of edits) {
    const copy = Buffer.from(bytes)
    edit(copy)
    const scanned = viaScan(copy, 5, 16, {})
    t.deepEqual(scanned, viaParseBody(copy, 5, 16, {}), what)
  }
  for (let i = 0; i < 400; i++) {
    const copy = Buffer.from(bytes)
    const at = 5 + Math.floor(Math.random() * (copy.length - 5))
    copy[at] = Math.floor(Math.random() * 256)
    t.deepEqual(viaScan(copy, 5, 16, {}), viaParseBody(copy, 5, 16, {}), `random byte at ${at}`)
  }
})

test('maxBodySize is enforced per frame exactly as parseBody does', (t) => {
  const bytes = body(100, 40)
  for (const maxBodySize of [1, 19, 20, 39, 40, 41, 1000]) {
    t.deepEqual(viaScan(bytes, 5, 40, { maxBodySize }), viaParseBody(bytes, 5, 40, { maxBodySize }), `max ${maxBodySize}`)
  }
  // A truncated frame is reported as truncated even when it is also too long.
  const cut = bytes.subarray(0, 5 + 10)
  t.deepEqual(viaScan(cut, 5, 40, { maxBodySize: 1 }), viaParseBody(cut, 5, 40, { maxBodySize: 1 }))
})

test('a non-framed body becomes a one-row table through parseBody', (t) => {
  const ciphertext = randomBytes(37)
  const bytes = Buffer.concat([Buffer.alloc(3), randomBytes(12), Buffer.from([0, 0, 0, 0, 0, 0, 0, 37]), ciphertext, randomBytes(16)])
  const table = bodyTable(bytes, 3, ContentType.NO_FRAMING, 0, {})
  const [frame] = framesOf(table)
  t.is(table.frameCount, 1)
  t.is(frame?.kind, 'single')
  t.deepEqual(frame?.ciphertext, ciphertext)
  t.is(table.end, bytes.length)
})
