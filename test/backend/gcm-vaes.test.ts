// Frame AES-GCM: our VAES implementation and the OpenSSL EVP one against node:crypto and each other, on every length edge.
import test, { ExecutionContext } from 'ava'
import { createCipheriv } from 'node:crypto'
import { GCM_IMPL, GcmImplCode, hasGcmTestHooks, NativeAddon, NativeGcmTestHooks } from '../../lib/backend/native-types'
import { getBackendInfo } from '../../lib/backend/select'
import { nativeAddon } from './backends'

type Hooks = NativeAddon & NativeGcmTestHooks

const addon: Hooks | undefined = nativeAddon && hasGcmTestHooks(nativeAddon) ? nativeAddon : undefined
const why = nativeAddon ? 'the addon has no GCM test hooks' : 'addon not loaded'

/** The CPU features the VAES path needs, as the addon itself reports them. */
function cpuHasVaes(a: Hooks): boolean {
  const f = a.cpuFeatures()
  return f.avx2 === true && f.vaes === true && f.vpclmulqdq === true && f.aesni === true && f.pclmulqdq === true
}

/** Each implementation available here, so a machine without VAES still tests EVP (and says it skipped VAES). */
function impls(a: Hooks): { name: 'evp' | 'vaes'; code: GcmImplCode }[] {
  const all: { name: 'evp' | 'vaes'; code: GcmImplCode }[] = [{ name: 'evp', code: GCM_IMPL.evp }]
  if (cpuHasVaes(a)) all.push({ name: 'vaes', code: GCM_IMPL.vaes })
  return all
}

function hooksTest(title: string, body: (t: ExecutionContext, a: Hooks) => void): void {
  if (addon) test(`[native] ${title}`, (t) => body(t, addon))
  else test.skip(`[native] ${title} (unavailable: ${why})`, () => undefined)
}

/** Deterministic bytes (splitmix32), so a failure reproduces. */
class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x9e3779b9) | 0
    let z = this.state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n)
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff
    return b
  }
}

interface Sealed {
  ciphertext: Buffer
  tag: Buffer
}

function nodeSeal(key: Buffer, iv: Buffer, aad: Buffer, plaintext: Buffer): Sealed {
  const cipher = createCipheriv(`aes-${key.length * 8}-gcm` as 'aes-256-gcm', key, iv)
  cipher.setAAD(aad)
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return { ciphertext, tag: cipher.getAuthTag() }
}

function seal(
  a: Hooks,
  impl: GcmImplCode,
  key: Buffer,
  iv: Buffer,
  aadA: Buffer,
  aadB: Buffer,
  plaintext: Buffer,
): Sealed {
  const ciphertext = Buffer.alloc(plaintext.length)
  const tag = Buffer.alloc(16)
  a.gcmTestSeal(impl, key, iv, aadA, aadB, plaintext, ciphertext, tag)
  return { ciphertext, tag }
}

function open(
  a: Hooks,
  impl: GcmImplCode,
  key: Buffer,
  iv: Buffer,
  aadA: Buffer,
  aadB: Buffer,
  sealed: Sealed,
): Buffer | undefined {
  const out = Buffer.alloc(sealed.ciphertext.length, 0xa5)
  if (a.gcmTestOpen(impl, key, iv, aadA, aadB, sealed.ciphertext, out, sealed.tag)) return out
  if (!out.equals(Buffer.alloc(out.length))) throw new Error('a failed open left bytes in out')
  return undefined
}

/**
 * Seals with every implementation, compares with node:crypto, opens again; returns a description of
 * the first disagreement (t.* per case would be tens of thousands of assertions).
 */
function check(a: Hooks, key: Buffer, iv: Buffer, aadA: Buffer, aadB: Buffer, plaintext: Buffer): string | undefined {
  const expected = nodeSeal(key, iv, Buffer.concat([aadA, aadB]), plaintext)
  const what = `key ${key.length * 8}, plaintext ${plaintext.length}, aad ${aadA.length}+${aadB.length}`
  for (const { name, code } of impls(a)) {
    const got = seal(a, code, key, iv, aadA, aadB, plaintext)
    if (!got.ciphertext.equals(expected.ciphertext)) return `${name} ciphertext differs (${what})`
    if (!got.tag.equals(expected.tag)) return `${name} tag differs (${what})`
    const back = open(a, code, key, iv, aadA, aadB, expected)
    if (!back) return `${name} refused node:crypto's output (${what})`
    if (!back.equals(plaintext)) return `${name} opened to different bytes (${what})`
  }
  return undefined
}

const KEY_SIZES = [16, 24, 32] as const

