// Framing interop in both directions: plaintext sizes around frame boundaries at frame lengths 1 B to 1 MiB, with the frame layout checked against the format.
import test from 'ava'
import {
  SIDES,
  type Side,
  type SuiteName,
  aesPair,
  decryptWith,
  direction,
  encryptWith,
  hex4,
  messageLayout,
  other,
  plaintextOf,
  suiteByName,
} from './helpers'

const keyrings = aesPair({ officialUtf8Sorting: true })
const MiB = 1024 * 1024

/** Full size matrix: 0, 1, frame-1, frame, frame+1 and several frames. */
function fullMatrix(frame: number, frames: number): number[] {
  return [0, 1, frame - 1, frame, frame + 1, frames * frame + Math.floor(frame / 3) + 1]
}

/** frame length → plaintext sizes; the extremes get fewer sizes to keep the runtime modest. */
const SIZES: ReadonlyArray<readonly [number, readonly number[]]> = [
  [1, [0, 1, 2, 3, 17]],
  [2, [0, 1, 2, 3, 9]],
  [16, fullMatrix(16, 7)],
  [512, fullMatrix(512, 9)],
  [4096, fullMatrix(4096, 5)],
  [65536, [0, 65535, 65537, 3 * 65536 + 1]],
  [MiB, [0, MiB, MiB + 1]],
]

const FRAMING_SUITES: readonly SuiteName[] = [
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256',
  'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384',
]

function sizeLabel(size: number, frame: number): string {
  if (size === 0) return '0 B'
  const rel = size === frame ? 'frame' : size === frame - 1 ? 'frame-1' : size === frame + 1 ? 'frame+1' : undefined
  return rel && frame > 2 ? `${size} B (${rel})` : `${size} B`
}

const framingMacro = test.macro({
  async exec(t, suite: SuiteName, frameLength: number, size: number, from: Side) {
    const { policy } = suiteByName(suite)
    const plaintext = plaintextOf(size, frameLength + size)
    const encrypted = await encryptWith(from, keyrings, plaintext, {
      suite,
      frameLength,
      context: { frameLength: String(frameLength) },
    })
    t.is(encrypted.header.frameLength, frameLength)

    // Every SDK writes floor(size / frame) full frames and a final frame holding the remainder (possibly empty).
    const layout = messageLayout(encrypted.ciphertext)
    t.is(layout.frameLength, frameLength)
    const full = Math.floor(size / frameLength)
    t.is(layout.frames.length, full + 1, 'frame count')
    t.true(
      layout.frames.slice(0, -1).every((f) => !f.final && f.contentLength === frameLength),
      'full frames are frameLength long',
    )
    const last = layout.frames[layout.frames.length - 1]
    t.true(last?.final === true && last.contentLength === size % frameLength, 'final frame holds the remainder')

    const decrypted = await decryptWith(other(from), keyrings, encrypted.ciphertext, policy)
    t.is(decrypted.plaintext.length, size)
    t.true(decrypted.plaintext.equals(plaintext), 'plaintext survives the crossing')
    t.is(decrypted.header.frameLength, frameLength)
  },
  title: (_p, suite: SuiteName, frameLength: number, size: number, from: Side) =>
    `frame ${frameLength === MiB ? '1 MiB' : `${frameLength} B`}, plaintext ${sizeLabel(size, frameLength)}, ${hex4(suiteByName(suite).id)}: ${direction(from, other(from))}`,
})

for (const [frameLength, sizes] of SIZES) {
  for (const size of sizes) {
    for (const suite of FRAMING_SUITES) {
      for (const from of SIDES) test(framingMacro, suite, frameLength, size, from)
    }
  }
}
