// The official kms_stream example's flow runs against this package with only the import changed: default KMS clients, reached through AWS_ENDPOINT_URL_KMS at the local stand-in.
import test from 'ava'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { startLocalKms } from '../../lib/testing/index'

const PROGRAM = path.join(__dirname, 'programs', 'kms-stream-flow.js')

test('kms_stream: a file through encryptStream(KMS alias) and decryptStream(discovery) comes back byte for byte, and KMS saw GenerateDataKey then Decrypt', async (t) => {
  const account = '658956600833'
  const kms = await startLocalKms({
    accounts: [account],
    callerAccount: account,
    regions: ['us-west-2'],
    keys: [{ region: 'us-west-2', account, alias: 'alias/EncryptDecrypt' }],
  })
  try {
    const file = path.resolve(__dirname, '..', '..', '..', 'package-lock.json')
    const { credentials } = kms
    const child = spawn(process.execPath, [PROGRAM, file], {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL_KMS: kms.endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_REGION: 'us-west-2',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    })
    const out: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve))
    t.is(status, 0, stderr)
    t.true(Buffer.concat(out).equals(readFileSync(file)), 'the decrypted stream is the file')
    t.deepEqual(
      kms.calls.map((c) => c.op),
      ['GenerateDataKey', 'Decrypt'],
    )
  } finally {
    await kms.close()
  }
})
