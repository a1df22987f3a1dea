// Big messages on the thread pool: the reference bytes, every chunk and hash hand-over path, tamper refusal, a free event loop, no deadlock.
import test, { ExecutionContext } from 'ava'
import { FRAME_ROW } from '../../lib/format/body-table'
import { createCipheriv, createVerify, randomBytes } from 'node:crypto'
import { OpenMessageInput, SealMessageInput, footerRoom } from '../../lib/backend/backend'
import { scanBody } from '../../lib/format/body-table'
import { ContentType } from '../../lib/format/header'
import { jsBackend } from '../../lib/backend/js-backend'
import { PARALLEL_THRESHOLD } from '../../lib/backend/native-backend'
import { NativeCryptoAddon, SigningKeyHandle } from '../../lib/backend/native-types'
import { AlgorithmSuite } from '../../lib/core/suites'
import { SigningKey } from '../../lib/materials/materials'
import { VerificationKey } from '../../lib/materials/signature-keys'
import { A, bodySize, nativeAddon, nativeBackend, suite } from './backends'

const withNative = nativeBackend && nativeAddon ? test : test.skip
const UNSIGNED = suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY)
const SIGNED = suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384)
const SIGNED_V1 = suite(A.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256)

function authLength(s: AlgorithmSuite): number {
  return s.messageFormat === 2 ? 16 : 28
}

interface Big {
  readonly input: SealMessageInput
  readonly unsignedLength: number
}

function bigInput(s: AlgorithmSuite, size: number, frameLength: number, signingKey: SigningKey | undefined): Big {
  const headerBodyLength = 90
  const unsignedLength = headerBodyLength + authLength(s) + bodySize(size, frameLength)
  const out = Buffer.alloc(unsignedLength + footerRoom(s))
  randomBytes(headerBodyLength - 32).copy(out)
  return {
    unsignedLength,
    input: {
      suite: s,
      dataKey: randomBytes(s.keyLengthBytes),
      messageId: randomBytes(s.messageIdLength),
      out,
      headerBodyLength,
      extraAad: Buffer.alloc(0),
      plaintext: randomBytes(size),
      frameLength,
      signingKey,
    },
  }
}

function point(key: SigningKey): Buffer {
  const jwk = key.privateKey.export({ format: 'jwk' })
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')])
}

function openInput(big: Big, message: Buffer): OpenMessageInput {
  const { input, unsignedLength } = big
  const s = input.suite
  const hbl = input.headerBodyLength
  const v2 = s.messageFormat === 2
  return {
    suite: s,
    dataKey: input.dataKey,
    messageId: input.messageId,
    headerBody: message.subarray(0, hbl),
    headerIv: v2 ? Buffer.alloc(12) : message.subarray(hbl, hbl + 12),
    headerAuthTag: message.subarray(hbl + (v2 ? 0 : 12), hbl + authLength(s)),
    extraAad: input.extraAad,
    commitment: v2 ? message.subarray(hbl - 32, hbl) : undefined,
    body: scanBody(message, hbl + authLength(s), ContentType.FRAMED_DATA, input.frameLength, {}),
    out: Buffer.alloc(input.plaintext.length, 0xaa),
    signature:
      s.signature && input.signingKey
        ? {
            key: VerificationKey.fromPoint(s.signature, point(input.signingKey)),
            signed: message.subarray(0, unsignedLength),
            der: message.subarray(unsignedLength + 2),
          }
        : undefined,
  }
}

async function sealed(
  t: ExecutionContext,
  s: AlgorithmSuite,
  size: number,
  frameLength: number,
): Promise<{ big: Big; message: Buffer }> {
  const backend = nativeBackend
  if (!backend) throw new Error('no native backend')
  const key = s.signature ? backend.signingKeys.acquire(s.signature) : undefined
  const big = bigInput(s, size, frameLength, key)
  const pending = backend.sealMessage(big.input)
  t.true(pending instanceof Promise, 'a big message goes to the thread pool')
  const length = await pending
  return { big, message: big.input.out.subarray(0, length) }
}

