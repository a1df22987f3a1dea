// The OpenSSL algorithm objects the addon uses, fetched once per process from Node's default library context.
#ifndef ESDK_NATIVE_ALGORITHMS_H_
#define ESDK_NATIVE_ALGORITHMS_H_

#include <openssl/evp.h>

#include <cstddef>

#include "suites.h"

namespace esdk {

struct Algorithms {
  EVP_CIPHER* aes128_gcm;
  EVP_CIPHER* aes192_gcm;
  EVP_CIPHER* aes256_gcm;
  EVP_MD* sha256;
  EVP_MD* sha384;
  EVP_MD* sha512;
};

// Fetches everything on first use (thread-safe) and returns the same object
// afterwards. Returns nullptr if any fetch failed, with `*missing` set to the
// name of the first algorithm that could not be fetched.
const Algorithms* GetAlgorithms(const char** missing) noexcept;

// Accessors for a suite; valid only once GetAlgorithms succeeded (module init
// refuses to register the crypto functions otherwise).
const EVP_CIPHER* GcmCipherFor(const Suite& suite) noexcept;
// AES-GCM by key length (16, 24 or 32 bytes: the raw AES keyring's wrapping keys); nullptr
// for any other length, or before the algorithms could be fetched.
const EVP_CIPHER* GcmCipherForKeyLength(size_t key_length) noexcept;
const EVP_MD* KdfDigestFor(const Suite& suite) noexcept;
// SHA-256 for P-256, SHA-384 for P-384; nullptr for kNone.
const EVP_MD* SignatureDigestFor(Curve curve) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_ALGORITHMS_H_