hooksTest(
  'frames use what the load chose: VAES only where the CPU reports AVX2+VAES+VPCLMULQDQ+AES-NI+PCLMULQDQ, as ESDK_GCM_IMPL asks, else the faster at load',
  (t, a) => {
    const asked = process.env.ESDK_GCM_IMPL ?? 'auto'
    // The backend's selection configures the addon (lib/backend/native-settings.ts); read its choice first.
    const chosen = getBackendInfo().nativeSettings?.gcm
    const where = `cpu ${JSON.stringify(a.cpuFeatures())}, ESDK_GCM_IMPL=${asked}, chose ${String(chosen)}: ${getBackendInfo().nativeSettingsWhy?.gcm ?? ''}`
    if (!cpuHasVaes(a) || asked === 'evp') t.is(chosen, 'evp', where)
    else if (asked === 'vaes') t.is(chosen, 'vaes', where)
    else t.true(chosen === 'vaes' || chosen === 'evp', where)
    t.is(a.gcmImplementation() as string | undefined, chosen as string | undefined, where)
    const key = Buffer.alloc(32, 7)
    const iv = Buffer.alloc(12, 1)
    const args = [
      key,
      iv,
      Buffer.alloc(0),
      Buffer.alloc(0),
      Buffer.alloc(16),
      Buffer.alloc(16),
      Buffer.alloc(16),
    ] as const
    if (cpuHasVaes(a)) t.notThrows(() => a.gcmTestSeal(GCM_IMPL.vaes, ...args))
    else
      t.throws(
        () => a.gcmTestSeal(GCM_IMPL.vaes, ...args),
        undefined,
        'VAES must refuse to run without the CPU features',
      )
    // The default (0) is the same implementation frames get, and agrees with EVP.
    const viaDefault = seal(a, GCM_IMPL.default, key, iv, Buffer.from('ab'), Buffer.from('c'), Buffer.alloc(100, 3))
    const viaEvp = seal(a, GCM_IMPL.evp, key, iv, Buffer.from('a'), Buffer.from('bc'), Buffer.alloc(100, 3))
    t.deepEqual(viaDefault, viaEvp)
  },
)

hooksTest('NIST GCM test cases 1-4, 7-10, 13-16 (McGrew & Viega; 96-bit IVs) for every implementation', (t, a) => {
  const P3 =
    'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
    '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255'
  const P4 = P3.slice(0, 120)
  const A4 = 'feedfacedeadbeeffeedfacedeadbeefabaddad2'
  const K = 'feffe9928665731c6d6a8f9467308308'
  const IV = 'cafebabefacedbaddecaf888'
  const Z12 = '00'.repeat(12)
  const C3 =
    '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e' +
    '21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985'
  const C9 =
    '3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c' +
    '7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256'
  const C15 =
    '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
    '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad'
  // [case, key, plaintext, iv, aad, ciphertext, tag]
  const vectors: [number, string, string, string, string, string, string][] = [
    [1, '00'.repeat(16), '', Z12, '', '', '58e2fccefa7e3061367f1d57a4e7455a'],
    [
      2,
      '00'.repeat(16),
      '00'.repeat(16),
      Z12,
      '',
      '0388dace60b6a392f328c2b971b2fe78',
      'ab6e47d42cec13bdf53a67b21257bddf',
    ],
    [3, K, P3, IV, '', C3, '4d5c2af327cd64a62cf35abd2ba6fab4'],
    [4, K, P4, IV, A4, C3.slice(0, 120), '5bc94fbc3221a5db94fae95ae7121a47'],
    [7, '00'.repeat(24), '', Z12, '', '', 'cd33b28ac773f74ba00ed1f312572435'],
    [
      8,
      '00'.repeat(24),
      '00'.repeat(16),
      Z12,
      '',
      '98e7247c07f0fe411c267e4384b0f600',
      '2ff58d80033927ab8ef4d4587514f0fb',
    ],
    [9, K + K.slice(0, 16), P3, IV, '', C9, '9924a7c8587336bfb118024db8674a14'],
    [10, K + K.slice(0, 16), P4, IV, A4, C9.slice(0, 120), '2519498e80f1478f37ba55bd6d27618c'],
    [13, '00'.repeat(32), '', Z12, '', '', '530f8afbc74536b9a963b4f1c4cb738b'],
    [
      14,
      '00'.repeat(32),
      '00'.repeat(16),
      Z12,
      '',
      'cea7403d4d606b6e074ec5d3baf39d18',
      'd0d1c8a799996bf0265b98b5d48ab919',
    ],
    [15, K + K, P3, IV, '', C15, 'b094dac5d93471bdec1a502270e3cc6c'],
    [16, K + K, P4, IV, A4, C15.slice(0, 120), '76fc6ece0f4e1768cddf8853bb2d551b'],
  ]
  const hex = (s: string): Buffer => Buffer.from(s, 'hex')
  for (const { name, code } of impls(a)) {
    for (const [n, k, p, iv, aad, c, tag] of vectors) {
      // The AAD split unevenly over the two pieces, as frames pass it.
      const aadBytes = hex(aad)
      const got = seal(a, code, hex(k), hex(iv), aadBytes.subarray(0, 7), aadBytes.subarray(7), hex(p))
      t.is(got.ciphertext.toString('hex'), c, `${name} case ${n} ciphertext`)
      t.is(got.tag.toString('hex'), tag, `${name} case ${n} tag`)
      const back = open(a, code, hex(k), hex(iv), aadBytes, Buffer.alloc(0), { ciphertext: hex(c), tag: hex(tag) })
      t.is(back?.toString('hex'), p, `${name} case ${n} opens`)
    }
  }
  t.is(impls(a).length, cpuHasVaes(a) ? 2 : 1)
})

