// A test-only key store that serves one static branch key (the Dafny vectors' `static-branch-key`), standing where BranchKeyStoreNode would.
import { NodeBranchKeyMaterial } from '../../lib/index'

export interface StaticBranchKey {
  readonly branchKeyId: string
  readonly branchKeyVersion: string
  readonly branchKey: Buffer
}

/** The hierarchical keyring accepts any object with the store's read operations; this one never calls KMS or DynamoDB. */
export class StaticBranchKeyStore {
  constructor(private readonly key: StaticBranchKey) {}

  async getActiveBranchKey(branchKeyId: string): Promise<NodeBranchKeyMaterial> {
    return this.material(branchKeyId, this.key.branchKeyVersion)
  }

  async getBranchKeyVersion(branchKeyId: string, branchKeyVersion: string): Promise<NodeBranchKeyMaterial> {
    return this.material(branchKeyId, branchKeyVersion)
  }

  getKeyStoreInfo(): {
    keystoreId: string
    keystoreTableName: string
    logicalKeyStoreName: string
    grantTokens: string[]
    kmsConfiguration: 'discovery'
  } {
    return {
      keystoreId: 'static',
      keystoreTableName: 'static',
      logicalKeyStoreName: 'static',
      grantTokens: [],
      kmsConfiguration: 'discovery',
    }
  }

  private material(branchKeyId: string, version: string): NodeBranchKeyMaterial {
    if (branchKeyId !== this.key.branchKeyId || version !== this.key.branchKeyVersion)
      throw new Error(`no branch key ${branchKeyId} version ${version}`)
    return new NodeBranchKeyMaterial(this.key.branchKey, branchKeyId, version, {})
  }
}
