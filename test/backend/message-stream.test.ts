// Streamed messages on every backend: runs of any split write the one-shot bytes and open back; tampering, reordering and misuse are refused.
import { ExecutionContext } from 'ava'
import { createVerify, randomBytes } from 'node:crypto'
import { CryptoBackend, MessageOpener, footerRoom } from '../../lib/backend/backend'
import { jsBackend } from '../../lib/backend/js-backend'
import { AlgorithmSuite, ALL_SUITES } from '../../lib/core/suites'
import { BodyTable, FRAME_ROW, float64Table, scanFrame } from '../../lib/format/body-table'
import { SigningKey } from '../../lib/materials/materials'
import { VerificationKey, generateSigningKey, partsOfPrivateKey } from '../../lib/materials/signature-keys'
import { bodySize, eachBackend, nativeOnly, suite as suiteOf, A } from './backends'

function authLength(suite: AlgorithmSuite): number {
  return suite.messageFormat === 2 ? 16 : 28
}

interface Message {
  readonly suite: AlgorithmSuite
  readonly dataKey: Buffer
  readonly messageId: Buffer
  readonly headerBodyLength: number
  readonly extraAad: Buffer
  readonly plaintext: Buffer
  readonly frameLength: number
  readonly signingKey: SigningKey | undefined
  /** The one-shot reference (JS backend) of these inputs. */
  readonly message: Buffer
  readonly unsignedLength: number
}

function makeMessage(suite: AlgorithmSuite, size: number, frameLength: number): Message {
  const headerBodyLength = 40 + (size % 23) + (suite.messageFormat === 2 ? 32 : 0)
  const unsignedLength = headerBodyLength + authLength(suite) + bodySize(size, frameLength)
  const out = Buffer.alloc(unsignedLength + footerRoom(suite))
  randomBytes(headerBodyLength).copy(out)
  if (suite.messageFormat === 2) out.fill(0, headerBodyLength - 32, headerBodyLength)
  const m = {
    suite,
    dataKey: randomBytes(suite.keyLengthBytes),
    messageId: randomBytes(suite.messageIdLength),
    headerBodyLength,
    extraAad: size % 2 === 0 ? Buffer.alloc(0) : randomBytes(7),
    plaintext: randomBytes(size),
    frameLength,
    signingKey: suite.signature ? generateSigningKey(suite.signature) : undefined,
  }
  const length = jsBackend.sealMessage({ ...m, out })
  if (typeof length !== 'number') throw new Error('the JS backend seals synchronously')
  return { ...m, message: out.subarray(0, length), unsignedLength }
}

/** Splits `total` bytes into runs of whole frames (random counts, some empty), the rest going to the final run. */
function runLengths(total: number, frameLength: number, seed: number): number[] {
  const runs: number[] = []
  let left = total
  let s = seed
  while (left >= frameLength) {
    s = (s * 1103515245 + 12345) >>> 0
    const frames = Math.min(Math.floor(left / frameLength), s % 4)
    runs.push(frames * frameLength)
    left -= frames * frameLength
    if (s % 7 === 0) break
  }
  return runs
}

/** The message sealed through a stream on `backend`: header, then runs, then the final run. */
async function sealStreamed(
  backend: CryptoBackend,
  m: Message,
  seed: number,
  runs = runLengths(m.plaintext.length, m.frameLength, seed),
): Promise<Buffer> {
  const header = Buffer.alloc(m.headerBodyLength + authLength(m.suite))
  m.message.copy(header, 0, 0, m.headerBodyLength)
  if (m.suite.messageFormat === 2) header.fill(0, m.headerBodyLength - 32, m.headerBodyLength)
  const sealer = backend.startSeal({
    suite: m.suite,
    dataKey: m.dataKey,
    messageId: m.messageId,
    header,
    headerBodyLength: m.headerBodyLength,
    extraAad: m.extraAad,
    frameLength: m.frameLength,
  })
  const parts: Buffer[] = [header]
  let p = 0
  for (const length of runs) {
    const out = Buffer.alloc(sealer.runSize(length, false))
    parts.push(out.subarray(0, await sealer.sealRun(m.plaintext.subarray(p, p + length), false, undefined, out)))
    p += length
  }
  const rest = m.plaintext.subarray(p)
  const out = Buffer.alloc(sealer.runSize(rest.length, true))
  parts.push(out.subarray(0, await sealer.sealRun(rest, true, m.signingKey, out)))
  return Buffer.concat(parts)
}

