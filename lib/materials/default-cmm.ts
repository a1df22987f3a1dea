// Default CMM: signing keys for signed suites and one keyring call per request (framework/default-cmm.md).
import { InvalidArgumentError, KeyringError, MalformedMessageError, needs } from '../core/errors'
import { assertEncryptAllowed, defaultSuiteFor } from '../core/policy'
import { AlgorithmSuite, findSuite } from '../core/suites'
import { EncryptionContext, contextFromEntries, contextValue, hasContextKey } from '../format/encryption-context'
import { DecryptionRequest, EncryptionRequest, KeyringNode, NodeMaterialsManager, isKeyring } from './keyring'
import type { KeyringCryptoSource } from './keyring-crypto'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from './materials'
import {
  SigningKey,
  SigningKeySource,
  decodeVerificationPoint,
  disposeSigningKey,
  nodeSigningKeys,
} from './signature-keys'

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
   * `request.signingKeys` and `request.keyringCrypto` (set by the session from its backend) supply
   * the signing key and the keyrings' crypto; node:crypto's otherwise.
   */
  async getEncryptionMaterials(
    request: EncryptionRequest & SigningKeySource & KeyringCryptoSource,
  ): Promise<NodeEncryptionMaterial> {
    const suite = this.encryptSuite(request)
    const signingKey = suite.signature ? (request.signingKeys ?? nodeSigningKeys).acquire(suite.signature) : undefined
    const material = this.newEncryptionMaterial(request, suite, signingKey)
    await this.keyring.onEncrypt(material)
    return checkEncryptionMaterial(material)
  }

  /**
   * Extension: getEncryptionMaterials without a promise, when the keyring answers synchronously
   * (raw keyrings); undefined otherwise. Signed suites too: both signing-key providers hand a key
   * over synchronously. A keyring that cannot answer synchronously is known before the signing
   * key is drawn (KeyringNode.mayEncryptSync), so no key is made only to be thrown away.
   */
  getEncryptionMaterialsSync(
    request: EncryptionRequest & SigningKeySource & KeyringCryptoSource,
  ): NodeEncryptionMaterial | undefined {
    // A subclass that overrides the async method has its own idea of materials: defer to it.
    if (this.getEncryptionMaterials !== NodeDefaultCryptographicMaterialsManager.prototype.getEncryptionMaterials)
      return undefined
    const keyring = this.keyring
    if (!KeyringNode.mayEncryptSync(keyring) || asyncKeyrings.has(keyring)) return undefined
    const suite = this.encryptSuite(request)
    const signingKey = suite.signature ? (request.signingKeys ?? nodeSigningKeys).acquire(suite.signature) : undefined
    const material = this.newEncryptionMaterial(request, suite, signingKey)
    let answered: NodeEncryptionMaterial | undefined
    try {
      answered = keyring.onEncryptSync(material)
    } catch (e) {
      disposeSigningKey(signingKey)
      throw e
    }
    if (answered === undefined) {
      // A keyring with a synchronous hook that still declined (a multi-keyring over a KMS child):
      // remember it, so later requests go straight to the async path without drawing a key first.
      asyncKeyrings.add(keyring)
      disposeSigningKey(signingKey)
      return undefined
    }
    return checkEncryptionMaterial(material)
  }

  private encryptSuite(request: EncryptionRequest): AlgorithmSuite {
    const { encryptionContext, commitmentPolicy } = request
    const suite = request.suite ?? (findSuite(defaultSuiteFor(commitmentPolicy)) as AlgorithmSuite)
    assertEncryptAllowed(commitmentPolicy, suite)
    if (hasContextKey(encryptionContext, PUBLIC_KEY_CONTEXT_KEY)) {
      throw new InvalidArgumentError(`encryption context key ${PUBLIC_KEY_CONTEXT_KEY} is reserved`)
    }
    return suite
  }

  private newEncryptionMaterial(
    request: EncryptionRequest & KeyringCryptoSource,
    suite: AlgorithmSuite,
    signingKey: SigningKey | undefined,
  ): NodeEncryptionMaterial {
    let context = request.encryptionContext
    if (signingKey)
      context = contextFromEntries([
        ...Object.entries(context),
        [PUBLIC_KEY_CONTEXT_KEY, signingKey.publicKeyCompressed.toString('base64')],
      ])
    const material = new NodeEncryptionMaterial(suite, context)
    if (request.keyringCrypto) material.keyringCrypto = request.keyringCrypto
    if (signingKey) material.setSignatureKey(signingKey)
    return material
  }

  async decryptMaterials(request: DecryptionRequest & KeyringCryptoSource): Promise<NodeDecryptionMaterial> {
    const material = this.newDecryptionMaterial(request)
    await this.keyring.onDecrypt(material, request.encryptedDataKeys)
    return checkDecryptionMaterial(material)
  }

  /** Extension: decryptMaterials without a promise when the keyring answers synchronously; undefined otherwise. */
  decryptMaterialsSync(request: DecryptionRequest & KeyringCryptoSource): NodeDecryptionMaterial | undefined {
    if (this.decryptMaterials !== NodeDefaultCryptographicMaterialsManager.prototype.decryptMaterials) return undefined
    const keyring: Partial<Pick<KeyringNode, 'onDecryptSync'>> = this.keyring
    if (typeof keyring.onDecryptSync !== 'function') return undefined
    const material = this.newDecryptionMaterial(request)
    if (keyring.onDecryptSync(material, request.encryptedDataKeys) === undefined) return undefined
    return checkDecryptionMaterial(material)
  }

  private newDecryptionMaterial(request: DecryptionRequest & KeyringCryptoSource): NodeDecryptionMaterial {
    const { suite } = request
    const { context, requiredKeys } = mergeReproducedContext(
      request.encryptionContext,
      request.reproducedEncryptionContext,
    )
    const publicKey = contextValue(context, PUBLIC_KEY_CONTEXT_KEY)
    // default-cmm.md#decrypt-materials: the key must be present exactly when the suite signs.
    if (suite.signature && publicKey === undefined)
      throw new MalformedMessageError('signed message without aws-crypto-public-key')
    if (!suite.signature && publicKey !== undefined)
      throw new MalformedMessageError('unsigned message carries aws-crypto-public-key')
    const material = new NodeDecryptionMaterial(suite, context, requiredKeys)
    if (request.keyringCrypto) material.keyringCrypto = request.keyringCrypto
    if (suite.signature && publicKey !== undefined)
      material.setVerificationKey(decodeVerificationPoint(publicKey, suite.signature))
    return material
  }
}

