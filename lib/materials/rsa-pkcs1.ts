// The RSA PKCS#1 v1.5 unwrap a backend may lend the raw RSA keyring (materials never import a backend).
import type { KeyObject } from 'node:crypto'

/**
 * RSA PKCS#1 v1.5 decryption of a wrapped data key with implicit rejection (Marvin, CVE-2023-46809):
 * it never reports a bad ciphertext. A ciphertext that does not decrypt under the key, or not to
 * exactly `keyLength` bytes, or is not as long as the modulus, yields `keyLength` random bytes
 * instead, so the failure only shows later, where a wrong key would: the message's key commitment
 * or header tag, with the one generic authentication error.
 */
export interface RsaPkcs1Unwrap {
  /**
   * The data key in an unpooled buffer the caller owns and wipes. Throws only for faults that do not
   * depend on `wrapped`'s content (a key it cannot import, a disposed key).
   */
  unwrap(privateKey: KeyObject, wrapped: Uint8Array, keyLength: number): Buffer
  /** Frees the backend's imported copy of `privateKey` now, instead of when the KeyObject is collected. */
  forget(privateKey: KeyObject): void
}