interface FrameSpan {
  readonly start: number
  readonly end: number
}

/** Where each frame of the message's body starts and ends. */
function frameSpans(m: Message, message: Buffer): FrameSpan[] {
  const spans: FrameSpan[] = []
  let o = m.headerBodyLength + authLength(m.suite)
  const table = float64Table(FRAME_ROW)
  for (let seq = 1; ; seq++) {
    const end = scanFrame(message.subarray(0, m.unsignedLength), o, m.frameLength, seq, table, 0, {})
    if (end < 0) throw new Error('truncated body')
    spans.push({ start: o, end })
    o = end
    if (table[5] === 1) return spans
  }
}

/** Frames [first, last) as one run: the bytes they take, and their rows relative to those bytes. */
function runOf(m: Message, message: Buffer, spans: readonly FrameSpan[], first: number, last: number): BodyTable {
  const start = spans[first]?.start ?? 0
  const end = spans[last - 1]?.end ?? start
  const source = message.subarray(start, end)
  const table = float64Table((last - first) * FRAME_ROW)
  let o = 0
  let plaintextLength = 0
  for (let i = first; i < last; i++) {
    const row = (i - first) * FRAME_ROW
    o = scanFrame(source, o, m.frameLength, i + 1, table, row, {})
    plaintextLength += table[row + 2] as number
  }
  return { source, table, frameCount: last - first, plaintextLength, end: o }
}

function startOpen(backend: CryptoBackend, m: Message, message: Buffer): MessageOpener | undefined {
  const hbl = m.headerBodyLength
  const v2 = m.suite.messageFormat === 2
  return backend.startOpen({
    suite: m.suite,
    dataKey: m.dataKey,
    messageId: m.messageId,
    headerBody: message.subarray(0, hbl),
    headerIv: v2 ? Buffer.alloc(12) : message.subarray(hbl, hbl + 12),
    headerAuthTag: message.subarray(hbl + (v2 ? 0 : 12), hbl + authLength(m.suite)),
    extraAad: m.extraAad,
    commitment: v2 ? message.subarray(hbl - 32, hbl) : undefined,
    headerBytes: message.subarray(0, hbl + authLength(m.suite)),
    frameLength: m.frameLength,
  })
}

function verificationKey(m: Message): VerificationKey {
  if (!m.suite.signature || !m.signingKey) throw new Error('unsigned')
  return VerificationKey.fromPoint(
    m.suite.signature,
    partsOfPrivateKey(m.suite.signature, m.signingKey.privateKey).point,
  )
}

/** Opens `message` through a stream in runs of `perRun` frames; the plaintext released, or undefined at the first refusal. */
async function openStreamed(
  backend: CryptoBackend,
  m: Message,
  message: Buffer,
  perRun: number,
): Promise<Buffer | undefined> {
  const opener = startOpen(backend, m, message)
  if (!opener) return undefined
  const spans = frameSpans(m, message)
  const released: Buffer[] = []
  for (let first = 0; first < spans.length; first += perRun) {
    const run = runOf(m, message, spans, first, Math.min(spans.length, first + perRun))
    const out = Buffer.alloc(run.plaintextLength, 0xaa)
    if (!(await opener.openRun(run, out))) {
      if (out.some((b) => b !== 0)) throw new Error('a refused run left bytes in its output')
      return undefined
    }
    released.push(out)
  }
  if (m.suite.signature) {
    const signature = message.subarray(m.unsignedLength + 2)
    if (!(await opener.verify(verificationKey(m), signature))) return undefined
  }
  return Buffer.concat(released)
}

const CASES: ReadonlyArray<readonly [number, number]> = [
  [0, 4096],
  [1, 1],
  [33, 7],
  [4096, 4096],
  [4097, 4096],
  [10_000, 1000],
]

