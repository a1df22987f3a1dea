// Decrypt reads valid layouts our encrypt never writes: non-framed bodies, full final frames, other IVs, unsorted contexts, random v1 header IVs.
import test from 'ava'
import { AuthenticationError, EsdkError, MalformedMessageError } from '../../lib/core/errors'
import { TransparentKeyring } from '../materials/test-keyrings'
import { BACKENDS, clientFor, hex4, suite } from './fixtures'
import { specDecrypt } from './spec-decrypt'
import { SpecFrameInput, specEncrypt } from './spec-encrypt'

const NAME = 'foreign'
const keyring = (): TransparentKeyring => new TransparentKeyring(NAME)
const dataKey = (suiteId: number): Buffer => Buffer.alloc(suite(suiteId).keyLengthBytes, 0x4d)
const SUITES = [0x0014, 0x0178, 0x0214, 0x0378, 0x0478, 0x0578]

function frames(plaintext: Buffer, frameLength: number, fullFinal: boolean): SpecFrameInput[] {
  const out: SpecFrameInput[] = []
  let o = 0
  while (plaintext.length - o > frameLength || (!fullFinal && plaintext.length - o === frameLength)) {
    out.push({ plaintext: plaintext.subarray(o, o + frameLength), final: false })
    o += frameLength
  }
  out.push({ plaintext: plaintext.subarray(o), final: true })
  return out
}

for (const backend of BACKENDS) {
  for (const suiteId of SUITES) {
    test(`[${backend}] ${hex4(suiteId)}: the spec writer's standard layout decrypts (control)`, async (t) => {
      const plaintext = Buffer.from('spec-written message!')
      const message = specEncrypt({
        suiteId,
        dataKey: dataKey(suiteId),
        edkName: NAME,
        frameLength: 8,
        frames: frames(plaintext, 8, false),
        contextPairs: [['a', 'b']],
      })
      t.deepEqual(specDecrypt(message, dataKey(suiteId)).plaintext, plaintext, 'the writer agrees with the reader')
      t.deepEqual((await clientFor(suiteId, backend).decrypt(keyring(), message)).plaintext, plaintext)
    })

    test(`[${backend}] ${hex4(suiteId)}: a non-framed body decrypts`, async (t) => {
      const plaintext = Buffer.from('a non-framed body, as old SDKs wrote it')
      const message = specEncrypt({
        suiteId,
        dataKey: dataKey(suiteId),
        edkName: NAME,
        frameLength: 0,
        nonFramed: { plaintext },
      })
      t.deepEqual((await clientFor(suiteId, backend).decrypt(keyring(), message)).plaintext, plaintext)
    })
  }

  test(`[${backend}] a full final frame on an exact multiple (as the Dafny SDKs write) decrypts`, async (t) => {
    const plaintext = Buffer.alloc(32, 0x61)
    for (const suiteId of [0x0178, 0x0578]) {
      const layout = frames(plaintext, 16, true)
      t.deepEqual(
        layout.map((f) => [f.final, f.plaintext.length]),
        [
          [false, 16],
          [true, 16],
        ],
      )
      const message = specEncrypt({
        suiteId,
        dataKey: dataKey(suiteId),
        edkName: NAME,
        frameLength: 16,
        frames: layout,
      })
      t.deepEqual((await clientFor(suiteId, backend).decrypt(keyring(), message)).plaintext, plaintext, hex4(suiteId))
    }
  })

  test(`[${backend}] frame IVs are read from each frame, not recomputed from the sequence number`, async (t) => {
    const plaintext = Buffer.from('0123456789abcdefXYZ')
    for (const suiteId of [0x0178, 0x0478]) {
      const layout = frames(plaintext, 8, false).map((f, i) => ({ ...f, iv: Buffer.alloc(12, 0xa0 + i) }))
      const message = specEncrypt({ suiteId, dataKey: dataKey(suiteId), edkName: NAME, frameLength: 8, frames: layout })
      t.deepEqual((await clientFor(suiteId, backend).decrypt(keyring(), message)).plaintext, plaintext, hex4(suiteId))
    }
  })

  test(`[${backend}] v1: a non-zero header authentication IV is used as stored`, async (t) => {
    const plaintext = Buffer.from('random header IV')
    const message = specEncrypt({
      suiteId: 0x0378,
      dataKey: dataKey(0x0378),
      edkName: NAME,
      frameLength: 64,
      frames: frames(plaintext, 64, false),
      headerIv: Buffer.alloc(12, 0x77),
    })
    t.deepEqual((await clientFor(0x0378, backend).decrypt(keyring(), message)).plaintext, plaintext)
  })

  test(`[${backend}] a header context in non-UTF-8 order (legacy writers) authenticates as received and is reported in full`, async (t) => {
    const plaintext = Buffer.from('legacy order')
    const contextPairs = [
      ['b', '2'],
      ['a', '1'],
      ['B', '3'],
    ] as const
    const message = specEncrypt({
      suiteId: 0x0478,
      dataKey: dataKey(0x0478),
      edkName: NAME,
      frameLength: 64,
      frames: frames(plaintext, 64, false),
      contextPairs,
    })
    const out = await clientFor(0x0478, backend).decrypt(keyring(), message)
    t.deepEqual(out.plaintext, plaintext)
    t.deepEqual({ ...out.messageHeader.encryptionContext }, { a: '1', b: '2', B: '3' })
  })

  test(`[${backend}] two final frames, or a frame after the final frame, are refused`, async (t) => {
    const chunk = Buffer.alloc(8, 1)
    const layouts: SpecFrameInput[][] = [
      [
        { plaintext: chunk, final: true },
        { plaintext: chunk, final: true },
      ],
      [
        { plaintext: chunk, final: true },
        { plaintext: chunk, final: false },
      ],
    ]
    for (const layout of layouts) {
      const message = specEncrypt({
        suiteId: 0x0478,
        dataKey: dataKey(0x0478),
        edkName: NAME,
        frameLength: 8,
        frames: layout,
      })
      await t.throwsAsync(clientFor(0x0478, backend).decrypt(keyring(), message), { instanceOf: MalformedMessageError })
    }
  })

  test(`[${backend}] a non-final frame shorter than the frame length cannot be expressed and fails to authenticate`, async (t) => {
    // The reader takes frame-length bytes for a regular frame, so a short one shifts everything after it.
    const message = specEncrypt({
      suiteId: 0x0478,
      dataKey: dataKey(0x0478),
      edkName: NAME,
      frameLength: 8,
      frames: [
        { plaintext: Buffer.alloc(4, 1), final: false },
        { plaintext: Buffer.alloc(2, 1), final: true },
      ],
    })
    const err = await t.throwsAsync(clientFor(0x0478, backend).decrypt(keyring(), message))
    t.true(err instanceof EsdkError)
  })

  test(`[${backend}] a message whose data key differs from the committed one is refused`, async (t) => {
    // Written under one key, while the EDK carries another: commitment (v2) or header tag (v1) must fail.
    for (const suiteId of [0x0178, 0x0478]) {
      const written = specEncrypt({
        suiteId,
        dataKey: dataKey(suiteId),
        edkName: NAME,
        frameLength: 8,
        frames: [{ plaintext: Buffer.alloc(3), final: true }],
      })
      const keyStart = written.indexOf(dataKey(suiteId))
      const swapped = Buffer.from(written)
      swapped.fill(0x4e, keyStart, keyStart + dataKey(suiteId).length)
      await t.throwsAsync(
        clientFor(suiteId, backend).decrypt(keyring(), swapped),
        { instanceOf: AuthenticationError },
        hex4(suiteId),
      )
    }
  })
}
