// Cache entry identifiers for the caching CMM, byte for byte as framework/caching-cmm.md v0.4.0 Appendix A defines them.
import { createHash } from 'node:crypto'
import { needs } from '../../core/errors'
import { AlgorithmSuite } from '../../core/suites'
import { EncryptionContext, serializeContextEntries } from '../../format/encryption-context'
import { EncryptedDataKey } from '../../format/header'

/*
 * caching-cmm.md v0.4.0 (change 2024-09-13_cache-across-hierarchy-keyrings) replaced the v0.3.0
 * nested SHA-512 formulas with one SHA-384 over NUL-separated fields, so that caching CMMs and
 * hierarchical keyrings can share one cache without colliding:
 *
 *   ENTRY_ID = SHA384(resource-id ‖ 00 ‖ scope-id ‖ 00 ‖ UTF8(partition) ‖ 00 ‖ resource-suffix)
 *
 * The official JS SDK 5.0.2 still computes the v0.3.0 SHA-512 form. Identifiers never leave this
 * process (the cache is ours), so the choice has no interoperability effect; we follow the current text.
 */

/** Appendix A, "Resource Identifier": Caching_CMM. */
const RESOURCE_CACHING_CMM = 0x01
/** Appendix A, "Scope Identifier". */
const SCOPE_ENCRYPT = 0x01
const SCOPE_DECRYPT = 0x02
/** Resource suffix "Algorithm Suite Hex byte": 0x00 without a requested suite, 0x01 with one. */
const WITHOUT_SUITE = 0x00
const WITH_SUITE = 0x01
const NULL_BYTE = Buffer.from([0x00])

/**
 * The partition is a field between NUL separators; a NUL inside it would let two different
 * (partition, suffix) pairs produce the same bytes, so such partitions are refused up front.
 */
export function checkPartition(partition: string): void {
  needs(typeof partition === 'string' && partition.length > 0, 'partition must be a non-empty string')
  needs(
    !partition.includes('\u0000'),
    'partition must not contain NUL characters (they separate cache identifier fields)',
  )
}

/** "Encryption Materials, Without / With Algorithm Suite". */
export function encryptionCacheId(
  partition: string,
  suite: AlgorithmSuite | undefined,
  encryptionContext: EncryptionContext,
): string {
  const suffix = suite
    ? [Buffer.from([WITH_SUITE]), NULL_BYTE, uint16(suite.id), NULL_BYTE, serializeContextEntries(encryptionContext)]
    : [Buffer.from([WITHOUT_SUITE]), NULL_BYTE, serializeContextEntries(encryptionContext)]
  return entryId(SCOPE_ENCRYPT, partition, suffix)
}

/**
 * "Decryption Materials": suite id, the serialized EDKs sorted byte-wise and concatenated, the
 * serialized context.
 *
 * Beyond the spec: our decrypt request also carries the caller's reproduced context
 * (client-apis/decrypt.md), which changes the materials (merged context, required keys) and whether
 * the request is allowed at all. When present it is appended as one more NUL-separated field, so a
 * request without it gets exactly the spec's identifier and one with it never shares an entry that
 * skipped its checks.
 */
export function decryptionCacheId(
  partition: string,
  suite: AlgorithmSuite,
  encryptedDataKeys: readonly EncryptedDataKey[],
  encryptionContext: EncryptionContext,
  reproducedEncryptionContext?: EncryptionContext,
): string {
  const edks = encryptedDataKeys.map(serializeEncryptedDataKey).sort(Buffer.compare)
  const suffix = [uint16(suite.id), NULL_BYTE, ...edks, NULL_BYTE, serializeContextEntries(encryptionContext)]
  if (reproducedEncryptionContext !== undefined)
    suffix.push(NULL_BYTE, serializeContextEntries(reproducedEncryptionContext))
  return entryId(SCOPE_DECRYPT, partition, suffix)
}

/** data-format/message-header.md#encrypted-data-key-entries: three uint16-length-prefixed fields. */
export function serializeEncryptedDataKey(edk: EncryptedDataKey): Buffer {
  // rawInfo keeps the provider info's exact header bytes, so a parsed EDK serializes as it was read.
  const id = Buffer.from(edk.providerId, 'utf8')
  return Buffer.concat([
    uint16(id.length),
    id,
    uint16(edk.rawInfo.length),
    edk.rawInfo,
    uint16(edk.encryptedDataKey.length),
    edk.encryptedDataKey,
  ])
}

function entryId(scope: number, partition: string, suffix: readonly Uint8Array[]): string {
  checkPartition(partition)
  const hash = createHash('sha384')
  hash
    .update(Buffer.from([RESOURCE_CACHING_CMM]))
    .update(NULL_BYTE)
    .update(Buffer.from([scope]))
    .update(NULL_BYTE)
  hash.update(Buffer.from(partition, 'utf8')).update(NULL_BYTE)
  for (const part of suffix) hash.update(part)
  // base64 of the digest: a lossless string key (the official SDK decodes the digest as UTF-8, which is lossy).
  return hash.digest('base64')
}

function uint16(n: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n, 0)
  return b
}
