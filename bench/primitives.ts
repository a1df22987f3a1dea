// The primitives group: AES-GCM, P-384, SHA-384 and RSA one at a time, our code beside the runtime OpenSSL's (through the addon and node:crypto).
import {
  constants,
  createCipheriv,
  createECDH,
  createHash,
  createSign,
  createVerify,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto'
import { isNativeCryptoAddon } from '../lib/backend/native-backend'
import { loadNativeAddon } from '../lib/backend/native-loader'
import {
  GCM_IMPL,
  hasGcmTestHooks,
  NativeCryptoAddon,
  NativeGcmTestHooks,
  NativeSettings,
} from '../lib/backend/native-types'
import { findSuite } from '../lib/core/suites'
import { nodePkcs1Behaviour } from '../lib/materials/node-rsa-pkcs1'
import { benchmarkAsync } from './runner'

type BenchStats = Awaited<ReturnType<typeof benchmarkAsync>>
import { renderTable } from './table'

export const PRIMITIVE_COLUMNS = ['ours', 'openssl', 'node'] as const
export type PrimitiveColumn = (typeof PRIMITIVE_COLUMNS)[number]

export interface PrimitiveCase {
  id: string
  /** 'MB/s' rates count bytes processed; 'op/s' operations. */
  unit: 'MB/s' | 'op/s'
  /** What each column runs (absent: not applicable here). */
  runs: Partial<Record<PrimitiveColumn, PrimitiveRun>>
  /** Bytes (MB/s) or operations (op/s) per call of fn. */
  perCall: number
}

export interface PrimitiveRun {
  label: string
  fn: () => void
  /** The addon's P-384 setting while this run is timed (the bench runs nothing else meanwhile). */
  p384?: NativeSettings['p384']
}

export interface PrimitiveResult {
  id: string
  unit: PrimitiveCase['unit']
  cells: Partial<Record<PrimitiveColumn, { label: string; rate: number } & BenchStats>>
  /** ours / openssl, when both ran. */
  oursOverOpenssl: number | undefined
}

type Addon = NativeCryptoAddon & NativeGcmTestHooks

function addon(): Addon | undefined {
  const load = loadNativeAddon()
  const problems: string[] = []
  if (!load.addon || !isNativeCryptoAddon(load.addon, problems) || !hasGcmTestHooks(load.addon)) return undefined
  return load.addon
}

function gcmCases(native: Addon | undefined): PrimitiveCase[] {
  const key = randomBytes(32)
  const iv = randomBytes(12)
  const empty = Buffer.alloc(0)
  const tag = Buffer.alloc(16)
  const cases: PrimitiveCase[] = []
  for (const [label, size, repeat] of [
    ['16KiB', 16 * 1024, 16],
    ['1MiB', 1024 * 1024, 1],
  ] as const) {
    const input = randomBytes(size)
    const out = Buffer.alloc(size)
    const vaes =
      native !== undefined && (native.cpuFeatures().vaes ?? false) && (native.cpuFeatures().vpclmulqdq ?? false)
    const seal = (impl: number) => () => {
      for (let i = 0; i < repeat; i++) native?.gcmTestSeal(impl as 1 | 2, key, iv, empty, empty, input, out, tag)
    }
    cases.push({
      id: `primitives aes-256-gcm seal ${label}`,
      unit: 'MB/s',
      perCall: size * repeat,
      runs: {
        ...(native && vaes ? { ours: { label: 'VAES (gcm_vaes.cc)', fn: seal(GCM_IMPL.vaes) } } : {}),
        ...(native ? { openssl: { label: 'EVP (addon)', fn: seal(GCM_IMPL.evp) } } : {}),
        node: {
          label: 'createCipheriv',
          fn: () => {
            for (let i = 0; i < repeat; i++) {
              const c = createCipheriv('aes-256-gcm', key, iv)
              c.update(input)
              c.final()
              c.getAuthTag()
            }
          },
        },
      },
    })
  }
  return cases
}

function p384Cases(native: Addon | undefined): PrimitiveCase[] {
  const suite = findSuite(0x0578)
  if (!suite) throw new Error('suite 0x0578')
  const message = randomBytes(100)
  const digest = createHash('sha384').update(message).digest()
  const node = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
  const nodeSignature = createSign('sha384').update(message).sign({ key: node.privateKey, dsaEncoding: 'der' })
  const ecdh = createECDH('secp384r1')
  ecdh.generateKeys()
  const d = ecdh.getPrivateKey()
  const point = ecdh.getPublicKey()
  const signature = Buffer.alloc(104)
  const handle = native?.signingKeyFromScalar(384, d, point)
  const der =
    native && handle ? Buffer.from(signature.subarray(0, native.signDigest(handle, digest, signature))) : undefined
  const nativeFn = (op: 'keygen' | 'sign' | 'verify'): (() => void) | undefined => {
    if (!native || !handle || !der) return undefined
    if (op === 'keygen') return () => native.disposeSigningKey(native.signingKeyFromScalar(384, d))
    if (op === 'sign') return () => void native.signDigest(handle, digest, signature)
    return () => {
      if (!native.verifyMessage(suite.id, point, message, der)) throw new Error('native P-384 verification failed')
    }
  }
  const nodeFn = {
    keygen: () => void createECDH('secp384r1').generateKeys(),
    sign: () => void createSign('sha384').update(message).sign({ key: node.privateKey, dsaEncoding: 'der' }),
    verify: () => {
      if (!createVerify('sha384').update(message).verify({ key: node.publicKey, dsaEncoding: 'der' }, nodeSignature))
        throw new Error('node verify failed')
    },
  }
  return (['keygen', 'sign', 'verify'] as const).map((op) => {
    const fn = nativeFn(op)
    return {
      id: `primitives p384 ${op}`,
      unit: 'op/s' as const,
      perCall: 1,
      runs: {
        // Ours: k*G for keys and nonces ('keys'), u1*G + u2*Q for verification too ('fast'); OpenSSL's: 'openssl'.
        ...(fn
          ? {
              ours: {
                label: op === 'verify' ? 'p384.cc u1*G+u2*Q' : 'p384.cc k*G',
                fn,
                p384: op === 'verify' ? ('fast' as const) : ('keys' as const),
              },
              openssl: { label: 'OpenSSL EC (addon)', fn, p384: 'openssl' as const },
            }
          : {}),
        node: { label: op === 'keygen' ? 'createECDH' : op === 'sign' ? 'createSign' : 'createVerify', fn: nodeFn[op] },
      },
    }
  })
}

function shaCase(): PrimitiveCase {
  const input = randomBytes(1024 * 1024)
  return {
    id: 'primitives sha384 1MiB',
    unit: 'MB/s',
    perCall: input.length,
    // The addon hashes through the same EVP SHA-384 (native/digest.cc): there is no code of ours to compare.
    runs: {
      node: { label: 'createHash (EVP, as the addon)', fn: () => void createHash('sha384').update(input).digest() },
    },
  }
}

function rsaCases(native: Addon | undefined): PrimitiveCase[] {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const dataKey = randomBytes(32)
  const pkcs1 = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, dataKey)
  const oaep = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, dataKey)
  const out = Buffer.alloc(32)
  const handle = native?.rsaPrivateKeyFromDer(privateKey.export({ type: 'pkcs8', format: 'der' }))
  const nodeImplicit = nodePkcs1Behaviour(privateKey) === 'implicit'
  return [
    {
      id: 'primitives rsa-2048 pkcs1 unwrap',
      unit: 'op/s',
      perCall: 1,
      runs: {
        ...(native && handle
          ? {
              openssl: {
                label: native.rsaKeyInfo(handle).implicitRejection
                  ? 'addon (OpenSSL implicit rejection)'
                  : 'addon (its own implicit rejection)',
                fn: () => native.rsaPkcs1Unwrap(handle, pkcs1, out),
              },
            }
          : {}),
        ...(nodeImplicit
          ? {
              node: {
                label: 'privateDecrypt PKCS#1 (implicit)',
                fn: () => void privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, pkcs1),
              },
            }
          : {}),
      },
    },
    {
      id: 'primitives rsa-2048 oaep-sha256 decrypt',
      unit: 'op/s',
      perCall: 1,
      runs: {
        node: {
          label: 'privateDecrypt OAEP',
          fn: () =>
            void privateDecrypt(
              { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
              oaep,
            ),
        },
      },
    },
  ]
}

