// RSA PKCS#1 v1.5 data-key unwrap over EVP_PKEY_decrypt, with implicit rejection done here when OpenSSL (3.0) cannot.
//
// Why a bad ciphertext yields a random key instead of an error (Bleichenbacher, and Marvin /
// CVE-2023-46809): if anything the caller can observe (an error, its message, its timing, the
// keyring trying the next EDK) differs between "the padding was wrong" and "the padding was
// right but the key is not ours", an attacker who can submit messages learns one bit per query
// about the plaintext of a chosen ciphertext, enough to decrypt or forge with the private key.
// OpenSSL >= 3.2 closes this inside the provider ("implicit-rejection": a failed check returns a
// synthetic message derived from the key and ciphertext); we turn that on where it exists. Node
// 20 ships OpenSSL 3.0, whose padding check and provider are written in constant time but still
// report the failure as a return value, which is the branch Marvin times in callers. So here the
// outcome never leaves this function: a random key of the expected length is drawn before the
// decryption, for every call, and the result is chosen between the two with masks, not
// branches. A bad EDK then looks exactly like a wrapped key under a different RSA key: the
// message's key commitment or header tag fails later with the one generic authentication error.
// The same applies when the plaintext has the wrong length for the suite: the length comes out
// of the padding, so it is secret too. The ciphertext's own length is public (it must equal the
// modulus size, which is public), so that check may branch, but its outcome is the same.
// Trade-off, the same as with OpenSSL's own implicit rejection: a keyring with such a key cannot
// tell a bad EDK from a good one, so it uses the first EDK addressed to it.
#include "rsa_pkcs1.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <cstdint>
#include <cstring>
#include <new>

#include "ct.h"

namespace esdk {

class RsaKey {
 public:
  EVP_PKEY* pkey = nullptr;
  // Decrypt-initialised once with the padding (and implicit rejection) set; reused per call.
  EVP_PKEY_CTX* ctx = nullptr;
  size_t modulus_bytes = 0;
  bool implicit_rejection = false;
};

namespace {

#ifdef OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION
constexpr const char* kImplicitRejection = OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION;
#else
// OpenSSL 3.0 headers (Node 20's) lack the name; a newer runtime provider may still know it.
constexpr const char* kImplicitRejection = "implicit-rejection";
#endif

// A PKCS#8 RSA-16384 key is under 10 KB of DER; anything much larger is not one.
constexpr size_t kMaxDerBytes = 16384;

// Hides where a value came from, so the optimiser cannot turn mask arithmetic back into a branch.
inline size_t ValueBarrier(size_t v) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  __asm__("" : "+r"(v));
  return v;
#else
  volatile size_t copy = v;
  return copy;
#endif
}

// All ones when a == 0, else 0 (no comparison the compiler could make a branch of).
inline size_t CtIsZero(size_t a) noexcept { return 0 - ((~a & (a - 1)) >> (sizeof(size_t) * 8 - 1)); }
inline size_t CtEq(size_t a, size_t b) noexcept { return CtIsZero(a ^ b); }

bool EnableImplicitRejection(EVP_PKEY_CTX* ctx) noexcept {
  const OSSL_PARAM* settable = EVP_PKEY_CTX_settable_params(ctx);
  if (settable == nullptr || OSSL_PARAM_locate_const(settable, kImplicitRejection) == nullptr) return false;
  unsigned int on = 1;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_uint(kImplicitRejection, &on), OSSL_PARAM_construct_end()};
  return EVP_PKEY_CTX_set_params(ctx, params) == 1;
}

}  // namespace

