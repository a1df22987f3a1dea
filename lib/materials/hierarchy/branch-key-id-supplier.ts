// The branch key id supplier (aws-kms-hierarchical-keyring.md "Branch Key Supplier"): which branch key serves a message, chosen from its encryption context.
import type { EncryptionContext } from '../../format/encryption-context'

/** The official interface: multi-tenant keyrings pick a tenant's branch key from the context. */
export interface BranchKeyIdSupplier {
  getBranchKeyId(encryptionContext: EncryptionContext): string
}

export function isBranchKeyIdSupplier(value: unknown): value is BranchKeyIdSupplier {
  return (
    typeof value === 'object' && value !== null && typeof (value as BranchKeyIdSupplier).getBranchKeyId === 'function'
  )
}
