// Multi-keyring: one generator makes the data key, every child wraps it; decrypt takes the first keyring that succeeds (framework/multi-keyring.md).
import { KeyringError, needs } from '../core/errors'
import { EncryptedDataKey } from '../format/header'
import { KeyringNode, isKeyring } from './keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from './materials'

export interface MultiKeyringNodeInput {
  generator?: KeyringNode
  children?: KeyringNode[]
}

export class MultiKeyringNode extends KeyringNode {
  readonly generator: KeyringNode | undefined
  readonly children: readonly KeyringNode[]

  constructor({ generator, children = [] }: MultiKeyringNodeInput) {
    super()
    needs(generator || children.length > 0, 'a multi-keyring needs a generator or at least one child')
    needs(generator === undefined || isKeyring(generator), 'generator must be a keyring')
    needs(Array.isArray(children) && children.every(isKeyring), 'children must be keyrings')
    this.generator = generator
    this.children = Object.freeze([...children])
    Object.freeze(this)
  }

  protected async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    if (this.generator) {
      await this.generator.onEncrypt(material)
      if (!material.hasUnencryptedDataKey) throw new KeyringError('the generator keyring did not produce a data key')
    } else if (!material.hasUnencryptedDataKey) {
      throw new KeyringError('a multi-keyring without a generator needs materials that already hold a data key')
    }
    // Any child failing fails the whole encrypt: a message must open with every configured key.
    for (const child of this.children) await child.onEncrypt(material)
    return material
  }

  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    const errors: unknown[] = []
    for (const keyring of this.generator ? [this.generator, ...this.children] : this.children) {
      try {
        await keyring.onDecrypt(material, edks)
      } catch (e) {
        errors.push(e)
        continue
      }
      if (material.hasUnencryptedDataKey) return material
    }
    if (errors.length > 0) throw new KeyringError('no keyring of the multi-keyring could decrypt a data key', errors)
    return material
  }
}
