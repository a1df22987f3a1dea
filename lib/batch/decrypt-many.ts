// Batch decrypt: every record parsed alone, records with the same EDKs and context share one materials answer (a per-batch memo), each opened and authenticated alone.
import { EsdkError, InvalidArgumentError } from '../core/errors'
import { EncryptionContext, normalizeContext, serializeContextEntries } from '../format/encryption-context'
import { MessageHeader, materialsKeyOf } from '../format/header'
import { NodeMaterialsManager } from '../materials/keyring'
import { NodeDecryptionMaterial } from '../materials/materials'
import { isThenable } from '../core/thenable'
import { MessageLayout, parseMessage } from '../session/decrypt-message'
import { DecryptSettings, decryptionMaterials } from '../session/decrypt-setup'
import { OpenGroup, openRecords, planOpen } from '../session/open-records'
import { BatchBytes } from './encrypt-many'
import { backendError, recordError } from './errors'
import { forEachInFlight } from './in-flight'

/** A ciphertext, or a ciphertext with its own reproduced encryption context (used instead of the shared one). */
export type DecryptBatchRecord =
  BatchBytes | { readonly ciphertext: BatchBytes; readonly encryptionContext?: Record<string, string> }

export type DecryptBatchEntry =
  | { readonly ok: true; readonly plaintext: Buffer; readonly messageHeader?: MessageHeader }
  | { readonly ok: false; readonly error: EsdkError }

export interface DecryptManyOptions {
  readonly maxBodySize: number | undefined
  /** The reproduced context for records that bring none (client-apis/decrypt.md). */
  readonly encryptionContext: EncryptionContext | undefined
  readonly messageHeaders: boolean
  readonly encoding: BufferEncoding
}

/** Unwraps pending at once for groups whose CMM answers asynchronously (KMS). */
export const UNWRAPS_IN_FLIGHT = 16

interface MaterialsGroup {
  readonly reproduced: EncryptionContext | undefined
  readonly records: number[]
}

export async function decryptMany(
  settings: DecryptSettings,
  cmm: NodeMaterialsManager,
  records: Iterable<DecryptBatchRecord>,
  options: DecryptManyOptions,
): Promise<DecryptBatchEntry[]> {
  const entries: DecryptBatchEntry[] = []
  const ciphertexts: Buffer[] = []
  const layouts: (MessageLayout | undefined)[] = []
  const groups = new Map<string, MaterialsGroup>()
  let i = 0
  // The last header parsed and its materials key: the next record usually shares both.
  let previous: { parsed: MessageLayout['parsed']; key: string } | undefined
  for (const record of records) {
    try {
      const { bytes, reproduced, reproducedKey } = normalizeRecord(record, options)
      ciphertexts[i] = bytes
      // Structure first: a malformed record (or one over maxBodySize / maxEncryptedDataKeys) fails alone, before any key.
      const layout = parseMessage(bytes, settings, options.maxBodySize, previous?.parsed)
      layouts[i] = layout
      const sharesPrevious =
        previous !== undefined && layout.parsed.header.encryptedDataKeys === previous.parsed.header.encryptedDataKeys
      const materialsKey = sharesPrevious ? (previous as { key: string }).key : materialsKeyOf(layout.parsed)
      previous = { parsed: layout.parsed, key: materialsKey }
      const key = reproducedKey + materialsKey
      let group = groups.get(key)
      if (!group) {
        group = { reproduced, records: [] }
        groups.set(key, group)
      }
      group.records.push(i)
    } catch (e) {
      ciphertexts[i] ??= EMPTY
      layouts[i] = undefined
      entries[i] = { ok: false, error: recordError(e) }
    }
    i++
  }
  entries.length = i

  // The per-batch memo: one materials answer per group, every copy of the data key wiped at the end.
  const opened: OpenGroup[] = []
  const materials: NodeDecryptionMaterial[] = []
  try {
    await forEachInFlight([...groups.values()], UNWRAPS_IN_FLIGHT, (group) => {
      const first = layouts[group.records[0] as number] as MessageLayout
      const accept = (material: NodeDecryptionMaterial): void => {
        materials.push(material)
        try {
          opened.push({ plan: planOpen(settings, material, first), material, records: group.records })
        } catch (e) {
          failAll(entries, group.records, e)
        }
      }
      try {
        const material = decryptionMaterials(settings, cmm, first.parsed, group.reproduced)
        if (!isThenable(material)) return accept(material)
        return material.then(accept, (e: unknown) => failAll(entries, group.records, e))
      } catch (e) {
        failAll(entries, group.records, e)
        return undefined
      }
    })
    // Groups in first-record order, whatever order their answers came in.
    opened.sort((a, b) => (a.records[0] as number) - (b.records[0] as number))
    const results = await openRecords(settings, opened, layouts, ciphertexts, options.messageHeaders)
    for (const group of opened) {
      for (const r of group.records) {
        const o = results[r]
        if (!o) continue
        if ('error' in o) entries[r] = { ok: false, error: backendError(o.error) }
        else
          entries[r] = o.messageHeader
            ? { ok: true, plaintext: o.plaintext, messageHeader: o.messageHeader }
            : { ok: true, plaintext: o.plaintext }
      }
    }
  } finally {
    for (const m of materials) m.zeroUnencryptedDataKey()
  }
  return entries
}

const EMPTY = Buffer.alloc(0)

function failAll(entries: DecryptBatchEntry[], records: readonly number[], error: unknown): void {
  const typed = recordError(error)
  for (const r of records) entries[r] = { ok: false, error: typed }
}

function normalizeRecord(
  record: DecryptBatchRecord,
  options: DecryptManyOptions,
): { bytes: Buffer; reproduced: EncryptionContext | undefined; reproducedKey: string } {
  if (isBytes(record))
    return { bytes: toBuffer(record, options.encoding), reproduced: options.encryptionContext, reproducedKey: SHARED }
  if (typeof record === 'object' && record !== null && isBytes((record as { ciphertext?: unknown }).ciphertext)) {
    const bytes = toBuffer(record.ciphertext, options.encoding)
    if (record.encryptionContext === undefined)
      return { bytes, reproduced: options.encryptionContext, reproducedKey: SHARED }
    const reproduced = normalizeContext(record.encryptionContext)
    const serialized = serializeContextEntries(reproduced).toString('latin1')
    return { bytes, reproduced, reproducedKey: `O${serialized.length}:${serialized}` }
  }
  throw new InvalidArgumentError(
    'a batch record must be a Buffer, Uint8Array or string, or { ciphertext, encryptionContext }',
  )
}

/** Group-key prefix of records that use the shared reproduced context; own ones are 'O', their length, ':' and their serialization. */
const SHARED = 'S'

function isBytes(value: unknown): value is BatchBytes {
  return typeof value === 'string' || value instanceof Uint8Array
}

function toBuffer(value: BatchBytes, encoding: BufferEncoding): Buffer {
  if (Buffer.isBuffer(value)) return value
  if (typeof value === 'string') return Buffer.from(value, encoding)
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}
