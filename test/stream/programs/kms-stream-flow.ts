// The official kms_stream example's flow, written for these tests: the official names, a KMS alias ARN and the default KMS clients (no endpoint in the code), changed only in the import.
import { createReadStream } from 'node:fs'
import { finished } from 'node:stream'
import { promisify } from 'node:util'
import { CommitmentPolicy, KmsKeyringNode, MessageHeader, buildClient } from '../../../lib/index'

const { encryptStream, decryptStream } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
const finishedAsync = promisify(finished)

async function kmsStreamTest(filename: string): Promise<Buffer> {
  const generatorKeyId = 'arn:aws:kms:us-west-2:658956600833:alias/EncryptDecrypt'
  const keyring = new KmsKeyringNode({ generatorKeyId })
  const context = { stage: 'demo', purpose: 'simple demonstration app', origin: 'us-west-2' }
  const stream = createReadStream(filename)
    .pipe(encryptStream(keyring, { encryptionContext: context }))
    .pipe(decryptStream(new KmsKeyringNode({ discovery: true })))
    .on('MessageHeader', ({ encryptionContext }: MessageHeader) => {
      Object.entries(context).forEach(([key, value]) => {
        if (encryptionContext[key] !== value) throw new Error('Encryption Context does not match expected values')
      })
    })
  const buff: Buffer[] = []
  stream.on('data', (chunk: Buffer) => buff.push(chunk))
  await finishedAsync(stream)
  return Buffer.concat(buff)
}

const file = process.argv[2] ?? __filename
kmsStreamTest(file).then(
  (out) => process.stdout.write(out),
  (e: unknown) => {
    console.error(e)
    process.exitCode = 1
  },
)
