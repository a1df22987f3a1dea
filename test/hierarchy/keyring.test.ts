// KmsHierarchicalKeyRingNode over dynalite and the local KMS on each backend: round trips, the EDK layout, the branch key cache, tenants, versions, and interop with the official keyring both ways.
import test from 'ava'
import * as official from '@aws-crypto/client-node'
import {
  AlgorithmSuiteIdentifier,
  BranchKeyStoreNode,
  CommitmentPolicy,
  KmsHierarchicalKeyRingNode,
  NodeCachingMaterialsManager,
  NodeEncryptionMaterial,
  buildClient,
  findSuite,
  getBackendInfo,
  getLocalCryptographicMaterialsCache,
} from '../../lib/index'
import { StandIns, startStandIns } from './stand-ins'

const BACKENDS = getBackendInfo().backend === 'native' ? (['js', 'native'] as const) : (['js'] as const)
/** Keys whose localeCompare order differs from their UTF-8 byte order ("Z" < "a" in UTF-8, not in localeCompare). */
const CONTEXT = { tenant: 'acme', Zone: 'upper', purpose: 'hierarchy test' }

let s: StandIns
let keyStore: BranchKeyStoreNode
let officialStore: official.BranchKeyStoreNode
let branchKeyId: string
let tenantB: string

test.before(async () => {
  s = await startStandIns()
  const name = 'hierarchy-keyring-tests'
  keyStore = new BranchKeyStoreNode({
    logicalKeyStoreName: name,
    storage: { ddbTableName: name, ddbClient: s.ddb.client() },
    keyManagement: { kmsClient: s.kmsClient() },
    kmsConfiguration: { identifier: s.keyArn },
  })
  await keyStore.createKeyStore()
  branchKeyId = (await keyStore.createKey()).branchKeyIdentifier
  tenantB = (await keyStore.createKey({ branchKeyIdentifier: 'tenant-b', encryptionContext: { tenant: 'b' } }))
    .branchKeyIdentifier
  officialStore = new official.BranchKeyStoreNode({
    logicalKeyStoreName: name,
    storage: { ddbTableName: name, ddbClient: s.ddb.client() },
    keyManagement: { kmsClient: s.kmsClient() },
    kmsConfiguration: { identifier: s.keyArn },
  })
})
test.after.always(async () => {
  await s?.close()
})

function kmsCalls(): number {
  return Object.values(s.kms.counters).reduce((a, b) => a + b, 0)
}

