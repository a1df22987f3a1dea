// The three implementations over a KMS keyring (own client, keyring, cache each) at the stand-in, uncached or cached.
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
} from '../lib'
import type { AlgorithmSuiteIdentifier } from '../lib'
import { ENCRYPTION_CONTEXT, unavailable } from './impls'
import type { Impl, ImplName } from './impls'
import { CACHE } from './kms-cases'
import type { Caching } from './kms-cases'
import type { KmsHost } from './kms-host'

// The AWS SDK's notice that its 2027 releases will need Node 22 says nothing about this run: keep it out of the tables.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

// Both suites under test (0x0478, 0x0578) commit, so the strictest policy fits every case.
const POLICY = 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT'

function ours(name: 'native' | 'js', host: KmsHost, caching: Caching): Impl {
  const client = buildClient({ commitmentPolicy: CommitmentPolicy[POLICY], backend: name })
  const keyring = new KmsKeyringNode({
    generatorKeyId: host.generatorKeyId,
    clientProvider: getClient(KMS, { endpoint: host.endpoint, credentials: host.credentials }),
  })
  const materials =
    caching === 'uncached'
      ? keyring
      : new NodeCachingMaterialsManager({
          backingMaterials: keyring,
          cache: getLocalCryptographicMaterialsCache(CACHE.capacity),
          maxAge: CACHE.maxAgeMs,
          maxMessagesEncrypted: CACHE.maxMessagesEncrypted,
        })
  return {
    name,
    available: true,
    note: undefined,
    async encrypt(plaintext, suiteId, frameLength) {
      const { result } = await client.encrypt(materials, plaintext, {
        suiteId: suiteId as AlgorithmSuiteIdentifier,
        frameLength,
        encryptionContext: ENCRYPTION_CONTEXT,
      })
      return result
    },
    async decrypt(ciphertext) {
      return (await client.decrypt(materials, ciphertext)).plaintext
    },
  }
}

function officialImpl(host: KmsHost, caching: Caching): Impl {
  const client = official.buildClient(official.CommitmentPolicy[POLICY])
  const keyring = new official.KmsKeyringNode({
    generatorKeyId: host.generatorKeyId,
    // Like its default provider (cacheKmsClients): the official getClient alone builds a new KMS client, and so a new
    // connection, on every call, which halves its uncached rate; ours caches one client per region either way.
    clientProvider: official.cacheClients(
      official.getClient(KMS, { endpoint: host.endpoint, credentials: host.credentials }),
    ),
  })
  const materials =
    caching === 'uncached'
      ? keyring
      : new official.NodeCachingMaterialsManager({
          backingMaterials: keyring,
          cache: official.getLocalCryptographicMaterialsCache(CACHE.capacity),
          maxAge: CACHE.maxAgeMs,
          maxMessagesEncrypted: CACHE.maxMessagesEncrypted,
        })
  return {
    name: 'official',
    available: true,
    note: undefined,
    async encrypt(plaintext, suiteId, frameLength) {
      const { result } = await client.encrypt(materials, plaintext, {
        suiteId: suiteId as official.AlgorithmSuiteIdentifier,
        frameLength,
        encryptionContext: { ...ENCRYPTION_CONTEXT },
      })
      return result
    },
    async decrypt(ciphertext) {
      return (await client.decrypt(materials, ciphertext)).plaintext
    },
  }
}

/** Builds the adapters for one caching mode; `native` is unavailable (with the loader's reasons) as in impls.ts. */
export function createKmsImpls(host: KmsHost, caching: Caching): Record<ImplName, Impl> {
  const info = getBackendInfo()
  const native =
    info.backend === 'native'
      ? ours('native', host, caching)
      : unavailable(
          'native',
          `getBackendInfo().backend is ${info.backend}: ${info.reasons.join('; ') || 'no reason given'}`,
        )
  return { native, js: ours('js', host, caching), official: officialImpl(host, caching) }
}
