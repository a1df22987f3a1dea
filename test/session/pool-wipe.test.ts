// Wipe on failure where the thread pool writes: a big one-shot decrypt and a pooled batch that fail late (a bad last tag, a bad signature after every frame decrypted) leave the output the backend wrote into zeroed, message by message.
import test, { ExecutionContext } from 'ava'
import { CryptoBackend, OpenBatchInput, OpenMessageInput } from '../../lib/backend/backend'
import { PARALLEL_THRESHOLD } from '../../lib/backend/native-backend'
import { decryptMany } from '../../lib/batch/decrypt-many'
import { CommitmentPolicy } from '../../lib/core/policy'
import { EsdkError } from '../../lib/core/errors'
import { NodeDefaultCryptographicMaterialsManager } from '../../lib/materials/default-cmm'
import { decryptMessage } from '../../lib/session/decrypt-message'
import { BACKENDS as BACKEND_CASES } from '../backend/backends'
import { aesKeyring, clientFor, hex4 } from './fixtures'

// No unauthenticated plaintext reaches a caller (client-apis/decrypt.md, "Decrypt the message body"); the backend
// contract (lib/backend/backend.ts) says a refused message leaves its output zeroed. The pool decrypts every frame
// before the last tag or the signature is known, so a late failure is the case where the plaintext is really there.

interface Seen {
  messages: { input: OpenMessageInput; pooled: boolean }[]
  batches: { input: OpenBatchInput; pooled: boolean }[]
}

/** The backend, recording the inputs of openMessage and openBatch (whose `out` it writes) and whether it went async. */
function spying(backend: CryptoBackend): { backend: CryptoBackend; seen: Seen } {
  const seen: Seen = { messages: [], batches: [] }
  // The backend is frozen: the spy inherits from it and defines its own two methods.
  const spy = Object.create(backend) as CryptoBackend
  Object.defineProperty(spy, 'openMessage', {
    value: (input: OpenMessageInput) => {
      const r = backend.openMessage(input)
      seen.messages.push({ input, pooled: r instanceof Promise })
      return r
    },
  })
  const openBatch = backend.openBatch
  if (openBatch) {
    Object.defineProperty(spy, 'openBatch', {
      value: (input: OpenBatchInput) => {
        const r = openBatch.call(backend, input)
        seen.batches.push({ input, pooled: r instanceof Promise })
        return r
      },
    })
  }
  return { backend: spy, seen }
}

const settings = (backend: CryptoBackend) => ({
  backend,
  commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
  maxEncryptedDataKeys: false as const,
})
const cmm = () => new NodeDefaultCryptographicMaterialsManager(aesKeyring())

function flip(message: Buffer, at: number): Buffer {
  const b = Buffer.from(message)
  b[at] = (b[at] as number) ^ 0x10
  return b
}

function allZero(b: Uint8Array): boolean {
  return b.every((x) => x === 0)
}

/** A plaintext with no zero bytes, so a window that reads all zero was wiped, not left unwritten. */
function plaintextOf(size: number, salt: number): Buffer {
  const b = Buffer.alloc(size)
  for (let i = 0; i < size; i++) b[i] = 1 + ((i * 13 + salt) % 255)
  return b
}

async function refused(t: ExecutionContext, work: Promise<unknown>, code: string, what: string): Promise<void> {
  const e = await work.then(
    () => undefined,
    (err: unknown) => err,
  )
  t.true(
    e instanceof EsdkError && e.code === code,
    `${what}: refused with ${code} (got ${e instanceof Error ? e.message : String(e)})`,
  )
}

