// The checks encrypt makes on the CMM's answer, on every encrypt path (one-shot, stream, batch) and backend: materials for another suite, without a data key, without encrypted data keys, with more of them than the client allows, or with a signing key that does not match the suite are refused before any byte is written.
import test from 'ava'
import { EsdkError, KeyringError, LimitExceededError } from '../../lib/core/errors'
import { NodeDefaultCryptographicMaterialsManager } from '../../lib/materials/default-cmm'
import { DecryptionRequest, EncryptionRequest, NodeMaterialsManager } from '../../lib/materials/keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'
import { rebuiltEncryptionMaterial } from '../materials/rebuilt-materials'
import { runThrough } from '../stream/helpers'
import { BACKENDS, P, aesKeyring, client, hex4, suite } from './fixtures'

// client-apis/encrypt.md "Get the encryption materials": the materials must be for the requested
// suite (one the policy allows), hold a plaintext data key and at least one encrypted data key
// (no more than the configured maximum), and carry a signing key exactly when the suite signs.

type Bend = (m: NodeEncryptionMaterial, request: EncryptionRequest) => Promise<NodeEncryptionMaterial>

/** The default CMM over an AES keyring, its encrypt answers passed through `bend`. */
class BentCmm implements NodeMaterialsManager {
  readonly inner = new NodeDefaultCryptographicMaterialsManager(aesKeyring())
  constructor(private readonly bend: Bend) {}
  async getEncryptionMaterials(request: EncryptionRequest): Promise<NodeEncryptionMaterial> {
    return this.bend(await this.inner.getEncryptionMaterials(request), request)
  }
  decryptMaterials(request: DecryptionRequest): Promise<NodeDecryptionMaterial> {
    return this.inner.decryptMaterials(request)
  }
}

type Path = 'encrypt' | 'encryptStream' | 'encryptBatch'
const PATHS: readonly Path[] = ['encrypt', 'encryptStream', 'encryptBatch']
const PLAINTEXT = Buffer.from('nothing is written under materials that fail their checks')

/** The error the path gives and the bytes it wrote before it (none expected). */
async function seal(
  path: Path,
  suiteId: number,
  backend: 'js' | 'native',
  cmm: NodeMaterialsManager,
  maxEncryptedDataKeys: number | false,
): Promise<{ error?: unknown; written: number }> {
  const writer = client(P.REQUIRE_ENCRYPT_ALLOW_DECRYPT, { backend, maxEncryptedDataKeys })
  const options = { suiteId: suiteId as never }
  if (path === 'encrypt') {
    try {
      return { written: (await writer.encrypt(cmm, PLAINTEXT, options)).result.length }
    } catch (error) {
      return { error, written: 0 }
    }
  }
  if (path === 'encryptStream') {
    const got = await runThrough(writer.encryptStream(cmm, options), [PLAINTEXT])
    return { error: got.error, written: got.bytes.length }
  }
  const [entry] = await writer.encryptBatch(cmm, [PLAINTEXT], options)
  if (!entry) throw new Error('no batch entry')
  return entry.ok ? { written: entry.result.length } : { error: entry.error, written: 0 }
}

interface Case {
  readonly what: string
  readonly error: new (...args: never[]) => EsdkError
  readonly maxEncryptedDataKeys?: number
  readonly bend: Bend
}

function casesFor(suiteId: number): Case[] {
  const signed = suite(suiteId).signature !== undefined
  const other = suiteId === 0x0478 ? 0x0578 : 0x0478
  const cases: Case[] = [
    {
      what: 'materials for another suite than requested',
      error: KeyringError,
      bend: async (m) => rebuiltEncryptionMaterial(m, { suiteId: other, signingKey: 'none' }),
    },
    {
      what: 'materials without a data key',
      error: KeyringError,
      bend: async (m) => rebuiltEncryptionMaterial(m, { dataKey: false }),
    },
    {
      what: 'materials without encrypted data keys',
      error: KeyringError,
      bend: async (m) => rebuiltEncryptionMaterial(m, { edks: 0 }),
    },
    {
      what: 'two encrypted data keys where the client allows one',
      error: LimitExceededError,
      maxEncryptedDataKeys: 1,
      bend: async (m) => rebuiltEncryptionMaterial(m, { edks: 2 }),
    },
  ]
  if (signed)
    cases.push({
      what: 'a signed suite without its signing key',
      error: KeyringError,
      bend: async (m) => rebuiltEncryptionMaterial(m, { signingKey: 'none' }),
    })
  else
    cases.push({
      what: 'an unsigned suite with a signing key',
      error: KeyringError,
      // A real signing key, from materials the same CMM makes for the signed suite.
      bend: async (m, request) => {
        const signedMaterial = await new NodeDefaultCryptographicMaterialsManager(aesKeyring()).getEncryptionMaterials({
          ...request,
          suite: suite(0x0578),
        })
        signedMaterial.zeroUnencryptedDataKey()
        if (!signedMaterial.signatureKey) throw new Error('the signed suite came without a signing key')
        return rebuiltEncryptionMaterial(m, { signingKey: signedMaterial.signatureKey })
      },
    })
  return cases
}

for (const backend of BACKENDS) {
  for (const suiteId of [0x0478, 0x0578]) {
    for (const c of casesFor(suiteId)) {
      test(`[${backend}] ${hex4(suiteId)}: ${c.what}: refused by encrypt, encryptStream and encryptBatch, nothing written`, async (t) => {
        for (const path of PATHS) {
          const got = await seal(path, suiteId, backend, new BentCmm(c.bend), c.maxEncryptedDataKeys ?? false)
          t.true(got.error instanceof c.error, `${path}: ${String(got.error)}`)
          t.is(got.written, 0, `${path} wrote nothing`)
        }
        // The same client and CMM without the bend encrypt, so the refusal is the bend's.
        const plain = await seal(
          'encrypt',
          suiteId,
          backend,
          new BentCmm(async (m) => m),
          c.maxEncryptedDataKeys ?? false,
        )
        t.is(plain.error, undefined)
        t.true(plain.written > PLAINTEXT.length)
      })
    }
  }
}
