// The README's quick-start, kept as a program so that the test suite proves it runs (test/examples).
import { randomBytes } from 'node:crypto'
import { CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier, buildClient } from '../lib/index'

async function main(): Promise<void> {
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const keyring = new RawAesKeyringNode({
    keyName: 'my-aes-key',
    keyNamespace: 'my-app',
    unencryptedMasterKey: randomBytes(32), // in real use: a key from your key store
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  const context = { stage: 'demo', purpose: 'quick start' }

  const { result } = await encrypt(keyring, 'my secret data', { encryptionContext: context })
  const { plaintext, messageHeader } = await decrypt(keyring, result)

  // Always check the context you expect: decrypt returns what the message was bound to.
  for (const [key, value] of Object.entries(context)) {
    if (messageHeader.encryptionContext[key] !== value) throw new Error(`unexpected context value for ${key}`)
  }
  console.log(plaintext.toString('utf8'))
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
