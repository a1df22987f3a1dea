// Shared fixtures for message-level tests: our clients and raw AES keyrings, and the official SDK twins that read the same messages.
import * as official from '@aws-crypto/client-node'
import { buildClient, EsdkClient } from '../../lib/api/client'
import { BackendChoice, getBackendInfo } from '../../lib/backend/select'
import { CommitmentPolicy } from '../../lib/core/policy'
import { AlgorithmSuite, findSuite } from '../../lib/core/suites'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../lib/materials/raw-aes-keyring'

export const WRAPPING_KEY = Buffer.alloc(32, 0x3c)

export function aesKeyring(name = 'session-key', key: Buffer = WRAPPING_KEY): RawAesKeyringNode {
  return new RawAesKeyringNode({
    keyName: name,
    keyNamespace: 'session-tests',
    unencryptedMasterKey: key,
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
}

/** The official keyring with the same key; it needs an unpooled buffer and zeroes it, so it gets a copy. */
export function officialAesKeyring(name = 'session-key', key: Buffer = WRAPPING_KEY): official.RawAesKeyringNode {
  const copy = Buffer.alloc(key.length)
  key.copy(copy)
  return new official.RawAesKeyringNode({
    keyName: name,
    keyNamespace: 'session-tests',
    unencryptedMasterKey: copy,
    wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    utf8Sorting: true,
  })
}

export const P = CommitmentPolicy

/** Every backend this process can run: the JS backend always, the native one when it loaded. */
export const BACKENDS: ReadonlyArray<'js' | 'native'> =
  getBackendInfo().backend === 'native' ? ['js', 'native'] : ['js']

export function client(
  policy: CommitmentPolicy,
  options: { maxEncryptedDataKeys?: number | false; backend?: BackendChoice } = {},
): EsdkClient {
  return buildClient({ commitmentPolicy: policy, ...options })
}

/** A client that may encrypt with the given suite and decrypt anything. */
export function clientFor(suiteId: number, backend?: BackendChoice): EsdkClient {
  return client(
    isCommitting(suiteId) ? P.REQUIRE_ENCRYPT_ALLOW_DECRYPT : P.FORBID_ENCRYPT_ALLOW_DECRYPT,
    backend ? { backend } : {},
  )
}

/** An official client that decrypts every suite. */
export const officialReader: ReturnType<typeof official.buildClient> = official.buildClient(
  official.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
)

export function isCommitting(suiteId: number): boolean {
  return suiteId === 0x0478 || suiteId === 0x0578
}

export function suite(id: number): AlgorithmSuite {
  const s = findSuite(id)
  if (!s) throw new Error(`no suite 0x${id.toString(16)}`)
  return s
}

export function hex4(id: number): string {
  return `0x${id.toString(16).padStart(4, '0')}`
}

export const ALL_SUITE_IDS = [
  0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178, 0x0214, 0x0346, 0x0378, 0x0478, 0x0578,
] as const
