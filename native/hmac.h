// HMAC (RFC 2104) with the padded-key states hashed once per key: the building block of HKDF.
#ifndef ESDK_NATIVE_HMAC_H_
#define ESDK_NATIVE_HMAC_H_

#include <openssl/evp.h>

#include "bytes.h"

namespace esdk {

// A message's key derivation is three HMACs over a few dozen bytes, so fixed per-call costs
// dominate. OpenSSL 3.0's EVP_KDF/EVP_MAC parse OSSL_PARAM arrays and allocate provider contexts
// per derivation; this absorbs key ⊕ ipad and key ⊕ opad once per key and continues from copies
// of those states, so a MAC under an already-keyed HMAC is two compression calls.
//
// The states are OpenSSL's SHA-2 block-function contexts, copied by value, unless the default
// library context is in FIPS mode: then every hash goes through EVP_MD (the provider boundary)
// with EVP_MD_CTX copies, slower but inside the module. Every state is cleansed on destruction.
class Hmac {
 public:
  Hmac() noexcept;
  ~Hmac();
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;

  // Keys the HMAC for SHA-256, SHA-384 or SHA-512; a key longer than the hash block is hashed
  // first, as RFC 2104 says.
  bool Init(const EVP_MD* md, ByteView key) noexcept;
  // out (size() bytes) = HMAC(key, a ‖ b).
  bool Mac(ByteView a, ByteView b, uint8_t* out) noexcept;
  size_t size() const noexcept { return md_size_; }

 private:
  class State;
  State* inner_;
  State* outer_;
  State* work_;
  size_t md_size_ = 0;
};

}  // namespace esdk

#endif  // ESDK_NATIVE_HMAC_H_
