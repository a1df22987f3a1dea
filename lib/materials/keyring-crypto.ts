// The one port through which keyrings borrow crypto from the session's backend: AES-GCM wrapping, RSA PKCS#1 v1.5 unwrap, ECDH, HKDF and the SP 800-108 KDF.
import type { KeyObject } from 'node:crypto'
import type { KdfHash } from '../core/suites'
import type { KdfCounterInput } from '../core/kdf-counter'
import type { EcCurve } from './ec-points'
import type { RsaPkcs1Unwrap } from './rsa-pkcs1'

/**
 * One ECDH agreement and the key derivation over its shared secret, as the raw ECDH keyring needs
 * it (framework/key-agreement-schemas.md "Key Derivation"). The shared secret never leaves the
 * implementation: what comes back is the derived keying material.
 */
export interface EcdhDeriveInput {
  readonly curve: EcCurve
  /**
   * The local private key (an EC KeyObject on `curve`), or `ephemeral`: a fresh key pair made for
   * this call alone, whose SEC1 compressed public key is written into `ephemeralPublicKeyOut`
   * before the derivation (it is part of FixedInfo, so point that view into `fixedInfo`).
   */
  readonly privateKey: KeyObject | 'ephemeral'
  readonly ephemeralPublicKeyOut?: Uint8Array
  /** The other party's SEC1 uncompressed point. Implementations refuse one that is not on the curve. */
  readonly peerPoint: Uint8Array
  /** KDF context: the 32 random bytes stored at the start of the EDK ciphertext. */
  readonly salt: Uint8Array
  /** KDF label: the serialized FixedInfo (framework/raw-ecdh-keyring.md). */
  readonly fixedInfo: Uint8Array
}

export interface KeyringCrypto {
  /** Who implements it: `node` (node:crypto) or `native` (the addon). */
  readonly name: 'node' | 'native'
  /** AES-GCM with a 16-byte tag; the AES variant follows the key length. Returns ciphertext ‖ tag. */
  aesGcmSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer
  /** The plaintext of ciphertext ‖ tag in an unpooled buffer the caller owns and wipes, or the Error that refused it. */
  aesGcmOpen(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer | Error
  /** RSA PKCS#1 v1.5 unwrap with implicit rejection, when the backend has one node:crypto's CVE-2023-46809 refusal does not cover. */
  readonly rsaPkcs1: RsaPkcs1Unwrap | undefined
  /** HKDF (RFC 5869) into an unpooled buffer the caller owns and wipes. */
  hkdf(hash: KdfHash, salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, length: number): Buffer
  /** The SP 800-108 counter-mode KDF with HMAC, into an unpooled buffer the caller owns and wipes. */
  kdfCounterMode(input: KdfCounterInput): Buffer
  /**
   * ECDH then the counter-mode KDF (HMAC-SHA384, 64 bytes) over the shared secret: commitment key ‖
   * wrapping key, in an unpooled buffer the caller owns and wipes. Throws InvalidArgumentError for
   * a peer point off the curve or a private key on another curve.
   */
  ecdhDeriveKeyingMaterial(input: EcdhDeriveInput): Buffer
}

/** The optional field of a materials request that carries the session backend's port (materials never import a backend). */
export interface KeyringCryptoSource {
  readonly keyringCrypto?: KeyringCrypto
}
