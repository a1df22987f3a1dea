// Copies of cached materials for callers: a fresh data key buffer each, because the session wipes what it is handed.
import { NodeDecryptionMaterial, NodeEncryptionMaterial } from '../materials'

/*
 * encrypt-message.ts and decrypt-message.ts call zeroUnencryptedDataKey() on the materials they
 * get once the message is done. The cache owns its entry's key (and wipes it on eviction), so every
 * caller gets its own copy: setUnencryptedDataKey copies into a buffer the new material owns.
 *
 * The signing key (a KeyObject, immutable) is shared, not copied: every message encrypted from one
 * cache entry is signed with the same key pair, as with the official caching CMM. The public key in
 * the context is therefore the same across those messages too.
 */

export function cloneEncryptionMaterial(source: NodeEncryptionMaterial): NodeEncryptionMaterial {
  const copy = new NodeEncryptionMaterial(source.suite, source.encryptionContext, source.requiredEncryptionContextKeys)
  copy.setUnencryptedDataKey(source.getUnencryptedDataKey())
  for (const edk of source.encryptedDataKeys) copy.addEncryptedDataKey(edk)
  if (source.signatureKey) copy.setSignatureKey(source.signatureKey)
  return copy
}

export function cloneDecryptionMaterial(source: NodeDecryptionMaterial): NodeDecryptionMaterial {
  const copy = new NodeDecryptionMaterial(source.suite, source.encryptionContext, source.requiredEncryptionContextKeys)
  copy.setUnencryptedDataKey(source.getUnencryptedDataKey())
  // The form that was set, not `verificationKey`, which would build a KeyObject on every cached decrypt.
  const verification = source.verificationKeyForms
  if (verification) copy.setVerificationKey(verification)
  return copy
}
