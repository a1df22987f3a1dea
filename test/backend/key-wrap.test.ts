// The backends' AES-GCM through the keyring-crypto port: node:crypto's bytes for every key size, refusal of any flipped byte, owned outputs.
import { randomBytes } from 'node:crypto'
import { nodeKeyringCrypto } from '../../lib/materials/node-keyring-crypto'
import { eachBackend, nativeOnly, offsetCopy } from './backends'

eachBackend(
  "seal gives node:crypto's ciphertext ‖ tag and open inverts it, for 128/192/256-bit keys and any AAD",
  (t, backend) => {
    for (const keyLength of [16, 24, 32]) {
      for (const [size, aadLength] of [
        [0, 0],
        [16, 0],
        [32, 7],
        [24, 300],
      ] as const) {
        const key = randomBytes(keyLength)
        const iv = randomBytes(12)
        const aad = randomBytes(aadLength)
        const plaintext = randomBytes(size)
        const sealed = backend.keyringCrypto.aesGcmSeal(key, iv, aad, plaintext)
        t.deepEqual(sealed, nodeKeyringCrypto.aesGcmSeal(key, iv, aad, plaintext), `${keyLength}/${size}/${aadLength}`)
        // Views at odd offsets open the same way (byteOffset respected).
        const opened = backend.keyringCrypto.aesGcmOpen(
          offsetCopy(key).view,
          offsetCopy(iv).view,
          offsetCopy(aad).view,
          offsetCopy(sealed).view,
        )
        t.true(Buffer.isBuffer(opened) && opened.equals(plaintext))
        if (Buffer.isBuffer(opened))
          t.is(opened.buffer.byteLength === opened.length || opened.byteOffset === 0, true, 'an owned, unpooled buffer')
      }
    }
  },
)

eachBackend('open refuses every flipped byte of the sealed key, the IV, the AAD and the wrapping key', (t, backend) => {
  const key = randomBytes(32)
  const iv = randomBytes(12)
  const aad = randomBytes(20)
  const sealed = backend.keyringCrypto.aesGcmSeal(key, iv, aad, randomBytes(32))
  const flip = (b: Buffer, i: number): Buffer => {
    const c = Buffer.from(b)
    c[i] = (c[i] as number) ^ 1
    return c
  }
  for (let i = 0; i < sealed.length; i++)
    t.true(backend.keyringCrypto.aesGcmOpen(key, iv, aad, flip(sealed, i)) instanceof Error, `sealed byte ${i}`)
  t.true(backend.keyringCrypto.aesGcmOpen(key, flip(iv, 3), aad, sealed) instanceof Error)
  t.true(backend.keyringCrypto.aesGcmOpen(key, iv, flip(aad, 19), sealed) instanceof Error)
  t.true(backend.keyringCrypto.aesGcmOpen(flip(key, 0), iv, aad, sealed) instanceof Error)
  t.true(backend.keyringCrypto.aesGcmOpen(key, iv, aad, sealed.subarray(0, 10)) instanceof Error, 'shorter than a tag')
})

nativeOnly('gcmSeal/gcmOpen refuse bad key, IV and output sizes and overlapping buffers', (t, addon) => {
  const code = (fn: () => unknown): string | undefined =>
    (t.throws(fn) as (Error & { code?: string }) | undefined)?.code
  const iv = randomBytes(12)
  t.is(
    code(() => addon.gcmSeal(randomBytes(20), iv, Buffer.alloc(0), randomBytes(32), Buffer.alloc(48))),
    'ERR_ESDK_NATIVE_KEY_LENGTH',
  )
  t.is(
    code(() => addon.gcmSeal(randomBytes(32), randomBytes(16), Buffer.alloc(0), randomBytes(32), Buffer.alloc(48))),
    'ERR_ESDK_NATIVE_IV_LENGTH',
  )
  t.is(
    code(() => addon.gcmSeal(randomBytes(32), iv, Buffer.alloc(0), randomBytes(32), Buffer.alloc(47))),
    'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  )
  t.is(
    code(() => addon.gcmOpen(randomBytes(32), iv, Buffer.alloc(0), randomBytes(48), Buffer.alloc(31))),
    'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  )
  const shared = Buffer.alloc(80)
  t.is(
    code(() => addon.gcmSeal(randomBytes(32), iv, Buffer.alloc(0), shared.subarray(0, 32), shared.subarray(16, 64))),
    'ERR_ESDK_NATIVE_OVERLAP',
  )
})
