// Batch test fixtures: paired raw AES keyrings for ours and the official SDK, a caching CMM over ours, clients per backend and policy, plaintexts, and official decryption of every message.
import * as official from '@aws-crypto/client-node'
import { randomBytes } from 'node:crypto'
import { EsdkClient, buildClient } from '../../lib/api/client'
import { CryptoBackend } from '../../lib/backend/backend'
import { CommitmentPolicy } from '../../lib/core/policy'
import { findSuite } from '../../lib/core/suites'
import { EncryptBatchEntry } from '../../lib/batch/encrypt-many'
import { DecryptBatchEntry } from '../../lib/batch/decrypt-many'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../lib/materials/raw-aes-keyring'

export const WRAPPING_KEY = randomBytes(32)
export const SUITES = [0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178, 0x0214, 0x0346, 0x0378, 0x0478, 0x0578] as const

export function keyring(keyName = 'batch'): RawAesKeyringNode {
  return new RawAesKeyringNode({
    keyName,
    keyNamespace: 'batch-tests',
    unencryptedMasterKey: new Uint8Array(WRAPPING_KEY),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
}

export function officialKeyring(keyName = 'batch'): official.RawAesKeyringNode {
  return new official.RawAesKeyringNode({
    keyName,
    keyNamespace: 'batch-tests',
    unencryptedMasterKey: new Uint8Array(WRAPPING_KEY),
    wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
}

export function policyFor(suiteId: number): CommitmentPolicy {
  return findSuite(suiteId)?.commitment
    ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
    : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
}

export function clientFor(
  backend: CryptoBackend,
  policy: CommitmentPolicy = CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
  maxEncryptedDataKeys?: number,
): EsdkClient {
  return buildClient({
    backend: backend.name,
    commitmentPolicy: policy,
    ...(maxEncryptedDataKeys === undefined ? {} : { maxEncryptedDataKeys }),
  })
}

const officialClient = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)

/** Decrypts with the official SDK (one shot), returning the plaintext and the context it reports. */
export async function officialDecrypt(
  message: Uint8Array,
  keyName = 'batch',
): Promise<{ plaintext: Buffer; context: Record<string, string> }> {
  const { plaintext, messageHeader } = await officialClient.decrypt(officialKeyring(keyName), message)
  return { plaintext: Buffer.from(plaintext), context: { ...messageHeader.encryptionContext } }
}

/** A plaintext of `size` bytes that says which record it is. */
export function plaintextOf(size: number, salt: number): Buffer {
  const p = Buffer.alloc(size)
  for (let i = 0; i < size; i++) p[i] = (i * 131 + salt * 7 + (i >>> 8)) & 0xff
  return p
}

export function messages(entries: readonly EncryptBatchEntry[]): Buffer[] {
  return entries.map((e, i) => {
    if (!e.ok) throw new Error(`record ${i} failed: ${e.error.message}`)
    return e.result
  })
}

export function plaintexts(entries: readonly DecryptBatchEntry[]): Buffer[] {
  return entries.map((e, i) => {
    if (!e.ok) throw new Error(`record ${i} failed: ${e.error.message}`)
    return e.plaintext
  })
}

/** A caching CMM over `keyring()`: the records of a batch share its data keys, so they are sealed as runs of many. */
export function cachingCmm(maxMessagesEncrypted?: number): NodeCachingMaterialsManager {
  return new NodeCachingMaterialsManager({
    backingMaterials: keyring(),
    cache: getLocalCryptographicMaterialsCache(10),
    maxAge: 60_000,
    ...(maxMessagesEncrypted === undefined ? {} : { maxMessagesEncrypted }),
  })
}
