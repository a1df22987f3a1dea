// Whole-message seal/open on every backend: same bytes as the JS reference, opens back, and every tamper is refused with the output zeroed.
import { ExecutionContext } from 'ava'
import { createVerify, randomBytes } from 'node:crypto'
import { CryptoBackend, OpenMessageInput, SealMessageInput, footerRoom } from '../../lib/backend/backend'
import { scanBody } from '../../lib/format/body-table'
import { ContentType } from '../../lib/format/header'
import { jsBackend } from '../../lib/backend/js-backend'
import { AlgorithmSuite, ALL_SUITES } from '../../lib/core/suites'
import { SigningKey } from '../../lib/materials/materials'
import { VerificationKey } from '../../lib/materials/signature-keys'
import { compressPoint } from '../../lib/materials/ec-points'
import { bodySize, eachBackend, nativeOnly, offsetCopy } from './backends'

interface Sealed {
  readonly suite: AlgorithmSuite
  readonly input: SealMessageInput
  readonly message: Buffer
  readonly unsignedLength: number
  readonly signingKey: SigningKey | undefined
}

function authLength(suite: AlgorithmSuite): number {
  return suite.messageFormat === 2 ? 16 : 28
}

async function sealWith(
  backend: CryptoBackend,
  suite: AlgorithmSuite,
  size: number,
  frameLength: number,
  extraAad: Buffer,
  signingKey?: SigningKey,
): Promise<Sealed> {
  const headerBodyLength = 40 + (size % 23) + (suite.messageFormat === 2 ? 32 : 0)
  const key = suite.signature ? (signingKey ?? backend.signingKeys.acquire(suite.signature)) : undefined
  const unsignedLength = headerBodyLength + authLength(suite) + bodySize(size, frameLength)
  const out = Buffer.alloc(unsignedLength + footerRoom(suite), 0x77)
  const header = randomBytes(headerBodyLength)
  if (suite.messageFormat === 2) header.fill(0, headerBodyLength - 32)
  header.copy(out)
  const input: SealMessageInput = {
    suite,
    dataKey: randomBytes(suite.keyLengthBytes),
    messageId: randomBytes(suite.messageIdLength),
    out,
    headerBodyLength,
    extraAad,
    plaintext: randomBytes(size),
    frameLength,
    signingKey: key,
  }
  const length = await backend.sealMessage(input)
  return { suite, input, message: out.subarray(0, length), unsignedLength, signingKey: key }
}

function publicPoint(key: SigningKey): Buffer {
  const jwk = key.privateKey.export({ format: 'jwk' })
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')])
}

function openInput(
  s: Sealed,
  message: Buffer = s.message,
  overrides: Partial<OpenMessageInput> = {},
): OpenMessageInput {
  const { suite, input, unsignedLength } = s
  const hbl = input.headerBodyLength
  const v2 = suite.messageFormat === 2
  const signature =
    suite.signature && s.signingKey
      ? {
          key: VerificationKey.fromPoint(suite.signature, publicPoint(s.signingKey)),
          signed: message.subarray(0, unsignedLength),
          der: message.subarray(unsignedLength + 2),
        }
      : undefined
  return {
    suite,
    dataKey: input.dataKey,
    messageId: input.messageId,
    headerBody: message.subarray(0, hbl),
    headerIv: v2 ? Buffer.alloc(12) : message.subarray(hbl, hbl + 12),
    headerAuthTag: message.subarray(hbl + (v2 ? 0 : 12), hbl + authLength(suite)),
    extraAad: input.extraAad,
    commitment: v2 ? message.subarray(hbl - 32, hbl) : undefined,
    body: scanBody(message, hbl + authLength(suite), ContentType.FRAMED_DATA, input.frameLength, {}),
    out: Buffer.alloc(input.plaintext.length, 0xaa),
    signature,
    ...overrides,
  }
}

async function opens(
  t: ExecutionContext,
  backend: CryptoBackend,
  input: OpenMessageInput,
  expected: Uint8Array | undefined,
  what: string,
): Promise<void> {
  const ok = await backend.openMessage(input)
  if (expected) {
    t.true(ok, what)
    t.true(input.out.equals(expected), `${what}: plaintext`)
  } else {
    t.false(ok, what)
    t.true(
      input.out.every((b) => b === 0),
      `${what}: output zeroed`,
    )
  }
}

const CASES: ReadonlyArray<readonly [number, number]> = [
  [0, 4096],
  [1, 1],
  [33, 7],
  [100, 4096],
  [4096, 4096],
  [4097, 4096],
  [10_000, 1000],
]

