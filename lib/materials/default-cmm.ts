// Default CMM: signing keys for signed suites and one keyring call per request (framework/default-cmm.md).
import { InvalidArgumentError, KeyringError, MalformedMessageError, needs } from '../core/errors'
import { assertEncryptAllowed, defaultSuiteFor } from '../core/policy'
import { findSuite } from '../core/suites'
import { EncryptionContext, contextFromEntries, contextValue, hasContextKey } from '../format/encryption-context'
import { DecryptionRequest, EncryptionRequest, KeyringNode, NodeMaterialsManager, isKeyring } from './keyring'
import { KeyWrapSource, NodeDecryptionMaterial, NodeEncryptionMaterial } from './materials'
import { SigningKeySource, decodeVerificationPoint, nodeSigningKeys } from './signature-keys'

/** The reserved context key that carries a signed message's verification key. */
export const PUBLIC_KEY_CONTEXT_KEY = 'aws-crypto-public-key'

export class NodeDefaultCryptographicMaterialsManager implements NodeMaterialsManager {
  readonly keyring: KeyringNode

  constructor(keyring: KeyringNode) {
    needs(isKeyring(keyring), 'NodeDefaultCryptographicMaterialsManager needs a keyring')
    this.keyring = keyring
    Object.freeze(this)
  }

  /**
   * `request.signingKeys` and `request.keyWrap` (set by the session from its backend) supply the
   * signing key and the keyring's AES-GCM; node:crypto's otherwise.
   */
  async getEncryptionMaterials(request: EncryptionRequest & SigningKeySource & KeyWrapSource): Promise<NodeEncryptionMaterial> {
    const { encryptionContext, commitmentPolicy } = request
    const suite = request.suite ?? (findSuite(defaultSuiteFor(commitmentPolicy)) as NonNullable<EncryptionRequest['suite']>)
    assertEncryptAllowed(commitmentPolicy, suite)
    if (hasContextKey(encryptionContext, PUBLIC_KEY_CONTEXT_KEY)) {
      throw new InvalidArgumentError(`encryption context key ${PUBLIC_KEY_CONTEXT_KEY} is reserved`)
    }
    let context = encryptionContext
    const signingKey = suite.signature ? await (request.signingKeys ?? nodeSigningKeys).acquire(suite.signature) : undefined
    if (signingKey) context = contextFromEntries([...Object.entries(context), [PUBLIC_KEY_CONTEXT_KEY, signingKey.publicKeyCompressed.toString('base64')]])
    const material = new NodeEncryptionMaterial(suite, context)
    if (request.keyWrap) material.keyWrap = request.keyWrap
    if (signingKey) material.setSignatureKey(signingKey)
    await this.keyring.onEncrypt(material)
    if (!material.hasUnencryptedDataKey) throw new KeyringError('the keyring did not produce a data key')
    if (material.encryptedDataKeys.length === 0) throw new KeyringError('the keyring did not produce an encrypted data key')
    return material
  }

  async decryptMaterials(request: DecryptionRequest & KeyWrapSource): Promise<NodeDecryptionMaterial> {
    const { suite, encryptedDataKeys } = request
    const { context, requiredKeys } = mergeReproducedContext(request.encryptionContext, request.reproducedEncryptionContext)
    const publicKey = contextValue(context, PUBLIC_KEY_CONTEXT_KEY)
    // default-cmm.md#decrypt-materials: the key must be present exactly when the suite signs.
    if (suite.signature && publicKey === undefined) throw new MalformedMessageError('signed message without aws-crypto-public-key')
    if (!suite.signature && publicKey !== undefined) throw new MalformedMessageError('unsigned message carries aws-crypto-public-key')
    const material = new NodeDecryptionMaterial(suite, context, requiredKeys)
    if (request.keyWrap) material.keyWrap = request.keyWrap
    if (suite.signature && publicKey !== undefined) material.setVerificationKey(decodeVerificationPoint(publicKey, suite.signature))
    await this.keyring.onDecrypt(material, encryptedDataKeys)
    if (!material.hasUnencryptedDataKey) throw new KeyringError('unable to decrypt any data key with the given keyring')
    return material
  }
}

/**
 * Joins the caller's reproduced context with the stored one (client-apis/decrypt.md): shared keys
 * must agree; pairs the header does not store become required, so the header tag must cover them.
 */
export function mergeReproducedContext(
  stored: EncryptionContext,
  reproduced: EncryptionContext | undefined,
): { context: EncryptionContext; requiredKeys: string[] } {
  if (!reproduced) return { context: stored, requiredKeys: [] }
  const added: [string, string][] = []
  for (const [key, value] of Object.entries(reproduced)) {
    if (hasContextKey(stored, key)) {
      if (stored[key] !== value) throw new InvalidArgumentError(`encryption context value for "${key}" does not match the message`)
    } else {
      added.push([key, value])
    }
  }
  return { context: contextFromEntries([...Object.entries(stored), ...added]), requiredKeys: added.map(([key]) => key) }
}
