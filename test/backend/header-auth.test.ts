// Header authentication on every backend: tags equal the JS reference, verification is exact, windows respected.
import { randomBytes } from 'node:crypto'
import { jsBackend } from '../../lib/backend/js-backend'
import { ALL_SUITES } from '../../lib/core/suites'
import { eachBackend, offsetCopy } from './backends'

const ZERO_IV = Buffer.alloc(12)

eachBackend('headerAuthTag equals the JS reference (with and without extra AAD)', (t, backend) => {
  for (const s of ALL_SUITES) {
    const key = randomBytes(s.keyLengthBytes)
    for (const [bodyLength, extraLength] of [
      [0, 0],
      [1, 0],
      [73, 0],
      [300, 17],
      [4099, 1],
      [0, 40],
    ] as const) {
      const headerBody = randomBytes(bodyLength)
      const extra = randomBytes(extraLength)
      const tag = backend.headerAuthTag(s, key, ZERO_IV, headerBody, extra)
      t.is(tag.length, 16)
      t.deepEqual(tag, jsBackend.headerAuthTag(s, key, ZERO_IV, headerBody, extra))
      t.true(backend.verifyHeaderAuth(s, key, ZERO_IV, headerBody, extra, tag))
    }
  }
})

eachBackend('AAD is header body ‖ extra: moving the split point keeps the tag', (t, backend) => {
  const s = ALL_SUITES[ALL_SUITES.length - 1]
  if (!s) return t.fail()
  const key = randomBytes(s.keyLengthBytes)
  const all = randomBytes(100)
  const tag = backend.headerAuthTag(s, key, ZERO_IV, all, Buffer.alloc(0))
  for (const split of [0, 1, 15, 16, 17, 99, 100]) {
    t.deepEqual(
      backend.headerAuthTag(s, key, ZERO_IV, all.subarray(0, split), all.subarray(split)),
      tag,
      `split ${split}`,
    )
  }
})

eachBackend('verifyHeaderAuth refuses any changed byte, key or IV, and a short tag', (t, backend) => {
  for (const s of ALL_SUITES) {
    const key = randomBytes(s.keyLengthBytes)
    const headerBody = randomBytes(64)
    const extra = randomBytes(9)
    const tag = backend.headerAuthTag(s, key, ZERO_IV, headerBody, extra)
    const flip = (b: Buffer, i: number): Buffer => {
      const c = Buffer.from(b)
      c[i] = (c[i] ?? 0) ^ 1
      return c
    }
    t.false(backend.verifyHeaderAuth(s, key, ZERO_IV, headerBody, extra, flip(tag, 0)))
    t.false(backend.verifyHeaderAuth(s, key, ZERO_IV, headerBody, extra, flip(tag, 15)))
    t.false(backend.verifyHeaderAuth(s, key, ZERO_IV, flip(headerBody, 30), extra, tag))
    t.false(backend.verifyHeaderAuth(s, key, ZERO_IV, headerBody, flip(extra, 8), tag))
    t.false(backend.verifyHeaderAuth(s, key, ZERO_IV, headerBody, Buffer.alloc(0), tag))
    t.false(backend.verifyHeaderAuth(s, flip(key, 3), ZERO_IV, headerBody, extra, tag))
    t.false(backend.verifyHeaderAuth(s, key, flip(ZERO_IV, 11), headerBody, extra, tag))
    t.false(backend.verifyHeaderAuth(s, key, ZERO_IV, headerBody, extra, tag.subarray(0, 15)))
  }
})

eachBackend('header auth reads only the byteOffset/byteLength window of every input', (t, backend) => {
  for (const s of ALL_SUITES) {
    const key = randomBytes(s.keyLengthBytes)
    const headerBody = randomBytes(57)
    const extra = randomBytes(6)
    const want = jsBackend.headerAuthTag(s, key, ZERO_IV, headerBody, extra)
    const k = offsetCopy(key, 5, 3)
    const iv = offsetCopy(ZERO_IV, 9, 2, 0xff)
    const hb = offsetCopy(headerBody, 1, 1)
    const ex = offsetCopy(extra, 31, 4)
    t.deepEqual(backend.headerAuthTag(s, k.view, iv.view, hb.view, ex.view), want)
    const tg = offsetCopy(want, 4, 4)
    t.true(backend.verifyHeaderAuth(s, k.view, iv.view, hb.view, ex.view, tg.view))
  }
})
