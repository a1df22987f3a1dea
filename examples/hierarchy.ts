// The README's hierarchical keyring examples, in the official examples' flows (simple, multi-tenant with a supplier, under a caching CMM), against local KMS and DynamoDB stand-ins.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { KMSClient } from '@aws-sdk/client-kms'
import {
  BranchKeyIdSupplier,
  BranchKeyStoreNode,
  EncryptionContext,
  KmsHierarchicalKeyRingNode,
  NodeCachingMaterialsManager,
  buildClient,
  getLocalCryptographicMaterialsCache,
} from '../lib/index'
import { startLocalKms } from '../lib/testing/index'
import { startLocalDynamoDb } from '../test/hierarchy/stand-ins'

async function main(): Promise<void> {
  const kms = await startLocalKms()
  const ddb = await startLocalDynamoDb()
  const kmsClient = new KMSClient(kms.clientConfig('us-west-2'))
  const ddbClient: DynamoDBClient = ddb.client('us-west-2')
  try {
    const { encrypt, decrypt } = buildClient()
    // With real AWS, leave the clients out: the store makes them for the KMS key's region.
    const keyStore = new BranchKeyStoreNode({
      storage: { ddbTableName: 'KeyStoreDdbTable', ddbClient },
      logicalKeyStoreName: 'KeyStoreDdbTable',
      kmsConfiguration: { identifier: kms.keys.keyArn('us-west-2') },
      keyManagement: { kmsClient },
    })
    await keyStore.createKeyStore() // extension: the table with the store's key schema
    const { branchKeyIdentifier: tenantA } = await keyStore.createKey()
    const { branchKeyIdentifier: tenantB } = await keyStore.createKey()

    // Simple: one branch key; the branch key is cached for 600 s, so KMS is asked once per 10 minutes, not per message.
    const keyring = new KmsHierarchicalKeyRingNode({ branchKeyId: tenantA, keyStore, cacheLimitTtl: 600 })
    const context = { stage: 'demo', purpose: 'simple demonstration app', origin: 'us-west-2' }
    kms.clearCalls()
    const { result } = await encrypt(keyring, 'asdf', { encryptionContext: context })
    for (let i = 0; i < 9; i++) await encrypt(keyring, `message ${i}`, { encryptionContext: context })
    const { plaintext } = await decrypt(keyring, result)
    console.log(
      `simple: ${plaintext.toString()}; 10 encrypts and 1 decrypt, KMS calls: ${JSON.stringify(kms.counters)}`,
    )

    // Multi-tenant: a supplier picks the tenant's branch key from the encryption context.
    const supplier: BranchKeyIdSupplier = {
      getBranchKeyId(encryptionContext: EncryptionContext): string {
        if (encryptionContext.tenant === 'TenantA') return tenantA
        if (encryptionContext.tenant === 'TenantB') return tenantB
        throw new Error('Item does not contain valid tenant ID')
      },
    }
    const multiTenant = new KmsHierarchicalKeyRingNode({ branchKeyIdSupplier: supplier, keyStore, cacheLimitTtl: 600 })
    const { result: forA } = await encrypt(multiTenant, 'asdf', { encryptionContext: { tenant: 'TenantA' } })
    const onlyB = new KmsHierarchicalKeyRingNode({ branchKeyId: tenantB, keyStore, cacheLimitTtl: 600 })
    const refused = await decrypt(onlyB, forA).then(
      () => false,
      () => true,
    )
    console.log(
      `multi-tenant: ${(await decrypt(multiTenant, forA)).plaintext.toString()}; tenant B's keyring refused A's message: ${refused}`,
    )

    // Under a caching CMM, as the official caching example does.
    const cachingCMM = new NodeCachingMaterialsManager({
      backingMaterials: keyring,
      cache: getLocalCryptographicMaterialsCache(100),
      partition: 'local partition name',
      maxAge: 60_000,
      maxBytesEncrypted: 100,
      maxMessagesEncrypted: 10,
    })
    const { result: cached } = await encrypt(cachingCMM, 'asdf', { encryptionContext: context, plaintextLength: 4 })
    console.log(`caching CMM: ${(await decrypt(cachingCMM, cached)).plaintext.toString()}`)

    // Rotation: a new ACTIVE version; older messages still open.
    await keyStore.versionKey({ branchKeyIdentifier: tenantA })
    const rotated = new KmsHierarchicalKeyRingNode({ branchKeyId: tenantA, keyStore, cacheLimitTtl: 600 })
    console.log(`after versionKey: ${(await decrypt(rotated, result)).plaintext.toString()}`)
  } finally {
    kmsClient.destroy()
    await ddb.close()
    await kms.close()
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
