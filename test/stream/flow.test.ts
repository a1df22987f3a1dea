// Stream mechanics: backpressure both ways, slow consumers, delayed and ragged sources, several consumers, web streams, for await, limits and plaintextLength.
import test from 'ava'
import { PassThrough, Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  BACKEND_NAMES,
  chunksOf,
  clientFor,
  delayedSource,
  keyring,
  plaintextOf,
  randomSizes,
  runThrough,
} from './helpers'

for (const backend of BACKEND_NAMES) {
  const client = clientFor(backend)

  test(`[${backend}] a slow consumer (one small read per tick) stalls the producer: what is in flight stays bounded, and every byte arrives (official #920, #1656)`, async (t) => {
    const plaintext = plaintextOf(4 * 1024 * 1024 + 11)
    const encrypted = await runThrough(client.encryptStream(keyring()), chunksOf(plaintext, [65536]))
    t.is(encrypted.error, undefined)
    for (const [name, stream, input, expected] of [
      ['encrypt', client.encryptStream(keyring()), plaintext, undefined],
      ['decrypt', client.decryptStream(keyring()), encrypted.bytes, plaintext],
    ] as const) {
      let produced = 0
      let consumed = 0
      let maxAhead = 0
      const source = Readable.from(
        (function* () {
          for (const chunk of chunksOf(input, [16384])) {
            produced += chunk.length
            yield chunk
          }
        })(),
      )
      const parts: Buffer[] = []
      const done = new Promise<void>((resolve, reject) => {
        stream.on('error', reject)
        stream.on('end', () => resolve())
        const tick = (): void => {
          const chunk = stream.read(512) as Buffer | null
          if (chunk) {
            parts.push(chunk)
            consumed += chunk.length
            maxAhead = Math.max(maxAhead, produced - consumed)
          }
          if (!stream.readableEnded) setImmediate(tick)
        }
        setImmediate(tick)
      })
      source.pipe(stream)
      await done
      const out = Buffer.concat(parts)
      if (expected) t.true(out.equals(expected), `${name}: plaintext`)
      else t.true((await client.decrypt(keyring(), out)).plaintext.equals(plaintext), `${name}: the message decrypts`)
      // About a frame and an input chunk per side, plus the streams' own highWaterMarks: not the 4 MiB input.
      t.true(maxAhead < 256 * 1024, `${name}: the producer ran ${maxAhead} bytes ahead of a slow reader`)
    }
  })

  test(`[${backend}] sources with random chunk sizes (1 B..64 KiB) and random delays round-trip, signed and unsigned (official #376, #423, #507)`, async (t) => {
    for (const suiteId of [0x0478, 0x0578]) {
      const c = clientFor(backend, suiteId)
      const plaintext = plaintextOf(300_000, suiteId)
      for (const seed of [1, 2]) {
        const sizes = randomSizes(seed, 400, 65536)
        const encrypted = await runThrough(
          c.encryptStream(keyring(), { suiteId, frameLength: 4096 }),
          delayedSource(chunksOf(plaintext, sizes), seed === 1 ? 2 : 0, seed),
        )
        t.is(encrypted.error, undefined)
        const decrypted = await runThrough(
          c.decryptStream(keyring()),
          delayedSource(chunksOf(encrypted.bytes, randomSizes(seed + 9, 400, 30000)), 2, seed + 3),
        )
        t.is(decrypted.error, undefined, `0x${suiteId.toString(16)} seed ${seed}`)
        t.true(decrypted.bytes.equals(plaintext))
      }
    }
  })

  test(`[${backend}] writes report backpressure at the writable highWaterMark while the stream cannot make progress`, async (t) => {
    const stream = client.encryptStream(keyring(), { frameLength: 4096 })
    // Nobody reads: after the reader's buffer fills, the stream stops taking input.
    let accepted = 0
    const chunk = Buffer.alloc(65536, 1)
    for (let i = 0; i < 200; i++) {
      accepted += chunk.length
      if (!stream.write(chunk)) break
      await new Promise((resolve) => setImmediate(resolve))
    }
    t.true(accepted < 200 * 65536, `write() said stop after ${accepted} bytes`)
    stream.destroy()
  })

  test(`[${backend}] several consumers of one stream each get every byte (official #1670)`, async (t) => {
    const plaintext = plaintextOf(200_003)
    const encrypted = await runThrough(client.encryptStream(keyring()), chunksOf(plaintext, [10_000]))
    const dec = client.decryptStream(keyring())
    const sinks = [new PassThrough(), new PassThrough()]
    const collected = sinks.map((s) => {
      const parts: Buffer[] = []
      s.on('data', (c: Buffer) => parts.push(c))
      return new Promise<Buffer>((resolve, reject) => {
        s.on('end', () => resolve(Buffer.concat(parts)))
        s.on('error', reject)
      })
    })
    for (const s of sinks) dec.pipe(s)
    Readable.from(chunksOf(encrypted.bytes, [7000])).pipe(dec)
    const [a, b] = await Promise.all(collected)
    t.true(a?.equals(plaintext), 'first consumer')
    t.true(b?.equals(plaintext), 'second consumer')
  })

  test(`[${backend}] for await, Readable.toWeb and Writable.toWeb work`, async (t) => {
    const plaintext = plaintextOf(50_000)
    const enc = client.encryptStream(keyring())
    Readable.from(chunksOf(plaintext, [4000])).pipe(enc)
    const parts: Buffer[] = []
    for await (const chunk of enc) parts.push(chunk as Buffer)
    const message = Buffer.concat(parts)
    // Web streams: feed the decrypt stream through its WritableStream, read it through its ReadableStream.
    const dec = client.decryptStream(keyring())
    const readable = Readable.toWeb(dec)
    const writable = Writable.toWeb(dec)
    const writing = (async () => {
      const writer = writable.getWriter()
      for (const chunk of chunksOf(message, [3000])) await writer.write(chunk)
      await writer.close()
    })()
    const out: Uint8Array[] = []
    for await (const chunk of readable as unknown as AsyncIterable<Uint8Array>) out.push(chunk)
    await writing
    t.true(Buffer.concat(out).equals(plaintext))
  })

  test(`[${backend}] maxBodySize refuses a frame larger than the limit before any plaintext; a frame at the limit passes`, async (t) => {
    const plaintext = plaintextOf(10_000)
    const encrypted = await runThrough(client.encryptStream(keyring(), { frameLength: 4096 }), [plaintext])
    const refused = await runThrough(
      client.decryptStream(keyring(), { maxBodySize: 4095 }),
      chunksOf(encrypted.bytes, [100]),
    )
    t.is(refused.error?.code, 'LIMIT_EXCEEDED')
    t.is(refused.bytes.length, 0)
    const passed = await runThrough(
      client.decryptStream(keyring(), { maxBodySize: 4096 }),
      chunksOf(encrypted.bytes, [100]),
    )
    t.true(passed.bytes.equals(plaintext))
  })

  test(`[${backend}] plaintextLength: chunks larger than a frame are fine (an official defect), and more input than declared fails at once`, async (t) => {
    const plaintext = plaintextOf(100_000)
    const ok = await runThrough(
      client.encryptStream(keyring(), { frameLength: 1024, plaintextLength: plaintext.length }),
      chunksOf(plaintext, [50_000]),
    )
    t.is(ok.error, undefined)
    t.true((await client.decrypt(keyring(), ok.bytes)).plaintext.equals(plaintext))
    const over = await runThrough(
      client.encryptStream(keyring(), { frameLength: 1024, plaintextLength: plaintext.length - 1 }),
      chunksOf(plaintext, [50_000]),
    )
    t.is(over.error?.code, 'LIMIT_EXCEEDED')
    // Shorter than declared is within the bound.
    const under = await runThrough(
      client.encryptStream(keyring(), { frameLength: 1024, plaintextLength: plaintext.length * 2 }),
      [plaintext],
    )
    t.is(under.error, undefined)
  })

  test(`[${backend}] destroying a stream mid-way stops it with that error and releases nothing after`, async (t) => {
    const plaintext = plaintextOf(2 * 1024 * 1024)
    const encrypted = await runThrough(client.encryptStream(keyring()), [plaintext])
    const dec = client.decryptStream(keyring())
    let after = 0
    let destroyed = false
    dec.on('data', () => {
      if (destroyed) after++
      else {
        destroyed = true
        dec.destroy(new Error('caller gave up'))
      }
    })
    const error = await new Promise<Error>((resolve) => {
      dec.on('error', resolve)
      Readable.from(chunksOf(encrypted.bytes, [65536])).pipe(dec)
    })
    t.is(error.message, 'caller gave up')
    t.is(after, 0)
  })

  test(`[${backend}] bad options fail at the call with INVALID_ARGUMENT`, (t) => {
    t.throws(() => client.encryptStream(keyring(), { frameLength: 0 }), { code: 'INVALID_ARGUMENT' } as never)
    t.throws(() => client.encryptStream(keyring(), { plaintextLength: -1 }), { code: 'INVALID_ARGUMENT' } as never)
    t.throws(() => client.decryptStream(keyring(), { maxBodySize: -5 }), { code: 'INVALID_ARGUMENT' } as never)
    t.throws(() => client.encryptStream({} as never), { code: 'INVALID_ARGUMENT' } as never)
  })

  test(`[${backend}] a failing CMM fails the encrypt stream with its error, and a stream piped in pipeline() rejects`, async (t) => {
    const failing = {
      getEncryptionMaterials: () => Promise.reject(new Error('no materials today')),
      decryptMaterials: () => Promise.reject(new Error('no materials today')),
    }
    const got = await runThrough(client.encryptStream(failing as never), [Buffer.alloc(10)])
    t.is(got.error?.message, 'no materials today')
    await t.throwsAsync(
      pipeline(Readable.from([Buffer.alloc(3)]), client.decryptStream(keyring()), new PassThrough()),
      { code: 'MALFORMED_MESSAGE' } as never,
    )
  })
}
