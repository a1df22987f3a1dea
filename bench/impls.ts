// The three implementations under test behind one adapter: ours on the native backend, ours on the JS backend, and the
// official @aws-crypto/client-node. Same wrapping key, key name and namespace, so any of them can decrypt the others.
import * as official from '@aws-crypto/client-node'
import { buildClient, CommitmentPolicy, getBackendInfo, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../lib'
import type { AlgorithmSuiteIdentifier } from '../lib'

export type ImplName = 'native' | 'js' | 'official'
export const IMPL_NAMES: readonly ImplName[] = ['native', 'js', 'official']

export interface Impl {
  name: ImplName
  /** false: not measured in this run; `note` says why. */
  available: boolean
  note: string | undefined
  encrypt(plaintext: Buffer, suiteId: number, frameLength: number): Promise<Buffer>
  decrypt(ciphertext: Buffer): Promise<Buffer>
}

const KEY_NAMESPACE = 'esdk-native-bench'
const KEY_NAME = 'aes-256-wrapping-key'
/** A small, realistic encryption context; one pair, so the wrapping-AAD sort order cannot differ between SDKs. */
export const ENCRYPTION_CONTEXT: Readonly<Record<string, string>> = Object.freeze({ purpose: 'esdk-native benchmark' })
// Both suites under test (0x0478, 0x0578) commit, so the strictest policy fits every case.
const POLICY = 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT'

export function unavailable(name: ImplName, note: string): Impl {
  const refuse = (): Promise<Buffer> => Promise.reject(new Error(`${name} is not available: ${note}`))
  return { name, available: false, note, encrypt: refuse, decrypt: refuse }
}

function ours(name: 'native' | 'js', wrappingKey: Buffer): Impl {
  const client = buildClient({ commitmentPolicy: CommitmentPolicy[POLICY], backend: name })
  const keyring = new RawAesKeyringNode({
    keyName: KEY_NAME,
    keyNamespace: KEY_NAMESPACE,
    unencryptedMasterKey: wrappingKey,
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  return {
    name,
    available: true,
    note: undefined,
    async encrypt(plaintext, suiteId, frameLength) {
      const { result } = await client.encrypt(keyring, plaintext, {
        suiteId: suiteId as AlgorithmSuiteIdentifier,
        frameLength,
        encryptionContext: ENCRYPTION_CONTEXT,
      })
      return result
    },
    async decrypt(ciphertext) {
      return (await client.decrypt(keyring, ciphertext)).plaintext
    },
  }
}

function officialImpl(wrappingKey: Buffer): Impl {
  const client = official.buildClient(official.CommitmentPolicy[POLICY])
  const keyring = new official.RawAesKeyringNode({
    keyName: KEY_NAME,
    keyNamespace: KEY_NAMESPACE,
    unencryptedMasterKey: new Uint8Array(wrappingKey),
    wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  return {
    name: 'official',
    available: true,
    note: undefined,
    async encrypt(plaintext, suiteId, frameLength) {
      const { result } = await client.encrypt(keyring, plaintext, {
        suiteId: suiteId as official.AlgorithmSuiteIdentifier,
        frameLength,
        encryptionContext: { ...ENCRYPTION_CONTEXT },
      })
      return result
    },
    async decrypt(ciphertext) {
      return (await client.decrypt(keyring, ciphertext)).plaintext
    },
  }
}

/** Builds the adapters; `native` is marked unavailable (with the loader's reasons) when auto selection would not pick it. */
export function createImpls(wrappingKey: Buffer): Record<ImplName, Impl> {
  const info = getBackendInfo()
  const native =
    info.backend === 'native'
      ? ours('native', wrappingKey)
      : unavailable(
          'native',
          `getBackendInfo().backend is ${info.backend}: ${info.reasons.join('; ') || 'no reason given'}`,
        )
  return { native, js: ours('js', wrappingKey), official: officialImpl(wrappingKey) }
}
