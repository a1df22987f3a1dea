// With the test random source, buildClient({backend:'js'}) and ({backend:'native'}) write byte-identical messages (signed ones up to the footer).
import test from 'ava'
import { createHash } from 'node:crypto'
import { buildClient, EsdkClient } from '../../lib/api/client'
import { CommitmentPolicy } from '../../lib/core/policy'
import { setRandomSourceForTesting } from '../../lib/core/random'
import { findSuite } from '../../lib/core/suites'
import { scanBody } from '../../lib/format/body-table'
import { parseHeader } from '../../lib/format/header'
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '../../lib/materials/raw-aes-keyring'
import { nativeBackend } from './backends'

/** SHA-256 in counter mode over a seed: reproducible, and different for every draw. */
function seededSource(seed: string): (out: Uint8Array) => void {
  let counter = 0
  return (out) => {
    for (let o = 0; o < out.length; o += 32) {
      const block = createHash('sha256').update(seed).update(String(counter++)).digest()
      out.set(block.subarray(0, Math.min(32, out.length - o)), o)
    }
  }
}

const SUITES = [0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178, 0x0214, 0x0346, 0x0378, 0x0478, 0x0578]
/** Plaintext sizes per frame length: empty, below, at and around frame multiples, and many frames. */
const CASES: ReadonlyArray<{ frameLength: number; sizes: readonly number[] }> = [
  { frameLength: 1, sizes: [0, 1, 2, 37] },
  { frameLength: 16, sizes: [0, 15, 16, 17, 48, 1000] },
  { frameLength: 4096, sizes: [0, 1, 1024, 4095, 4096, 4097, 3 * 4096 + 5, 70_000] },
  { frameLength: 65536, sizes: [1, 65536, 200_001] },
  { frameLength: 1 << 20, sizes: [(1 << 20) + 3] },
]

function keyring(): RawAesKeyringNode {
  return new RawAesKeyringNode({
    keyName: 'determinism',
    keyNamespace: 'backend-tests',
    unencryptedMasterKey: Buffer.alloc(32, 0x42),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  })
}

function clientFor(backend: 'js' | 'native', suiteId: number): EsdkClient {
  const committing = findSuite(suiteId)?.commitment === true
  return buildClient({
    commitmentPolicy: committing
      ? CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT
      : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
    backend,
  })
}

function plaintextOf(size: number, salt: number): Buffer {
  const p = Buffer.alloc(size)
  for (let i = 0; i < size; i++) p[i] = (i * 31 + salt) & 0xff
  return p
}

/** Encrypts under a fresh copy of the seeded source, so both backends see the same random bytes. */
async function encryptSeeded(
  client: EsdkClient,
  seed: string,
  plaintext: Buffer,
  suiteId: number,
  frameLength: number,
): Promise<Buffer> {
  setRandomSourceForTesting(seededSource(seed))
  try {
    const { result } = await client.encrypt(keyring(), plaintext, {
      suiteId,
      frameLength,
      encryptionContext: { purpose: 'determinism', seed },
    })
    return result
  } finally {
    setRandomSourceForTesting(undefined)
  }
}

/** Header plus body, found with lib/format: what a signature covers (the ECDSA nonce is OpenSSL's, never the test source). */
function signedPart(message: Buffer): Buffer {
  const header = parseHeader(message, { maxEncryptedDataKeys: false })
  if (!header.done) throw new Error('truncated header')
  return message.subarray(
    0,
    scanBody(message, header.headerLength, header.header.contentType, header.header.frameLength, {}).end,
  )
}

const runNative = nativeBackend ? test.serial : test.serial.skip

runNative(
  'the test random source makes js and native messages byte-identical (signed: identical up to the footer)',
  async (t) => {
    let compared = 0
    for (const suiteId of SUITES) {
      const signed = findSuite(suiteId)?.signature !== undefined
      const js = clientFor('js', suiteId)
      const native = clientFor('native', suiteId)
      for (const { frameLength, sizes } of CASES) {
        for (const size of sizes) {
          const seed = `${suiteId}/${frameLength}/${size}`
          const plaintext = plaintextOf(size, suiteId)
          const a = await encryptSeeded(js, seed, plaintext, suiteId, frameLength)
          const b = await encryptSeeded(native, seed, plaintext, suiteId, frameLength)
          const where = `suite 0x${suiteId.toString(16).padStart(4, '0')}, frame ${frameLength}, ${size} bytes`
          if (signed) {
            t.true(signedPart(a).equals(signedPart(b)), where)
            t.false(a.equals(b), `the ECDSA signatures differ: ${where}`)
          } else {
            t.true(a.equals(b), where)
          }
          // Each message opens under the other backend too.
          t.true((await native.decrypt(keyring(), a)).plaintext.equals(plaintext), `native opens js: ${where}`)
          t.true((await js.decrypt(keyring(), b)).plaintext.equals(plaintext), `js opens native: ${where}`)
          compared++
        }
      }
    }
    t.is(compared, SUITES.length * CASES.reduce((n, c) => n + c.sizes.length, 0))
  },
)

test.serial('the same seed gives the same message twice; a different seed a different one', async (t) => {
  const client = clientFor('js', 0x0478)
  const plaintext = plaintextOf(100, 1)
  const a = await encryptSeeded(client, 'one', plaintext, 0x0478, 4096)
  const b = await encryptSeeded(client, 'one', plaintext, 0x0478, 4096)
  const c = await encryptSeeded(client, 'two', plaintext, 0x0478, 4096)
  t.true(a.equals(b))
  t.false(a.equals(c))
})

test.serial('without the test source, two encryptions differ (message id, data key, IV are random)', async (t) => {
  const client = clientFor('js', 0x0478)
  const plaintext = plaintextOf(100, 1)
  const a = (await client.encrypt(keyring(), plaintext)).result
  const b = (await client.encrypt(keyring(), plaintext)).result
  t.false(a.subarray(3, 35).equals(b.subarray(3, 35)), 'message ids differ')
  t.false(a.equals(b))
})
