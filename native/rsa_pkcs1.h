// RSA PKCS#1 v1.5 unwrap of raw RSA keyring data keys with implicit rejection: a bad ciphertext yields a random key,
// never an error.
#ifndef ESDK_NATIVE_RSA_PKCS1_H_
#define ESDK_NATIVE_RSA_PKCS1_H_

#include <cstddef>

#include "bytes.h"
#include "status.h"

namespace esdk {

// Moduli we accept: 512 .. 16384 bits (the unwrap's scratch buffer is sized for the largest).
constexpr size_t kRsaMinModulusBytes = 64;
constexpr size_t kRsaMaxModulusBytes = 2048;
// Data keys are 16, 24 or 32 bytes; anything longer is a caller bug, not a message property.
constexpr size_t kRsaMaxUnwrapLength = 64;

// An imported RSA private key with its decrypt context set up once (PKCS#1 v1.5 padding, and
// OpenSSL's implicit rejection where the provider offers it). Not thread-safe: one JS thread
// uses it. Freed with FreeRsaKey.
class RsaKey;

// Parses a DER private key (PKCS#8, as node:crypto exports it; the whole input must be consumed)
// that must be RSA (not RSA-PSS) with a modulus in the range above. kBadRsaKey otherwise.
Status ImportRsaPrivateKey(ByteView der, RsaKey** out) noexcept;
void FreeRsaKey(RsaKey* key) noexcept;

size_t RsaModulusBytes(const RsaKey& key) noexcept;
// True when OpenSSL itself does implicit rejection (OpenSSL >= 3.2 providers).
bool RsaImplicitRejection(const RsaKey& key) noexcept;

// Writes exactly out.size (1 .. kRsaMaxUnwrapLength) bytes to `out`: the PKCS#1 v1.5 plaintext of
// `ciphertext` when it decrypts under `key` to exactly out.size bytes, otherwise random bytes.
// Which of the two happened is not reported, and is selected without a data-dependent branch
// (see rsa_pkcs1.cc for why). kOk in both cases; other statuses only for argument or OpenSSL
// faults that do not depend on the ciphertext's content (out wiped).
Status RsaPkcs1Unwrap(RsaKey& key, ByteView ciphertext, MutableByteView out) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_RSA_PKCS1_H_
