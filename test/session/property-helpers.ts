// Shared by the message-level property tests (one-shot, stream, batch): generated inputs, the typed errors a damaged message may give, a guard against hangs, and sample messages to damage.
import fc from 'fast-check'
import { EsdkClient } from '../../lib/api/client'
import { EsdkError } from '../../lib/core/errors'
import { ALL_SUITE_IDS, aesKeyring, clientFor } from './fixtures'

/**
 * What a damaged message may fail with: the message's fault or the keyring's, never an argument, state or binding error.
 * Not COMMITMENT_POLICY: every reader here allows every suite, so a policy refusal would mean the test read nothing.
 */
export const REFUSALS: ReadonlySet<string> = new Set([
  'MALFORMED_MESSAGE',
  'UNSUPPORTED',
  'AUTHENTICATION_FAILED',
  'KEYRING',
  'LIMIT_EXCEEDED',
])

/** The error if it is a refusal (an EsdkError with a REFUSALS code), else a description of what went wrong. */
export function refusal(e: unknown): string | undefined {
  if (e instanceof EsdkError) return REFUSALS.has(e.code) ? undefined : `EsdkError with code ${e.code}: ${e.message}`
  return `not an EsdkError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`
}

/** Generous: a call that takes this long is hung, not slow, even under ASan on a loaded machine (30 s tripped there). */
export const HANG_MS = 120_000

/** `work`, or a rejection naming `what` if it has not settled within HANG_MS. */
export async function withinTime<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${HANG_MS} ms (hung)`)), HANG_MS)
  })
  try {
    return await Promise.race([work, hang])
  } finally {
    clearTimeout(timer)
  }
}

/** A context a caller may give (no reserved aws-crypto- keys). */
export const callerContext: fc.Arbitrary<Record<string, string>> = fc
  .uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 })), {
    maxLength: 3,
    selector: ([k]) => k,
  })
  .map((pairs) => Object.fromEntries(pairs.filter(([k]) => !k.startsWith('aws-crypto-') && k !== '__proto__')))

export interface MessageSpec {
  readonly suiteId: number
  readonly plaintext: Buffer
  readonly frameLength: number
  readonly context: Record<string, string>
}

/** Small messages of every suite: up to a few frames, empty plaintexts and exact multiples included. */
export const messageSpec: fc.Arbitrary<MessageSpec> = fc
  .record({
    suiteId: fc.constantFrom(...ALL_SUITE_IDS),
    plaintext: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constant(new Uint8Array(0))),
    frameLength: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constantFrom(1, 16, 4096)),
    context: callerContext,
  })
  .map((r) => ({ ...r, plaintext: Buffer.from(r.plaintext) }))

/** The length of the final frame of a message this library writes (what a failed stream must never release). */
export function finalFrameLength(spec: Pick<MessageSpec, 'plaintext' | 'frameLength'>): number {
  return spec.plaintext.length % spec.frameLength
}

export interface Sample extends MessageSpec {
  readonly message: Buffer
}

/** One message per suite (plaintext of a few frames with a final partial frame, plus one of exact multiples), to damage. */
export async function samplesFor(backend: 'js' | 'native'): Promise<Sample[]> {
  const out: Sample[] = []
  for (const suiteId of ALL_SUITE_IDS) {
    for (const [size, frameLength] of [
      [45, 16],
      [32, 16],
    ] as const) {
      const plaintext = Buffer.alloc(size)
      for (let i = 0; i < size; i++) plaintext[i] = (i * 37 + suiteId) & 0xff
      const context = { purpose: 'property', n: String(size) }
      const { result } = await clientFor(suiteId, backend).encrypt(aesKeyring(), plaintext, {
        suiteId,
        frameLength,
        encryptionContext: context,
      })
      out.push({ suiteId, plaintext, frameLength, context, message: result })
    }
  }
  return out
}

/** A client that decrypts every suite (REQUIRE_ENCRYPT_ALLOW_DECRYPT). */
export function readerFor(backend: 'js' | 'native'): EsdkClient {
  return clientFor(0x0578, backend)
}
