// Stream test fixtures: clients per backend and suite, keyrings for both SDKs, sources that chunk and delay, sinks that record what was released.
import { randomBytes } from 'node:crypto'
import { Duplex, Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as official from '@aws-crypto/client-node'
import { buildClient, EsdkClient } from '../../lib/api/client'
import { CommitmentPolicy } from '../../lib/core/policy'
import { findSuite } from '../../lib/core/suites'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../lib/materials/raw-aes-keyring'
import { nativeBackend } from '../backend/backends'

export { official }

export const ALL_SUITE_IDS = [
  0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178, 0x0214, 0x0346, 0x0378, 0x0478, 0x0578,
] as const
export type BackendName = 'js' | 'native'
/** The backends these tests can run on here (native only when the addon loads). */
export const BACKEND_NAMES: readonly BackendName[] = nativeBackend ? ['js', 'native'] : ['js']

export function policyFor(suiteId: number): CommitmentPolicy {
  return findSuite(suiteId)?.commitment
    ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
    : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
}

export function clientFor(backend: BackendName, suiteId = 0x0578): EsdkClient {
  return buildClient({ commitmentPolicy: policyFor(suiteId), backend })
}

export function officialClientFor(suiteId: number): ReturnType<typeof official.buildClient> {
  return official.buildClient(policyFor(suiteId) as unknown as official.CommitmentPolicy)
}

const WRAPPING_KEY = randomBytes(32)

export function keyring(): RawAesKeyringNode {
  return new RawAesKeyringNode({
    keyName: 'stream-key',
    keyNamespace: 'stream-tests',
    unencryptedMasterKey: WRAPPING_KEY,
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
}

export function officialKeyring(): official.RawAesKeyringNode {
  return new official.RawAesKeyringNode({
    keyName: 'stream-key',
    keyNamespace: 'stream-tests',
    unencryptedMasterKey: new Uint8Array(WRAPPING_KEY),
    wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    utf8Sorting: true,
  } as ConstructorParameters<typeof official.RawAesKeyringNode>[0])
}

/** Splits `bytes` into chunks of the given sizes in turn (views, no copies); the last may be shorter. */
export function chunksOf(bytes: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = []
  let i = 0
  for (let o = 0; o < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length] ?? 1)
    out.push(bytes.subarray(o, o + size))
    o += size
  }
  return out
}

/** Random chunk sizes from 1 to `max` (reproducible from `seed`). */
export function randomSizes(seed: number, count: number, max: number): number[] {
  const sizes: number[] = []
  let s = seed >>> 0
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    sizes.push(1 + (s % max))
  }
  return sizes
}

/** A source of `chunks`, each after a random delay of up to `maxDelayMs` (0: none). */
export function delayedSource(chunks: readonly Buffer[], maxDelayMs: number, seed = 7): Readable {
  let s = seed >>> 0
  let i = 0
  return new Readable({
    read() {
      if (i >= chunks.length) {
        this.push(null)
        return
      }
      const chunk = chunks[i++] as Buffer
      s = (Math.imul(s, 1103515245) + 12345) >>> 0
      const delay = maxDelayMs > 0 ? s % (maxDelayMs + 1) : 0
      if (delay === 0) this.push(chunk)
      else setTimeout(() => this.push(chunk), delay)
    },
  })
}

/** What a stream released before it ended or failed, and how it ended. */
export interface Released {
  readonly bytes: Buffer
  readonly chunks: number
  readonly error: (Error & { code?: string }) | undefined
}

/** Pipes `chunks` through `stream` and records everything it released; never throws. */
export async function runThrough(stream: Duplex, chunks: readonly Buffer[] | Readable): Promise<Released> {
  const parts: Buffer[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      parts.push(Buffer.from(chunk))
      callback()
    },
  })
  let error: (Error & { code?: string }) | undefined
  try {
    await pipeline(Array.isArray(chunks) ? Readable.from(chunks) : (chunks as Readable), stream, sink)
  } catch (e) {
    error = e as Error & { code?: string }
  }
  return { bytes: Buffer.concat(parts), chunks: parts.length, error }
}

/** A plaintext with recognisable content (position-dependent bytes). */
export function plaintextOf(size: number, salt = 1): Buffer {
  const p = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i++) p[i] = (i * 131 + salt * 7 + (i >>> 8)) & 0xff
  return p
}
