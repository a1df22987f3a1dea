// The README's streaming examples: a file encrypted to a file and back with stream.pipeline, and the official kms_stream flow (encrypt, then decrypt with a discovery keyring, checking the context), against the local KMS stand-in.
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { finished, pipeline } from 'node:stream/promises'
import { KMS, KmsKeyringNode, MessageHeader, buildClient, getClient } from '../lib/index'
import { startLocalKms } from '../lib/testing/index'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

async function main(): Promise<void> {
  const kms = await startLocalKms()
  const dir = await mkdtemp(path.join(tmpdir(), 'esdk-stream-example-'))
  try {
    const { encryptStream, decryptStream } = buildClient()
    // With real KMS you pass your usual client config instead of the stand-in's endpoint.
    const clientProvider = getClient(KMS, { endpoint: kms.endpoint, credentials: kms.credentials })
    const keyring = new KmsKeyringNode({ generatorKeyId: kms.keys.keyArn('us-west-2'), clientProvider })
    const context = { stage: 'demo', purpose: 'stream example' }

    // A file to a file: memory stays flat whatever the size; a failure rejects the pipeline.
    const input = path.join(dir, 'report.csv')
    await writeFile(input, 'id,amount\n'.concat(Array.from({ length: 50_000 }, (_, i) => `${i},${i * 3}\n`).join('')))
    await pipeline(
      createReadStream(input),
      encryptStream(keyring, { encryptionContext: context }),
      createWriteStream(`${input}.encrypted`),
    )

    // Decrypt it back: check the context you expect as soon as the header has authenticated.
    const decrypting = decryptStream(keyring).on('MessageHeader', ({ encryptionContext }: MessageHeader) => {
      for (const [key, value] of Object.entries(context)) {
        if (encryptionContext[key] !== value) throw new Error('encryption context does not match')
      }
    })
    await pipeline(createReadStream(`${input}.encrypted`), decrypting, createWriteStream(`${input}.decrypted`))
    const same = (await readFile(input)).equals(await readFile(`${input}.decrypted`))
    console.log(`file: ${same ? 'decrypted file matches' : 'MISMATCH'}`)

    // The official kms_stream flow: encrypt and decrypt chained, the decrypting keyring in discovery mode.
    const chained = createReadStream(input)
      .pipe(encryptStream(keyring, { encryptionContext: context }))
      .pipe(decryptStream(new KmsKeyringNode({ discovery: true, clientProvider })))
    const parts: Buffer[] = []
    chained.on('data', (chunk: Buffer) => parts.push(chunk))
    await finished(chained)
    console.log(`chained: ${Buffer.concat(parts).equals(await readFile(input)) ? 'round trip matches' : 'MISMATCH'}`)
  } finally {
    await rm(dir, { recursive: true, force: true })
    await kms.close()
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
