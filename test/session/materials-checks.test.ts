// The checks decrypt makes on the CMM's answer, on every decrypt path (one-shot, stream, batch) and backend: materials for another suite, without a data key, or (signed suites) without a verification key are refused; the data key handed over is wiped once the message is done.
import test from 'ava'
import { EsdkError } from '../../lib/core/errors'
import { NodeDefaultCryptographicMaterialsManager } from '../../lib/materials/default-cmm'
import { DecryptionRequest, EncryptionRequest, NodeMaterialsManager } from '../../lib/materials/keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { runThrough } from '../stream/helpers'
import { BACKENDS, aesKeyring, clientFor, hex4, suite } from './fixtures'

// client-apis/decrypt.md "Get the decryption materials": the materials must be for the message's algorithm
// suite and hold a plaintext data key; a signed suite needs the verification key. Found untested by
// npm run mutation (removing each check let every existing test pass).

type Bend = (m: NodeDecryptionMaterial) => NodeDecryptionMaterial

/** The default CMM over an AES keyring, its decrypt answers passed through `bend` and kept. */
class BentCmm implements NodeMaterialsManager {
  readonly handedOut: NodeDecryptionMaterial[] = []
  private readonly inner = new NodeDefaultCryptographicMaterialsManager(aesKeyring())
  constructor(private readonly bend: Bend = (m) => m) {}
  getEncryptionMaterials(request: EncryptionRequest): Promise<NodeEncryptionMaterial> {
    return this.inner.getEncryptionMaterials(request)
  }
  async decryptMaterials(request: DecryptionRequest): Promise<NodeDecryptionMaterial> {
    const m = this.bend(await this.inner.decryptMaterials(request))
    this.handedOut.push(m)
    return m
  }
}

/** Materials like `m` (suite `suiteId`, same context) with a copy of its data key, and nothing else. */
function bare(m: NodeDecryptionMaterial, suiteId = m.suite.id, withKey = true): NodeDecryptionMaterial {
  const out = new NodeDecryptionMaterial(suite(suiteId), m.encryptionContext)
  if (withKey) out.setUnencryptedDataKey(Buffer.from(m.getUnencryptedDataKey().subarray(0, out.suite.keyLengthBytes)))
  m.zeroUnencryptedDataKey()
  return out
}

type Path = 'decrypt' | 'decryptStream' | 'decryptBatch'
const PATHS: readonly Path[] = ['decrypt', 'decryptStream', 'decryptBatch']

/** The error each path gives (undefined when it decrypts), and the plaintext when it does. */
async function open(
  path: Path,
  suiteId: number,
  backend: 'js' | 'native',
  cmm: NodeMaterialsManager,
  message: Buffer,
): Promise<{ error?: unknown; plaintext?: Buffer }> {
  const reader = clientFor(suiteId, backend)
  if (path === 'decrypt') {
    try {
      return { plaintext: (await reader.decrypt(cmm, message)).plaintext }
    } catch (error) {
      return { error }
    }
  }
  if (path === 'decryptStream') {
    const got = await runThrough(reader.decryptStream(cmm), [message])
    return got.error ? { error: got.error } : { plaintext: got.bytes }
  }
  const [entry] = await reader.decryptBatch(cmm, [message])
  if (!entry) throw new Error('no batch entry')
  return entry.ok ? { plaintext: entry.plaintext } : { error: entry.error }
}

const PLAINTEXT = Buffer.from('materials are checked before any plaintext is released')
/** Unsigned and signed, committing and not. */
const SUITES = [0x0178, 0x0378, 0x0478, 0x0578]

for (const backend of BACKENDS) {
  for (const suiteId of SUITES) {
    const signed = suite(suiteId).signature !== undefined
    const title = `[${backend}] ${hex4(suiteId)}`

    const messageP = clientFor(suiteId, backend)
      .encrypt(aesKeyring(), PLAINTEXT, { suiteId: suiteId as never })
      .then((r) => r.result)

    test(`${title}: every decrypt path wipes the data key it was handed once the message is done`, async (t) => {
      const message = await messageP
      for (const path of PATHS) {
        const cmm = new BentCmm()
        const got = await open(path, suiteId, backend, cmm, message)
        t.is(got.error, undefined, path)
        t.true(got.plaintext?.equals(PLAINTEXT), path)
        t.true(cmm.handedOut.length > 0, path)
        t.true(
          cmm.handedOut.every((m) => !m.hasUnencryptedDataKey),
          `${path}: the materials still hold their data key`,
        )
      }
    })

    const refusals: Array<[string, Bend, EsdkError['code']]> = [
      ['materials without a data key', (m) => bare(m, m.suite.id, false), 'KEYRING'],
      ['materials for another suite', (m) => bare(m, suiteId === 0x0578 ? 0x0478 : 0x0578), 'KEYRING'],
    ]
    if (signed)
      refusals.push(['signed-suite materials without a verification key', (m) => bare(m), 'AUTHENTICATION_FAILED'])

    for (const [what, bend, code] of refusals) {
      test(`${title}: ${what} are refused (${code}) by decrypt, decryptStream and decryptBatch`, async (t) => {
        const message = await messageP
        for (const path of PATHS) {
          const got = await open(path, suiteId, backend, new BentCmm(bend), message)
          t.true(got.error instanceof EsdkError, `${path}: ${String(got.error)}`)
          t.is((got.error as EsdkError).code, code, path)
          t.is(got.plaintext, undefined, path)
        }
      })
    }
  }
}
