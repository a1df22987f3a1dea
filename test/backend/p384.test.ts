// P-384 on native/p384.cc against node:crypto: public keys of edge scalars, signatures both ways over many
// fresh keys (each first signature uses our precomputed nonce), refused signatures and points, and the same
// answers from our verification (ESDK_P384=fast) and OpenSSL's path (ESDK_P384=openssl) in child processes.
// The in-process verification tests exercise whichever ESDK_P384 the run has (default: OpenSSL verifies).
import { execFileSync } from 'node:child_process'
import {
  createECDH,
  createHash,
  createSign,
  createVerify,
  generateKeyPairSync,
  KeyObject,
  randomBytes,
} from 'node:crypto'
import * as path from 'node:path'
import { NativeCryptoAddon, SigningKeyHandle } from '../../lib/backend/native-types'
import { compressPoint, publicKeyFromPoint } from '../../lib/materials/ec-points'
import { SignatureSpec } from '../../lib/core/suites'
import { A, nativeOnly, suite } from './backends'
import { ChildInput, ChildOutput, run } from './p384-child'
import { getBackendInfo } from '../../lib/backend/select'

const SPEC = suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384).signature as SignatureSpec
const SUITE = 0x0578
const N = 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n
const P = 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n

const hex48 = (v: bigint): string => v.toString(16).padStart(96, '0')
const big = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`)

/** Edge scalars: the ends of [1, n), single high bits, long zero runs, every 4-bit digit set or clear. */
const EDGE_SCALARS: bigint[] = [
  1n,
  2n,
  3n,
  15n,
  16n,
  17n,
  255n,
  256n,
  N - 1n,
  N - 2n,
  N - 16n,
  (N - 1n) / 2n,
  (N + 1n) / 2n,
  2n ** 383n,
  2n ** 383n + 1n,
  2n ** 383n - 1n,
  2n ** 200n + 1n,
  2n ** 128n - 1n,
  2n ** 380n,
  2n ** 384n - 2n ** 200n, // above 2^384 - 2^190 would be >= n
  BigInt(`0x${'f0'.repeat(48)}`),
  BigInt(`0x${'0f'.repeat(48)}`),
  BigInt(`0x1${'0'.repeat(94)}1`),
  BigInt(`0x${'8'.padEnd(96, '0')}`) + 0xfn,
]

function spkiPoint(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ type: 'spki', format: 'der' })
  return der.subarray(der.length - 97)
}

function derInteger(v: bigint): Buffer {
  let hex = v.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  let bytes = Buffer.from(hex, 'hex')
  if ((bytes[0] as number) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes])
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes])
}

/** Strict DER ECDSA-Sig-Value for any non-negative r, s (including the invalid 0, n and beyond). */
function derSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)])
  const length = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length])
  return Buffer.concat([Buffer.from([0x30]), length, body])
}

function parseSignature(der: Buffer): { r: bigint; s: bigint } {
  let i = der[1] === 0x81 ? 3 : 2
  const rLength = der[i + 1] as number
  const r = big(der.subarray(i + 2, i + 2 + rLength))
  i += 2 + rLength
  const sLength = der[i + 1] as number
  return { r, s: big(der.subarray(i + 2, i + 2 + sLength)) }
}

function generate(addon: NativeCryptoAddon, count: number): Promise<SigningKeyHandle[]> {
  return new Promise((resolve, reject) =>
    addon.generateSigningKeys(384, count, (e, h) => (e ? reject(e) : resolve(h ?? []))),
  )
}

function pointOf(addon: NativeCryptoAddon, handle: SigningKeyHandle): Buffer {
  const point = Buffer.alloc(97)
  addon.exportSigningKey(handle, Buffer.alloc(48), point)
  return point
}

function sign(addon: NativeCryptoAddon, handle: SigningKeyHandle, message: Buffer): Buffer {
  const out = Buffer.alloc(104)
  return out.subarray(0, addon.signDigest(handle, createHash('sha384').update(message).digest(), out))
}

function nodePublicPoint(d: bigint): Buffer {
  const ecdh = createECDH('secp384r1')
  ecdh.setPrivateKey(Buffer.from(hex48(d), 'hex'))
  return ecdh.getPublicKey()
}

const nodeVerify = (point: Buffer, message: Buffer, signature: Buffer): boolean =>
  createVerify('sha384')
    .update(message)
    .verify({ key: publicKeyFromPoint(SPEC.curve, point), dsaEncoding: 'der' }, signature)

nativeOnly(
  'P-384: the implementation in use is reported: what ESDK_P384 asks for, or for auto what the load-time choice made',
  (t, addon) => {
    const env = process.env.ESDK_P384
    const info = getBackendInfo()
    t.is(info.nativeSettings?.p384, addon.p384Implementation)
    if (env === 'openssl' || env === 'fast' || env === 'keys') {
      t.is(addon.p384Implementation, env)
      t.is(info.nativeSettingsWhy?.p384, `ESDK_P384=${env}`)
    } else {
      // auto: our k*G where the bench measured it faster (OpenSSL 3.0 and 3.5), else a race at load.
      const minor = /^(\d+\.\d+)\./.exec(process.versions.openssl)?.[1]
      if (minor === '3.0' || minor === '3.5') t.is(addon.p384Implementation, 'keys')
      t.regex(info.nativeSettingsWhy?.p384 ?? '', /^auto, (known|measured)/)
    }
  },
)

nativeOnly(
  'P-384: keys from edge scalars have node:crypto public keys, and their signatures verify under node:crypto',
  (t, addon) => {
    for (const d of EDGE_SCALARS) {
      t.true(d >= 1n && d < N)
      const handle = addon.signingKeyFromScalar(384, Buffer.from(hex48(d), 'hex'))
      const point = pointOf(addon, handle)
      t.deepEqual(point, nodePublicPoint(d), `d = 0x${d.toString(16)}`)
      const message = randomBytes(64)
      t.true(nodeVerify(point, message, sign(addon, handle, message)), `signature, d = 0x${d.toString(16)}`)
      addon.disposeSigningKey(handle)
    }
  },
)

nativeOnly(
  "P-384: 96 fresh native keys sign (precomputed nonce) what node:crypto verifies, and each public key is its scalar's",
  async (t, addon) => {
    const handles = [...(await generate(addon, 32)), ...(await generate(addon, 32)), ...(await generate(addon, 32))]
    t.is(handles.length, 96)
    const rs = new Set<bigint>()
    for (const handle of handles) {
      const d = Buffer.alloc(48)
      const point = Buffer.alloc(97)
      addon.exportSigningKey(handle, d, point)
      t.deepEqual(point, nodePublicPoint(big(d)))
      const message = randomBytes(1 + (big(d.subarray(0, 1)) > 128n ? 500 : 7))
      const signature = sign(addon, handle, message)
      rs.add(parseSignature(signature).r)
      t.true(nodeVerify(point, message, signature))
      t.true(addon.verifyMessage(SUITE, point, message, signature), 'and our verification agrees')
      const other = Buffer.from(message)
      other[0] = (other[0] as number) ^ 1
      t.false(addon.verifyMessage(SUITE, point, other, signature))
      addon.disposeSigningKey(handle)
    }
    t.is(rs.size, 96, 'every nonce is fresh')
  },
)

nativeOnly(
  'P-384: node:crypto signatures over many messages verify natively, with uncompressed and compressed points',
  (t, addon) => {
    for (let k = 0; k < 3; k++) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
      const point = spkiPoint(publicKey)
      for (let i = 0; i < 40; i++) {
        const message = randomBytes(i * 13)
        const signature = createSign('sha384').update(message).sign({ key: privateKey, dsaEncoding: 'der' })
        t.true(addon.verifyMessage(SUITE, point, message, signature))
        if (i % 8 === 0) t.true(addon.verifyMessage(SUITE, compressPoint(point), message, signature))
      }
    }
  },
)

/** Signatures and points that must be refused, with the valid original first (all public, so shared with the child). */
function refusalCases(): { name: string; point: string; message: string; signature: string; ok: boolean }[] {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
  const point = spkiPoint(publicKey)
  const other = spkiPoint(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey)
  const message = randomBytes(200)
  const der = createSign('sha384').update(message).sign({ key: privateKey, dsaEncoding: 'der' })
  const { r, s } = parseSignature(der)
  if (!derSignature(r, s).equals(der)) throw new Error('DER re-encoding differs from node:crypto')
  const offCurve = Buffer.from(point)
  offCurve[96] = (offCurve[96] as number) ^ 1
  const xBeyondP = Buffer.concat([Buffer.from([4]), Buffer.from(hex48(P), 'hex'), point.subarray(49)])
  const cases: [string, Buffer, Buffer, boolean][] = [
    ['valid', point, der, true],
    ['valid, s negated (ECDSA accepts (r, n - s))', point, derSignature(r, N - s), true],
    ['r = 0', point, derSignature(0n, s), false],
    ['s = 0', point, derSignature(r, 0n), false],
    ['r = n', point, derSignature(N, s), false],
    ['s = n', point, derSignature(r, N), false],
    ['r + n (same residue)', point, derSignature(r + N, s), false],
    ['s + n (same residue)', point, derSignature(r, s + N), false],
    ['r = 2^384 - 1', point, derSignature(2n ** 384n - 1n, s), false],
    ['r = 1', point, derSignature(1n, s), false],
    ['s = 1', point, derSignature(r, 1n), false],
    ['r - 1', point, derSignature(r - 1n, s), false],
    ['s + 1', point, derSignature(r, s + 1n), false],
    ['r and s swapped', point, derSignature(s, r), false],
    ['wrong point', other, der, false],
    ['point off the curve', offCurve, der, false],
    ['x beyond p', xBeyondP, der, false],
    ['point at infinity', Buffer.from([0]), der, false],
    [
      'negated point',
      Buffer.concat([point.subarray(0, 49), Buffer.from(hex48(P - big(point.subarray(49))), 'hex')]),
      der,
      false,
    ],
  ]
  for (let i = 0; i < der.length; i += 5) {
    const bad = Buffer.from(der)
    bad[i] = (bad[i] as number) ^ 0x10
    cases.push([`flipped bit in signature byte ${i}`, point, bad, false])
  }
  return cases.map(([name, p, sig, ok]) => ({
    name,
    point: p.toString('hex'),
    message: message.toString('hex'),
    signature: sig.toString('hex'),
    ok,
  }))
}

nativeOnly(
  'P-384: r or s of 0, n or beyond, same-residue and flipped signatures, wrong and invalid points are refused',
  (t, addon) => {
    for (const c of refusalCases()) {
      const point = Buffer.from(c.point, 'hex')
      const message = Buffer.from(c.message, 'hex')
      const signature = Buffer.from(c.signature, 'hex')
      t.is(addon.verifyMessage(SUITE, point, message, signature), c.ok, c.name)
      if (point.length === 97 && point[0] === 4 && c.name !== 'x beyond p' && c.name !== 'point off the curve') {
        t.is(nodeVerify(point, message, signature), c.ok, `node:crypto agrees: ${c.name}`)
      }
    }
  },
)

nativeOnly(
  "P-384: our path for everything (ESDK_P384=fast) and OpenSSL's (ESDK_P384=openssl), each in a child process, give the same public keys and verdicts as node:crypto, and each verifies the other's signatures",
  async (t, addon) => {
    const refusals = refusalCases()
    // And many valid node:crypto signatures (with a one-bit-off copy of each), so our verification is
    // exercised beyond the refusal cases whatever ESDK_P384 this run has.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
    const nodePoint = spkiPoint(publicKey)
    for (let i = 0; i < 40; i++) {
      const message = randomBytes(i * 29)
      const signature = createSign('sha384').update(message).sign({ key: privateKey, dsaEncoding: 'der' })
      const point = (i % 2 ? compressPoint(nodePoint) : nodePoint).toString('hex')
      refusals.push({
        name: `node:crypto signature ${i}`,
        point,
        message: message.toString('hex'),
        signature: signature.toString('hex'),
        ok: true,
      })
      const other = Buffer.concat([message, Buffer.from([i])])
      refusals.push({
        name: `node:crypto signature ${i}, other message`,
        point,
        message: other.toString('hex'),
        signature: signature.toString('hex'),
        ok: false,
      })
    }
    const input: ChildInput = {
      scalars: EDGE_SCALARS.map(hex48),
      verify: refusals.map(({ point, message, signature }) => ({ point, message, signature })),
    }
    const script = path.join(__dirname, 'p384-child.js')
    const childRun = (flavour: string): ChildOutput =>
      JSON.parse(
        execFileSync(process.execPath, [script], {
          input: JSON.stringify(input),
          env: { ...process.env, ESDK_P384: flavour },
          encoding: 'utf8',
        }),
      ) as ChildOutput
    const openssl = childRun('openssl')
    const fast = childRun('fast')
    const here = await run(input, addon)
    t.is(openssl.implementation, 'openssl')
    t.is(fast.implementation, 'fast')
    t.deepEqual(here.verified, openssl.verified)
    t.deepEqual(openssl.points, fast.points)
    t.deepEqual(here.points, fast.points)
    t.deepEqual(
      openssl.points,
      EDGE_SCALARS.map((d) => nodePublicPoint(d).toString('hex')),
    )
    t.deepEqual(
      openssl.verified,
      refusals.map((c) => c.ok),
    )
    t.deepEqual(fast.verified, openssl.verified)
    // Keys and signatures made by each path verify on the other, and under node:crypto.
    const message = Buffer.from('child message')
    for (const [maker, checker] of [
      [openssl, fast],
      [fast, openssl],
    ] as const) {
      const again: ChildInput = {
        scalars: [],
        verify: maker.signed.map((s) => ({ ...s, message: message.toString('hex') })),
      }
      const checked = JSON.parse(
        execFileSync(process.execPath, [script], {
          input: JSON.stringify(again),
          env: { ...process.env, ESDK_P384: checker.implementation },
          encoding: 'utf8',
        }),
      ) as ChildOutput
      t.deepEqual(
        checked.verified,
        maker.signed.map(() => true),
      )
      for (const s of maker.signed)
        t.true(nodeVerify(Buffer.from(s.point, 'hex'), message, Buffer.from(s.signature, 'hex')))
    }
  },
)