for (const c of BACKEND_CASES) {
  const real = c.backend
  const run = real ? test : test.skip
  for (const suiteId of [0x0478, 0x0578, 0x0378]) {
    const signed = suiteId !== 0x0478
    run(
      `[${c.name}] ${hex4(suiteId)}: a 2 MiB one-shot decrypt that fails on its last tag${signed ? ' or its signature' : ''} leaves the output it wrote zeroed`,
      async (t) => {
        if (!real) return t.fail()
        const plaintext = plaintextOf(2 * PARALLEL_THRESHOLD + 333, suiteId)
        const { result } = await clientFor(suiteId, c.name).encrypt(aesKeyring(), plaintext, {
          suiteId,
          frameLength: 64 * 1024,
        })
        const footer = signed ? findFooterLength(result) : 0
        const damages: [string, Buffer][] = [['last frame tag', flip(result, result.length - footer - 1)]]
        if (signed) damages.push(['signature', flip(result, result.length - 3)])
        for (const [what, bad] of damages) {
          const { backend, seen } = spying(real)
          await refused(
            t,
            decryptMessage(settings(backend), {
              cmm: cmm(),
              ciphertext: bad,
              reproducedEncryptionContext: undefined,
              maxBodySize: undefined,
            }),
            'AUTHENTICATION_FAILED',
            what,
          )
          t.is(seen.messages.length, 1, `${what}: one openMessage`)
          const open = seen.messages[0]
          if (!open) continue
          if (c.name === 'native') t.true(open.pooled, `${what}: the native backend opened it on the pool`)
          t.is(open.input.out.length, plaintext.length, `${what}: the output the backend wrote into`)
          t.true(allZero(open.input.out), `${what}: zeroed`)
        }
        // Control: the intact message fills the same kind of output with the plaintext.
        const { backend, seen } = spying(real)
        const ok = await decryptMessage(settings(backend), {
          cmm: cmm(),
          ciphertext: result,
          reproducedEncryptionContext: undefined,
          maxBodySize: undefined,
        })
        t.true(ok.plaintext.equals(plaintext))
        t.true(seen.messages[0]?.input.out.equals(plaintext) ?? false, 'control: the output holds the plaintext')
      },
    )
  }

  run(
    `[${c.name}] a pooled batch of signed records, two failing late (a bad last tag, a bad signature): their windows are zeroed and flagged, the others hold their plaintext`,
    async (t) => {
      if (!real) return t.fail()
      if (!real.openBatch) return t.pass('this backend opens batches message by message (openMessage, tested above)')
      const suiteId = 0x0578
      const plaintexts = Array.from({ length: 24 }, (_, i) => plaintextOf(200 + 37 * i, i))
      const sealed = await clientFor(suiteId, c.name).encryptBatch(aesKeyring(), plaintexts, {
        suiteId,
        frameLength: 64,
      })
      const messages = sealed.map((e) => (e.ok ? e.result : Buffer.alloc(0)))
      const badTag = 5
      const badSignature = 17
      const inputs = messages.map((m, i) => {
        if (i === badSignature) return flip(m, m.length - 3)
        if (i === badTag) return flip(m, m.length - findFooterLength(m) - 1)
        return m
      })
      const { backend, seen } = spying(real)
      const entries = await decryptMany(settings(backend), cmm(), inputs, {
        maxBodySize: undefined,
        encryptionContext: undefined,
        messageHeaders: false,
        encoding: 'utf8',
      })
      t.deepEqual(
        entries.map((e) => (e.ok ? 'ok' : e.error.code)),
        inputs.map((_, i) => (i === badTag || i === badSignature ? 'AUTHENTICATION_FAILED' : 'ok')),
      )
      t.is(seen.batches.length, 1, 'one openBatch')
      const batch = seen.batches[0]
      if (!batch) return
      if (c.name === 'native') t.true(batch.pooled, 'the native backend opens signed batches on the pool')
      t.is(batch.input.messages.length, inputs.length)
      batch.input.messages.forEach((m, i) => {
        const window = batch.input.out.subarray(m.outOffset, m.outOffset + m.body.plaintextLength)
        const failed = i === badTag || i === badSignature
        t.is(batch.input.authentic[i], failed ? 0 : 1, `record ${i}: authentic flag`)
        if (failed) t.true(allZero(window), `record ${i}: window zeroed`)
        else t.true(window.equals(plaintexts[i] as Buffer), `record ${i}: window holds its plaintext`)
      })
    },
  )
}

/** The footer's length (uint16 length ‖ DER signature), found by its DER SEQUENCE: 0x30 then the length byte. */
function findFooterLength(message: Buffer): number {
  for (let n = 8; n <= 2 + 104 && n <= message.length; n++) {
    const at = message.length - n
    if (message.readUInt16BE(at) === n - 2 && message[at + 2] === 0x30 && message[at + 3] === n - 4) return n
  }
  throw new Error('no footer found')
}
