// Framed bodies on every backend: seal byte-identical to the JS reference, open round-trips, tampering fails closed.
import { ExecutionContext } from 'ava'
import { createCipheriv, randomBytes } from 'node:crypto'
import { CryptoBackend } from '../../lib/backend/backend'
import { jsBackend } from '../../lib/backend/js-backend'
import { AlgorithmSuite, ALL_SUITES } from '../../lib/core/suites'
import { FrameRef } from '../../lib/format/body'
import { A, allZero, bodySize, eachBackend, offsetCopy, sliceFramedBody, suite } from './backends'

/** One suite per AES key size, so all three fetched ciphers are exercised. */
const KEY_SIZE_SUITES = [
  suite(A.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256),
  suite(A.ALG_AES192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384),
  suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384),
]
const V2 = suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY)

function sizesFor(frameLength: number): number[] {
  return [
    ...new Set([
      0,
      1,
      frameLength - 1,
      frameLength,
      frameLength + 1,
      3 * frameLength,
      3 * frameLength + 7,
      10 * frameLength + 3,
    ]),
  ]
    .filter((n) => n >= 0)
    .sort((a, b) => a - b)
}

interface Material {
  readonly suite: AlgorithmSuite
  readonly key: Buffer
  readonly messageId: Buffer
}

function material(s: AlgorithmSuite): Material {
  return { suite: s, key: randomBytes(s.keyLengthBytes), messageId: randomBytes(s.messageIdLength) }
}

function seal(backend: CryptoBackend, m: Material, plaintext: Uint8Array, frameLength: number): Buffer {
  const out = Buffer.alloc(bodySize(plaintext.length, frameLength))
  const written = backend.sealFramedBody({ ...m, plaintext, frameLength, out, outOffset: 0 })
  if (written !== out.length) throw new Error(`${backend.name} wrote ${written}, expected ${out.length}`)
  return out
}

function open(
  backend: CryptoBackend,
  m: Material,
  frames: readonly FrameRef[],
  length: number,
): { ok: boolean; out: Buffer } {
  const out = Buffer.alloc(length, 0xaa)
  return { ok: backend.openBody({ ...m, frames, out }), out }
}

eachBackend('sealFramedBody is byte-identical to the JS reference (frame lengths 1, 16, 4096)', (t, backend) => {
  for (const s of KEY_SIZE_SUITES) {
    for (const frameLength of [1, 16, 4096]) {
      for (const size of sizesFor(frameLength)) {
        const m = material(s)
        const plaintext = randomBytes(size)
        const got = seal(backend, m, plaintext, frameLength)
        t.deepEqual(
          got,
          seal(jsBackend, m, plaintext, frameLength),
          `suite ${s.id.toString(16)} frame ${frameLength} size ${size}`,
        )
      }
    }
  }
})

eachBackend('every suite seals identically and opens back', (t, backend) => {
  for (const s of ALL_SUITES) {
    const m = material(s)
    const plaintext = randomBytes(1000)
    const body = seal(backend, m, plaintext, 256)
    t.deepEqual(body, seal(jsBackend, m, plaintext, 256))
    const { ok, out } = open(backend, m, sliceFramedBody(body, 256), plaintext.length)
    t.true(ok)
    t.deepEqual(out, plaintext)
  }
})

eachBackend('an exact multiple of the frame length ends with an empty final frame', (t, backend) => {
  const m = material(V2)
  const body = seal(backend, m, randomBytes(64), 16)
  const frames = sliceFramedBody(body, 16)
  t.is(frames.length, 5)
  t.is(frames[4]?.kind, 'final')
  t.is(frames[4]?.ciphertext.length, 0)
  // IV = 8 zero bytes ‖ uint32 sequence number (client-apis/encrypt.md "Construct a frame").
  frames.forEach((f, i) => t.deepEqual(f.iv, Buffer.concat([Buffer.alloc(8), Buffer.from([0, 0, 0, i + 1])])))
})