export function buildPrimitiveCases(): PrimitiveCase[] {
  const native = addon()
  return [...gcmCases(native), ...p384Cases(native), shaCase(), ...rsaCases(native)]
}

/** Runs `fn` with the addon's P-384 setting at `mode`, then puts the earlier one back. */
async function withP384<T>(mode: NativeSettings['p384'] | undefined, fn: () => Promise<T>): Promise<T> {
  const native = addon()
  if (!native || mode === undefined) return fn()
  const before = native.configure({}).p384
  native.configure({ p384: mode })
  try {
    return await fn()
  } finally {
    native.configure({ p384: before })
  }
}

export async function measurePrimitives(cases: PrimitiveCase[], quick: boolean): Promise<PrimitiveResult[]> {
  const timing = quick ? { maxTime: 0.5, minSamples: 5, warmup: 0.1 } : { maxTime: 2, minSamples: 10, warmup: 0.3 }
  const results: PrimitiveResult[] = []
  for (const c of cases) {
    const cells: PrimitiveResult['cells'] = {}
    for (const column of PRIMITIVE_COLUMNS) {
      const run = c.runs[column]
      if (!run) continue
      const stats = await withP384(run.p384, async () => {
        const end = performance.now() + timing.warmup * 1000
        do run.fn()
        while (performance.now() < end)
        return benchmarkAsync(`${c.id} ${column}`, async () => run.fn(), timing)
      })
      const scale = c.unit === 'MB/s' ? c.perCall / 1e6 : c.perCall
      cells[column] = { label: run.label, rate: stats.hz * scale, ...stats }
    }
    const ours = cells.ours?.rate
    const openssl = cells.openssl?.rate
    results.push({
      id: c.id,
      unit: c.unit,
      cells,
      oursOverOpenssl: ours !== undefined && openssl !== undefined ? ours / openssl : undefined,
    })
  }
  return results
}

