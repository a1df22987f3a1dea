// Materials rebuilt with one part changed (another suite, no data key, a number of EDKs, another signing key): what a misbehaving CMM might answer.
import { findSuite } from '../../lib/core/suites'
import { NodeEncryptionMaterial } from '../../lib/materials/materials'

export interface MaterialParts {
  readonly suiteId?: number
  readonly dataKey?: boolean
  readonly edks?: number
  /** 'keep' (the default) keeps the original's, 'none' drops it. */
  readonly signingKey?: NonNullable<NodeEncryptionMaterial['signatureKey']> | 'keep' | 'none'
}

/**
 * Materials like `m` with the parts changed: another suite (its data key cut to that suite's length), no data
 * key, a number of copies of its first EDK, another signing key. `m`'s data key is wiped.
 */
export function rebuiltEncryptionMaterial(m: NodeEncryptionMaterial, parts: MaterialParts): NodeEncryptionMaterial {
  const suite = findSuite(parts.suiteId ?? m.suite.id)
  if (!suite) throw new Error(`no suite ${String(parts.suiteId)}`)
  const out = new NodeEncryptionMaterial(suite, m.encryptionContext)
  if (parts.dataKey ?? true)
    out.setUnencryptedDataKey(Buffer.from(m.getUnencryptedDataKey().subarray(0, out.suite.keyLengthBytes)))
  const first = m.encryptedDataKeys[0]
  if (!first) throw new Error('the materials to rebuild have no EDK')
  for (let i = 0; i < (parts.edks ?? 1); i++) out.addEncryptedDataKey(first)
  const key = parts.signingKey ?? 'keep'
  const signing = key === 'keep' ? m.signatureKey : key === 'none' ? undefined : key
  if (signing) out.setSignatureKey(signing)
  m.zeroUnencryptedDataKey()
  return out
}
