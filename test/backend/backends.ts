// Registers a backend test once per backend (js, native), the native copy as skipped when the addon is unavailable.
import test, { ExecutionContext } from 'ava'
import { CryptoBackend } from '../../lib/backend/backend'
import { jsBackend } from '../../lib/backend/js-backend'
import { createNativeBackend, isNativeCryptoAddon } from '../../lib/backend/native-backend'
import { loadNativeAddon } from '../../lib/backend/native-loader'
import { NativeCryptoAddon } from '../../lib/backend/native-types'
import { AlgorithmSuite, AlgorithmSuiteIdentifier, findSuite } from '../../lib/core/suites'
import { FrameRef } from '../../lib/format/body'

export interface BackendCase {
  readonly name: 'js' | 'native'
  readonly backend: CryptoBackend | undefined
  /** Why the backend is unavailable (shown in the skipped test's title). */
  readonly why: string
}

/**
 * The native backend straight from the addon, independent of the CPU gate and self-test that
 * `auto` applies: these tests are what vouch for it.
 */
function nativeCase(): { backend: CryptoBackend | undefined; addon: NativeCryptoAddon | undefined; why: string } {
  const load = loadNativeAddon()
  if (!load.addon) return { backend: undefined, addon: undefined, why: 'addon not loaded' }
  const problems: string[] = []
  if (!isNativeCryptoAddon(load.addon, problems))
    return { backend: undefined, addon: undefined, why: problems.join('; ') }
  try {
    return { backend: createNativeBackend(load.addon), addon: load.addon, why: '' }
  } catch (err) {
    return { backend: undefined, addon: undefined, why: err instanceof Error ? err.message : String(err) }
  }
}

const native = nativeCase()
export const nativeAddon: NativeCryptoAddon | undefined = native.addon
export const nativeBackend: CryptoBackend | undefined = native.backend

export const BACKENDS: readonly BackendCase[] = [
  { name: 'js', backend: jsBackend, why: '' },
  { name: 'native', backend: native.backend, why: native.why },
]

type Body<T> = (t: ExecutionContext, subject: T) => void | Promise<void>

/** One test per backend; an unavailable backend's copy is registered with test.skip, so it is reported as skipped, never as passed. */
export function eachBackend(title: string, body: Body<CryptoBackend>): void {
  for (const c of BACKENDS) {
    const backend = c.backend
    if (backend) test(`[${c.name}] ${title}`, (t) => body(t, backend))
    else test.skip(`[${c.name}] ${title} (unavailable: ${c.why})`, () => undefined)
  }
}

/** A test of the raw addon surface (argument checking and the like), skipped when the addon is unavailable. */
export function nativeOnly(title: string, body: Body<NativeCryptoAddon>): void {
  const addon = native.addon
  if (addon) test(`[native] ${title}`, (t) => body(t, addon))
  else test.skip(`[native] ${title} (unavailable: ${native.why})`, () => undefined)
}

export function suite(id: AlgorithmSuiteIdentifier): AlgorithmSuite {
  const s = findSuite(id)
  if (!s) throw new Error(`unknown suite ${id}`)
  return s
}

export const A = AlgorithmSuiteIdentifier

/** `bytes` copied into the middle of a larger buffer filled with `fill`, so byteOffset is non-zero and neighbours are visible. */
export function offsetCopy(bytes: Uint8Array, before = 13, after = 11, fill = 0xa5): { view: Buffer; whole: Buffer } {
  const whole = Buffer.alloc(before + bytes.length + after, fill)
  whole.set(bytes, before)
  return { view: whole.subarray(before, before + bytes.length), whole }
}

/** Splits a framed body as this library writes it into FrameRef views (independent of lib/format's parser). */
export function sliceFramedBody(body: Buffer, frameLength: number): FrameRef[] {
  const frames: FrameRef[] = []
  let o = 0
  for (let seq = 1; ; seq++) {
    const final = body.readUInt32BE(o) === 0xffffffff
    if (final) {
      if (body.readUInt32BE(o + 4) !== seq) throw new Error('bad sequence number')
      o += 8
    } else {
      if (body.readUInt32BE(o) !== seq) throw new Error('bad sequence number')
      o += 4
    }
    const iv = body.subarray(o, o + 12)
    o += 12
    let length = frameLength
    if (final) {
      length = body.readUInt32BE(o)
      o += 4
    }
    const ciphertext = body.subarray(o, o + length)
    const tag = body.subarray(o + length, o + length + 16)
    o += length + 16
    frames.push({ sequenceNumber: seq, iv, ciphertext, tag, kind: final ? 'final' : 'frame' })
    if (final) {
      if (o !== body.length) throw new Error('bytes after the final frame')
      return frames
    }
  }
}

/** framedBodySize from the spec layout, restated so the tests do not lean on lib/format. */
export function bodySize(plaintextLength: number, frameLength: number): number {
  const full = Math.floor(plaintextLength / frameLength)
  return full * (4 + 12 + frameLength + 16) + (8 + 12 + 4 + (plaintextLength - full * frameLength) + 16)
}

export function allZero(b: Uint8Array): boolean {
  return b.every((x) => x === 0)
}