withNative(
  'big messages sealed on the pool are the reference bytes (signed: up to a footer node:crypto verifies) and open on both backends',
  async (t) => {
    const backend = nativeBackend
    if (!backend) return t.fail()
    const size = 3 * 1024 * 1024 + 77
    for (const s of [UNSIGNED, SIGNED, SIGNED_V1]) {
      for (const frameLength of [1000, 4096, 65536, 1 << 20, 8 << 20]) {
        const where = `0x${s.id.toString(16)} frame ${frameLength}`
        const { big, message } = await sealed(t, s, size, frameLength)
        const reference = Buffer.alloc(big.input.out.length)
        big.input.out.copy(reference, 0, 0, big.input.headerBodyLength - 32)
        const referenceLength = await jsBackend.sealMessage({ ...big.input, out: reference })
        t.true(message.subarray(0, big.unsignedLength).equals(reference.subarray(0, big.unsignedLength)), where)
        if (s.signature && big.input.signingKey) {
          t.is(referenceLength > 0, true)
          const der = message.subarray(big.unsignedLength + 2)
          t.true(
            createVerify(s.signature.hash)
              .update(message.subarray(0, big.unsignedLength))
              .verify({ key: big.input.signingKey.privateKey, dsaEncoding: 'der' }, der),
            `${where}: signature`,
          )
          t.true(
            big.input.out.subarray(message.length).every((b) => b === 0),
            `${where}: footer room zeroed`,
          )
        } else {
          t.true(message.equals(reference.subarray(0, referenceLength)), where)
        }
        for (const opener of [backend, jsBackend]) {
          const input = openInput(big, message)
          t.true(await opener.openMessage(input), `${where}: ${opener.name} opens`)
          t.true(input.out.equals(big.input.plaintext), `${where}: ${opener.name} plaintext`)
        }
      }
    }
  },
)

withNative(
  'a flipped byte anywhere (first, middle, final frame, signature) fails the big open and wipes the output',
  async (t) => {
    const backend = nativeBackend
    if (!backend) return t.fail()
    for (const s of [UNSIGNED, SIGNED]) {
      const { big, message } = await sealed(t, s, 2 * 1024 * 1024, 4096)
      const body = big.input.headerBodyLength + authLength(s)
      const positions = [body + 40, body + Math.floor((big.unsignedLength - body) / 2), big.unsignedLength - 3, 5]
      if (s.signature) positions.push(message.length - 4)
      for (const at of positions) {
        const tampered = Buffer.from(message)
        tampered[at] = (tampered[at] as number) ^ 0x20
        const input = openInput(big, tampered)
        t.false(await backend.openMessage(input), `0x${s.id.toString(16)} byte ${at}`)
        t.true(
          input.out.every((b) => b === 0),
          `0x${s.id.toString(16)} byte ${at}: wiped`,
        )
      }
    }
  },
)

function raw(): NativeCryptoAddon {
  if (!nativeAddon) throw new Error('no addon')
  return nativeAddon
}

function sealRaw(
  s: AlgorithmSuite,
  big: Big,
  handle: SigningKeyHandle | undefined,
  threads: number,
  chunkBytes: number,
): Promise<number> {
  const { input } = big
  return new Promise((resolve, reject) =>
    raw().sealMessageAsync(
      s.id,
      input.dataKey,
      input.messageId,
      input.out,
      input.headerBodyLength,
      input.extraAad,
      input.plaintext,
      input.frameLength,
      handle,
      threads,
      chunkBytes,
      (e, n) => (e ? reject(e) : resolve(n ?? -1)),
    ),
  )
}

withNative(
  'every thread count and the smallest chunks give the same bytes; the signature hash is handed over correctly',
  async (t) => {
    const addon = raw()
    const spec = SIGNED.signature
    if (!spec) return t.fail()
    const base = bigInput(SIGNED, 700_000, 1024, undefined)
    const header = Buffer.from(base.input.out.subarray(0, base.input.headerBodyLength))
    // The reference header and body, signed by a node:crypto key (the footer differs anyway).
    const reference = Buffer.alloc(base.input.out.length)
    header.copy(reference)
    await jsBackend.sealMessage({ ...base.input, out: reference, signingKey: jsBackend.signingKeys.acquire(spec) })
    for (const threads of [1, 2, 3, 8]) {
      for (const chunkBytes of [4096, 65536, 1 << 20]) {
        const where = `threads ${threads}, chunk ${chunkBytes}`
        const handle = await new Promise<SigningKeyHandle>((resolve, reject) =>
          addon.generateSigningKeys(384, 1, (e, h) => (e || !h?.[0] ? reject(e) : resolve(h[0]))),
        )
        const out = Buffer.alloc(base.input.out.length)
        header.copy(out)
        const big: Big = { ...base, input: { ...base.input, out } }
        const length = await sealRaw(SIGNED, big, handle, threads, chunkBytes)
        const unsigned = big.unsignedLength
        t.true(out.subarray(0, unsigned).equals(reference.subarray(0, unsigned)), where)
        const p = Buffer.alloc(97)
        addon.exportSigningKey(handle, Buffer.alloc(48), p)
        t.true(
          addon.verifyMessage(SIGNED.id, p, out.subarray(0, unsigned), out.subarray(unsigned + 2, length)),
          `${where}: signature`,
        )
        t.is(out.readUInt16BE(unsigned), length - unsigned - 2, `${where}: footer length`)
      }
    }
  },
)

