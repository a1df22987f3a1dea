// The native backend's batches: one crossing per batch over the message table (native/batch_bindings.h), on the calling thread or split across the pool.
import { NativeBindingError } from '../core/errors'
import { SignatureSpec } from '../core/suites'
import { SigningKey } from '../materials/materials'
import { CryptoBackend, MESSAGE_ID_SLOT, OpenBatchInput, SEAL_BATCH_STRIDE, SealBatchInput } from './backend'
import { openBatchByMessage, sealBatchByMessage } from './batch-by-message'
import {
  NativeBatchFunctions,
  NativeCryptoAddon,
  NativeOpenBatchGroup,
  NativeSealBatchRun,
  SigningKeyHandle,
} from './native-types'
import { float64Table } from '../format/body-table'

/**
 * Batches at least this big go to the thread pool: below, a pool round trip (about 20-40 us to
 * queue and wake the JS thread) costs more than the second core saves. Signed batches always go
 * (signing is the work, and it must not hold the JS thread).
 */
export const BATCH_POOL_MIN_MESSAGES = 24
export const BATCH_POOL_MIN_BYTES = 96 * 1024

const EMPTY = Buffer.alloc(0)
const OPEN_STRIDE = 5

export interface NativeBatchOptions {
  /** Workers per batch, as configured (ESDK_NATIVE_THREADS). */
  readonly threads: () => number
  readonly handleFor: (key: SigningKey | undefined, spec: SignatureSpec) => SigningKeyHandle
}

/** sealBatch / openBatch for the native backend: the native batch when the addon has it, else a loop over its one-message calls. */
export function nativeBatches(
  addon: NativeCryptoAddon & Partial<NativeBatchFunctions>,
  messages: Pick<CryptoBackend, 'sealMessage' | 'openMessage'>,
  options: NativeBatchOptions,
): Pick<CryptoBackend, 'sealBatch' | 'openBatch'> {
  const { sealBatch, sealBatchAsync, openBatch, openBatchAsync } = addon
  if (!sealBatch || !sealBatchAsync || !openBatch || !openBatchAsync) {
    return {
      sealBatch: (input) => sealBatchByMessage(messages, input),
      openBatch: (input) => openBatchByMessage(messages, input),
    }
  }
  const { threads, handleFor } = options

  return {
    sealBatch(input: SealBatchInput): void | Promise<void> {
      const { plaintexts, table, messageIds, out, lengths } = input
      let signed = false
      const runs: NativeSealBatchRun[] = input.runs.map((r) => {
        const spec = r.suite.signature
        if (spec) signed = true
        return {
          suiteId: r.suite.id,
          dataKey: r.dataKey,
          header: r.header,
          messageIdOffset: r.messageIdOffset,
          extraAad: r.extraAad.length === 0 ? EMPTY : r.extraAad,
          frameLength: r.frameLength,
          signingKey: spec ? handleFor(r.signingKey, spec) : undefined,
          sharedKey: r.sharedSigningKey ? 1 : 0,
        }
      })
      if (
        messageIds.length !== plaintexts.length * MESSAGE_ID_SLOT ||
        table.length !== plaintexts.length * SEAL_BATCH_STRIDE
      ) {
        throw new NativeBindingError('sealBatch: table and ids do not match the plaintexts', [])
      }
      let bytes = 0
      for (const p of plaintexts) bytes += p.length
      if (!signed && plaintexts.length < BATCH_POOL_MIN_MESSAGES && bytes < BATCH_POOL_MIN_BYTES) {
        sealBatch.call(addon, runs, plaintexts, table, messageIds, out, lengths)
        return undefined
      }
      return new Promise((resolve, reject) => {
        sealBatchAsync.call(addon, runs, plaintexts, table, messageIds, out, lengths, threads(), (error) =>
          error ? reject(error) : resolve(),
        )
      })
    },

    openBatch(input: OpenBatchInput): void | Promise<void> {
      const { groups, messages: list, out, authentic } = input
      const nativeGroups: NativeOpenBatchGroup[] = groups.map((g) => ({
        suiteId: g.suite.id,
        dataKey: g.dataKey,
        extraAad: g.extraAad.length === 0 ? EMPTY : g.extraAad,
        point: g.verificationKey ? g.verificationKey.point : EMPTY,
      }))
      const n = list.length
      const headers = new Array<Uint8Array>(n)
      const sources = new Array<Uint8Array>(n)
      const frameTables = new Array<Float64Array>(n)
      const signatures: Uint8Array[] = []
      const table = float64Table(n * OPEN_STRIDE)
      let signed = false
      let bytes = 0
      for (let i = 0; i < n; i++) {
        const m = list[i] as OpenBatchInput['messages'][number]
        const source = m.body.source
        // The signature covers the message from its first byte: the frame table's source must be the whole message.
        if (m.signed && (m.signed.buffer !== source.buffer || m.signed.byteOffset !== source.byteOffset))
          return openBatchByMessage(messages, input)
        // The header pieces are views of one copy: passed once, with the body's length.
        if (m.headerBody.buffer !== m.headerBytes.buffer || m.headerBody.byteOffset !== m.headerBytes.byteOffset)
          return openBatchByMessage(messages, input)
        headers[i] = m.headerBytes
        sources[i] = source
        frameTables[i] = m.body.table
        if (m.signed) {
          signed = true
          signatures[i] = m.signature ?? EMPTY
        }
        const row = i * OPEN_STRIDE
        table[row] = m.group
        table[row + 1] = m.outOffset
        table[row + 2] = m.body.plaintextLength
        table[row + 3] = m.signed ? m.signed.length : 0
        table[row + 4] = m.headerBody.length
        bytes += m.body.plaintextLength
      }
      // Unsigned batches pass no signatures at all; signed ones one per message.
      if (signed) for (let i = 0; i < n; i++) signatures[i] ??= EMPTY
      if (!signed && n < BATCH_POOL_MIN_MESSAGES && bytes < BATCH_POOL_MIN_BYTES) {
        openBatch.call(addon, nativeGroups, headers, sources, frameTables, signatures, table, out, authentic)
        return undefined
      }
      return new Promise((resolve, reject) => {
        openBatchAsync.call(
          addon,
          nativeGroups,
          headers,
          sources,
          frameTables,
          signatures,
          table,
          out,
          authentic,
          threads(),
          (error) => (error ? reject(error) : resolve()),
        )
      })
    },
  }
}