function checkSealed(t: ExecutionContext, m: Message, streamed: Buffer, where: string): void {
  if (!m.suite.signature || !m.signingKey) {
    t.true(streamed.equals(m.message), `${where}: the one-shot bytes`)
    return
  }
  // The ECDSA nonce is fresh per signature: identical up to the footer, which must verify.
  t.true(
    streamed.subarray(0, m.unsignedLength).equals(m.message.subarray(0, m.unsignedLength)),
    `${where}: the one-shot bytes up to the footer`,
  )
  const signature = streamed.subarray(m.unsignedLength + 2)
  t.is(streamed.readUInt16BE(m.unsignedLength), signature.length, `${where}: footer length`)
  const verified = createVerify(m.suite.signature.hash)
    .update(streamed.subarray(0, m.unsignedLength))
    .verify({ key: m.signingKey.privateKey, dsaEncoding: 'der' }, signature)
  t.true(verified, `${where}: footer signature verifies`)
}

eachBackend(
  'runs of any split seal the one-shot bytes, for every suite (signed: up to the footer, which verifies)',
  async (t, backend) => {
    for (const suite of ALL_SUITES) {
      for (const [size, frameLength] of CASES) {
        const m = makeMessage(suite, size, frameLength)
        for (const seed of [1, 2, 3])
          checkSealed(
            t,
            m,
            await sealStreamed(backend, m, seed),
            `0x${suite.id.toString(16)} ${size}/${frameLength} seed ${seed}`,
          )
      }
    }
  },
)

eachBackend(
  'runs of 1, 2 or all frames open back to the plaintext, and a signed message verifies',
  async (t, backend) => {
    for (const suite of ALL_SUITES) {
      for (const [size, frameLength] of CASES) {
        const m = makeMessage(suite, size, frameLength)
        for (const perRun of [1, 2, 1000]) {
          const opened = await openStreamed(backend, m, m.message, perRun)
          t.true(opened?.equals(m.plaintext), `0x${suite.id.toString(16)} ${size}/${frameLength} by ${perRun}`)
        }
      }
    }
  },
)

eachBackend(
  'a flipped byte in any frame fails that run with its output zeroed, and nothing opens after it',
  async (t, backend) => {
    const m = makeMessage(suiteOf(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY), 100, 16)
    const spans = frameSpans(m, m.message)
    for (const [k, span] of spans.entries()) {
      for (const at of [span.start + 4 + 12, span.end - 1]) {
        const bad = Buffer.from(m.message)
        bad[at] = (bad[at] ?? 0) ^ 0x01
        const opener = startOpen(backend, m, bad)
        if (!opener) return t.fail('the header verified before')
        let failedAt = -1
        for (let i = 0; i < spans.length; i++) {
          const run = runOf(m, bad, spans, i, i + 1)
          const out = Buffer.alloc(run.plaintextLength, 0xaa)
          const ok = await opener.openRun(run, out)
          if (!ok) {
            t.true(
              out.every((b) => b === 0),
              'refused run zeroed',
            )
            failedAt = i
            break
          }
        }
        t.is(failedAt, k, `tampered frame ${k + 1} refused at ${k + 1}`)
        const next = runOf(m, m.message, spans, k + 1 < spans.length ? k + 1 : k, k + 1 < spans.length ? k + 2 : k + 1)
        t.throws(() => opener.openRun(next, Buffer.alloc(next.plaintextLength)), undefined, 'no run after a failure')
        opener.dispose()
      }
    }
  },
)

eachBackend(
  'a wrong commitment, header tag or data key gives no opener; a bad signature does not verify',
  async (t, backend) => {
    const m = makeMessage(suiteOf(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384), 5000, 1024)
    const hbl = m.headerBodyLength
    for (const at of [hbl - 1, hbl + 3, 10]) {
      const bad = Buffer.from(m.message)
      bad[at] = (bad[at] ?? 0) ^ 0x80
      t.is(startOpen(backend, m, bad), undefined, `header byte ${at}`)
    }
    t.is(startOpen(backend, { ...m, dataKey: randomBytes(32) }, m.message), undefined, 'wrong data key')
    const badSignature = Buffer.from(m.message)
    badSignature[badSignature.length - 3] = (badSignature[badSignature.length - 3] ?? 0) ^ 1
    t.is(await openStreamed(backend, m, badSignature, 2), undefined, 'signature refused')
    // A signature over other bytes: a frame run's bytes feed the digest, so reordering them is caught too.
    t.true((await openStreamed(backend, m, m.message, 3))?.equals(m.plaintext))
  },
)

