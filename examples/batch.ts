// The README's batch example, kept as a program so that the test suite proves it runs (test/examples): many records, one call, every record its own message.
import { randomBytes } from 'node:crypto'
import {
  CommitmentPolicy,
  NodeCachingMaterialsManager,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  buildClient,
  getLocalCryptographicMaterialsCache,
} from '../lib/index'

async function main(): Promise<void> {
  const { encryptBatch, decryptBatch } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const keyring = new RawAesKeyringNode({
    keyName: 'my-aes-key',
    keyNamespace: 'my-app',
    unencryptedMasterKey: randomBytes(32), // in real use: a key from your key store (or a KMS keyring)
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  // A caching CMM shares one data key across records, within limits that count every record.
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: getLocalCryptographicMaterialsCache(100),
    maxAge: 60_000,
    maxMessagesEncrypted: 1_000,
  })

  const records = Array.from({ length: 1_000 }, (_, i) => `log line ${i}`)
  // One record brings its own context; the others use the shared one.
  const input = [
    ...records.slice(0, 999),
    { plaintext: records[999] as string, encryptionContext: { stream: 'audit' } },
  ]
  const sealed = await encryptBatch(cmm, input, { suiteId: 0x0478, encryptionContext: { stream: 'app' } })
  const messages = sealed.map((entry) => {
    if (!entry.ok) throw entry.error
    return entry.result
  })

  // One damaged record fails alone; the others decrypt.
  const damaged = Buffer.from(messages[500] as Buffer)
  damaged[damaged.length - 1] = (damaged[damaged.length - 1] as number) ^ 1
  const opened = await decryptBatch(
    cmm,
    messages.map((m, i) => (i === 500 ? damaged : m)),
    { messageHeaders: true },
  )
  let ok = 0
  for (const [i, entry] of opened.entries()) {
    if (!entry.ok) {
      console.log(`record ${i}: ${entry.error.code}`)
      continue
    }
    if (entry.plaintext.toString() !== records[i]) throw new Error(`record ${i} came back wrong`)
    ok++
  }
  const last = opened[999]
  console.log(
    `${ok} of ${opened.length} records decrypted; record 999 context stream=${last?.ok ? last.messageHeader?.encryptionContext.stream : '?'}`,
  )
  const stats = cmm.getStats().encrypt
  console.log(`data keys made: ${stats.misses} for ${stats.requests} records`)
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
