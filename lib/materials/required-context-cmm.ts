// Required-encryption-context CMM: named context keys must be supplied on both sides and are authenticated, not stored (framework/required-encryption-context-cmm.md).
import { InvalidArgumentError, KeyringError, needs } from '../core/errors'
import { hasContextKey } from '../format/encryption-context'
import {
  DecryptionRequest,
  EncryptionRequest,
  KeyringNode,
  NodeMaterialsManager,
  isKeyring,
  isMaterialsManager,
} from './keyring'
import { NodeDefaultCryptographicMaterialsManager } from './default-cmm'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from './materials'

export interface RequiredEncryptionContextCMMInput {
  /** The CMM to delegate to; a keyring is wrapped in a default CMM. */
  underlyingCMM?: NodeMaterialsManager
  keyring?: KeyringNode
  requiredEncryptionContextKeys: string[]
}

export class RequiredEncryptionContextCMM implements NodeMaterialsManager {
  readonly underlyingCMM: NodeMaterialsManager
  readonly requiredEncryptionContextKeys: readonly string[]

  constructor({ underlyingCMM, keyring, requiredEncryptionContextKeys }: RequiredEncryptionContextCMMInput) {
    needs(!!underlyingCMM !== !!keyring, 'give exactly one of underlyingCMM or keyring')
    needs(
      Array.isArray(requiredEncryptionContextKeys) &&
        requiredEncryptionContextKeys.length > 0 &&
        requiredEncryptionContextKeys.every((k) => typeof k === 'string'),
      'requiredEncryptionContextKeys must be a non-empty list of strings',
    )
    if (underlyingCMM) needs(isMaterialsManager(underlyingCMM), 'underlyingCMM must be a materials manager')
    if (keyring) needs(isKeyring(keyring), 'keyring must be a keyring')
    this.underlyingCMM = underlyingCMM ?? new NodeDefaultCryptographicMaterialsManager(keyring as KeyringNode)
    this.requiredEncryptionContextKeys = Object.freeze([...new Set(requiredEncryptionContextKeys)])
    Object.freeze(this)
  }

  async getEncryptionMaterials(request: EncryptionRequest): Promise<NodeEncryptionMaterial> {
    for (const key of this.requiredEncryptionContextKeys) {
      if (!hasContextKey(request.encryptionContext, key))
        throw new InvalidArgumentError(`encryption context is missing required key "${key}"`)
    }
    const inner = await this.underlyingCMM.getEncryptionMaterials(request)
    for (const key of this.requiredEncryptionContextKeys) {
      if (!hasContextKey(inner.encryptionContext, key))
        throw new KeyringError(`the underlying CMM dropped required context key "${key}"`)
    }
    return withRequiredKeys(inner, this.requiredEncryptionContextKeys)
  }

  async decryptMaterials(request: DecryptionRequest): Promise<NodeDecryptionMaterial> {
    const reproduced = request.reproducedEncryptionContext ?? {}
    for (const key of this.requiredEncryptionContextKeys) {
      if (!hasContextKey(reproduced, key))
        throw new InvalidArgumentError(`the reproduced encryption context is missing required key "${key}"`)
    }
    const inner = await this.underlyingCMM.decryptMaterials(request)
    for (const key of this.requiredEncryptionContextKeys) {
      if (!inner.requiredEncryptionContextKeys.includes(key) && !hasContextKey(request.encryptionContext, key)) {
        throw new KeyringError(`the underlying CMM did not authenticate required context key "${key}"`)
      }
    }
    return inner
  }
}

/** Materials are immutable once keyed, so the required keys go on a re-keyed copy; the original is wiped. */
function withRequiredKeys(inner: NodeEncryptionMaterial, keys: readonly string[]): NodeEncryptionMaterial {
  const merged = [...new Set([...inner.requiredEncryptionContextKeys, ...keys])]
  const out = new NodeEncryptionMaterial(inner.suite, inner.encryptionContext, merged)
  out.setUnencryptedDataKey(inner.getUnencryptedDataKey())
  inner.zeroUnencryptedDataKey()
  for (const edk of inner.encryptedDataKeys) out.addEncryptedDataKey(edk)
  if (inner.signatureKey) out.setSignatureKey(inner.signatureKey)
  return out
}