hooksTest(
  'every plaintext length 0..300 and the chunk/frame edges match node:crypto, for 128/192/256-bit keys',
  (t, a) => {
    const rng = new Rng(0x5eed)
    const lengths: number[] = []
    for (let n = 0; n <= 300; n++) lengths.push(n)
    lengths.push(511, 512, 513, 4095, 4096, 4097, 65535, 65536, 65537, (1 << 20) + 13)
    const failures: string[] = []
    for (const keySize of KEY_SIZES) {
      for (const n of lengths) {
        const aadLength = n % 71
        const split = (n * 7) % (aadLength + 1)
        const aad = rng.bytes(aadLength)
        const failure = check(
          a,
          rng.bytes(keySize),
          rng.bytes(12),
          aad.subarray(0, split),
          aad.subarray(split),
          rng.bytes(n),
        )
        if (failure) failures.push(failure)
      }
    }
    t.deepEqual(failures.slice(0, 10), [])
  },
)

hooksTest('AAD of 0..70 bytes split at every point between the two pieces is one AAD string', (t, a) => {
  const rng = new Rng(0xaad)
  const failures: string[] = []
  for (const keySize of KEY_SIZES) {
    const key = rng.bytes(keySize)
    for (let aadLength = 0; aadLength <= 70; aadLength++) {
      const aad = rng.bytes(aadLength)
      for (let split = 0; split <= aadLength; split++) {
        const plaintext = rng.bytes((aadLength * 5 + split) % 50)
        const failure = check(a, key, rng.bytes(12), aad.subarray(0, split), aad.subarray(split), plaintext)
        if (failure) failures.push(`${failure} split ${split}`)
      }
    }
  }
  t.deepEqual(failures.slice(0, 10), [])
})

hooksTest('seal and open in place (out is the input buffer)', (t, a) => {
  const rng = new Rng(0x1ace)
  for (const { name, code } of impls(a)) {
    for (const keySize of KEY_SIZES) {
      for (const n of [0, 1, 15, 16, 17, 31, 32, 33, 255, 256, 257, 511, 512, 4096, 4099, 65536 + 5]) {
        const key = rng.bytes(keySize)
        const iv = rng.bytes(12)
        const aadA = rng.bytes(n % 23)
        const aadB = rng.bytes(n % 9)
        const plaintext = rng.bytes(n)
        const expected = nodeSeal(key, iv, Buffer.concat([aadA, aadB]), plaintext)
        const buf = Buffer.from(plaintext)
        const tag = Buffer.alloc(16)
        a.gcmTestSeal(code, key, iv, aadA, aadB, buf, buf, tag)
        t.true(buf.equals(expected.ciphertext) && tag.equals(expected.tag), `${name} seal ${keySize * 8}/${n}`)
        t.true(a.gcmTestOpen(code, key, iv, aadA, aadB, buf, buf, tag), `${name} open ${keySize * 8}/${n}`)
        t.true(buf.equals(plaintext), `${name} open ${keySize * 8}/${n} bytes`)
      }
    }
  }
})

