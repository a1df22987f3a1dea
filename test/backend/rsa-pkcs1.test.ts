// Native RSA PKCS#1 v1.5 unwrap: node:crypto's wraps open for 2048/3072/4096-bit keys; every bad input yields random bytes, not an error; handles.
import test from 'ava'
import { KeyObject, constants, createHash, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto'
import { jsBackend } from '../../lib/backend/js-backend'
import { NativeCryptoAddon, RsaKeyHandle, SigningKeyHandle } from '../../lib/backend/native-types'
import { nativeBackend, nativeOnly, offsetCopy } from './backends'

interface Pair {
  readonly bits: number
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
}

const PAIRS: readonly Pair[] = [2048, 3072, 4096].map((bits) => ({
  bits,
  ...generateKeyPairSync('rsa', { modulusLength: bits }),
}))
const PAIR_2048 = PAIRS[0] as Pair

function wrap(publicKey: KeyObject, dataKey: Uint8Array): Buffer {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, dataKey)
}

function importKey(addon: NativeCryptoAddon, privateKey: KeyObject): RsaKeyHandle {
  const der = privateKey.export({ type: 'pkcs8', format: 'der' })
  try {
    return addon.rsaPrivateKeyFromDer(der)
  } finally {
    der.fill(0)
  }
}

function unwrap(addon: NativeCryptoAddon, handle: RsaKeyHandle, ciphertext: Uint8Array, length: number): Buffer {
  const out = Buffer.alloc(length, 0xee)
  addon.rsaPkcs1Unwrap(handle, ciphertext, out)
  return out
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return (e as { code?: string }).code
  }
  return undefined
}

function flip(b: Buffer, i: number): Buffer {
  const c = Buffer.from(b)
  c[i] = (c[i] as number) ^ 0x01
  return c
}

nativeOnly(
  'rsaPkcs1Unwrap opens node:crypto PKCS#1 v1.5 wraps of 16/24/32-byte keys under 2048/3072/4096-bit keys, at any byteOffset',
  (t, addon) => {
    for (const { bits, privateKey, publicKey } of PAIRS) {
      const handle = importKey(addon, privateKey)
      t.deepEqual(addon.rsaKeyInfo(handle).modulusBytes, bits / 8)
      for (const length of [16, 24, 32]) {
        for (let i = 0; i < 3; i++) {
          const dataKey = randomBytes(length)
          const wrapped = wrap(publicKey, dataKey)
          t.true(unwrap(addon, handle, wrapped, length).equals(dataKey), `${bits}/${length}`)
          const out = offsetCopy(Buffer.alloc(length))
          addon.rsaPkcs1Unwrap(handle, offsetCopy(wrapped).view, out.view)
          t.true(out.view.equals(dataKey), `${bits}/${length} at an offset`)
          t.true(
            out.whole.subarray(0, 13).every((b) => b === 0xa5) &&
              out.whole.subarray(13 + length).every((b) => b === 0xa5),
            'neighbours untouched',
          )
        }
      }
      addon.disposeRsaKey(handle)
    }
  },
)

nativeOnly('OpenSSL 3.0 has no implicit rejection, so the addon does it (and says which)', (t, addon) => {
  const handle = importKey(addon, PAIR_2048.privateKey)
  const info = addon.rsaKeyInfo(handle)
  t.is(typeof info.implicitRejection, 'boolean')
  if (/^3\.[01]\./.test(process.versions.openssl)) t.false(info.implicitRejection)
  addon.disposeRsaKey(handle)
})

