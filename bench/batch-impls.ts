// The three implementations for the batch group: ours through encryptBatch / decryptBatch, the official SDK through Promise.all, over the same CMM setups.
import * as official from '@aws-crypto/client-node'
import { KMS } from '@aws-sdk/client-kms'
import {
  buildClient,
  CommitmentPolicy,
  getBackendInfo,
  getClient,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '../lib'
import type { AlgorithmSuiteIdentifier, KeyringNode, NodeMaterialsManager } from '../lib'
import { BATCH_CACHE } from './batch-cases'
import type { BatchMaterials } from './batch-cases'
import { ENCRYPTION_CONTEXT } from './impls'
import type { ImplName } from './impls'
import type { KmsHost } from './kms-host'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const POLICY = 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT'
const KEY_NAMESPACE = 'esdk-native-bench'
const KEY_NAME = 'aes-256-wrapping-key'

export interface BatchImpl {
  name: ImplName
  available: boolean
  note: string | undefined
  /** One message per record, in order. */
  encrypt(records: readonly Buffer[], suiteId: number): Promise<Buffer[]>
  decrypt(messages: readonly Buffer[]): Promise<Buffer[]>
}

export interface BatchSetup {
  wrappingKey: Buffer
  /** Only for cached-kms. */
  kms: KmsHost | undefined
}

function unavailable(name: ImplName, note: string): BatchImpl {
  const refuse = (): Promise<Buffer[]> => Promise.reject(new Error(`${name} is not available: ${note}`))
  return { name, available: false, note, encrypt: refuse, decrypt: refuse }
}

function oursMaterials(materials: BatchMaterials, setup: BatchSetup): KeyringNode | NodeMaterialsManager {
  const keyring =
    materials === 'cached-kms'
      ? new KmsKeyringNode({
          generatorKeyId: (setup.kms as KmsHost).generatorKeyId,
          clientProvider: getClient(KMS, { endpoint: setup.kms?.endpoint, credentials: setup.kms?.credentials }),
        })
      : new RawAesKeyringNode({
          keyName: KEY_NAME,
          keyNamespace: KEY_NAMESPACE,
          unencryptedMasterKey: setup.wrappingKey,
          wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
        })
  if (materials === 'one-shot') return keyring
  return new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: getLocalCryptographicMaterialsCache(BATCH_CACHE.capacity),
    maxAge: BATCH_CACHE.maxAgeMs,
    maxMessagesEncrypted: BATCH_CACHE.maxMessagesEncrypted,
  })
}

function ours(name: 'native' | 'js', materials: BatchMaterials, setup: BatchSetup): BatchImpl {
  const client = buildClient({ commitmentPolicy: CommitmentPolicy[POLICY], backend: name })
  const cmm = oursMaterials(materials, setup)
  if (materials === 'one-shot') {
    return {
      name,
      available: true,
      note: undefined,
      async encrypt(records, suiteId) {
        const out: Buffer[] = []
        for (const r of records)
          out.push(
            (
              await client.encrypt(cmm, r, {
                suiteId: suiteId as AlgorithmSuiteIdentifier,
                encryptionContext: ENCRYPTION_CONTEXT,
              })
            ).result,
          )
        return out
      },
      async decrypt(messages) {
        const out: Buffer[] = []
        for (const m of messages) out.push((await client.decrypt(cmm, m)).plaintext)
        return out
      },
    }
  }
  return {
    name,
    available: true,
    note: undefined,
    async encrypt(records, suiteId) {
      const entries = await client.encryptBatch(cmm, records, {
        suiteId: suiteId as AlgorithmSuiteIdentifier,
        encryptionContext: ENCRYPTION_CONTEXT,
      })
      return entries.map((e) => {
        if (!e.ok) throw e.error
        return e.result
      })
    },
    async decrypt(messages) {
      const entries = await client.decryptBatch(cmm, messages)
      return entries.map((e) => {
        if (!e.ok) throw e.error
        return e.plaintext
      })
    },
  }
}

function officialMaterials(
  materials: BatchMaterials,
  setup: BatchSetup,
): official.KeyringNode | official.NodeMaterialsManager {
  const keyring =
    materials === 'cached-kms'
      ? new official.KmsKeyringNode({
          generatorKeyId: (setup.kms as KmsHost).generatorKeyId,
          clientProvider: official.cacheClients(
            official.getClient(KMS, { endpoint: setup.kms?.endpoint, credentials: setup.kms?.credentials }),
          ),
        })
      : new official.RawAesKeyringNode({
          keyName: KEY_NAME,
          keyNamespace: KEY_NAMESPACE,
          unencryptedMasterKey: new Uint8Array(setup.wrappingKey),
          wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
        })
  if (materials === 'one-shot') return keyring
  return new official.NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: official.getLocalCryptographicMaterialsCache(BATCH_CACHE.capacity),
    maxAge: BATCH_CACHE.maxAgeMs,
    maxMessagesEncrypted: BATCH_CACHE.maxMessagesEncrypted,
  })
}

function officialImpl(materials: BatchMaterials, setup: BatchSetup): BatchImpl {
  const client = official.buildClient(official.CommitmentPolicy[POLICY])
  const cmm = officialMaterials(materials, setup)
  const encryptOne = async (r: Buffer, suiteId: number): Promise<Buffer> =>
    Buffer.from(
      (
        await client.encrypt(cmm, r, {
          suiteId: suiteId as official.AlgorithmSuiteIdentifier,
          encryptionContext: { ...ENCRYPTION_CONTEXT },
        })
      ).result,
    )
  const decryptOne = async (m: Buffer): Promise<Buffer> => Buffer.from((await client.decrypt(cmm, m)).plaintext)
  if (materials === 'one-shot') {
    return {
      name: 'official',
      available: true,
      note: undefined,
      async encrypt(records, suiteId) {
        const out: Buffer[] = []
        for (const r of records) out.push(await encryptOne(r, suiteId))
        return out
      },
      async decrypt(messages) {
        const out: Buffer[] = []
        for (const m of messages) out.push(await decryptOne(m))
        return out
      },
    }
  }
  // What the maintainers suggested for many records (issue #554): Promise.all over one-shot calls.
  return {
    name: 'official',
    available: true,
    note: undefined,
    encrypt: (records, suiteId) => Promise.all(records.map((r) => encryptOne(r, suiteId))),
    decrypt: (messages) => Promise.all(messages.map(decryptOne)),
  }
}

/** A checker the official SDK drives: decrypts each message with its plain keyring (or KMS keyring) and returns the plaintexts. */
export function officialChecker(
  materials: BatchMaterials,
  setup: BatchSetup,
): (messages: readonly Buffer[]) => Promise<Buffer[]> {
  const impl = officialImpl(materials === 'one-shot' ? 'one-shot' : materials, setup)
  return (messages) => impl.decrypt(messages)
}

export function createBatchImpls(materials: BatchMaterials, setup: BatchSetup): Record<ImplName, BatchImpl> {
  const info = getBackendInfo()
  const native =
    info.backend === 'native'
      ? ours('native', materials, setup)
      : unavailable(
          'native',
          `getBackendInfo().backend is ${info.backend}: ${info.reasons.join('; ') || 'no reason given'}`,
        )
  return { native, js: ours('js', materials, setup), official: officialImpl(materials, setup) }
}