eachBackend(
  'frames out of order, repeated, skipped or after the final frame are refused before anything is decrypted',
  (t, backend) => {
    const m = makeMessage(suiteOf(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY), 64, 16)
    const spans = frameSpans(m, m.message)
    const cases: [string, number, number][] = [
      ['starts at frame 2', 1, 2],
      ['skips to frame 3', 2, 3],
    ]
    for (const [what, first, last] of cases) {
      const opener = startOpen(backend, m, m.message)
      if (!opener) return t.fail('header')
      const run = runOf(m, m.message, spans, first, last)
      // Rows renumbered as if they came first, which the bytes do not say either: the table must match the stream.
      t.throws(() => opener.openRun(run, Buffer.alloc(run.plaintextLength)), undefined, what)
      opener.dispose()
    }
    const opener = startOpen(backend, m, m.message)
    if (!opener) return t.fail('header')
    const first = runOf(m, m.message, spans, 0, 1)
    t.true(opener.openRun(first, Buffer.alloc(first.plaintextLength)) as boolean)
    t.throws(() => opener.openRun(first, Buffer.alloc(first.plaintextLength)), undefined, 'frame 1 twice')
    opener.dispose()
  },
)

eachBackend(
  'a sealer refuses partial frames outside the final run, and any run after the final one',
  async (t, backend) => {
    const m = makeMessage(suiteOf(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY), 10, 16)
    const header = Buffer.alloc(m.headerBodyLength + 16)
    const sealer = backend.startSeal({
      suite: m.suite,
      dataKey: m.dataKey,
      messageId: m.messageId,
      header,
      headerBodyLength: m.headerBodyLength,
      extraAad: m.extraAad,
      frameLength: 16,
    })
    t.throws(() => sealer.sealRun(Buffer.alloc(10), false, undefined, Buffer.alloc(64)))
    const sealer2 = backend.startSeal({
      suite: m.suite,
      dataKey: m.dataKey,
      messageId: m.messageId,
      header: Buffer.alloc(header.length),
      headerBodyLength: m.headerBodyLength,
      extraAad: m.extraAad,
      frameLength: 16,
    })
    const out = Buffer.alloc(sealer2.runSize(10, true))
    t.is(await sealer2.sealRun(Buffer.alloc(10), true, undefined, out), out.length)
    t.throws(
      () => sealer2.sealRun(Buffer.alloc(16), false, undefined, Buffer.alloc(sealer2.runSize(16, false))),
      undefined,
      'sealed after the final run',
    )
    sealer2.dispose()
    sealer2.dispose()
  },
)

eachBackend(
  'big runs (the native pool path) seal and open the one-shot bytes, signed and unsigned',
  async (t, backend) => {
    for (const id of [
      A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
      A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
      A.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256,
    ]) {
      const m = makeMessage(suiteOf(id), 3 * 1024 * 1024 + 77, 4096)
      // Runs of 1 MiB and 2 MiB (over every pool threshold), then the rest as the final run.
      checkSealed(t, m, await sealStreamed(backend, m, 0, [256 * 4096, 512 * 4096]), `0x${id.toString(16)}`)
      t.true((await openStreamed(backend, m, m.message, 400))?.equals(m.plaintext), `0x${id.toString(16)} opens`)
      const bad = Buffer.from(m.message)
      const at = Math.floor(bad.length / 2)
      bad[at] = (bad[at] ?? 0) ^ 4
      t.is(await openStreamed(backend, m, bad, 400), undefined, `0x${id.toString(16)} tampered`)
    }
  },
)

nativeOnly('a disposed or foreign handle is refused by every stream entry point', (t, addon) => {
  const m = makeMessage(suiteOf(A.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY), 10, 16)
  const header = Buffer.alloc(m.headerBodyLength + 16)
  const handle = addon.sealStreamStart(
    m.suite.id,
    m.dataKey,
    m.messageId,
    header,
    m.headerBodyLength,
    Buffer.alloc(0),
    16,
  )
  addon.disposeMessageStream(handle)
  addon.disposeMessageStream(handle)
  const err = t.throws(() => addon.sealStreamRun(handle, Buffer.alloc(10), 1, undefined, Buffer.alloc(50))) as Error & {
    code?: string
  }
  t.is(err.code, 'ERR_ESDK_NATIVE_KEY_DISPOSED')
  const foreign = t.throws(() =>
    addon.sealStreamRun({} as never, Buffer.alloc(10), 1, undefined, Buffer.alloc(50)),
  ) as Error & { code?: string }
  t.is(foreign.code, 'ERR_ESDK_NATIVE_ARG_TYPE')
})
