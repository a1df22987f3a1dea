// AES-GCM with the key schedule set once per call and reused for every IV (frame) under that key.
#ifndef ESDK_NATIVE_GCM_H_
#define ESDK_NATIVE_GCM_H_

#include <openssl/evp.h>

#include <cstdint>

#include "bytes.h"
#include "gcm_vaes.h"
#include "status.h"

namespace esdk {

// Keyed once per call; each Seal/Open restarts GCM with a new IV only, so the
// AES key schedule and the GHASH key powers are computed once per message,
// not per frame.
//
// Two implementations behind one interface: our own VAES/VPCLMULQDQ code
// (gcm_vaes.h) where the CPU has it, else OpenSSL EVP (one EVP_CIPHER_CTX,
// re-initialised per IV with a NULL cipher and key). ESDK_GCM_IMPL=evp in the
// environment forces EVP (read once per process) for comparison and as an
// escape hatch. Destruction wipes the VAES key state (OPENSSL_cleanse) and
// frees the EVP context, whose GCM provider clear-frees its own state, so no
// key material outlives the object.
class GcmKey {
 public:
  enum class Impl : uint8_t { kNone = 0, kEvp = 1, kVaes = 2 };

  GcmKey() noexcept;
  ~GcmKey();
  GcmKey(const GcmKey&) = delete;
  GcmKey& operator=(const GcmKey&) = delete;

  // `cipher` is the suite's AES-GCM (its key length is checked); the
  // implementation is DefaultImpl().
  Status Init(const EVP_CIPHER* cipher, ByteView key, bool encrypt) noexcept;
  // Init with a given implementation (tests compare them); kOpenSslFailure
  // when `impl` is unavailable here.
  Status InitWith(Impl impl, const EVP_CIPHER* cipher, ByteView key, bool encrypt) noexcept;

  // What Init picks in this process: kVaes when the CPU supports it and the
  // preference (ESDK_GCM_IMPL, via SetPreferred) is not kEvp, else kEvp.
  static Impl DefaultImpl() noexcept;
  // kEvp: OpenSSL everywhere; anything else: VAES where the CPU has it. Set
  // once at load, before any key is initialised.
  static void SetPreferred(Impl impl) noexcept;
  static bool Available(Impl impl) noexcept;
  Impl impl() const noexcept { return impl_; }

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
  void Wipe() noexcept;

  EVP_CIPHER_CTX* ctx_;
  Impl impl_;
  GcmVaesKey vaes_;
};

}  // namespace esdk

#endif  // ESDK_NATIVE_GCM_H_
