// With the test random source, encryptBatch writes the same bytes on the JS and the native backend (signed suites up to the footer), and the same bytes as one-by-one encrypts.
import test from 'ava'
import { createHash } from 'node:crypto'
import { EncryptBatchRecord } from '../../lib/batch/encrypt-many'
import { jsBackend } from '../../lib/backend/js-backend'
import { setRandomSourceForTesting } from '../../lib/core/random'
import { findSuite } from '../../lib/core/suites'
import { scanBody } from '../../lib/format/body-table'
import { parseHeader } from '../../lib/format/header'
import { NodeCachingMaterialsManager } from '../../lib/materials/caching/caching-cmm'
import { getLocalCryptographicMaterialsCache } from '../../lib/materials/caching/local-cache'
import { NodeMaterialsManager } from '../../lib/materials/keyring'
import { NodeDefaultCryptographicMaterialsManager } from '../../lib/materials/default-cmm'
import { nativeBackend } from '../backend/backends'
import { SUITES, clientFor, keyring, messages, plaintextOf, policyFor } from './helpers'

function seededSource(seed: string): (out: Uint8Array) => void {
  let counter = 0
  return (out) => {
    for (let o = 0; o < out.length; o += 32) {
      const block = createHash('sha256').update(seed).update(String(counter++)).digest()
      out.set(block.subarray(0, Math.min(32, out.length - o)), o)
    }
  }
}

function signedPart(message: Buffer): Buffer {
  const header = parseHeader(message, { maxEncryptedDataKeys: false })
  if (!header.done) throw new Error('truncated header')
  return message.subarray(
    0,
    scanBody(message, header.headerLength, header.header.contentType, header.header.frameLength, {}).end,
  )
}

const records = (suiteId: number): EncryptBatchRecord[] =>
  [0, 1, 100, 1024, 4096, 4097, 70_000, 1 << 20].flatMap((size, i) => [
    plaintextOf(size, i + suiteId),
    { plaintext: plaintextOf(size, i + 1), encryptionContext: { own: String(i % 3) } },
  ])

const cmms: Record<string, () => NodeMaterialsManager> = {
  default: () => new NodeDefaultCryptographicMaterialsManager(keyring()),
  caching: () =>
    new NodeCachingMaterialsManager({
      backingMaterials: keyring(),
      cache: getLocalCryptographicMaterialsCache(10),
      maxAge: 60_000,
      maxMessagesEncrypted: 3,
      partition: 'p',
    }),
}

const native = nativeBackend
const runNative = native ? test.serial : test.serial.skip

runNative(
  'js and native batches are byte-identical under the test random source, for every suite and both CMMs',
  async (t) => {
    if (!native) return
    for (const suiteId of SUITES) {
      const signed = findSuite(suiteId)?.signature !== undefined
      for (const [name, make] of Object.entries(cmms)) {
        const run = async (backend: typeof jsBackend): Promise<Buffer[]> => {
          // The client first: choosing a backend runs its self-test, which draws random bytes too.
          const client = clientFor(backend, policyFor(suiteId))
          const cmm = make()
          setRandomSourceForTesting(seededSource(`${suiteId}/${name}`))
          try {
            return messages(
              await client.encryptBatch(cmm, records(suiteId), { suiteId, encryptionContext: { shared: 'ctx' } }),
            )
          } finally {
            setRandomSourceForTesting(undefined)
          }
        }
        const a = await run(jsBackend)
        const b = await run(native)
        t.is(a.length, b.length)
        a.forEach((m, i) => {
          const where = `suite 0x${suiteId.toString(16)}, ${name} CMM, record ${i}`
          if (signed) t.true(signedPart(m).equals(signedPart(b[i] as Buffer)), where)
          else t.true(m.equals(b[i] as Buffer), where)
        })
      }
    }
  },
)

test.serial('the same seed gives the same batch twice; a different one differs', async (t) => {
  const run = async (seed: string): Promise<Buffer[]> => {
    const client = clientFor(jsBackend)
    setRandomSourceForTesting(seededSource(seed))
    try {
      return messages(await client.encryptBatch(keyring(), records(0x0478), { suiteId: 0x0478 }))
    } finally {
      setRandomSourceForTesting(undefined)
    }
  }
  const [a, b, c] = [await run('x'), await run('x'), await run('y')]
  t.true(a.every((m, i) => m.equals(b[i] as Buffer)))
  t.false(a.some((m, i) => m.equals(c[i] as Buffer)))
})
