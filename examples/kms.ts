// The README's AWS KMS examples (strict, discovery with a filter, multi-Region keys), run against the local KMS stand-in.
import {
  AwsKmsMrkAwareSymmetricKeyringNode,
  CommitmentPolicy,
  KMS,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
  buildClient,
  getClient,
  getLocalCryptographicMaterialsCache,
} from '../lib/index'
import { startLocalKms } from '../lib/testing/index'

// The AWS SDK warns on every run that its 2027 releases will need Node 22; that is not news for a demo.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

async function main(): Promise<void> {
  // A KMS-compatible server on 127.0.0.1 with keys in two accounts and three regions.
  const kms = await startLocalKms()
  try {
    const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    // Point the real AWS SDK client at the stand-in; with real KMS you would pass only your usual config.
    const clientProvider = getClient(KMS, { endpoint: kms.endpoint, credentials: kms.credentials })
    const context = { purpose: 'kms example' }

    // Strict: GenerateDataKey under the generator, Encrypt under every other key.
    const generatorKeyId = kms.keys.keyArn('us-west-2')
    const otherKey = kms.keys.keyArn('eu-west-1')
    const strict = new KmsKeyringNode({ generatorKeyId, keyIds: [otherKey], clientProvider })
    const { result, messageHeader } = await encrypt(strict, 'hello, KMS', { encryptionContext: context })
    const edkRegions = messageHeader.encryptedDataKeys.map((edk) => edk.providerInfo.split(':')[3])
    console.log(
      `strict: ${(await decrypt(strict, result)).plaintext.toString()} (data key wrapped in ${edkRegions.join(' and ')})`,
    )

    // Discovery: decrypts with whichever key the message names, but only in this partition and account.
    const discovery = new KmsKeyringNode({
      discovery: true,
      discoveryFilter: { partition: 'aws', accountIDs: [kms.callerAccount] },
      clientProvider,
    })
    console.log(`discovery: ${(await decrypt(discovery, result)).plaintext.toString()}`)

    // Multi-Region key: encrypt under the us-west-2 replica, decrypt under the us-east-1 replica.
    const mrkWest = kms.keys.mrkArn('us-west-2')
    const mrkEast = kms.keys.replicaArn(mrkWest, 'us-east-1')
    const west = new AwsKmsMrkAwareSymmetricKeyringNode({
      client: new KMS(kms.clientConfig('us-west-2')),
      keyId: mrkWest,
    })
    const east = new AwsKmsMrkAwareSymmetricKeyringNode({
      client: new KMS(kms.clientConfig('us-east-1')),
      keyId: mrkEast,
    })
    const { result: mrkMessage } = await encrypt(west, 'hello, MRK', { encryptionContext: context })
    console.log(`mrk: ${(await decrypt(east, mrkMessage)).plaintext.toString()}`)

    const calls = kms.calls.map((c) => `${c.op}@${c.region}`)
    console.log(`KMS calls: ${calls.join(', ')}`)

    // Caching: one data key serves up to 100 messages or 60 s, so KMS is called once for 20 encrypts.
    kms.clearCalls()
    const cmm = new NodeCachingMaterialsManager({
      backingMaterials: new KmsKeyringNode({ generatorKeyId, clientProvider }),
      cache: getLocalCryptographicMaterialsCache(100),
      maxAge: 60_000,
      maxMessagesEncrypted: 100,
    })
    for (let i = 0; i < 20; i++) await encrypt(cmm, `record ${i}`, { encryptionContext: context })
    const stats = cmm.getStats()
    console.log(
      `caching: 20 encrypts, ${kms.counters.GenerateDataKey ?? 0} GenerateDataKey call(s); hits ${stats.hits}, misses ${stats.misses}`,
    )
  } finally {
    await kms.close()
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