eachBackend('open(seal(x)) == x, sealing with either backend', (t, backend) => {
  for (const s of KEY_SIZE_SUITES) {
    for (const frameLength of [1, 16, 4096]) {
      for (const size of sizesFor(frameLength)) {
        const m = material(s)
        const plaintext = randomBytes(size)
        for (const sealer of [backend, jsBackend]) {
          const { ok, out } = open(
            backend,
            m,
            sliceFramedBody(seal(sealer, m, plaintext, frameLength), frameLength),
            size,
          )
          t.true(ok, `frame ${frameLength} size ${size}`)
          t.deepEqual(out, plaintext)
        }
      }
    }
  }
})

eachBackend('large body: 3 MiB at 4096 and at 1 MiB frames', (t, backend) => {
  const plaintext = randomBytes(3 * 1024 * 1024 + 5)
  for (const frameLength of [4096, 1024 * 1024]) {
    const m = material(V2)
    const body = seal(backend, m, plaintext, frameLength)
    t.true(body.equals(seal(jsBackend, m, plaintext, frameLength)))
    const { ok, out } = open(backend, m, sliceFramedBody(body, frameLength), plaintext.length)
    t.true(ok)
    t.true(out.equals(plaintext))
  }
})

/** Every way a single-byte change can reach a frame; each must fail closed. */
function tamperings(
  m: Material,
): { what: string; change: (body: Buffer, frames: FrameRef[]) => { frames: FrameRef[]; messageId: Buffer } }[] {
  const flip = (b: Buffer, i: number): void => {
    b[i] = (b[i] ?? 0) ^ 0x01
  }
  const keep = (frames: FrameRef[]) => ({ frames, messageId: m.messageId })
  const cases: {
    what: string
    change: (body: Buffer, frames: FrameRef[]) => { frames: FrameRef[]; messageId: Buffer }
  }[] = []
  for (const at of ['first', 'middle', 'final'] as const) {
    const pick = (frames: FrameRef[]): FrameRef => {
      const f = at === 'first' ? frames[0] : at === 'middle' ? frames[1] : frames[frames.length - 1]
      if (!f) throw new Error('no such frame')
      return f
    }
    cases.push({ what: `${at} tag`, change: (_b, frames) => (flip(pick(frames).tag, 7), keep(frames)) })
    cases.push({ what: `${at} ciphertext`, change: (_b, frames) => (flip(pick(frames).ciphertext, 0), keep(frames)) })
    cases.push({ what: `${at} iv`, change: (_b, frames) => (flip(pick(frames).iv, 11), keep(frames)) })
    cases.push({
      what: `${at} sequence number (AAD)`,
      change: (_b, frames) => ({
        frames: frames.map((f) => (f === pick(frames) ? { ...f, sequenceNumber: f.sequenceNumber + 1 } : f)),
        messageId: m.messageId,
      }),
    })
  }
  cases.push({
    what: 'message id (AAD)',
    change: (_b, frames) => ({ frames, messageId: Buffer.from(m.messageId).fill((m.messageId[0] ?? 0) ^ 1, 0, 1) }),
  })
  cases.push({
    what: 'final frame presented as a regular frame (AAD content string)',
    change: (_b, frames) => ({
      frames: frames.map((f) => (f.kind === 'final' ? { ...f, kind: 'frame' as const } : f)),
      messageId: m.messageId,
    }),
  })
  cases.push({
    what: 'regular frame presented as final (AAD content string)',
    change: (_b, frames) => ({
      frames: frames.map((f, i) => (i === 0 ? { ...f, kind: 'final' as const } : f)),
      messageId: m.messageId,
    }),
  })
  cases.push({
    what: 'truncated final frame (AAD length)',
    change: (_b, frames) => ({
      frames: frames.map((f) =>
        f.kind === 'final' ? { ...f, ciphertext: f.ciphertext.subarray(0, f.ciphertext.length - 1) } : f,
      ),
      messageId: m.messageId,
    }),
  })
  return cases
}

