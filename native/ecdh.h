// ECDH over EVP_PKEY_derive for the raw ECDH keyring, and the SP 800-108 counter-mode KDF (HMAC) that turns its shared
// secret into keys.
#ifndef ESDK_NATIVE_ECDH_H_
#define ESDK_NATIVE_ECDH_H_

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>

#include "bytes.h"
#include "status.h"

namespace esdk {

// The curves of framework/raw-ecdh-keyring.md "Supported Curve Specifications" (SM2 aside).
enum class EcdhCurve : uint8_t { kP256, kP384, kP521 };

// Bytes of a field element (and of the shared secret Z, its x-coordinate at full width).
size_t EcdhFieldSize(EcdhCurve curve) noexcept;

// A static private key imported once and kept for the life of its keyring. Freed with FreeEcdhKey
// (EVP_PKEY_free clears the private scalar).
class EcdhKey;

// Parses a DER private key (PKCS#8, as node:crypto exports it; the whole input consumed) that must
// be an EC key on `curve`. kBadEcdhKey otherwise.
Status ImportEcdhPrivateKey(EcdhCurve curve, ByteView der, EcdhKey** out) noexcept;
void FreeEcdhKey(EcdhKey* key) noexcept;

// out (32 or 64 bytes) = K(1) ‖ K(2) ‖ ... truncated, K(i) = HMAC(ikm, [i]_32 ‖ label ‖ 0x00 ‖
// context ‖ [8 * out.size]_32), with `md` SHA-256 or SHA-384 (NIST SP 800-108r1 4.1). The bounds
// are the keyrings': ikm of 32, 48 or 66 bytes, context of 16 or 32. `out` is wiped on failure.
Status KdfCounterMode(const EVP_MD* md, ByteView ikm, ByteView label, ByteView context, MutableByteView out) noexcept;

// The raw ECDH keyring's derivation (framework/key-agreement-schemas.md "Key Derivation"):
// Z = x(d * Q) with d the private key of `key`, or of a fresh key pair when `key` is null (the
// ephemeral schema: its SEC1 compressed public key is written to `ephemeral_public_out` first,
// which may be a window of `fixed_info`), then out (64 bytes) = KdfCounterMode(SHA-384, Z,
// fixed_info, salt). Q (`peer_point`, SEC1 uncompressed) must be on the curve and not the point at
// infinity (kBadPoint). Z is cleansed; `out` is wiped on any failure after the argument checks
// (lengths, key curve, overlap), which leave it untouched.
Status EcdhDeriveKeyingMaterial(EcdhCurve curve, const EcdhKey* key, MutableByteView ephemeral_public_out,
                                ByteView peer_point, ByteView salt, ByteView fixed_info, MutableByteView out) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_ECDH_H_
