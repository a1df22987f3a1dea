// Fetches AES-GCM and SHA-2 once (EVP_*_fetch) so no per-call method lookup happens on the hot path.
#include "algorithms.h"

#include <openssl/err.h>

namespace esdk {
namespace {

struct FetchResult {
  Algorithms algorithms;
  const char* missing;
};

FetchResult FetchAll() noexcept {
  FetchResult r{};
  // A failed fetch leaves entries on this thread's error queue, which
  // node:crypto could later misreport as its own failure.
  ERR_set_mark();
  // NULL library context and properties: Node's default context, so a FIPS
  // configuration applied to node:crypto applies here too.
  r.algorithms.aes128_gcm = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  r.algorithms.aes192_gcm = EVP_CIPHER_fetch(nullptr, "AES-192-GCM", nullptr);
  r.algorithms.aes256_gcm = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  r.algorithms.sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  r.algorithms.sha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
  r.algorithms.sha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
  if (r.algorithms.aes128_gcm == nullptr)
    r.missing = "AES-128-GCM";
  else if (r.algorithms.aes192_gcm == nullptr)
    r.missing = "AES-192-GCM";
  else if (r.algorithms.aes256_gcm == nullptr)
    r.missing = "AES-256-GCM";
  else if (r.algorithms.sha256 == nullptr)
    r.missing = "SHA2-256";
  else if (r.algorithms.sha384 == nullptr)
    r.missing = "SHA2-384";
  else if (r.algorithms.sha512 == nullptr)
    r.missing = "SHA2-512";
  ERR_pop_to_mark();
  return r;
}

// Function-local static: initialized exactly once even with worker threads
// loading the addon concurrently. Deliberately never freed: the objects live
// as long as the process, and freeing them from a static destructor could run
// after OpenSSL's own atexit cleanup.
const FetchResult& Fetched() noexcept {
  static const FetchResult result = FetchAll();
  return result;
}

}  // namespace

const Algorithms* GetAlgorithms(const char** missing) noexcept {
  const FetchResult& r = Fetched();
  if (missing != nullptr) *missing = r.missing;
  return r.missing == nullptr ? &r.algorithms : nullptr;
}

const EVP_CIPHER* GcmCipherFor(const Suite& suite) noexcept {
  const Algorithms& a = Fetched().algorithms;
  switch (suite.key_length) {
    case 16:
      return a.aes128_gcm;
    case 24:
      return a.aes192_gcm;
    default:
      return a.aes256_gcm;
  }
}

const EVP_CIPHER* GcmCipherForKeyLength(size_t key_length) noexcept {
  const Algorithms* a = GetAlgorithms(nullptr);
  if (a == nullptr) return nullptr;
  switch (key_length) {
    case 16:
      return a->aes128_gcm;
    case 24:
      return a->aes192_gcm;
    case 32:
      return a->aes256_gcm;
    default:
      return nullptr;
  }
}

const EVP_MD* KdfDigestFor(const Suite& suite) noexcept {
  const Algorithms& a = Fetched().algorithms;
  switch (suite.kdf) {
    case Kdf::kHkdfSha256:
      return a.sha256;
    case Kdf::kHkdfSha384:
      return a.sha384;
    case Kdf::kHkdfSha512:
      return a.sha512;
    case Kdf::kIdentity:
      break;
  }
  return nullptr;
}

const EVP_MD* SignatureDigestFor(Curve curve) noexcept {
  const Algorithms& a = Fetched().algorithms;
  switch (curve) {
    case Curve::kP256:
      return a.sha256;
    case Curve::kP384:
      return a.sha384;
    case Curve::kNone:
      break;
  }
  return nullptr;
}

}  // namespace esdk
