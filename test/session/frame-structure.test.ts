// Frames out of place (reordered, duplicated, dropped, extra, a final frame that is not last), each frame with a valid tag for the sequence number it claims and the whole message validly signed: refused by one-shot, stream and batch decrypt on every backend, on the synchronous and the thread-pool paths.
import test from 'ava'
import { EsdkError } from '../../lib/core/errors'
import { TransparentKeyring } from '../materials/test-keyrings'
import { chunksOf, runThrough } from '../stream/helpers'
import { BACKENDS, clientFor, hex4, suite } from './fixtures'
import { SpecFrameInput, specEncrypt } from './spec-encrypt'

// message-body.md "Sequence Number": frames start at 1 and increase by 1; "Final Frame": exactly one, and last.
// The spec writer gives each frame a tag over the sequence number it claims and signs the bytes as laid out, so
// GCM and ECDSA both pass: only the decryptor's structure checks stand between these messages and the caller.

const NAME = 'frame-structure'
const keyring = (): TransparentKeyring => new TransparentKeyring(NAME)
const dataKey = (suiteId: number): Buffer => Buffer.alloc(suite(suiteId).keyLengthBytes, 0x3d)
/** v1 and v2, unsigned and signed, identity KDF. */
const SUITES = [0x0014, 0x0178, 0x0378, 0x0478, 0x0578]

interface Layout {
  readonly what: string
  /** Per frame: the chunk of the plaintext it carries (chunk n has sequence number n in the intact message), the sequence number it claims, final or not. */
  readonly frames: ReadonlyArray<readonly [chunk: number, seq: number, final: boolean]>
  /** How many leading frames are where they belong: a stream may release these and nothing after. */
  readonly intactFrames: number
}

/** The intact message: chunks 1..4, chunk 4 the final frame (shorter). */
const INTACT: Layout = {
  what: 'intact',
  frames: [
    [1, 1, false],
    [2, 2, false],
    [3, 3, false],
    [4, 4, true],
  ],
  intactFrames: 4,
}

const BROKEN: readonly Layout[] = [
  {
    what: 'frames 1 and 2 swapped',
    frames: [
      [2, 2, false],
      [1, 1, false],
      [3, 3, false],
      [4, 4, true],
    ],
    intactFrames: 0,
  },
  {
    what: 'frames 2 and 3 swapped',
    frames: [
      [1, 1, false],
      [3, 3, false],
      [2, 2, false],
      [4, 4, true],
    ],
    intactFrames: 1,
  },
  {
    what: 'frame 2 duplicated',
    frames: [
      [1, 1, false],
      [2, 2, false],
      [2, 2, false],
      [3, 3, false],
      [4, 4, true],
    ],
    intactFrames: 2,
  },
  {
    what: 'frame 2 dropped',
    frames: [
      [1, 1, false],
      [3, 3, false],
      [4, 4, true],
    ],
    intactFrames: 1,
  },
  {
    what: 'frame 1 dropped (sequence starts at 2)',
    frames: [
      [2, 2, false],
      [3, 3, false],
      [4, 4, true],
    ],
    intactFrames: 0,
  },
  {
    what: 'sequence starts at 0',
    frames: [
      [1, 0, false],
      [2, 1, false],
      [3, 2, false],
      [4, 3, true],
    ],
    intactFrames: 0,
  },
  {
    what: 'an extra regular frame after the final frame',
    frames: [
      [1, 1, false],
      [2, 2, false],
      [3, 3, false],
      [4, 4, true],
      [1, 5, false],
    ],
    intactFrames: 3,
  },
  {
    what: 'a second final frame after the final frame',
    frames: [
      [1, 1, false],
      [2, 2, false],
      [3, 3, false],
      [4, 4, true],
      [4, 5, true],
    ],
    intactFrames: 3,
  },
  {
    what: 'the final frame second, then more frames',
    frames: [
      [1, 1, false],
      [4, 2, true],
      [3, 3, false],
      [4, 4, true],
    ],
    intactFrames: 1,
  },
  {
    what: 'the final frame first',
    frames: [
      [4, 1, true],
      [1, 2, false],
      [2, 3, false],
      [3, 4, false],
    ],
    intactFrames: 0,
  },
  {
    what: 'no final frame (ends on a regular frame)',
    frames: [
      [1, 1, false],
      [2, 2, false],
      [3, 3, false],
    ],
    intactFrames: 3,
  },
  {
    what: 'a final frame whose sequence number skips one',
    frames: [
      [1, 1, false],
      [2, 2, false],
      [3, 3, false],
      [4, 5, true],
    ],
    intactFrames: 3,
  },
]