for (const backend of BACKENDS) {
  const { encrypt, decrypt } = buildClient({
    commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
    maxEncryptedDataKeys: false,
    backend,
  })

  test.serial(
    `[${backend}] round trip; the EDK is aws-kms-hierarchy / branch key id / salt ‖ IV ‖ version ‖ key ‖ tag`,
    async (t) => {
      const keyring = new KmsHierarchicalKeyRingNode({ branchKeyId, keyStore, cacheLimitTtl: 600 })
      const { result, messageHeader } = await encrypt(keyring, 'hierarchical', { encryptionContext: CONTEXT })
      const edk = messageHeader.encryptedDataKeys[0]
      if (!edk) return t.fail('no EDK')
      t.is(edk.providerId, 'aws-kms-hierarchy')
      t.is(edk.providerInfo, branchKeyId)
      t.is(edk.encryptedDataKey.length, 16 + 12 + 16 + 32 + 16)
      const active = await keyStore.getActiveBranchKey(branchKeyId)
      t.deepEqual(
        Buffer.from(edk.encryptedDataKey.subarray(28, 44)).toString('hex'),
        active.versionString.replace(/-/g, ''),
      )
      t.is((await decrypt(keyring, result)).plaintext.toString(), 'hierarchical')
    },
  )

  test.serial(
    `[${backend}] the cache: 20 encrypts and 20 decrypts ask KMS twice (ACTIVE, then the version); concurrent cold requests share one call`,
    async (t) => {
      const keyring = new KmsHierarchicalKeyRingNode({ branchKeyId, keyStore, cacheLimitTtl: 600 })
      s.kms.clearCalls()
      const messages = await Promise.all(
        Array.from({ length: 20 }, (_, i) => encrypt(keyring, `m${i}`, { encryptionContext: CONTEXT })),
      )
      t.is(kmsCalls(), 1, 'one Decrypt of the ACTIVE branch key for 20 concurrent encrypts')
      for (const m of messages) await decrypt(keyring, m.result)
      t.is(kmsCalls(), 2, 'one more for the version record')
      t.like(keyring.getCacheStats(), { misses: 2 })
      const cold = new KmsHierarchicalKeyRingNode({ branchKeyId, keyStore, cacheLimitTtl: 0 })
      s.kms.clearCalls()
      await encrypt(cold, 'a')
      await encrypt(cold, 'b')
      t.is(kmsCalls(), 2, 'cacheLimitTtl 0 caches nothing')
    },
  )

  test.serial(
    `[${backend}] a TTL passes, then the store is asked again; a synchronous answer only from a warm cache`,
    async (t) => {
      const keyring = new KmsHierarchicalKeyRingNode({ branchKeyId, keyStore, cacheLimitTtl: 1 })
      const suite = findSuite(AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY)
      if (!suite) return t.fail('no suite')
      t.is(keyring.onEncryptSync(new NodeEncryptionMaterial(suite, {})), undefined, 'cold: no synchronous answer')
      s.kms.clearCalls()
      await encrypt(keyring, 'x')
      const material = new NodeEncryptionMaterial(suite, {})
      t.is(keyring.onEncryptSync(material), material, 'warm: answered without a promise')
      t.is(material.encryptedDataKeys.length, 1)
      await new Promise((resolve) => setTimeout(resolve, 1100))
      await encrypt(keyring, 'y')
      t.is(kmsCalls(), 2, 'the entry expired after 1 s')
    },
  )

  test.serial(
    `[${backend}] a shared cache with one partition id serves two keyrings; different partitions do not share`,
    async (t) => {
      const cache = getLocalCryptographicMaterialsCache(100)
      const a = new KmsHierarchicalKeyRingNode({
        branchKeyId,
        keyStore,
        cacheLimitTtl: 600,
        cache,
        partitionId: 'shared',
      })
      const b = new KmsHierarchicalKeyRingNode({
        branchKeyId,
        keyStore,
        cacheLimitTtl: 600,
        cache,
        partitionId: 'shared',
      })
      const c = new KmsHierarchicalKeyRingNode({
        branchKeyId,
        keyStore,
        cacheLimitTtl: 600,
        cache,
        partitionId: 'other',
      })
      s.kms.clearCalls()
      await encrypt(a, '1')
      await encrypt(b, '2')
      t.is(kmsCalls(), 1)
      await encrypt(c, '3')
      t.is(kmsCalls(), 2)
      t.throws(
        () => new KmsHierarchicalKeyRingNode({ branchKeyId, keyStore, cacheLimitTtl: 600, cache, maxCacheSize: 5 }),
        { message: 'Max cache size not supported when passing a cache.' },
      )
    },
  )

  test.serial(
    `[${backend}] a branch key id supplier picks the tenant's key; one tenant's keyring cannot open another's messages`,
    async (t) => {
      const supplier = {
        getBranchKeyId: (ec: Readonly<Record<string, string>>) => (ec.tenant === 'b' ? tenantB : branchKeyId),
      }
      const both = new KmsHierarchicalKeyRingNode({ branchKeyIdSupplier: supplier, keyStore, cacheLimitTtl: 600 })
      const onlyA = new KmsHierarchicalKeyRingNode({ branchKeyId, keyStore, cacheLimitTtl: 600 })
      const { result: forB, messageHeader } = await encrypt(both, 'for b', { encryptionContext: { tenant: 'b' } })
      t.is(messageHeader.encryptedDataKeys[0]?.providerInfo, tenantB)
      t.is((await decrypt(both, forB)).plaintext.toString(), 'for b')
      await t.throwsAsync(decrypt(onlyA, forB), {
        code: 'KEYRING',
        message: /There must be an encrypted data key that matches this keyring's configuration|unable to decrypt/,
      })
    },
  )

  test.serial(
    `[${backend}] messages under an older branch key version still open after versionKey; new ones use the new version`,
    async (t) => {
      const { branchKeyIdentifier: id } = await keyStore.createKey()
      const keyring = new KmsHierarchicalKeyRingNode({ branchKeyId: id, keyStore, cacheLimitTtl: 0 })
      const before = await encrypt(keyring, 'old')
      await keyStore.versionKey({ branchKeyIdentifier: id })
      const after = await encrypt(keyring, 'new')
      const version = (m: { messageHeader: { encryptedDataKeys: readonly { encryptedDataKey: Uint8Array }[] } }) =>
        Buffer.from(m.messageHeader.encryptedDataKeys[0]?.encryptedDataKey.subarray(28, 44) ?? []).toString('hex')
      t.not(version(before), version(after))
      t.is((await decrypt(keyring, before.result)).plaintext.toString(), 'old')
      t.is((await decrypt(keyring, after.result)).plaintext.toString(), 'new')
    },
  )

  test.serial(
    `[${backend}] interop: the official keyring opens ours and ours opens the official's, in either context order`,
    async (t) => {
      const theirDefault = new official.KmsHierarchicalKeyRingNode({
        branchKeyId,
        keyStore: officialStore,
        cacheLimitTtl: 600,
      })
      const theirUtf8 = new official.KmsHierarchicalKeyRingNode({
        branchKeyId,
        keyStore: officialStore,
        cacheLimitTtl: 600,
        utf8Sorting: true,
      })
      const oursDefault = new KmsHierarchicalKeyRingNode({ branchKeyId, keyStore, cacheLimitTtl: 600 })
      const oursLocale = new KmsHierarchicalKeyRingNode({
        branchKeyId,
        keyStore,
        cacheLimitTtl: 600,
        utf8Sorting: false,
      })
      for (const [suiteId, policy] of [
        [
          AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
          'REQUIRE_ENCRYPT_ALLOW_DECRYPT',
        ],
        [AlgorithmSuiteIdentifier.ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256, 'FORBID_ENCRYPT_ALLOW_DECRYPT'],
      ] as const) {
        const theirs = official.buildClient(official.CommitmentPolicy[policy])
        const { encrypt, decrypt } = buildClient({
          commitmentPolicy: CommitmentPolicy[policy],
          maxEncryptedDataKeys: false,
          backend,
        })
        const fromThem = await theirs.encrypt(theirDefault, 'from official', {
          encryptionContext: CONTEXT,
          suiteId: suiteId as unknown as official.AlgorithmSuiteIdentifier,
        })
        t.is(
          (await decrypt(oursDefault, fromThem.result)).plaintext.toString(),
          'from official',
          'their default (localeCompare) AAD',
        )
        const fromThemUtf8 = await theirs.encrypt(theirUtf8, 'utf8 official', {
          encryptionContext: CONTEXT,
          suiteId: suiteId as unknown as official.AlgorithmSuiteIdentifier,
        })
        t.is((await decrypt(oursLocale, fromThemUtf8.result)).plaintext.toString(), 'utf8 official')
        const fromUs = await encrypt(oursDefault, 'from ours', { encryptionContext: CONTEXT, suiteId })
        t.is(
          (await theirs.decrypt(theirUtf8, fromUs.result)).plaintext.toString(),
          'from ours',
          'our default (UTF-8) AAD',
        )
        const fromUsLocale = await encrypt(oursLocale, 'locale ours', { encryptionContext: CONTEXT, suiteId })
        t.is((await theirs.decrypt(theirDefault, fromUsLocale.result)).plaintext.toString(), 'locale ours')
        await t.throwsAsync(
          theirs.decrypt(theirDefault, fromUs.result),
          undefined,
          'the official keyring reads only its own order: why ours tries both',
        )
      }
    },
  )

  test.serial(
    `[${backend}] under a caching CMM (the official example's flow) and a wrong context on decrypt fails`,
    async (t) => {
      const keyring = new KmsHierarchicalKeyRingNode({ branchKeyId, keyStore, cacheLimitTtl: 600 })
      const cmm = new NodeCachingMaterialsManager({
        backingMaterials: keyring,
        cache: getLocalCryptographicMaterialsCache(100),
        partition: 'p',
        maxAge: 60_000,
        maxBytesEncrypted: 100,
        maxMessagesEncrypted: 10,
      })
      const { result } = await encrypt(cmm, 'asdf', { encryptionContext: CONTEXT, plaintextLength: 4 })
      t.is((await decrypt(cmm, result)).plaintext.toString(), 'asdf')
      await t.throwsAsync(decrypt(keyring, result, { encryptionContext: { tenant: 'someone else' } }), {
        code: 'INVALID_ARGUMENT',
      })
    },
  )
}