/** Keyrings whose synchronous hook declined once: they are asked asynchronously from then on. */
const asyncKeyrings = new WeakSet<KeyringNode>()

/**
 * True for exactly this class (not a subclass): its materials each carry a signing key drawn for
 * them alone, so the session that used one may dispose of it. Any other CMM (caching, custom) may
 * share a key between messages, which then stays to the garbage collector.
 */
export function drawsFreshSigningKeys(cmm: unknown): boolean {
  return (
    typeof cmm === 'object' &&
    cmm !== null &&
    Object.getPrototypeOf(cmm) === NodeDefaultCryptographicMaterialsManager.prototype
  )
}

function checkEncryptionMaterial(material: NodeEncryptionMaterial): NodeEncryptionMaterial {
  if (!material.hasUnencryptedDataKey) throw new KeyringError('the keyring did not produce a data key')
  if (material.encryptedDataKeys.length === 0)
    throw new KeyringError('the keyring did not produce an encrypted data key')
  return material
}

function checkDecryptionMaterial(material: NodeDecryptionMaterial): NodeDecryptionMaterial {
  if (!material.hasUnencryptedDataKey) throw new KeyringError('unable to decrypt any data key with the given keyring')
  return material
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
      if (stored[key] !== value)
        throw new InvalidArgumentError(`encryption context value for "${key}" does not match the message`)
    } else {
      added.push([key, value])
    }
  }
  return { context: contextFromEntries([...Object.entries(stored), ...added]), requiredKeys: added.map(([key]) => key) }
}
