// The steps every decryption takes between a parsed header and its body, in order: policy, materials from the CMM, their checks, the context the header tag also covers (client-apis/decrypt.md).
import { KeyringError } from '../core/errors'
import { CommitmentPolicy, assertDecryptAllowed } from '../core/policy'
import {
  EncryptionContext,
  contextFromEntries,
  contextValue,
  hasContextKey,
  serializeContextEntries,
} from '../format/encryption-context'
import { MessageHeader, ParsedHeader } from '../format/header'
import { DecryptionRequest, NodeMaterialsManager } from '../materials/keyring'
import type { KeyringCryptoSource } from '../materials/keyring-crypto'
import { NodeDecryptionMaterial } from '../materials/materials'
import { CryptoBackend } from '../backend/backend'

export interface DecryptSettings {
  readonly backend: CryptoBackend
  readonly commitmentPolicy: CommitmentPolicy
  readonly maxEncryptedDataKeys: number | false
}

const NO_BYTES = Buffer.alloc(0)
const EMPTY_CONTEXT: EncryptionContext = Object.freeze({})

/** The CMM's materials for a parsed header: synchronous when the CMM can answer without a promise (raw keyrings), else a promise. */
export function decryptionMaterials(
  settings: DecryptSettings,
  cmm: NodeMaterialsManager,
  parsed: ParsedHeader,
  reproducedEncryptionContext: EncryptionContext | undefined,
): NodeDecryptionMaterial | Promise<NodeDecryptionMaterial> {
  const { header, suite } = parsed
  // The backend's keyring crypto rides along for the keyrings (materials never import a backend).
  const request: DecryptionRequest & KeyringCryptoSource = {
    suite,
    encryptedDataKeys: header.encryptedDataKeys,
    encryptionContext: header.encryptionContext,
    reproducedEncryptionContext,
    commitmentPolicy: settings.commitmentPolicy,
    keyringCrypto: settings.backend.keyringCrypto,
  }
  return cmm.decryptMaterialsSync?.(request) ?? cmm.decryptMaterials(request)
}

/** What the materials add to the header: the pairs only the header tag covers, serialized for its AAD and merged into the messageHeader callers see. */
export interface AuthenticatedContext {
  readonly extraAad: Buffer
  readonly messageHeader: MessageHeader
}

/** decrypt.md: the materials must match the parsed suite and the policy, and carry a data key; then the authenticated-only context. */
export function checkDecryptionMaterials(
  material: NodeDecryptionMaterial,
  parsed: ParsedHeader,
  policy: CommitmentPolicy,
): AuthenticatedContext {
  if (material.suite.id !== parsed.suite.id)
    throw new KeyringError('the CMM returned materials for a different algorithm suite')
  assertDecryptAllowed(policy, material.suite)
  if (!material.hasUnencryptedDataKey) throw new KeyringError('the CMM returned no data key')
  const { header } = parsed
  const authenticatedOnly = authenticatedOnlyContext(material, header.encryptionContext)
  if (authenticatedOnly === EMPTY_CONTEXT) return { extraAad: NO_BYTES, messageHeader: header }
  return {
    extraAad: serializeContextEntries(authenticatedOnly),
    messageHeader: Object.freeze({
      ...header,
      encryptionContext: contextFromEntries([
        ...Object.entries(header.encryptionContext),
        ...Object.entries(authenticatedOnly),
      ]),
    }),
  }
}

/** The reproduced pairs under required keys that the header does not store: authenticated by the header tag only. */
function authenticatedOnlyContext(material: NodeDecryptionMaterial, stored: EncryptionContext): EncryptionContext {
  if (material.requiredEncryptionContextKeys.length === 0) return EMPTY_CONTEXT
  const out: [string, string][] = []
  for (const key of material.requiredEncryptionContextKeys) {
    const value = contextValue(material.encryptionContext, key)
    if (value === undefined) throw new KeyringError(`required encryption context key "${key}" has no value`)
    if (!hasContextKey(stored, key)) out.push([key, value])
  }
  return out.length === 0 ? EMPTY_CONTEXT : contextFromEntries(out)
}