eachBackend('a flipped tag, ciphertext, IV or AAD byte gives false and an all-zero output', (t, backend) => {
  for (const s of KEY_SIZE_SUITES) {
    const m = material(s)
    const frameLength = 16
    const plaintext = randomBytes(3 * frameLength + 5)
    const pristine = seal(jsBackend, m, plaintext, frameLength)
    for (const { what, change } of tamperings(m)) {
      const body = Buffer.from(pristine)
      const { frames, messageId } = change(body, sliceFramedBody(body, frameLength))
      // The output window sits inside a larger buffer: only the window may be zeroed.
      const guard = Buffer.alloc(plaintext.length + 20, 0xaa)
      const out = guard.subarray(9, 9 + plaintext.length)
      t.false(backend.openBody({ ...m, messageId, frames, out }), what)
      t.true(allZero(out), `${what}: output zeroed`)
      t.true(
        guard.subarray(0, 9).every((b) => b === 0xaa) && guard.subarray(9 + plaintext.length).every((b) => b === 0xaa),
        `${what}: bytes outside the window untouched`,
      )
    }
  }
})

eachBackend('the wrong key fails closed', (t, backend) => {
  const m = material(V2)
  const plaintext = randomBytes(100)
  const body = seal(jsBackend, m, plaintext, 32)
  const { ok, out } = open(backend, { ...m, key: randomBytes(32) }, sliceFramedBody(body, 32), plaintext.length)
  t.false(ok)
  t.true(allZero(out))
})

eachBackend(
  'seal respects byteOffset of key, message id, plaintext and out, and writes only its body',
  (t, backend) => {
    for (const s of KEY_SIZE_SUITES) {
      for (const frameLength of [1, 16, 4096]) {
        const m = material(s)
        const plaintext = randomBytes(2 * frameLength + 3)
        const want = seal(jsBackend, m, plaintext, frameLength)
        const key = offsetCopy(m.key, 3, 5)
        const messageId = offsetCopy(m.messageId, 17, 2)
        // A plain Uint8Array (not a Buffer) over a shared ArrayBuffer, at an odd offset.
        const backing = new ArrayBuffer(plaintext.length + 40)
        const pt = new Uint8Array(backing, 21, plaintext.length)
        pt.set(plaintext)
        new Uint8Array(backing, 0, 21).fill(0x77)
        const whole = Buffer.alloc(want.length + 7 + 30, 0xcc)
        const out = whole.subarray(7, 7 + want.length + 25) // room to spare after the body
        const outOffset = 5
        const written = backend.sealFramedBody({
          suite: s,
          key: key.view,
          messageId: messageId.view,
          plaintext: pt,
          frameLength,
          out,
          outOffset,
        })
        t.is(written, want.length)
        t.deepEqual(out.subarray(outOffset, outOffset + written), want)
        t.true(
          whole.subarray(0, 7 + outOffset).every((b) => b === 0xcc),
          'bytes before outOffset untouched',
        )
        t.true(
          whole.subarray(7 + outOffset + written).every((b) => b === 0xcc),
          'bytes after the body untouched',
        )
        t.true(new Uint8Array(backing, 0, 21).every((b) => b === 0x77))
        t.deepEqual(Buffer.from(pt), plaintext, 'plaintext untouched')
      }
    }
  },
)

eachBackend('open respects byteOffset: message inside a larger buffer, key/id/out as subarrays', (t, backend) => {
  const m = material(V2)
  const frameLength = 16
  const plaintext = randomBytes(5 * frameLength + 9)
  const body = seal(jsBackend, m, plaintext, frameLength)
  const message = offsetCopy(body, 101, 33, 0x3c)
  const frames = sliceFramedBody(message.view, frameLength)
  const key = offsetCopy(m.key, 1, 1)
  const messageId = offsetCopy(m.messageId, 2, 2)
  const guard = Buffer.alloc(plaintext.length + 10, 0xee)
  const out = guard.subarray(4, 4 + plaintext.length)
  t.true(backend.openBody({ suite: V2, key: key.view, messageId: messageId.view, frames, out }))
  t.deepEqual(out, plaintext)
  t.true(guard.subarray(0, 4).every((b) => b === 0xee) && guard.subarray(4 + plaintext.length).every((b) => b === 0xee))
  t.deepEqual(message.view, body, 'message untouched')
})

