// A keyring wrapper that remembers which encrypted data key it opened, so the metadata can name the wrapping key that decrypted (the Python CLI's issue #130).
import { KeyringError } from '../core/errors'
import { EncryptedDataKey } from '../format/header'
import { KeyringNode } from '../materials/keyring'
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../materials/materials'

export interface DecryptingKey {
  readonly provider_id: string
  /** The KMS key ARN, or a raw key's name. */
  readonly key: string
}

/** What every witness of one run saw, by EDK: cache hits open nothing, and are matched against earlier openings. */
export class KeyWitnessLog {
  private readonly opened = new Map<string, DecryptingKey>()

  record(edk: EncryptedDataKey, key: DecryptingKey): void {
    this.opened.set(edkId(edk), key)
  }

  /** The key that opened one of these EDKs, if any witness opened it in this run. */
  find(edks: readonly EncryptedDataKey[]): DecryptingKey | undefined {
    for (const edk of edks) {
      const key = this.opened.get(edkId(edk))
      if (key !== undefined) return key
    }
    return undefined
  }
}

function edkId(edk: EncryptedDataKey): string {
  return `${edk.providerId}\u0000${Buffer.from(edk.rawInfo).toString('base64')}\u0000${Buffer.from(edk.encryptedDataKey).toString('base64')}`
}

export class KeyWitness extends KeyringNode {
  constructor(
    private readonly inner: KeyringNode,
    private readonly labelOf: (edk: EncryptedDataKey) => string,
    private readonly log: KeyWitnessLog,
  ) {
    super()
  }

  protected _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    return this.inner.onEncrypt(material)
  }

  protected override _onEncryptSync(material: NodeEncryptionMaterial): NodeEncryptionMaterial | undefined {
    return this.inner.onEncryptSync(material)
  }

  /** One EDK at a time, in the message's order (what the keyrings do themselves), so the one that opened is known. */
  protected async _onDecrypt(
    material: NodeDecryptionMaterial,
    encryptedDataKeys: readonly EncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    const errors: unknown[] = []
    for (const edk of encryptedDataKeys) {
      try {
        await this.inner.onDecrypt(material, [edk])
      } catch (e) {
        errors.push(e)
        continue
      }
      if (material.hasUnencryptedDataKey) {
        this.log.record(edk, { provider_id: edk.providerId, key: this.labelOf(edk) })
        return material
      }
    }
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1)
      throw new KeyringError(`no wrapping key opened the message (${errors.length} failures)`, errors)
    return material
  }
}