hooksTest(
  'a flipped bit in the tag, ciphertext, either AAD piece, IV or key fails authentication and zeroes out',
  (t, a) => {
    const rng = new Rng(0xbad)
    const flip = (b: Buffer, i: number, bit = 1): Buffer => {
      const c = Buffer.from(b)
      c[i] = (c[i] as number) ^ bit
      return c
    }
    for (const { name, code } of impls(a)) {
      for (const keySize of KEY_SIZES) {
        for (const n of [0, 1, 15, 16, 17, 255, 256, 257, 4096 + 7]) {
          const key = rng.bytes(keySize)
          const iv = rng.bytes(12)
          const aadA = rng.bytes(13)
          const aadB = rng.bytes(29)
          const sealed = seal(a, code, key, iv, aadA, aadB, rng.bytes(n))
          const label = `${name} ${keySize * 8}/${n}`
          t.truthy(open(a, code, key, iv, aadA, aadB, sealed), `${label} untouched opens`)
          for (const i of [0, 7, 15])
            t.is(
              open(a, code, key, iv, aadA, aadB, { ...sealed, tag: flip(sealed.tag, i, 0x80) }),
              undefined,
              `${label} tag byte ${i}`,
            )
          for (const i of n > 0 ? [0, n >> 1, n - 1] : []) {
            t.is(
              open(a, code, key, iv, aadA, aadB, { ...sealed, ciphertext: flip(sealed.ciphertext, i) }),
              undefined,
              `${label} ciphertext byte ${i}`,
            )
          }
          t.is(open(a, code, key, iv, flip(aadA, 12), aadB, sealed), undefined, `${label} aadA`)
          t.is(open(a, code, key, iv, aadA, flip(aadB, 0), sealed), undefined, `${label} aadB`)
          // Moving the boundary between the pieces is the same AAD and must still verify.
          const joined = Buffer.concat([aadA, aadB])
          t.truthy(
            open(a, code, key, iv, joined.subarray(0, 20), joined.subarray(20), sealed),
            `${label} same AAD, other split`,
          )
          t.is(open(a, code, key, iv, aadA, aadB.subarray(1), sealed), undefined, `${label} shorter AAD`)
          t.is(open(a, code, key, flip(iv, 11), aadA, aadB, sealed), undefined, `${label} iv`)
          t.is(open(a, code, flip(key, 0), iv, aadA, aadB, sealed), undefined, `${label} key`)
        }
      }
    }
  },
)

hooksTest('VAES and EVP agree on random inputs (fixed seed), including multi-chunk lengths', (t, a) => {
  if (!cpuHasVaes(a)) {
    t.pass('no VAES on this CPU: nothing to compare')
    return
  }
  const rng = new Rng(0xd1ff)
  let compared = 0
  for (let i = 0; i < 400; i++) {
    const keySize = KEY_SIZES[i % 3] as number
    const n = rng.next() % (i % 10 === 0 ? 70000 : 2100)
    const key = rng.bytes(keySize)
    const iv = rng.bytes(12)
    const aadA = rng.bytes(rng.next() % 80)
    const aadB = rng.bytes(rng.next() % 80)
    const plaintext = rng.bytes(n)
    const evp = seal(a, GCM_IMPL.evp, key, iv, aadA, aadB, plaintext)
    const vaes = seal(a, GCM_IMPL.vaes, key, iv, aadA, aadB, plaintext)
    if (!evp.ciphertext.equals(vaes.ciphertext) || !evp.tag.equals(vaes.tag)) {
      t.fail(`differ at case ${i}: key ${keySize * 8}, plaintext ${n}, aad ${aadA.length}+${aadB.length}`)
      return
    }
    compared++
  }
  t.is(compared, 400)
})

hooksTest('the test hooks refuse bad sizes and partly overlapping buffers', (t, a) => {
  const code = (fn: () => unknown): string | undefined =>
    (t.throws(fn) as (Error & { code?: string }) | undefined)?.code
  const none = Buffer.alloc(0)
  const iv = Buffer.alloc(12)
  t.is(
    code(() => a.gcmTestSeal(GCM_IMPL.evp, Buffer.alloc(20), iv, none, none, none, none, Buffer.alloc(16))),
    'ERR_ESDK_NATIVE_KEY_LENGTH',
  )
  t.is(
    code(() =>
      a.gcmTestSeal(GCM_IMPL.evp, Buffer.alloc(16), Buffer.alloc(16), none, none, none, none, Buffer.alloc(16)),
    ),
    'ERR_ESDK_NATIVE_IV_LENGTH',
  )
  t.is(
    code(() =>
      a.gcmTestSeal(GCM_IMPL.evp, Buffer.alloc(16), iv, none, none, Buffer.alloc(3), Buffer.alloc(4), Buffer.alloc(16)),
    ),
    'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  )
  const shared = Buffer.alloc(64)
  t.is(
    code(() =>
      a.gcmTestSeal(
        GCM_IMPL.evp,
        Buffer.alloc(16),
        iv,
        none,
        none,
        shared.subarray(0, 32),
        shared.subarray(16, 48),
        Buffer.alloc(16),
      ),
    ),
    'ERR_ESDK_NATIVE_OVERLAP',
  )
})