export function primitivesTable(results: PrimitiveResult[]): string {
  const cell = (r: PrimitiveResult, column: PrimitiveColumn): string => {
    const c = r.cells[column]
    if (!c) return '-'
    const rate = c.rate >= 100 ? Math.round(c.rate).toLocaleString('en-US') : c.rate.toFixed(1)
    return `${rate} ±${c.rme.toFixed(1)}%`
  }
  const rows = results.map((r) => [
    r.id.replace(/^primitives /, ''),
    r.unit,
    cell(r, 'ours'),
    cell(r, 'openssl'),
    cell(r, 'node'),
    r.oursOverOpenssl === undefined ? '-' : `${r.oursOverOpenssl.toFixed(2)}x`,
  ])
  const labels = [
    ...new Set(
      results.flatMap((r) => PRIMITIVE_COLUMNS.flatMap((k) => (r.cells[k] ? [`${k}: ${r.cells[k]?.label}`] : []))),
    ),
  ]
  return [
    `== Primitives (node ${process.version}, OpenSSL ${process.versions.openssl}): our code, the runtime OpenSSL through the addon, and node:crypto`,
    renderTable(['primitive', 'unit', 'ours', 'OpenSSL (addon)', 'node:crypto', 'ours/OpenSSL'], rows, [
      'l',
      'l',
      'r',
      'r',
      'r',
      'r',
    ]),
    `   columns: ${labels.join('; ')}`,
  ].join('\n')
}
