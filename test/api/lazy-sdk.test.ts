// `require('esdk-native')` and a raw-key encrypt load no AWS SDK code: the KMS client (and any DynamoDB client) loads only when used.
import test from 'ava'
import { execFileSync } from 'node:child_process'
import path from 'node:path'

const indexJs = path.join(__dirname, '..', '..', 'lib', 'index.js')

/** Modules of the AWS SDK family (clients, Smithy runtime, credential chain) in a require.cache listing. */
const SDK = /[\\/]node_modules[\\/](@aws-sdk|@smithy|@aws-crypto[\\/](?!client-node))/

function loadedAfter(steps: string): { sdk: string[]; dynamodb: string[]; total: number } {
  const script = `(async () => {
  const esdk = require(${JSON.stringify(indexJs)});
  ${steps}
  const files = Object.keys(require.cache);
  process.stdout.write(JSON.stringify({ sdk: files.filter((f) => ${SDK}.test(f)), dynamodb: files.filter((f) => /node_modules[\\\\/].*dynamodb/i.test(f)), total: files.length }));
})().catch((e) => { console.error(e); process.exit(1) })`
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
    sdk: string[]
    dynamodb: string[]
    total: number
  }
}

const RAW_AES_ROUND_TRIP = `
  const keyring = new esdk.RawAesKeyringNode({ keyName: 'k', keyNamespace: 'n', unencryptedMasterKey: Buffer.alloc(32, 1),
    wrappingSuite: esdk.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING });
  const client = esdk.buildClient(esdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const { result } = await client.encrypt(keyring, 'hello');
  await client.decrypt(keyring, result);
  esdk.getBackendInfo();`

test('require, getBackendInfo and a raw AES encrypt/decrypt load neither the AWS SDK nor a DynamoDB client', (t) => {
  const loaded = loadedAfter(RAW_AES_ROUND_TRIP)
  t.deepEqual(loaded.sdk, [])
  t.deepEqual(loaded.dynamodb, [])
  t.true(loaded.total > 10, "the listing is real: the package's own modules are in it")
})

test('the control: the first `new KMS()` loads @aws-sdk/client-kms (so the check above can fail)', (t) => {
  const loaded = loadedAfter(`${RAW_AES_ROUND_TRIP}\n  new esdk.KMS({ region: 'us-west-2' });`)
  t.true(
    loaded.sdk.some((f) => /@aws-sdk[\\/]client-kms/.test(f)),
    `${loaded.sdk.length} SDK modules`,
  )
})
