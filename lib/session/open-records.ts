// Many parsed messages under their materials: plaintexts laid out in shared regions, opened in one backend batch call per region.
import { AuthenticationError } from '../core/errors'
import { MessageHeader } from '../format/header'
import { NodeDecryptionMaterial } from '../materials/materials'
import { VerificationKey } from '../materials/signature-keys'
import { OpenBatchGroup, OpenBatchMessage } from '../backend/backend'
import { MessageLayout } from './decrypt-message'
import { DecryptSettings, checkDecryptionMaterials } from './decrypt-setup'
import { REGION_BYTES } from './seal-records'

/** One materials answer and the parsed records it opens. */
export interface OpenGroup {
  readonly plan: OpenPlan
  readonly material: NodeDecryptionMaterial
  readonly records: readonly number[]
}

/** What the materials decide for every message of a group: the authenticated-only context's AAD and the verification key. */
export interface OpenPlan {
  readonly extraAad: Buffer
  readonly verificationKey: VerificationKey | undefined
}

/** decrypt.md's checks of the materials against the group's first message (the others share its suite, context and EDKs). */
export function planOpen(settings: DecryptSettings, material: NodeDecryptionMaterial, layout: MessageLayout): OpenPlan {
  const { extraAad } = checkDecryptionMaterials(material, layout.parsed, settings.commitmentPolicy)
  const verificationKey = layout.parsed.suite.signature ? material.verificationKeyForms : undefined
  if (layout.parsed.suite.signature && !verificationKey) throw new AuthenticationError()
  return { extraAad, verificationKey }
}

export interface OpenedRecord {
  readonly plaintext: Buffer
  readonly messageHeader: MessageHeader | undefined
}

/**
 * Opens every record of every group, each authenticated exactly as decryptMessage would (commitment,
 * header tag, every frame, signature) before its plaintext is released; a record that fails gets an
 * AuthenticationError and its slice zeroed, the others are untouched. Results are indexed like
 * `layouts`. The caller wipes the materials.
 */
export async function openRecords(
  settings: DecryptSettings,
  groups: readonly OpenGroup[],
  layouts: readonly (MessageLayout | undefined)[],
  ciphertexts: readonly Buffer[],
  withHeaders: boolean,
): Promise<(OpenedRecord | { readonly error: unknown })[]> {
  const results = new Array<OpenedRecord | { readonly error: unknown }>(layouts.length)
  const batchGroups: OpenBatchGroup[] = groups.map(({ plan, material }) => ({
    suite: material.suite,
    dataKey: material.getUnencryptedDataKey(),
    extraAad: plan.extraAad,
    verificationKey: plan.verificationKey,
  }))
  const order: { group: number; record: number; layout: MessageLayout }[] = []
  groups.forEach((g, group) => {
    for (const record of g.records) {
      const layout = layouts[record]
      if (layout) order.push({ group, record, layout })
    }
  })
  const opening: Promise<void>[] = []
  for (let start = 0; start < order.length;) {
    let end = start
    let bytes = 0
    while (end < order.length) {
      const size = (order[end] as { layout: MessageLayout }).layout.body.plaintextLength
      if (end > start && bytes + size > REGION_BYTES) break
      bytes += size
      end++
    }
    opening.push(
      openRegion(settings, groups, batchGroups, order.slice(start, end), bytes, ciphertexts, withHeaders, results),
    )
    start = end
  }
  await Promise.all(opening)
  return results
}

async function openRegion(
  settings: DecryptSettings,
  groups: readonly OpenGroup[],
  batchGroups: readonly OpenBatchGroup[],
  slice: readonly { group: number; record: number; layout: MessageLayout }[],
  bytes: number,
  ciphertexts: readonly Buffer[],
  withHeaders: boolean,
  results: (OpenedRecord | { readonly error: unknown })[],
): Promise<void> {
  // Unpooled and not zero-filled: the backend writes every byte, or zeroes what failed.
  const out = Buffer.allocUnsafeSlow(bytes)
  const authentic = new Uint8Array(slice.length)
  let at = 0
  const messages: OpenBatchMessage[] = slice.map(({ group, record, layout }) => {
    const { header, headerBody, headerIv, headerAuthTag, headerBytes } = layout.parsed
    const signed = layout.signature ? (ciphertexts[record] as Buffer).subarray(0, layout.signedLength) : undefined
    const message: OpenBatchMessage = {
      group,
      messageId: header.messageId,
      headerBody,
      headerIv,
      headerAuthTag,
      headerBytes,
      commitment: header.suiteData,
      body: layout.body,
      outOffset: at,
      signed,
      signature: layout.signature,
    }
    at += layout.body.plaintextLength
    return message
  })
  try {
    const opened = settings.backend.openBatch({ groups: batchGroups, messages, out, authentic })
    if (opened) await opened
  } catch (error) {
    out.fill(0)
    for (const { record } of slice) results[record] = { error }
    return
  }
  slice.forEach(({ group, record, layout }, k) => {
    if (authentic[k] !== 1) {
      results[record] = { error: new AuthenticationError() }
      return
    }
    const offset = (messages[k] as OpenBatchMessage).outOffset
    const plaintext = out.subarray(offset, offset + layout.body.plaintextLength)
    const messageHeader = withHeaders
      ? checkDecryptionMaterials((groups[group] as OpenGroup).material, layout.parsed, settings.commitmentPolicy)
          .messageHeader
      : undefined
    results[record] = { plaintext, messageHeader }
  })
}