eachBackend(
  'sealMessage writes the reference bytes (signed: up to the footer, which node:crypto verifies), and openMessage opens them',
  async (t, backend) => {
    for (const suite of ALL_SUITES) {
      for (const [size, frameLength] of CASES) {
        const extraAad = size % 2 === 0 ? Buffer.alloc(0) : randomBytes(9)
        const ours = await sealWith(backend, suite, size, frameLength, extraAad)
        const where = `0x${suite.id.toString(16)} ${size}/${frameLength}`
        // Same inputs through the reference (a fresh output with the same header body).
        const out = Buffer.alloc(ours.input.out.length)
        ours.input.out.copy(out, 0, 0, ours.input.headerBodyLength)
        if (suite.messageFormat === 2) out.fill(0, ours.input.headerBodyLength - 32, ours.input.headerBodyLength)
        const referenceLength = await jsBackend.sealMessage({ ...ours.input, out })
        const reference = out.subarray(0, referenceLength)
        if (suite.signature && ours.signingKey) {
          t.true(
            ours.message.subarray(0, ours.unsignedLength).equals(reference.subarray(0, ours.unsignedLength)),
            where,
          )
          const der = ours.message.subarray(ours.unsignedLength + 2)
          t.is(ours.message.readUInt16BE(ours.unsignedLength), der.length, `${where}: footer length`)
          t.true(
            createVerify(suite.signature.hash)
              .update(ours.message.subarray(0, ours.unsignedLength))
              .verify({ key: ours.signingKey.privateKey, dsaEncoding: 'der' }, der),
            `${where}: signature`,
          )
          t.true(
            ours.input.out.subarray(ours.message.length).every((b) => b === 0),
            `${where}: unused footer room is zero`,
          )
          t.deepEqual(compressPoint(publicPoint(ours.signingKey)), ours.signingKey.publicKeyCompressed)
        } else {
          t.true(ours.message.equals(reference), where)
        }
        await opens(t, backend, openInput(ours), ours.input.plaintext, where)
        await opens(t, jsBackend, openInput(ours), ours.input.plaintext, `${where} (reference opens)`)
      }
    }
  },
)

eachBackend(
  'openMessage refuses a flipped commitment, header byte, header tag, frame byte, signature byte, extra AAD or key',
  async (t, backend) => {
    for (const suite of ALL_SUITES) {
      const s = await sealWith(backend, suite, 3000, 1024, randomBytes(5))
      const hbl = s.input.headerBodyLength
      const flip = (at: number): Buffer => {
        const copy = Buffer.from(s.message)
        copy[at] = (copy[at] as number) ^ 0x10
        return copy
      }
      const name = `0x${suite.id.toString(16)}`
      const positions: [string, number][] = [
        ['header body', 3],
        ['header tag', hbl + authLength(suite) - 1],
        ['first frame ciphertext', hbl + authLength(suite) + 20],
        ['final frame tag', s.unsignedLength - 1],
      ]
      if (suite.messageFormat === 2) positions.push(['commitment', hbl - 5])
      if (suite.signature) positions.push(['signature', s.message.length - 3])
      for (const [what, at] of positions) await opens(t, backend, openInput(s, flip(at)), undefined, `${name}: ${what}`)
      await opens(t, backend, openInput(s, s.message, { extraAad: randomBytes(5) }), undefined, `${name}: extra AAD`)
      await opens(
        t,
        backend,
        openInput(s, s.message, { dataKey: randomBytes(suite.keyLengthBytes) }),
        undefined,
        `${name}: data key`,
      )
      if (suite.signature) {
        const other = backend.signingKeys.acquire(suite.signature)
        const input = openInput(s)
        const wrongKey = input.signature && {
          ...input.signature,
          key: VerificationKey.fromPoint(suite.signature, publicPoint(other)),
        }
        await opens(
          t,
          backend,
          { ...input, signature: wrongKey },
          undefined,
          `${name}: someone else's verification key`,
        )
      }
    }
  },
)

eachBackend('signing keys from the backend provider are fresh every time', async (t, backend) => {
  for (const suite of ALL_SUITES.filter((s) => s.signature)) {
    const spec = suite.signature
    if (!spec) continue
    const keys = Array.from({ length: 12 }, () => backend.signingKeys.acquire(spec))
    t.is(
      new Set(keys.map((k) => k.publicKeyCompressed.toString('hex'))).size,
      keys.length,
      `0x${suite.id.toString(16)}`,
    )
    for (const k of keys) t.is(k.publicKeyCompressed.length, spec.publicKeyLength)
  }
})

