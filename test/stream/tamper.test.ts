// decryptStream under attack: a tampered frame, signature or header, a cut anywhere, trailing bytes, reordered frames: a typed error, and what was released is a prefix that ends before the damage (never the final frame of a signed message).
import test, { ExecutionContext } from 'ava'
import { MessageHeader } from '../../lib/format/header'
import { NodeDefaultCryptographicMaterialsManager } from '../../lib/materials/default-cmm'
import { NodeMaterialsManager } from '../../lib/materials/keyring'
import { FRAME_ROW, float64Table, scanFrame } from '../../lib/format/body-table'
import { parseHeader } from '../../lib/format/header'
import { BACKEND_NAMES, BackendName, Released, chunksOf, clientFor, keyring, plaintextOf, runThrough } from './helpers'

const FRAME = 64
const FRAMES = 6
/** Six full frames and a final frame of 10 bytes. */
const PLAINTEXT = plaintextOf(FRAMES * FRAME + 10)

interface Sample {
  readonly suiteId: number
  readonly message: Buffer
  /** [start, end) of every frame, then the footer's start. */
  readonly frames: readonly { start: number; end: number }[]
  readonly headerLength: number
  readonly bodyEnd: number
}

async function sample(backend: BackendName, suiteId: number): Promise<Sample> {
  const out = await runThrough(
    clientFor(backend, suiteId).encryptStream(keyring(), {
      suiteId,
      frameLength: FRAME,
      encryptionContext: { tamper: 'yes' },
    }),
    [PLAINTEXT],
  )
  if (out.error) throw out.error
  const message = out.bytes
  const header = parseHeader(message, { maxEncryptedDataKeys: false })
  if (!header.done) throw new Error('header')
  const frames: { start: number; end: number }[] = []
  const table = float64Table(FRAME_ROW)
  let o = header.headerLength
  for (let seq = 1; ; seq++) {
    const end = scanFrame(message, o, FRAME, seq, table, 0, {})
    frames.push({ start: o, end })
    o = end
    if (table[5] === 1) break
  }
  return { suiteId, message, frames, headerLength: header.headerLength, bodyEnd: o }
}

const signed = (suiteId: number): boolean =>
  suiteId === 0x0578 || suiteId === 0x0378 || suiteId === 0x0214 || suiteId === 0x0346

/** What was released is a prefix of the plaintext no longer than `max`, and the stream failed with `code`. */
function refusedWithPrefix(t: ExecutionContext, got: Released, max: number, code: string | RegExp, what: string): void {
  t.truthy(got.error, `${what}: the stream fails`)
  if (typeof code === 'string') t.is(got.error?.code, code, `${what}: error code`)
  else t.regex(got.error?.code ?? '', code, `${what}: error code`)
  t.true(got.bytes.length <= max, `${what}: released ${got.bytes.length} bytes, at most ${max} allowed`)
  t.true(
    PLAINTEXT.subarray(0, got.bytes.length).equals(got.bytes),
    `${what}: released bytes are a prefix of the plaintext`,
  )
}

const SUITES = [0x0478, 0x0578, 0x0014, 0x0378]