test('construction mirrors the official preconditions', (t) => {
  t.throws(() => new KmsHierarchicalKeyRingNode({ keyStore, cacheLimitTtl: 60 }), {
    message: 'Must provide a branch key identifier or supplier',
  })
  t.throws(() => new KmsHierarchicalKeyRingNode({ branchKeyId, keyStore, cacheLimitTtl: -1 }), {
    message: /non-negative/,
  })
  t.throws(() => new KmsHierarchicalKeyRingNode({ branchKeyId, keyStore: {} as never, cacheLimitTtl: 60 }), {
    message: 'The keystore must be a BranchKeyStore',
  })
  t.throws(() => new KmsHierarchicalKeyRingNode({ branchKeyId, keyStore, cacheLimitTtl: '60' as unknown as number }), {
    message: 'The cache limit TTL must be a number',
  })
  const keyring = new KmsHierarchicalKeyRingNode({ branchKeyId, keyStore, cacheLimitTtl: 60 })
  t.is(keyring.cacheLimitTtl, 60_000, 'kept in milliseconds, as the official keyring does')
  t.is(keyring.maxCacheSize, 1000)
  t.false(keyring.cacheEntryHasExceededLimits({ now: Date.now() }))
  t.true(keyring.cacheEntryHasExceededLimits({ now: Date.now() - 61_000 }))
})
