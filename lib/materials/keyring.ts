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

  async onDecrypt(
    material: NodeDecryptionMaterial,
    encryptedDataKeys: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    // keyring-interface.md#ondecrypt: a keyring must not replace a data key already present.
    if (material.hasUnencryptedDataKey) return material
    const result = await this._onDecrypt(material, encryptedDataKeys)
    if (result !== material) throw new KeyringError('a keyring must return the materials it was given')
    return result
  }

  /**
   * Extension: onEncrypt without a promise, for keyrings that need no I/O (raw keyrings). undefined
   * means "cannot answer synchronously" and is returned before the material is touched; the caller
   * then awaits onEncrypt. A promise hop per layer is a large share of a small message's cost.
   */
  onEncryptSync(material: NodeEncryptionMaterial): NodeEncryptionMaterial | undefined {
    // A subclass that overrides the public method has its own idea of encrypting: defer to it.
    if (this.onEncrypt !== KeyringNode.prototype.onEncrypt) return undefined
    const result = this._onEncryptSync(material)
    if (result !== undefined && result !== material)
      throw new KeyringError('a keyring must return the materials it was given')
    return result
  }

  /** Extension: onDecrypt without a promise; undefined as for onEncryptSync. */
  onDecryptSync(
    material: NodeDecryptionMaterial,
    encryptedDataKeys: readonly EncryptedDataKey[],
  ): NodeDecryptionMaterial | undefined {
    if (this.onDecrypt !== KeyringNode.prototype.onDecrypt) return undefined
    if (material.hasUnencryptedDataKey) return material
    const result = this._onDecryptSync(material, encryptedDataKeys)
    if (result !== undefined && result !== material)
      throw new KeyringError('a keyring must return the materials it was given')
    return result
  }

  /**
   * Whether onEncryptSync can ever answer: false when the keyring (or a subclass overriding the
   * public method) has no synchronous hook, so a caller can skip work it would otherwise throw
   * away (a default CMM drawing a signing key before asking).
   */
  static mayEncryptSync(keyring: KeyringNode): boolean {
    return (
      typeof keyring.onEncryptSync === 'function' &&
      keyring.onEncrypt === KeyringNode.prototype.onEncrypt &&
      keyring._onEncryptSync !== KeyringNode.prototype._onEncryptSync
    )
  }

  /** Synchronous keyrings override this (and keep _onEncrypt for the official call shape); undefined: not synchronous. */
  protected _onEncryptSync(_material: NodeEncryptionMaterial): NodeEncryptionMaterial | undefined {
    return undefined
  }

  protected _onDecryptSync(
    _material: NodeDecryptionMaterial,
    _encryptedDataKeys: readonly EncryptedDataKey[],
  ): NodeDecryptionMaterial | undefined {
    return undefined
  }

  protected abstract _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial>
  protected abstract _onDecrypt(
    material: NodeDecryptionMaterial,
    encryptedDataKeys: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial>
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
  /**
   * Extension: the same answer without a promise when the CMM (and its keyrings) can give one;
   * undefined otherwise, and then the session awaits the async method with the same request.
   */
  getEncryptionMaterialsSync?(request: EncryptionRequest): NodeEncryptionMaterial | undefined
  decryptMaterialsSync?(request: DecryptionRequest): NodeDecryptionMaterial | undefined
  /**
   * Extension (batch API): materials for `plaintextLengths.length` messages of one request, exactly
   * as if they had been asked for one by one, in order (a caching CMM counts every message against
   * its limits and takes a fresh data key where one runs out). The runs cover the messages in order.
   * Synchronous when no step needed I/O, a promise otherwise. Without it, the batch API asks once
   * per message. `onRun`, when given, is also handed each run as soon as it is answered (the same
   * objects, in the same order as the returned array), so the caller can seal those messages while
   * the later runs' materials are still on their way.
   */
  getEncryptionMaterialsForBatch?(
    request: EncryptionRequest,
    plaintextLengths: readonly number[],
    onRun?: (run: EncryptionMaterialsRun) => void,
  ): EncryptionMaterialsRun[] | Promise<EncryptionMaterialsRun[]>
}

/**
 * Consecutive messages of a batch served by one materials answer (the caller owns `material` and
 * wipes it), or failed by one error: a materials failure fails the messages that needed them.
 */
export type EncryptionMaterialsRun =
  | { readonly count: number; readonly material: NodeEncryptionMaterial; readonly error?: undefined }
  | { readonly count: number; readonly material?: undefined; readonly error: unknown }

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

/** Raw keyrings must not claim the namespace AWS KMS keyrings use (framework/keyring-interface.md "key provider ID"). */
export function isReservedNamespace(namespace: string): boolean {
  return namespace.startsWith('aws-kms')
}
