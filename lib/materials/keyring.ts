// The keyring and CMM contracts (framework/keyring-interface.md, cmm-interface.md) and the base class custom keyrings extend.
import { KeyringError } from '../core/errors'
import { CommitmentPolicy } from '../core/policy'
import { AlgorithmSuite } from '../core/suites'
import { EncryptionContext } from '../format/encryption-context'
import { EncryptedDataKey } from '../format/header'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from './materials'

/**
 * Base class with the official `KeyringNode` call shape: subclasses implement `_onEncrypt` and
 * `_onDecrypt`; callers use `onEncrypt` / `onDecrypt`, which enforce the interface's postconditions.
 */
export abstract class KeyringNode {
  async onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    const result = await this._onEncrypt(material)
    if (result !== material) throw new KeyringError('a keyring must return the materials it was given')
    return result
  }

  async onDecrypt(material: NodeDecryptionMaterial, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<NodeDecryptionMaterial> {
    // keyring-interface.md#ondecrypt: a keyring must not replace a data key already present.
    if (material.hasUnencryptedDataKey) return material
    const result = await this._onDecrypt(material, encryptedDataKeys)
    if (result !== material) throw new KeyringError('a keyring must return the materials it was given')
    return result
  }

  protected abstract _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial>
  protected abstract _onDecrypt(material: NodeDecryptionMaterial, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<NodeDecryptionMaterial>
}

export interface EncryptionRequest {
  readonly suite?: AlgorithmSuite
  readonly encryptionContext: EncryptionContext
  readonly plaintextLength?: number
  readonly commitmentPolicy: CommitmentPolicy
}

export interface DecryptionRequest {
  readonly suite: AlgorithmSuite
  readonly encryptedDataKeys: readonly EncryptedDataKey[]
  /** The context stored in the message header. */
  readonly encryptionContext: EncryptionContext
  /** What the caller passed to decrypt, if anything (client-apis/decrypt.md). */
  readonly reproducedEncryptionContext?: EncryptionContext
  readonly commitmentPolicy: CommitmentPolicy
}

export interface NodeMaterialsManager {
  getEncryptionMaterials(request: EncryptionRequest): Promise<NodeEncryptionMaterial>
  decryptMaterials(request: DecryptionRequest): Promise<NodeDecryptionMaterial>
}

export function isMaterialsManager(value: unknown): value is NodeMaterialsManager {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as NodeMaterialsManager).getEncryptionMaterials === 'function' &&
    typeof (value as NodeMaterialsManager).decryptMaterials === 'function'
  )
}

export function isKeyring(value: unknown): value is KeyringNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as KeyringNode).onEncrypt === 'function' &&
    typeof (value as KeyringNode).onDecrypt === 'function'
  )
}

/** Raw keyrings must not claim the namespace AWS KMS keyrings use (SPEC-NOTES 26). */
export function isReservedNamespace(namespace: string): boolean {
  return namespace.startsWith('aws-kms')
}