nativeOnly(
  'sealMessage refuses an output of the wrong size, a missing or wrong-curve signing key, and overlapping buffers',
  async (t, addon) => {
    const code = (fn: () => unknown): string | undefined =>
      (t.throws(fn) as (Error & { code?: string }) | undefined)?.code
    const v2 = ALL_SUITES.find((s) => s.id === 0x0478) as AlgorithmSuite
    const signed = ALL_SUITES.find((s) => s.id === 0x0578) as AlgorithmSuite
    const dataKey = randomBytes(32)
    const messageId = randomBytes(32)
    const plaintext = randomBytes(50)
    const exact = 64 + 16 + bodySize(50, 4096)
    const seal = (suiteId: number, out: Buffer, key?: unknown, pt: Uint8Array = plaintext) =>
      addon.sealMessage(suiteId, dataKey, messageId, out, 64, Buffer.alloc(0), pt, 4096, key as never)
    t.is(
      code(() => seal(v2.id, Buffer.alloc(exact + 1))),
      'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
    )
    t.is(
      code(() => seal(v2.id, Buffer.alloc(exact - 1))),
      'ERR_ESDK_NATIVE_OUTPUT_LENGTH',
    )
    t.is(
      code(() => seal(signed.id, Buffer.alloc(exact + footerRoom(signed)))),
      'ERR_ESDK_NATIVE_ARG_TYPE',
    )
    const [p256] = await new Promise<unknown[]>((resolve, reject) =>
      addon.generateSigningKeys(256, 1, (e, h) => (e ? reject(e) : resolve(h ?? []))),
    )
    t.is(
      code(() => seal(signed.id, Buffer.alloc(exact + footerRoom(signed)), p256)),
      'ERR_ESDK_NATIVE_ARG_TYPE',
    )
    t.is(
      code(() => seal(v2.id, Buffer.alloc(exact), p256)),
      'ERR_ESDK_NATIVE_ARG_TYPE',
    )
    const shared = Buffer.alloc(exact)
    t.is(
      code(() => seal(v2.id, shared, undefined, shared.subarray(exact - 50))),
      'ERR_ESDK_NATIVE_OVERLAP',
    )
    t.true(
      shared.every((b) => b === 0),
      'nothing written when refused',
    )
  },
)

eachBackend(
  'sealMessage and openMessage respect byteOffset/byteLength of every input and output, small and big',
  async (t, backend) => {
    for (const [suite, size] of [
      [ALL_SUITES[9] as AlgorithmSuite, 3000],
      [ALL_SUITES[10] as AlgorithmSuite, 2_500_000],
      [ALL_SUITES[3] as AlgorithmSuite, 1_200_000],
    ] as const) {
      const plain = await sealWith(backend, suite, size, 4096, randomBytes(6))
      // The same message again, every argument a view into a larger buffer full of other bytes.
      const out = offsetCopy(Buffer.alloc(plain.input.out.length), 7, 9, 0x5a)
      plain.input.out.copy(out.view, 0, 0, plain.input.headerBodyLength)
      if (suite.messageFormat === 2) out.view.fill(0, plain.input.headerBodyLength - 32, plain.input.headerBodyLength)
      const viewed: SealMessageInput = {
        ...plain.input,
        dataKey: offsetCopy(plain.input.dataKey).view,
        messageId: offsetCopy(plain.input.messageId).view,
        extraAad: offsetCopy(plain.input.extraAad).view,
        plaintext: offsetCopy(plain.input.plaintext).view,
        out: out.view,
      }
      const length = await backend.sealMessage(viewed)
      t.true(
        out.whole.subarray(0, 7).every((b) => b === 0x5a) &&
          out.whole.subarray(out.whole.length - 9).every((b) => b === 0x5a),
        'nothing outside the output window',
      )
      const where = `0x${suite.id.toString(16)} ${size}`
      if (!suite.signature) t.true(out.view.subarray(0, length).equals(plain.message), where)
      const message = offsetCopy(out.view.subarray(0, length), 5, 3, 0x11)
      const input = openInput({ ...plain, input: viewed }, message.view)
      const plaintextOut = offsetCopy(Buffer.alloc(size), 11, 13, 0x66)
      t.true(
        await backend.openMessage({ ...input, out: plaintextOut.view, dataKey: offsetCopy(plain.input.dataKey).view }),
        `${where}: opens`,
      )
      t.true(plaintextOut.view.equals(plain.input.plaintext), `${where}: plaintext`)
      t.true(
        plaintextOut.whole.subarray(0, 11).every((b) => b === 0x66) &&
          plaintextOut.whole.subarray(plaintextOut.whole.length - 13).every((b) => b === 0x66),
        `${where}: nothing outside the plaintext window`,
      )
    }
  },
)
