// The raw addon's argument checking: bad input throws a coded error before any byte is written, never crashes.
import { ExecutionContext } from 'ava'
import { FRAME_ROW } from '../../lib/format/body-table'
import { randomBytes } from 'node:crypto'
import { jsBackend } from '../../lib/backend/js-backend'
import { NativeCryptoAddon } from '../../lib/backend/native-types'
import { A, allZero, bodySize, nativeOnly, sliceFramedBody, suite } from './backends'

const V2 = suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY)
const V1 = suite(A.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256)

function throwsCode(t: ExecutionContext, fn: () => unknown, code: string, type: ErrorConstructor = RangeError): void {
  const err = t.throws(fn, { instanceOf: type })
  t.is((err as (Error & { code?: string }) | undefined)?.code, code)
}

function sealed(frameLength: number, size: number) {
  const key = randomBytes(32)
  const messageId = randomBytes(32)
  const plaintext = randomBytes(size)
  const body = Buffer.alloc(bodySize(size, frameLength))
  jsBackend.sealFramedBody({ suite: V2, key, messageId, plaintext, frameLength, out: body, outOffset: 0 })
  return { key, messageId, plaintext, body, frames: sliceFramedBody(body, frameLength) }
}

/** A table for frames that are views into `body`, offsets relative to `body`. */
function tableFor(body: Buffer, frames: ReturnType<typeof sliceFramedBody>): Float64Array {
  const kinds = { frame: 0, final: 1, single: 2 }
  const table = new Float64Array(frames.length * FRAME_ROW)
  frames.forEach((f, i) => {
    table.set(
      [
        f.iv.byteOffset - body.byteOffset,
        f.ciphertext.byteOffset - body.byteOffset,
        f.ciphertext.length,
        f.tag.byteOffset - body.byteOffset,
        f.sequenceNumber,
        kinds[f.kind],
      ],
      i * FRAME_ROW,
    )
  })
  return table
}

nativeOnly('non-Uint8Array arguments are TypeErrors', (t, addon: NativeCryptoAddon) => {
  const out = Buffer.alloc(32)
  const call = (dataKey: unknown) =>
    addon.deriveKeys(V2.id, dataKey as Uint8Array, Buffer.alloc(32), out, Buffer.alloc(32))
  throwsCode(t, () => call('key'), 'ERR_ESDK_NATIVE_ARG_TYPE', TypeError)
  throwsCode(t, () => call(new Uint16Array(16)), 'ERR_ESDK_NATIVE_ARG_TYPE', TypeError)
  throwsCode(t, () => call(new ArrayBuffer(32)), 'ERR_ESDK_NATIVE_ARG_TYPE', TypeError)
  throwsCode(t, () => call(undefined), 'ERR_ESDK_NATIVE_ARG_TYPE', TypeError)
  throwsCode(
    t,
    () =>
      addon.openBody(
        V2.id,
        Buffer.alloc(32),
        Buffer.alloc(32),
        Buffer.alloc(0),
        new Uint32Array(6) as unknown as Float64Array,
        Buffer.alloc(0),
      ),
    'ERR_ESDK_NATIVE_ARG_TYPE',
    TypeError,
  )
})