interface Case {
  readonly layout: Layout
  readonly message: Buffer
}

/** Plaintext chunks: `frame` bytes each, the last (chunk 4) shorter. Chunk n is filled with its own recognisable bytes. */
function chunks(frame: number): Buffer[] {
  return [1, 2, 3, 4].map((n) => {
    const b = Buffer.alloc(n === 4 ? Math.max(1, frame >> 2) + 1 : frame)
    for (let i = 0; i < b.length; i++) b[i] = (n * 0x31 + i * 7) & 0xff
    return b
  })
}

const written = new Map<string, Case>()

/** The message for a layout, written once per suite and frame length (the three APIs read the same bytes). */
function write(suiteId: number, frame: number, layout: Layout): Case {
  const key = `${suiteId}/${frame}/${layout.what}`
  let c = written.get(key)
  if (!c) {
    c = writeOnce(suiteId, frame, layout)
    written.set(key, c)
  }
  return c
}

function writeOnce(suiteId: number, frame: number, layout: Layout): Case {
  const parts = chunks(frame)
  const frames: SpecFrameInput[] = layout.frames.map(([chunk, seq, final]) => ({
    plaintext: parts[chunk - 1] as Buffer,
    seq,
    final,
  }))
  return {
    layout,
    message: specEncrypt({
      suiteId,
      dataKey: dataKey(suiteId),
      edkName: NAME,
      frameLength: frame,
      frames,
      contextPairs: [['frames', layout.what]],
    }),
  }
}

function intactPlaintext(frame: number): Buffer {
  return Buffer.concat(chunks(frame))
}

/**
 * The codes a layout may fail with. Bytes after the final frame of a signed message are read as its footer (message-footer.md),
 * so they fail as a malformed footer or a signature that does not verify; everything else is a malformed body.
 */
function expectedCodes(suiteId: number, layout: Layout): readonly string[] {
  const final = layout.frames.findIndex(([, , isFinal]) => isFinal)
  const afterFinal = final >= 0 && final < layout.frames.length - 1
  return afterFinal && suite(suiteId).signature ? ['MALFORMED_MESSAGE', 'AUTHENTICATION_FAILED'] : ['MALFORMED_MESSAGE']
}

function wrongCode(e: unknown, codes: readonly string[]): string | undefined {
  return e instanceof EsdkError && codes.includes(e.code)
    ? undefined
    : `expected ${codes.join(' or ')}, got ${describe(e)}`
}

function describe(e: unknown): string {
  return e instanceof EsdkError ? `${e.code}: ${e.message}` : e instanceof Error ? `${e.name}: ${e.message}` : String(e)
}

/** 16-byte frames keep the messages small; 384 KiB frames make a 1.1 MiB message, which the native backend opens on the thread pool (PARALLEL_THRESHOLD). */
const SIZES = [
  { frame: 16, label: 'small' },
  { frame: 384 * 1024, label: '1.1 MiB (thread pool)' },
] as const

