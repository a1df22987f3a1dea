// A CMM for tests that check what became of the materials: the default CMM over a given keyring, keeping every encryption material it hands out.
import { NodeDefaultCryptographicMaterialsManager } from '../../lib/materials/default-cmm'
import { DecryptionRequest, EncryptionRequest, KeyringNode, NodeMaterialsManager } from '../../lib/materials/keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../../lib/materials/materials'

/** Answers only asynchronously (no *Sync methods), so every session and batch path asks it the same way. */
export class KeepingCmm implements NodeMaterialsManager {
  readonly given: NodeEncryptionMaterial[] = []
  private readonly inner: NodeDefaultCryptographicMaterialsManager

  constructor(keyring: KeyringNode) {
    this.inner = new NodeDefaultCryptographicMaterialsManager(keyring)
  }

  async getEncryptionMaterials(request: EncryptionRequest): Promise<NodeEncryptionMaterial> {
    const m = await this.inner.getEncryptionMaterials(request)
    this.given.push(m)
    return m
  }

  decryptMaterials(request: DecryptionRequest): Promise<NodeDecryptionMaterial> {
    return this.inner.decryptMaterials(request)
  }
}