// What a bad ciphertext yields depends on who does the implicit rejection. The addon's own (OpenSSL 3.0):
// fresh random bytes on every call. OpenSSL's (>= 3.2, Node 24): the provider returns a synthetic message
// derived from the key and the ciphertext, of a synthetic length; when that length happens to be the one
// expected (about 1 in 246 for a 2048-bit key) the synthetic bytes come back, the same on every call,
// otherwise our random ones. Either way: the expected length, never the data key, never an error.
nativeOnly(
  'a bad ciphertext never throws: corrupted, wrong key, wrong length, wrong plaintext length all give a substitute key',
  (t, addon) => {
    const { privateKey, publicKey } = PAIR_2048
    const handle = importKey(addon, privateKey)
    const providerRejects = addon.rsaKeyInfo(handle).implicitRejection
    const dataKey = randomBytes(32)
    const wrapped = wrap(publicKey, dataKey)
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const bad: Array<[string, Uint8Array, number]> = [
      ['first byte flipped', flip(wrapped, 0), 32],
      ['middle byte flipped', flip(wrapped, 128), 32],
      ['last byte flipped', flip(wrapped, 255), 32],
      ['wrapped under another key', wrap(other.publicKey, dataKey), 32],
      ['one byte short', wrapped.subarray(1), 32],
      ['one byte long', Buffer.concat([wrapped, Buffer.from([0])]), 32],
      ['empty', Buffer.alloc(0), 32],
      ['all zero', Buffer.alloc(256), 32],
      ['all 0xff (not below the modulus)', Buffer.alloc(256, 0xff), 32],
      ['a 16-byte key where 32 are expected', wrap(publicKey, dataKey.subarray(0, 16)), 32],
      ['a 32-byte key where 16 are expected', wrapped, 16],
      ['a 33-byte plaintext where 32 are expected', wrap(publicKey, randomBytes(33)), 32],
    ]
    for (const [label, ciphertext, length] of bad) {
      const first = unwrap(addon, handle, ciphertext, length)
      const second = unwrap(addon, handle, ciphertext, length)
      t.is(first.length, length, label)
      t.false(first.equals(dataKey.subarray(0, length)), `${label}: not the data key`)
      if (!providerRejects)
        t.false(first.equals(second), `${label}: random each time, not a function of the ciphertext`)
      t.false(
        first.every((b) => b === 0xee),
        `${label}: written`,
      )
    }
    // Hash-level sanity: 200 substitutes of one bad ciphertext are all distinct (our rejection), or, with the
    // provider's, either all distinct or all one synthetic message: a function of the ciphertext or fresh
    // every time, never something in between.
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++)
      seen.add(
        createHash('sha256')
          .update(unwrap(addon, handle, flip(wrapped, 7), 32))
          .digest('hex'),
      )
    if (providerRejects) t.true(seen.size === 200 || seen.size === 1, `${seen.size} distinct substitutes`)
    else t.is(seen.size, 200)
    // And the good one still opens after all that (the cached context is not left in a bad state).
    t.true(unwrap(addon, handle, wrapped, 32).equals(dataKey))
    addon.disposeRsaKey(handle)
  },
)

nativeOnly('rsaPrivateKeyFromDer refuses what is not a DER RSA private key of a supported size', (t, addon) => {
  const der = (k: KeyObject): Buffer => k.export({ type: 'pkcs8', format: 'der' })
  const good = der(PAIR_2048.privateKey)
  t.is(
    codeOf(() => addon.rsaPrivateKeyFromDer(randomBytes(100))),
    'ERR_ESDK_NATIVE_RSA_KEY',
  )
  t.is(
    codeOf(() => addon.rsaPrivateKeyFromDer(Buffer.alloc(0))),
    'ERR_ESDK_NATIVE_RSA_KEY',
  )
  t.is(
    codeOf(() => addon.rsaPrivateKeyFromDer(Buffer.concat([good, Buffer.from([0])]))),
    'ERR_ESDK_NATIVE_RSA_KEY',
    'trailing bytes',
  )
  t.is(
    codeOf(() => addon.rsaPrivateKeyFromDer(good.subarray(0, good.length - 1))),
    'ERR_ESDK_NATIVE_RSA_KEY',
    'truncated',
  )
  t.is(
    codeOf(() => addon.rsaPrivateKeyFromDer(Buffer.alloc(20000))),
    'ERR_ESDK_NATIVE_RSA_KEY',
    'longer than any supported key',
  )
  t.is(
    codeOf(() => addon.rsaPrivateKeyFromDer(der(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey))),
    'ERR_ESDK_NATIVE_RSA_KEY',
    'EC key',
  )
  t.is(
    codeOf(() => addon.rsaPrivateKeyFromDer(der(generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey))),
    'ERR_ESDK_NATIVE_RSA_KEY',
    'RSA-PSS key',
  )
  t.is(
    codeOf(() => addon.rsaPrivateKeyFromDer(PAIR_2048.publicKey.export({ type: 'spki', format: 'der' }))),
    'ERR_ESDK_NATIVE_RSA_KEY',
    'public key',
  )
  t.is(
    codeOf(() => addon.rsaPrivateKeyFromDer('pem' as unknown as Uint8Array)),
    'ERR_ESDK_NATIVE_ARG_TYPE',
  )
  // The PKCS#1 (traditional) DER form is accepted too.
  const traditional = addon.rsaPrivateKeyFromDer(PAIR_2048.privateKey.export({ type: 'pkcs1', format: 'der' }))
  const dataKey = randomBytes(24)
  t.true(unwrap(addon, traditional, wrap(PAIR_2048.publicKey, dataKey), 24).equals(dataKey))
  addon.disposeRsaKey(traditional)
})

