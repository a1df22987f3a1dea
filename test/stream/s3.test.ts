// The case users hit: a 256 MiB encrypted stream uploaded to S3 (s3rver on 127.0.0.1, the real @aws-sdk/client-s3 and lib-storage multipart), downloaded and decryptStream'd with memory bounded.
import test from 'ava'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createHash } from 'node:crypto'
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import S3rver from 's3rver'
import { BACKEND_NAMES, clientFor, keyring } from './helpers'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const SIZE = 256 * 1024 * 1024
const MB = 1024 * 1024

/** SIZE bytes of a position-dependent pattern, generated as read: the source holds one chunk. */
function patternSource(size: number, digest: ReturnType<typeof createHash>): Readable {
  let sent = 0
  return new Readable({
    read() {
      if (sent >= size) {
        this.push(null)
        return
      }
      const n = Math.min(256 * 1024, size - sent)
      const chunk = Buffer.allocUnsafe(n)
      for (let i = 0; i < n; i += 4) chunk.writeUInt32LE((sent + i) >>> 0, i)
      sent += n
      digest.update(chunk)
      this.push(chunk)
    },
  })
}

test.serial(
  '256 MiB: encryptStream → S3 multipart upload, then GetObject → decryptStream, byte for byte, with bounded memory',
  async (t) => {
    const directory = mkdtempSync(path.join(tmpdir(), 'esdk-s3rver-'))
    const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory })
    const { port } = await server.run()
    try {
      const s3 = new S3Client({
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      })
      const Bucket = 'esdk-stream-tests'
      await s3.send(new CreateBucketCommand({ Bucket }))
      const backend = BACKEND_NAMES[BACKEND_NAMES.length - 1] ?? 'js'
      const client = clientFor(backend, 0x0578)
      const baseline = process.memoryUsage().rss
      const sent = createHash('sha256')
      const Key = 'big-object.encrypted'
      const encrypting = client.encryptStream(keyring(), {
        frameLength: 65536,
        encryptionContext: { bucket: Bucket, key: Key },
      })
      patternSource(SIZE, sent).pipe(encrypting)
      const upload = new Upload({
        client: s3,
        params: { Bucket, Key, Body: encrypting },
        partSize: 8 * MB,
        queueSize: 2,
      })
      const uploaded = await upload.done()
      t.is(uploaded.Key, Key)

      const object = await s3.send(new GetObjectCommand({ Bucket, Key }))
      t.true((object.ContentLength ?? 0) > SIZE, 'the object is the whole message')
      const received = createHash('sha256')
      let bytes = 0
      await pipeline(
        object.Body as Readable,
        client.decryptStream(keyring()),
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            bytes += chunk.length
            received.update(chunk)
            callback()
          },
        }),
      )
      t.is(bytes, SIZE)
      t.is(received.digest('hex'), sent.digest('hex'))
      const peak = process.resourceUsage().maxRSS * 1024 - baseline
      t.log(`peak RSS over the baseline across upload and download: ${(peak / MB).toFixed(1)} MB (${backend})`)
      // lib-storage buffers queueSize + 1 parts of 8 MiB itself; the streams add about as much as in memory.test.ts.
      t.true(peak < 160 * MB, `peak ${peak} bytes`)
    } finally {
      await server.close()
      rmSync(directory, { recursive: true, force: true })
    }
  },
)