eachBackend('frames held in separate buffers (as a stream would) still open', (t, backend) => {
  const m = material(V2)
  const plaintext = randomBytes(40)
  const body = seal(jsBackend, m, plaintext, 16)
  // Buffer.alloc (never pooled) gives every piece its own ArrayBuffer.
  const own = (b: Buffer): Buffer => {
    const c = Buffer.alloc(b.length)
    b.copy(c)
    return c
  }
  const frames = sliceFramedBody(body, 16).map((f) => ({
    ...f,
    iv: own(f.iv),
    ciphertext: own(f.ciphertext),
    tag: own(f.tag),
  }))
  const { ok, out } = open(backend, m, frames, plaintext.length)
  t.true(ok)
  t.deepEqual(out, plaintext)
  const bad = frames.map((f, i) => (i === 1 ? { ...f, tag: Buffer.alloc(16) } : f))
  const failed = open(backend, m, bad, plaintext.length)
  t.false(failed.ok)
  t.true(allZero(failed.out))
})

/** A non-framed body (decrypt only): IV ‖ uint64 length ‖ ciphertext ‖ tag, AAD content "Single Block", sequence 1. */
function nonFramed(m: Material, plaintext: Buffer): FrameRef {
  const iv = randomBytes(12)
  const aad = Buffer.concat([
    m.messageId,
    Buffer.from('AWSKMSEncryptionClient Single Block', 'ascii'),
    Buffer.from([0, 0, 0, 1]),
    Buffer.alloc(8),
  ])
  aad.writeUInt32BE(plaintext.length, aad.length - 4)
  const cipher = createCipheriv(m.suite.encryption, m.key, iv)
  cipher.setAAD(aad)
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  const message = Buffer.concat([iv, Buffer.alloc(8), ciphertext, cipher.getAuthTag()])
  return {
    sequenceNumber: 1,
    kind: 'single',
    iv: message.subarray(0, 12),
    ciphertext: message.subarray(20, 20 + ciphertext.length),
    tag: message.subarray(20 + ciphertext.length),
  }
}

eachBackend('a non-framed body opens with its stored IV; tampering fails closed', (t, backend) => {
  for (const s of KEY_SIZE_SUITES) {
    for (const size of [0, 1, 5000]) {
      const m = material(s)
      const plaintext = randomBytes(size)
      const frame = nonFramed(m, plaintext)
      const { ok, out } = open(backend, m, [frame], size)
      t.true(ok)
      t.deepEqual(out, plaintext)
      const wrongKind = open(backend, m, [{ ...frame, kind: 'frame' }], size)
      t.false(wrongKind.ok)
      t.true(allZero(wrongKind.out))
    }
  }
})

eachBackend('an IV or tag of the wrong length fails closed', (t, backend) => {
  const m = material(V2)
  const plaintext = randomBytes(20)
  const frames = sliceFramedBody(seal(jsBackend, m, plaintext, 16), 16)
  const check = (changed: FrameRef[], what: string): void => {
    const { ok, out } = open(backend, m, changed, plaintext.length)
    t.false(ok, what)
    t.true(allZero(out), what)
  }
  check(
    frames.map((f, i) => (i === 0 ? { ...f, tag: f.tag.subarray(0, 12) } : f)),
    'short tag',
  )
  check(
    frames.map((f, i) => (i === 1 ? { ...f, iv: Buffer.concat([f.iv, Buffer.alloc(4)]) } : f)),
    'long iv',
  )
})

eachBackend('no frames is an empty success', (t, backend) => {
  const m = material(V2)
  t.true(backend.openBody({ ...m, frames: [], out: Buffer.alloc(0) }))
})

function sameOutcome(
  t: ExecutionContext,
  backend: CryptoBackend,
  m: Material,
  frames: FrameRef[],
  length: number,
): void {
  const a = open(backend, m, frames, length)
  const b = open(jsBackend, m, frames, length)
  t.is(a.ok, b.ok)
  t.deepEqual(a.out, b.out)
}

eachBackend('decrypts the same as the JS reference on random single-byte corruptions', (t, backend) => {
  const m = material(V2)
  const plaintext = randomBytes(100)
  const pristine = seal(jsBackend, m, plaintext, 32)
  for (let i = 0; i < 64; i++) {
    const body = Buffer.from(pristine)
    const at = (i * 7919) % body.length
    // Corrupt only bytes the frame views cover (not sequence numbers/markers/lengths the slicer reads).
    const frames = sliceFramedBody(body, 32)
    body[at] = (body[at] ?? 0) ^ (1 << (i % 8))
    sameOutcome(t, backend, m, frames, plaintext.length)
  }
})