Status ImportRsaPrivateKey(ByteView der, RsaKey** out) noexcept {
  *out = nullptr;
  if (der.size == 0 || der.size > kMaxDerBytes) return Status::kBadRsaKey;
  const unsigned char* p = der.data;
  EVP_PKEY* pkey = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size));
  if (pkey == nullptr) return Status::kBadRsaKey;
  RsaKey* key = new (std::nothrow) RsaKey;
  if (key == nullptr) {
    EVP_PKEY_free(pkey);
    return Status::kOpenSslFailure;
  }
  key->pkey = pkey;
  const int size = EVP_PKEY_get_size(pkey);
  // RSA only: an RSA-PSS key is for signatures and must not decrypt.
  if (p != der.data + der.size || EVP_PKEY_is_a(pkey, "RSA") != 1 || size < static_cast<int>(kRsaMinModulusBytes) ||
      size > static_cast<int>(kRsaMaxModulusBytes)) {
    FreeRsaKey(key);
    return Status::kBadRsaKey;
  }
  key->modulus_bytes = static_cast<size_t>(size);
  key->ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
  if (key->ctx == nullptr || EVP_PKEY_decrypt_init(key->ctx) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(key->ctx, RSA_PKCS1_PADDING) != 1) {
    FreeRsaKey(key);
    return Status::kOpenSslFailure;
  }
  key->implicit_rejection = EnableImplicitRejection(key->ctx);
  *out = key;
  return Status::kOk;
}

void FreeRsaKey(RsaKey* key) noexcept {
  if (key == nullptr) return;
  // EVP_PKEY_free clears the RSA private components (BN_clear_free) as it frees them.
  EVP_PKEY_CTX_free(key->ctx);
  EVP_PKEY_free(key->pkey);
  delete key;
}

size_t RsaModulusBytes(const RsaKey& key) noexcept { return key.modulus_bytes; }

bool RsaImplicitRejection(const RsaKey& key) noexcept { return key.implicit_rejection; }

Status RsaPkcs1Unwrap(RsaKey& key, ByteView ciphertext, MutableByteView out) noexcept {
  if (out.size == 0 || out.size > kRsaMaxUnwrapLength) return Status::kBadOutputLength;
  if (Overlaps(out.data, out.size, ciphertext.data, ciphertext.size)) return Status::kOverlap;
  WipeUnlessReleased wipe(out.data, out.size);

  // Drawn first and on every call, so the DRBG's cost says nothing about the outcome.
  uint8_t substitute[kRsaMaxUnwrapLength];
  ScopedCleanse substitute_wipe(substitute, sizeof(substitute));
  if (RAND_priv_bytes(substitute, static_cast<int>(out.size)) != 1) return Status::kOpenSslFailure;
  ct::Secret(substitute, out.size);  // constant-time validation (native/ct.h): a data key

  // The provider wants room for a whole modulus; zeroed so every byte read below is defined.
  uint8_t plain[kRsaMaxModulusBytes];
  std::memset(plain, 0, key.modulus_bytes);
  ScopedCleanse plain_wipe(plain, key.modulus_bytes);

  size_t good = 0;
  if (ciphertext.size == key.modulus_bytes) {
    size_t length = key.modulus_bytes;
    int ret = EVP_PKEY_decrypt(key.ctx, plain, &length, ciphertext.data, ciphertext.size);
    // Everything the provider hands back says whether the padding was right: secret from here on,
    // so the constant-time harness checks that nothing below branches or indexes on it.
    ct::Secret(&ret, sizeof(ret));
    ct::Secret(&length, sizeof(length));
    ct::Secret(plain, key.modulus_bytes);
    // ret is 1 or <= 0; `length` is only meaningful when ret is 1, which the mask requires too.
    good = CtEq(static_cast<size_t>(static_cast<unsigned int>(ret)), 1) & CtEq(length, out.size);
  }
  const uint8_t keep = static_cast<uint8_t>(ValueBarrier(good));
  for (size_t i = 0; i < out.size; ++i) {
    out.data[i] = static_cast<uint8_t>((plain[i] & keep) | (substitute[i] & static_cast<uint8_t>(~keep)));
  }
  wipe.Release();
  return Status::kOk;
}

}  // namespace esdk