for (const backend of BACKEND_NAMES) {
  for (const suiteId of SUITES) {
    const title = `[${backend}] 0x${suiteId.toString(16).padStart(4, '0')}`

    test(`${title}: a byte flipped in frame k (first, middle, final; IV, content or tag) fails the stream, having released only frames before k`, async (t) => {
      const s = await sample(backend, suiteId)
      const client = clientFor(backend, suiteId)
      for (const k of [0, 3, s.frames.length - 1]) {
        const frame = s.frames[k] as { start: number; end: number }
        const head = k === s.frames.length - 1 ? 8 : 4
        for (const at of [
          frame.start + head + 1,
          frame.start + head + 12 + (k === s.frames.length - 1 ? 4 : 0) + 2,
          frame.end - 1,
        ]) {
          const bad = Buffer.from(s.message)
          bad[at] = (bad[at] ?? 0) ^ 0x10
          for (const sizes of [[bad.length], [FRAME + 7], [5]]) {
            const got = await runThrough(client.decryptStream(keyring()), chunksOf(bad, sizes))
            refusedWithPrefix(
              t,
              got,
              k * FRAME,
              'AUTHENTICATION_FAILED',
              `frame ${k + 1} byte ${at - frame.start}, chunks ${sizes[0]}`,
            )
          }
        }
      }
    })

    test(`${title}: a bad signature, a cut anywhere or a byte appended never ends cleanly, and the final frame is never released (official #390)`, async (t) => {
      const s = await sample(backend, suiteId)
      const client = clientFor(backend, suiteId)
      const beforeFinal = FRAMES * FRAME
      if (signed(suiteId)) {
        for (const at of [s.bodyEnd + 2, s.message.length - 1]) {
          const bad = Buffer.from(s.message)
          bad[at] = (bad[at] ?? 0) ^ 0x01
          refusedWithPrefix(
            t,
            await runThrough(client.decryptStream(keyring()), chunksOf(bad, [100])),
            beforeFinal,
            /AUTHENTICATION_FAILED|MALFORMED_MESSAGE/,
            `signature byte ${at - s.bodyEnd}`,
          )
        }
      }
      // Cuts inside the header (its first bytes, its EDK and auth), at, next to and inside every
      // frame, and at every byte of the footer.
      const cuts = new Set<number>([0, 1, 2, 3, 4, 20, 40, s.headerLength - 17, s.headerLength - 1])
      for (const f of s.frames)
        for (const at of [f.start, f.start + 1, f.start + 4, f.start + 20, f.end - 17, f.end - 1]) cuts.add(at)
      for (let at = s.bodyEnd; at < s.message.length; at++) cuts.add(at)
      for (const cut of cuts) {
        const got = await runThrough(client.decryptStream(keyring()), chunksOf(s.message.subarray(0, cut), [37]))
        refusedWithPrefix(t, got, beforeFinal, 'MALFORMED_MESSAGE', `cut at ${cut}`)
      }
      for (const extra of [Buffer.from([0]), Buffer.alloc(100, 7)]) {
        const got = await runThrough(client.decryptStream(keyring()), chunksOf(Buffer.concat([s.message, extra]), [50]))
        refusedWithPrefix(t, got, beforeFinal, 'MALFORMED_MESSAGE', `${extra.length} bytes appended`)
      }
      // A trailing byte in its own later chunk, after the rest arrived.
      const late = await runThrough(client.decryptStream(keyring()), [s.message, Buffer.from([1])])
      refusedWithPrefix(t, late, beforeFinal, 'MALFORMED_MESSAGE', 'a byte appended later')
      const whole = await runThrough(client.decryptStream(keyring()), [s.message])
      t.is(whole.error, undefined)
      t.true(whole.bytes.equals(PLAINTEXT), 'the untouched message opens')
    })

    test(`${title}: frames reordered, repeated, dropped, or an early final frame are refused before they are released`, async (t) => {
      const s = await sample(backend, suiteId)
      const client = clientFor(backend, suiteId)
      const part = (i: number): Buffer => s.message.subarray(s.frames[i]?.start, s.frames[i]?.end)
      const header = s.message.subarray(0, s.headerLength)
      const rest = s.message.subarray(s.bodyEnd)
      const all = s.frames.map((_, i) => i)
      const cases: [string, number[], number][] = [
        ['frames 1 and 2 swapped', [1, 0, ...all.slice(2)], 0],
        ['frame 3 twice', [0, 1, 2, 2, ...all.slice(3)], 3 * FRAME],
        ['frame 2 dropped', [0, ...all.slice(2)], FRAME],
        ['the final frame first', [all.length - 1, ...all.slice(0, -1)], 0],
        ['no final frame', all.slice(0, -1), FRAMES * FRAME],
      ]
      for (const [what, order, max] of cases) {
        const bad = Buffer.concat([header, ...order.map(part), rest])
        const got = await runThrough(client.decryptStream(keyring()), chunksOf(bad, [FRAME * 2 + 5]))
        refusedWithPrefix(t, got, max, /MALFORMED_MESSAGE|AUTHENTICATION_FAILED/, what)
      }
    })

    test(`${title}: nothing of a tampered header is released, MessageHeader included`, async (t) => {
      const s = await sample(backend, suiteId)
      const client = clientFor(backend, suiteId)
      for (const at of [s.headerLength - 1, s.headerLength - 20, 30]) {
        const bad = Buffer.from(s.message)
        bad[at] = (bad[at] ?? 0) ^ 0x04
        const stream = client.decryptStream(keyring())
        let header: MessageHeader | undefined
        stream.on('MessageHeader', (h: MessageHeader) => (header = h))
        const got = await runThrough(stream, [bad])
        t.truthy(got.error, `header byte ${at}`)
        t.is(got.bytes.length, 0)
        t.is(header, undefined, `header byte ${at}: no MessageHeader event`)
      }
    })
  }
}

for (const backend of BACKEND_NAMES) {
  test(`[${backend}] decryptUnsignedMessageStream refuses a signed message right after its header, before any key is asked for, and opens an unsigned one`, async (t) => {
    const signedSample = await sample(backend, 0x0578)
    const client = clientFor(backend, 0x0578)
    let asked = 0
    const inner = new NodeDefaultCryptographicMaterialsManager(keyring())
    const counting: NodeMaterialsManager = {
      getEncryptionMaterials: (request) => inner.getEncryptionMaterials(request),
      decryptMaterials: (request) => {
        asked++
        return inner.decryptMaterials(request)
      },
    }
    const got = await runThrough(client.decryptUnsignedMessageStream(counting), chunksOf(signedSample.message, [100]))
    t.is(got.error?.code, 'SIGNATURE_POLICY')
    t.is(got.bytes.length, 0)
    t.is(asked, 0, 'no decryption materials were asked for')
    const unsigned = await sample(backend, 0x0478)
    const opened = await runThrough(client.decryptUnsignedMessageStream(keyring()), chunksOf(unsigned.message, [100]))
    t.is(opened.error, undefined)
    t.true(opened.bytes.equals(PLAINTEXT))
  })
}
