// The tamper matrix: for a small message of one suite, framed or non-framed, every bit flip and every truncation through one-shot decrypt (and a share through decryptStream), counting what was tried and collecting anything accepted.
import { EsdkClient } from '../../lib/api/client'
import { findSuite } from '../../lib/core/suites'
import { EncryptedDataKey } from '../../lib/format/header'
import { NodeDecryptionMaterial } from '../../lib/materials/materials'
import { TransparentKeyring } from '../materials/test-keyrings'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { clientFor, hex4 } from './fixtures'
import { refusal } from './property-helpers'
import { specEncrypt } from './spec-encrypt'

// What must hold (client-apis/decrypt.md; data-format/message-body.md): a damaged message never decrypts, fails only
// with a typed refusal, and a stream releases only plaintext that authenticated, as a prefix of the original and never
// the final frame (a non-framed body: nothing), since the damage may sit in the final frame, the footer or the end.

export const MATRIX_NAME = 'tamper-matrix'

/**
 * The transparent keyring (the EDK is the data key), refusing EDKs of the wrong length as a real keyring's unwrap
 * would: a flip in an EDK length field must meet a keyring failure, not a keyring that hands back a 96-byte key.
 */
class MatrixKeyring extends TransparentKeyring {
  protected override async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    return super._onDecrypt(
      material,
      edks.filter((e) => e.encryptedDataKey.length === material.suite.keyLengthBytes),
    )
  }
}
/** 20 bytes at frames of 16: one full frame and a final frame of 4. */
export const MATRIX_PLAINTEXT = Buffer.from('tamper matrix: 20 b!')
export const MATRIX_FRAME = 16

export interface MatrixMessage {
  readonly suiteId: number
  readonly framed: boolean
  readonly message: Buffer
  /** Plaintext bytes a stream may release before the damage shows: the regular frames (framed), none (non-framed). */
  readonly releasable: number
}

/** Framed: written by our encrypt on `backend`. Non-framed (which we never write): by the spec writer in spec-encrypt.ts. */
export async function matrixMessage(
  backend: 'js' | 'native',
  suiteId: number,
  framed: boolean,
): Promise<MatrixMessage> {
  if (!framed) {
    const suite = findSuite(suiteId)
    if (!suite) throw new Error(`no suite ${hex4(suiteId)}`)
    const dataKey = Buffer.alloc(suite.keyLengthBytes, 0x6b)
    const message = specEncrypt({
      suiteId,
      dataKey,
      edkName: MATRIX_NAME,
      frameLength: 0,
      nonFramed: { plaintext: MATRIX_PLAINTEXT },
      contextPairs: [['m', 'x']],
    })
    return { suiteId, framed, message, releasable: 0 }
  }
  const { result } = await clientFor(suiteId, backend).encrypt(new TransparentKeyring(MATRIX_NAME), MATRIX_PLAINTEXT, {
    suiteId,
    frameLength: MATRIX_FRAME,
    encryptionContext: { m: 'x' },
  })
  return {
    suiteId,
    framed,
    message: result,
    releasable: MATRIX_PLAINTEXT.length - (MATRIX_PLAINTEXT.length % MATRIX_FRAME),
  }
}

/** Pipes `bytes` in chunks of 11 through decryptStream; what it released and how it ended (never throws). */
async function streamed(
  reader: EsdkClient,
  keyring: TransparentKeyring,
  bytes: Buffer,
): Promise<{ bytes: Buffer; error: unknown }> {
  const chunks: Buffer[] = []
  for (let o = 0; o < bytes.length; o += 11) chunks.push(bytes.subarray(o, o + 11))
  const parts: Buffer[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      parts.push(Buffer.from(chunk))
      callback()
    },
  })
  let error: unknown
  try {
    await pipeline(Readable.from(chunks), reader.decryptStream(keyring), sink)
  } catch (e) {
    error = e
  }
  return { bytes: Buffer.concat(parts), error }
}

export interface MatrixPlan {
  /** 'all': every bit of every byte; 'one': one bit per byte, the bit index turning with the byte position. */
  readonly bits: 'all' | 'one'
  /** Every `truncateEvery`-th length from 0 to length - 1 (1: every truncation). */
  readonly truncateEvery: number
  /** Every `streamEvery`-th damaged message also goes through decryptStream (0: none). */
  readonly streamEvery: number
}

export interface MatrixCount {
  flips: number
  truncations: number
  streamed: number
  problems: string[]
}

/** Runs the plan over one message; `reader` must allow every suite. */
export async function runMatrix(reader: EsdkClient, m: MatrixMessage, plan: MatrixPlan): Promise<MatrixCount> {
  const count: MatrixCount = { flips: 0, truncations: 0, streamed: 0, problems: [] }
  const keyring = new MatrixKeyring(MATRIX_NAME)
  const what = `${hex4(m.suiteId)} ${m.framed ? 'framed' : 'non-framed'}`
  const intact = await reader.decrypt(keyring, m.message)
  if (!intact.plaintext.equals(MATRIX_PLAINTEXT))
    count.problems.push(`${what}: the intact message does not open (control)`)
  let n = 0
  const check = async (bad: Buffer, label: string): Promise<void> => {
    try {
      const { plaintext } = await reader.decrypt(keyring, bad)
      count.problems.push(`${what} ${label}: decrypted to ${plaintext.length} bytes`)
    } catch (e) {
      const wrong = refusal(e)
      if (wrong) count.problems.push(`${what} ${label}: ${wrong}`)
    }
    if (plan.streamEvery > 0 && n++ % plan.streamEvery === 0) {
      count.streamed++
      const got = await streamed(reader, keyring, bad)
      if (!got.error)
        count.problems.push(`${what} ${label}: decryptStream ended cleanly with ${got.bytes.length} bytes`)
      else {
        const wrong = refusal(got.error)
        if (wrong) count.problems.push(`${what} ${label}: decryptStream: ${wrong}`)
      }
      if (!MATRIX_PLAINTEXT.subarray(0, got.bytes.length).equals(got.bytes))
        count.problems.push(`${what} ${label}: decryptStream released bytes that are not a prefix of the plaintext`)
      if (got.bytes.length > m.releasable)
        count.problems.push(
          `${what} ${label}: decryptStream released ${got.bytes.length} bytes, more than the ${m.releasable} before the final frame`,
        )
    }
  }
  for (let i = 0; i < m.message.length; i++) {
    const bits = plan.bits === 'all' ? [0, 1, 2, 3, 4, 5, 6, 7] : [(i * 5) % 8]
    for (const bit of bits) {
      const bad = Buffer.from(m.message)
      bad[i] = (bad[i] as number) ^ (1 << bit)
      count.flips++
      await check(bad, `byte ${i} bit ${bit}`)
    }
  }
  for (let len = 0; len < m.message.length; len += plan.truncateEvery) {
    count.truncations++
    await check(Buffer.from(m.message.subarray(0, len)), `cut to ${len}`)
  }
  return count
}
