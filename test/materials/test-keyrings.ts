// Small keyrings for tests: a transparent one whose EDK is the data key itself, and one that always throws.
import { EncryptedDataKey } from '../../lib/format/header'
import { KeyringNode } from '../../lib/materials/keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'

/**
 * Generates a data key filled with `fill` (or uses the one present) and "wraps" it as itself, so a
 * test knows the data key of every message and can check the crypto by hand.
 */
export class TransparentKeyring extends KeyringNode {
  encryptCalls = 0
  decryptCalls = 0
  constructor(
    readonly name: string,
    readonly fill = 0x5a,
  ) {
    super()
  }

  protected async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    this.encryptCalls++
    if (!material.hasUnencryptedDataKey)
      material.setUnencryptedDataKey(Buffer.alloc(material.suite.keyLengthBytes, this.fill))
    const key = Buffer.from(material.getUnencryptedDataKey())
    return material.addEncryptedDataKey(
      new EncryptedDataKey({ providerId: 'transparent', providerInfo: this.name, encryptedDataKey: key }),
    )
  }

  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    this.decryptCalls++
    const edk = edks.find((e) => e.providerId === 'transparent' && e.providerInfo === this.name)
    if (edk) material.setUnencryptedDataKey(edk.encryptedDataKey)
    return material
  }
}

export class ThrowingKeyring extends KeyringNode {
  calls = 0
  constructor(readonly error: Error) {
    super()
  }

  protected async _onEncrypt(): Promise<NodeEncryptionMaterial> {
    this.calls++
    throw this.error
  }

  protected async _onDecrypt(): Promise<NodeDecryptionMaterial> {
    this.calls++
    throw this.error
  }
}