nativeOnly('unknown suites, wrong key / message id / IV lengths are RangeErrors', (t, addon) => {
  const k = Buffer.alloc(32)
  const c = Buffer.alloc(32)
  throwsCode(t, () => addon.deriveKeys(0x0099, randomBytes(32), randomBytes(32), k, c), 'ERR_ESDK_NATIVE_SUITE')
  throwsCode(t, () => addon.deriveKeys(1.5, randomBytes(32), randomBytes(32), k, c), 'ERR_ESDK_NATIVE_ARG_RANGE')
  throwsCode(t, () => addon.deriveKeys(V2.id, randomBytes(31), randomBytes(32), k, c), 'ERR_ESDK_NATIVE_KEY_LENGTH')
  throwsCode(
    t,
    () => addon.deriveKeys(V2.id, randomBytes(32), randomBytes(16), k, c),
    'ERR_ESDK_NATIVE_MESSAGE_ID_LENGTH',
  )
  throwsCode(
    t,
    () => addon.deriveKeys(V2.id, randomBytes(32), randomBytes(32), k, Buffer.alloc(0)),
    'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  )
  throwsCode(
    t,
    () => addon.deriveKeys(V1.id, randomBytes(16), randomBytes(16), Buffer.alloc(16), Buffer.alloc(32)),
    'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  )
  throwsCode(
    t,
    () =>
      addon.headerAuthTag(V2.id, randomBytes(32), Buffer.alloc(11), Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(16)),
    'ERR_ESDK_NATIVE_IV_LENGTH',
  )
  throwsCode(
    t,
    () =>
      addon.headerAuthTag(V2.id, randomBytes(16), Buffer.alloc(12), Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(16)),
    'ERR_ESDK_NATIVE_KEY_LENGTH',
  )
  throwsCode(
    t,
    () =>
      addon.headerAuthTag(V2.id, randomBytes(32), Buffer.alloc(12), Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(15)),
    'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  )
})

nativeOnly('deriveKeys refuses overlapping input and output', (t, addon) => {
  const shared = randomBytes(64)
  throwsCode(
    t,
    () => addon.deriveKeys(V2.id, shared.subarray(0, 32), randomBytes(32), shared.subarray(16, 48), Buffer.alloc(32)),
    'ERR_ESDK_NATIVE_OVERLAP',
  )
})

nativeOnly('sealFramedBody rejects bad frame lengths, offsets and short outputs without writing', (t, addon) => {
  const key = randomBytes(32)
  const messageId = randomBytes(32)
  const plaintext = randomBytes(50)
  const size = bodySize(50, 16)
  for (const [frameLength, code] of [
    [0, 'ERR_ESDK_NATIVE_FRAME_LENGTH'],
    [2 ** 32, 'ERR_ESDK_NATIVE_ARG_RANGE'],
    [-1, 'ERR_ESDK_NATIVE_ARG_RANGE'],
    [16.5, 'ERR_ESDK_NATIVE_ARG_RANGE'],
    [Number.NaN, 'ERR_ESDK_NATIVE_ARG_RANGE'],
  ] as const) {
    const out = Buffer.alloc(size, 0x42)
    throwsCode(t, () => addon.sealFramedBody(V2.id, key, messageId, plaintext, frameLength, out, 0), code)
    t.true(out.every((b) => b === 0x42))
  }
  const short = Buffer.alloc(size - 1, 0x42)
  throwsCode(
    t,
    () => addon.sealFramedBody(V2.id, key, messageId, plaintext, 16, short, 0),
    'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  )
  t.true(short.every((b) => b === 0x42))
  const exact = Buffer.alloc(size + 3, 0x42)
  throwsCode(
    t,
    () => addon.sealFramedBody(V2.id, key, messageId, plaintext, 16, exact, 4),
    'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  )
  throwsCode(
    t,
    () => addon.sealFramedBody(V2.id, key, messageId, plaintext, 16, exact, size + 4),
    'ERR_ESDK_NATIVE_ARG_RANGE',
  )
  t.true(exact.every((b) => b === 0x42))
  t.is(addon.sealFramedBody(V2.id, key, messageId, plaintext, 16, exact, 3), size)
})

nativeOnly('sealFramedBody refuses a plaintext that overlaps its output', (t, addon) => {
  const shared = Buffer.alloc(1000)
  throwsCode(
    t,
    () => addon.sealFramedBody(V2.id, randomBytes(32), randomBytes(32), shared.subarray(0, 100), 16, shared, 50),
    'ERR_ESDK_NATIVE_OVERLAP',
  )
})

nativeOnly('openBody validates the whole frame table first and zeroes the output', (t, addon) => {
  const { key, messageId, plaintext, body, frames } = sealed(16, 40)
  const good = tableFor(body, frames)
  t.true(addon.openBody(V2.id, key, messageId, body, good, Buffer.alloc(40)))
  const bad: [string, (table: Float64Array) => void][] = [
    [
      'iv beyond source',
      (x) => {
        x[FRAME_ROW] = body.length - 11
      },
    ],
    [
      'ciphertext beyond source',
      (x) => {
        x[2] = body.length
      },
    ],
    [
      'tag beyond source',
      (x) => {
        x[x.length - 3] = body.length - 15
      },
    ],
    [
      'negative offset',
      (x) => {
        x[0] = -1
      },
    ],
    [
      'fractional length',
      (x) => {
        x[2] = 15.5
      },
    ],
    [
      'NaN',
      (x) => {
        x[1] = Number.NaN
      },
    ],
    [
      'sequence number > uint32',
      (x) => {
        x[4] = 2 ** 32
      },
    ],
    [
      'unknown kind',
      (x) => {
        x[5] = 3
      },
    ],
  ]
  for (const [what, corrupt] of bad) {
    const table = Float64Array.from(good)
    corrupt(table)
    const out = Buffer.alloc(40, 0xaa)
    throwsCode(t, () => addon.openBody(V2.id, key, messageId, body, table, out), 'ERR_ESDK_NATIVE_FRAME_TABLE')
    t.true(allZero(out), what)
  }
  throwsCode(
    t,
    () => addon.openBody(V2.id, key, messageId, body, good.subarray(0, 5), Buffer.alloc(40)),
    'ERR_ESDK_NATIVE_FRAME_TABLE',
  )
  throwsCode(
    t,
    () => addon.openBody(V2.id, key, messageId, body, good, Buffer.alloc(39)),
    'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  )
  const roomy = Buffer.alloc(45, 0xaa)
  t.true(addon.openBody(V2.id, key, messageId, body, good, roomy))
  t.deepEqual(roomy.subarray(0, 40), plaintext)
  t.deepEqual(roomy.subarray(40), Buffer.alloc(5, 0xaa), 'bytes past the plaintext untouched')
})

nativeOnly('openBody honours the byteOffset of the frame table and of the source', (t, addon) => {
  const { key, messageId, plaintext, body, frames } = sealed(16, 40)
  const table = tableFor(body, frames)
  const padded = new Float64Array(table.length + FRAME_ROW * 2).fill(-7)
  padded.set(table, FRAME_ROW)
  const window = padded.subarray(FRAME_ROW, FRAME_ROW + table.length)
  const holder = Buffer.alloc(body.length + 64, 0x99)
  body.copy(holder, 40)
  const out = Buffer.alloc(40)
  t.true(addon.openBody(V2.id, key, messageId, holder.subarray(40, 40 + body.length), window, out))
  t.deepEqual(out, plaintext)
})

nativeOnly('openBody refuses an output overlapping the source', (t, addon) => {
  const { key, messageId, body, frames } = sealed(16, 40)
  throwsCode(
    t,
    () => addon.openBody(V2.id, key, messageId, body, tableFor(body, frames), body.subarray(0, 40)),
    'ERR_ESDK_NATIVE_OVERLAP',
  )
})

nativeOnly('a failed call leaves no OpenSSL error behind for node:crypto', (t, addon) => {
  t.throws(() => addon.deriveKeys(V2.id, randomBytes(31), randomBytes(32), Buffer.alloc(32), Buffer.alloc(32)))
  const { key, messageId, body, frames } = sealed(16, 40)
  body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 1
  t.false(addon.openBody(V2.id, key, messageId, body, tableFor(body, frames), Buffer.alloc(40)))
  // A node:crypto operation that inspects the error queue still works normally afterwards.
  t.notThrows(() => jsBackend.headerAuthTag(V2, key, Buffer.alloc(12), Buffer.alloc(3), Buffer.alloc(0)))
})
