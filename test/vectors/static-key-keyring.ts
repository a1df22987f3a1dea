// A test-only keyring that supplies a known plaintext data key on decrypt (commitment-v2 and decrypt-oracle sets).
import {
  AlgorithmSuite,
  EncryptedDataKey,
  KeyringNode,
  NodeDecryptionMaterial,
  NodeEncryptionMaterial,
} from '../../lib/index'

export class StaticDataKeyKeyring extends KeyringNode {
  private readonly dataKey: (suite: AlgorithmSuite) => Uint8Array
  private readonly providerId: string | undefined

  /**
   * `dataKey` gives the key for the message's suite. With `providerId`, the key is supplied only if the
   * message carries an EDK from that provider (as the Python test key providers behave); without, for any EDK.
   */
  constructor(dataKey: (suite: AlgorithmSuite) => Uint8Array, providerId?: string) {
    super()
    this.dataKey = dataKey
    this.providerId = providerId
  }

  protected async _onEncrypt(_material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    throw new Error('StaticDataKeyKeyring is for decrypt-only vectors')
  }

  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    if (this.providerId !== undefined && !edks.some((edk) => edk.providerId === this.providerId)) return material
    return material.setUnencryptedDataKey(this.dataKey(material.suite))
  }
}