withNative('a non-framed (single block) body of several MiB opens on the pool', async (t) => {
  const addon = raw()
  const s = suite(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY)
  const dataKey = randomBytes(32)
  const messageId = randomBytes(32)
  const derived = jsBackend.deriveKeys(s, dataKey, messageId)
  const headerBody = Buffer.concat([randomBytes(40), derived.commitment ?? Buffer.alloc(0)])
  const headerTag = jsBackend.headerAuthTag(s, derived.encryptionKey, Buffer.alloc(12), headerBody, Buffer.alloc(0))
  const plaintext = randomBytes(PARALLEL_THRESHOLD * 3)
  const iv = randomBytes(12)
  const aad = Buffer.concat([
    messageId,
    Buffer.from('AWSKMSEncryptionClient Single Block'),
    Buffer.from([0, 0, 0, 1]),
    Buffer.alloc(8),
  ])
  aad.writeUInt32BE(plaintext.length, aad.length - 4)
  const cipher = createCipheriv('aes-256-gcm', derived.encryptionKey, iv).setAAD(aad)
  const source = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
  const table = new Float64Array([0, 12, plaintext.length, 12 + plaintext.length, 1, 2])
  const out = Buffer.alloc(plaintext.length)
  const ok = await new Promise<boolean>((resolve, reject) => {
    const queued = addon.openMessageAsync(
      s.id,
      dataKey,
      messageId,
      headerBody,
      Buffer.alloc(12),
      headerTag,
      Buffer.alloc(0),
      derived.commitment ?? Buffer.alloc(0),
      source,
      table,
      out,
      Buffer.alloc(0),
      Buffer.alloc(0),
      Buffer.alloc(0),
      2,
      65536,
      (e, r) => (e ? reject(e) : resolve(r === true)),
    )
    if (!queued) resolve(false)
  })
  t.true(ok)
  t.true(out.equals(plaintext))
  t.is(table.length, FRAME_ROW)
})

withNative('the event loop keeps turning while a big body is on the pool', async (t) => {
  const backend = nativeBackend
  if (!backend) return t.fail()
  const big = bigInput(UNSIGNED, 48 * 1024 * 1024, 4096, undefined)
  let ticks = 0
  const timer = setInterval(() => ticks++, 0)
  let settled = false
  const pending = Promise.resolve(backend.sealMessage(big.input)).then((n) => {
    settled = true
    return n
  })
  await new Promise((resolve) => setImmediate(resolve))
  t.false(settled, 'not finished synchronously')
  await pending
  clearInterval(timer)
  t.true(ticks > 0, `timers ran meanwhile (${ticks})`)
})

withNative('many big and small signed messages at once complete (no pool deadlock) and all verify', async (t) => {
  const backend = nativeBackend
  if (!backend) return t.fail()
  const jobs = Array.from({ length: 10 }, async (_, i) => {
    const s = i % 2 === 0 ? SIGNED : UNSIGNED
    const size = i % 3 === 0 ? 1000 : PARALLEL_THRESHOLD + i * 100_000
    const key = s.signature ? backend.signingKeys.acquire(s.signature) : undefined
    const big = bigInput(s, size, 4096, key)
    const length = await backend.sealMessage(big.input)
    const input = openInput(big, big.input.out.subarray(0, length))
    return (await backend.openMessage(input)) && input.out.equals(big.input.plaintext)
  })
  t.deepEqual(
    await Promise.all(jobs),
    Array.from({ length: 10 }, () => true),
  )
})

withNative('the async entry points check their arguments before queueing anything', (t) => {
  const addon = raw()
  const big = bigInput(UNSIGNED, 10_000, 4096, undefined)
  const { input } = big
  const code = (fn: () => unknown): string | undefined =>
    (t.throws(fn) as (Error & { code?: string }) | undefined)?.code
  const seal = (threads: number, chunk: number, callback: unknown = () => undefined) =>
    addon.sealMessageAsync(
      UNSIGNED.id,
      input.dataKey,
      input.messageId,
      input.out,
      input.headerBodyLength,
      input.extraAad,
      input.plaintext,
      input.frameLength,
      undefined,
      threads,
      chunk,
      callback as () => void,
    )
  t.is(
    code(() => seal(0, 65536)),
    'ERR_ESDK_NATIVE_ARG_RANGE',
  )
  t.is(
    code(() => seal(65, 65536)),
    'ERR_ESDK_NATIVE_ARG_RANGE',
  )
  t.is(
    code(() => seal(2, 100)),
    'ERR_ESDK_NATIVE_ARG_RANGE',
  )
  t.is(
    code(() => seal(2, 65536, 'no')),
    'ERR_ESDK_NATIVE_ARG_TYPE',
  )
  t.is(
    code(() =>
      addon.sealMessageAsync(
        UNSIGNED.id,
        input.dataKey,
        input.messageId,
        Buffer.alloc(10),
        5,
        input.extraAad,
        input.plaintext,
        4096,
        undefined,
        2,
        65536,
        () => undefined,
      ),
    ),
    'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
  )
})
