// AES-GCM with the key schedule set once per call and reused for every IV (frame) under that key.
#ifndef ESDK_NATIVE_GCM_H_
#define ESDK_NATIVE_GCM_H_

#include <openssl/evp.h>

#include "bytes.h"
#include "status.h"

namespace esdk {

// One EVP_CIPHER_CTX per call, keyed once; each Seal/Open re-initialises only
// the IV (EVP_CipherInit_ex2 with a NULL cipher and key), so the AES key
// schedule and GHASH table are computed once per message, not per frame.
// Destruction frees the context, and OpenSSL's GCM provider clear-frees its
// state, so no key material outlives the call.
class GcmKey {
 public:
  GcmKey() noexcept;
  ~GcmKey();
  GcmKey(const GcmKey&) = delete;
  GcmKey& operator=(const GcmKey&) = delete;

  Status Init(const EVP_CIPHER* cipher, ByteView key, bool encrypt) noexcept;

  // out = AES-GCM(in) under iv, authenticating aad_a ‖ aad_b; writes a
  // 16-byte tag. `in` and `out` may be the same pointer but must not
  // otherwise overlap.
  Status Seal(const uint8_t* iv, ByteView aad_a, ByteView aad_b, const uint8_t* in, size_t size, uint8_t* out,
              uint8_t* tag) noexcept;

  // Decrypts and checks the tag: kAuthenticationFailed when it does not
  // verify, in which case `out` holds unauthenticated bytes the caller must
  // wipe.
  Status Open(const uint8_t* iv, ByteView aad_a, ByteView aad_b, const uint8_t* in, size_t size, uint8_t* out,
              const uint8_t* tag) noexcept;

 private:
  bool Start(const uint8_t* iv, ByteView aad_a, ByteView aad_b) noexcept;
  bool Update(const uint8_t* in, size_t size, uint8_t* out) noexcept;

  EVP_CIPHER_CTX* ctx_;
};

}  // namespace esdk

#endif  // ESDK_NATIVE_GCM_H_
