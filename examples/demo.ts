// `npm start`: encrypt and decrypt through every available backend, show getBackendInfo(), and a quick speed comparison with the official SDK.
import { randomBytes } from 'node:crypto'
import * as official from '@aws-crypto/client-node'
import {
  AlgorithmSuiteIdentifier,
  BackendChoice,
  CommitmentPolicy,
  KMS,
  KmsKeyringNode,
  getClient,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  buildClient,
  getBackendInfo,
} from '../lib/index'
import { startLocalKms } from '../lib/testing/index'

// The AWS SDK warns on every run that its 2027 releases will need Node 22; that is not news for a demo.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const wrappingKey = randomBytes(32)
const keyName = 'demo-key'
const keyNamespace = 'demo'
const context = { tenant: 'example', purpose: 'demo' }

type Encrypt = (pt: Buffer) => Promise<Buffer>

async function roundTrip(backend: BackendChoice): Promise<void> {
  const keyring = new RawAesKeyringNode({
    keyName,
    keyNamespace,
    unencryptedMasterKey: wrappingKey,
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  const { encrypt, decrypt } = buildClient({
    commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
    backend,
  })
  const plaintext = Buffer.from(
    'Hello from esdk-native: envelope encryption, byte-compatible with every official ESDK.',
  )
  const { result } = await encrypt(keyring, plaintext, { encryptionContext: context })
  const { plaintext: opened, messageHeader } = await decrypt(keyring, result)
  if (!opened.equals(plaintext)) throw new Error('round trip failed')
  console.log(
    `  [${backend}] suite 0x${messageHeader.suiteId.toString(16).padStart(4, '0')}: ${plaintext.length} B plaintext -> ${result.length} B message -> decrypted OK (context ${JSON.stringify(messageHeader.encryptionContext).slice(0, 60)}...)`,
  )
}

/** A round trip through an AWS KMS keyring, against the local KMS stand-in on 127.0.0.1. */
async function kmsRoundTrip(): Promise<void> {
  const kms = await startLocalKms()
  try {
    const keyring = new KmsKeyringNode({
      generatorKeyId: kms.keys.keyArn('us-west-2'),
      clientProvider: getClient(KMS, { endpoint: kms.endpoint, credentials: kms.credentials }),
    })
    const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    const plaintext = Buffer.from('a secret wrapped by (local) AWS KMS')
    const { result } = await encrypt(keyring, plaintext, { encryptionContext: context })
    const { plaintext: opened } = await decrypt(keyring, result)
    if (!opened.equals(plaintext)) throw new Error('KMS round trip failed')
    console.log(`  KMS keyring via ${kms.endpoint}: decrypted OK; KMS calls: ${kms.calls.map((c) => c.op).join(', ')}`)
  } finally {
    await kms.close()
  }
}

/** Messages per second for about `ms` milliseconds of sequential encrypts (a demo, not the benchmark: see `npm run bench`). */
async function rate(run: Encrypt, ms: number): Promise<number> {
  const pt = randomBytes(1024)
  for (let i = 0; i < 50; i++) await run(pt)
  let n = 0
  const start = process.hrtime.bigint()
  const end = start + BigInt(ms) * 1_000_000n
  while (process.hrtime.bigint() < end) {
    await run(pt)
    n++
  }
  return (n * 1e9) / Number(process.hrtime.bigint() - start)
}

async function speed(backends: BackendChoice[]): Promise<void> {
  const suiteId = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY
  const officialKeyring = new official.RawAesKeyringNode({
    keyName,
    keyNamespace,
    unencryptedMasterKey: wrappingKey,
    wrappingSuite: official.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
  const officialClient = official.buildClient(official.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const officialRate = await rate(
    async (pt) => (await officialClient.encrypt(officialKeyring, pt, { suiteId, encryptionContext: context })).result,
    1000,
  )
  console.log(`  official @aws-crypto/client-node: ${officialRate.toFixed(0)} msg/s`)
  for (const backend of backends) {
    const keyring = new RawAesKeyringNode({
      keyName,
      keyNamespace,
      unencryptedMasterKey: wrappingKey,
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    })
    const client = buildClient({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, backend })
    const ours = await rate(
      async (pt) => (await client.encrypt(keyring, pt, { suiteId, encryptionContext: context })).result,
      1000,
    )
    console.log(
      `  esdk-native [${backend}]:         ${ours.toFixed(0)} msg/s  (${(ours / officialRate).toFixed(1)}x official)`,
    )
  }
}

async function main(): Promise<void> {
  const info = getBackendInfo()
  console.log('esdk-native demo')
  console.log('getBackendInfo():', JSON.stringify(info, null, 2))
  const backends: BackendChoice[] = info.backend === 'native' ? ['native', 'js'] : ['js']
  console.log('\nRound trips (default suite 0x0578: committing, ECDSA P-384 signed):')
  for (const backend of backends) await roundTrip(backend)
  console.log('\nAWS KMS keyring, against the local KMS stand-in (no network beyond 127.0.0.1):')
  await kmsRoundTrip()
  console.log('\n1 KiB encrypts, suite 0x0478, ~1 s each (a glimpse; `npm run bench` measures properly):')
  await speed(backends)
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