nativeOnly('rsaPkcs1Unwrap argument checks: output length 1..64, handles type-tagged, overlap refused', (t, addon) => {
  const handle = importKey(addon, PAIR_2048.privateKey)
  const wrapped = wrap(PAIR_2048.publicKey, randomBytes(32))
  t.is(
    codeOf(() => addon.rsaPkcs1Unwrap(handle, wrapped, Buffer.alloc(0))),
    'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  )
  t.is(
    codeOf(() => addon.rsaPkcs1Unwrap(handle, wrapped, Buffer.alloc(65))),
    'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  )
  t.is(
    codeOf(() => addon.rsaPkcs1Unwrap(handle, wrapped, wrapped.subarray(0, 32))),
    'ERR_ESDK_NATIVE_OVERLAP',
  )
  t.is(
    codeOf(() => addon.rsaPkcs1Unwrap({} as RsaKeyHandle, wrapped, Buffer.alloc(32))),
    'ERR_ESDK_NATIVE_ARG_TYPE',
  )
  t.is(
    codeOf(() => addon.rsaPkcs1Unwrap(undefined as unknown as RsaKeyHandle, wrapped, Buffer.alloc(32))),
    'ERR_ESDK_NATIVE_ARG_TYPE',
  )
  // A signing-key handle is an external too, but not an RSA one; and the other way round.
  const signing = addon.signingKeyFromScalar(256, Buffer.alloc(32, 1))
  t.is(
    codeOf(() => addon.rsaPkcs1Unwrap(signing as unknown as RsaKeyHandle, wrapped, Buffer.alloc(32))),
    'ERR_ESDK_NATIVE_ARG_TYPE',
  )
  t.is(
    codeOf(() => addon.disposeRsaKey(signing as unknown as RsaKeyHandle)),
    'ERR_ESDK_NATIVE_ARG_TYPE',
  )
  t.is(
    codeOf(() => addon.signingKeyPublicKey(handle as unknown as SigningKeyHandle, Buffer.alloc(33))),
    'ERR_ESDK_NATIVE_ARG_TYPE',
  )
  addon.disposeSigningKey(signing)
  addon.disposeRsaKey(handle)
})

nativeOnly('a disposed handle is refused, dispose is idempotent, and other handles are unaffected', (t, addon) => {
  const a = importKey(addon, PAIR_2048.privateKey)
  const b = importKey(addon, PAIR_2048.privateKey)
  const dataKey = randomBytes(32)
  const wrapped = wrap(PAIR_2048.publicKey, dataKey)
  addon.disposeRsaKey(a)
  addon.disposeRsaKey(a)
  const out = Buffer.alloc(32, 0xee)
  t.is(
    codeOf(() => addon.rsaPkcs1Unwrap(a, wrapped, out)),
    'ERR_ESDK_NATIVE_KEY_DISPOSED',
  )
  t.true(
    out.every((x) => x === 0xee),
    'nothing written through a disposed handle',
  )
  t.is(
    codeOf(() => addon.rsaKeyInfo(a)),
    'ERR_ESDK_NATIVE_KEY_DISPOSED',
  )
  t.true(unwrap(addon, b, wrapped, 32).equals(dataKey))
  addon.disposeRsaKey(b)
})

nativeOnly(
  'handles left to the garbage collector are finalized (run under ASan: no leak, no double free)',
  async (t, addon) => {
    for (let i = 0; i < 50; i++) importKey(addon, PAIR_2048.privateKey)
    const gc = (globalThis as { gc?: () => void }).gc
    if (gc) gc()
    await new Promise((resolve) => setImmediate(resolve))
    t.pass()
  },
)

test('the native backend lends its PKCS#1 v1.5 unwrap through the keyring-crypto port; the JS backend has none (node:crypto path)', (t) => {
  t.is(jsBackend.keyringCrypto.rsaPkcs1, undefined)
  if (!nativeBackend) return t.pass('native backend unavailable')
  const pkcs1 = nativeBackend.keyringCrypto.rsaPkcs1
  if (!pkcs1) return t.fail('the native backend has no rsaPkcs1')
  const dataKey = randomBytes(32)
  const wrapped = wrap(PAIR_2048.publicKey, dataKey)
  const key = pkcs1.unwrap(PAIR_2048.privateKey, wrapped, 32)
  t.true(key.equals(dataKey))
  t.is(key.byteOffset, 0)
  t.is(key.buffer.byteLength, 32, 'an unpooled buffer of its own')
  t.false(pkcs1.unwrap(PAIR_2048.privateKey, flip(wrapped, 3), 32).equals(dataKey))
  // forget frees the imported key; the next unwrap imports it again.
  pkcs1.forget(PAIR_2048.privateKey)
  pkcs1.forget(PAIR_2048.privateKey)
  t.true(pkcs1.unwrap(PAIR_2048.privateKey, wrapped, 32).equals(dataKey))
  t.throws(() => pkcs1.unwrap(PAIR_2048.privateKey, wrapped, 0), { code: 'ERR_ESDK_NATIVE_OUTPUT_LENGTH' })
})