for (const backend of BACKENDS) {
  for (const { frame, label } of SIZES) {
    const suites = label === 'small' ? SUITES : [0x0178, 0x0578]
    for (const suiteId of suites) {
      const title = `[${backend}] ${hex4(suiteId)} ${label}`
      const reader = clientFor(0x0578, backend)
      const plaintext = intactPlaintext(frame)

      test(`${title}: one-shot decrypt refuses frames out of place as MALFORMED_MESSAGE (and opens the intact control)`, async (t) => {
        const intact = write(suiteId, frame, INTACT)
        t.true((await reader.decrypt(keyring(), intact.message)).plaintext.equals(plaintext), 'the intact layout opens')
        const problems: string[] = []
        for (const layout of BROKEN) {
          const { message } = write(suiteId, frame, layout)
          try {
            const { plaintext: got } = await reader.decrypt(keyring(), message)
            problems.push(`${layout.what}: decrypted to ${got.length} bytes`)
          } catch (e) {
            const wrong = wrongCode(e, expectedCodes(suiteId, layout))
            if (wrong) problems.push(`${layout.what}: ${wrong}`)
          }
        }
        t.deepEqual(problems, [])
      })

      test(`${title}: decryptStream fails on frames out of place, having released only the frames before the first misplaced one`, async (t) => {
        const intact = write(suiteId, frame, INTACT)
        const whole = await runThrough(reader.decryptStream(keyring()), chunksOf(intact.message, [frame + 7]))
        t.is(whole.error, undefined, 'the intact layout streams')
        t.true(whole.bytes.equals(plaintext))
        const problems: string[] = []
        for (const layout of BROKEN) {
          const { message } = write(suiteId, frame, layout)
          // Bytes in odd chunks (a frame and a bit), and in one piece.
          for (const sizes of [[frame + 7], [message.length]]) {
            const got = await runThrough(reader.decryptStream(keyring()), chunksOf(message, sizes))
            const what = `${layout.what} (chunks of ${sizes[0]})`
            if (!got.error) problems.push(`${what}: ended cleanly with ${got.bytes.length} bytes`)
            else {
              const wrong = wrongCode(got.error, expectedCodes(suiteId, layout))
              if (wrong) problems.push(`${what}: ${wrong}`)
            }
            if (!plaintext.subarray(0, got.bytes.length).equals(got.bytes))
              problems.push(`${what}: released bytes are not a prefix of the plaintext`)
            if (got.bytes.length > layout.intactFrames * frame)
              problems.push(
                `${what}: released ${got.bytes.length} bytes, more than the ${layout.intactFrames} frames in place`,
              )
          }
        }
        t.deepEqual(problems, [])
      })

      test(`${title}: decryptBatch fails exactly the records with frames out of place, and the intact records beside them open`, async (t) => {
        const intact = write(suiteId, frame, INTACT)
        const broken = BROKEN.map((layout) => write(suiteId, frame, layout))
        // Intact records first, between and last; enough records for the native batch's pool path when unsigned.
        const records: { message: Buffer; what: string; layout?: Layout }[] = [
          { message: intact.message, what: 'intact (first)' },
        ]
        for (const c of broken)
          records.push(
            { message: c.message, what: c.layout.what, layout: c.layout },
            { message: intact.message, what: `intact (after ${c.layout.what})` },
          )
        const entries = await reader.decryptBatch(
          keyring(),
          records.map((r) => r.message),
        )
        t.is(entries.length, records.length)
        const problems: string[] = []
        entries.forEach((e, i) => {
          const r = records[i] as (typeof records)[number]
          if (!r.layout) {
            if (!e.ok) problems.push(`${r.what}: ${describe(e.error)}`)
            else if (!e.plaintext.equals(plaintext)) problems.push(`${r.what}: wrong plaintext`)
          } else if (e.ok) {
            problems.push(`${r.what}: opened to ${e.plaintext.length} bytes`)
          } else {
            const wrong = wrongCode(e.error, expectedCodes(suiteId, r.layout))
            if (wrong) problems.push(`${r.what}: ${wrong}`)
          }
        })
        t.deepEqual(problems, [])
      })
    }
  }
}
