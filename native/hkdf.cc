// HKDF over the once-fetched EVP_KDF: one extract, then one expand per output (RFC 5869; framework/algorithm-suites.md).
#include "hkdf.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstring>

#include "algorithms.h"

namespace esdk {
namespace {

constexpr uint8_t kDeriveKeyLabel[] = {'D', 'E', 'R', 'I', 'V', 'E', 'K', 'E', 'Y'};
constexpr uint8_t kCommitKeyLabel[] = {'C', 'O', 'M', 'M', 'I', 'T', 'K', 'E', 'Y'};
constexpr size_t kMaxDigestLength = 64;

class KdfContext {
 public:
  KdfContext() noexcept {
    const Algorithms* algorithms = GetAlgorithms(nullptr);
    ctx_ = algorithms != nullptr ? EVP_KDF_CTX_new(algorithms->hkdf) : nullptr;
  }
  // EVP_KDF_CTX_free resets the HKDF context, which clear-frees the key (the
  // IKM or PRK) and cleanses the info it holds.
  ~KdfContext() { EVP_KDF_CTX_free(ctx_); }
  KdfContext(const KdfContext&) = delete;
  KdfContext& operator=(const KdfContext&) = delete;
  EVP_KDF_CTX* get() const noexcept { return ctx_; }

 private:
  EVP_KDF_CTX* ctx_;
};

OSSL_PARAM OctetParam(const char* key, const uint8_t* data, size_t size) noexcept {
  // OSSL_PARAM is not const-correct; OpenSSL only reads these.
  return OSSL_PARAM_construct_octet_string(key, const_cast<uint8_t*>(data), size);
}

// PRK = HMAC-Hash(salt, IKM).
bool Extract(EVP_KDF_CTX* ctx, const EVP_MD* md, ByteView salt, ByteView ikm, uint8_t* prk, size_t prk_size) noexcept {
  int mode = EVP_KDF_HKDF_MODE_EXTRACT_ONLY;
  // The KDF takes the digest by name (no EVP_MD parameter exists); the name
  // comes from the fetched object so both always agree.
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(EVP_MD_get0_name(md)), 0),
      OctetParam(OSSL_KDF_PARAM_KEY, ikm.data, ikm.size),
      OctetParam(OSSL_KDF_PARAM_SALT, salt.data, salt.size),
      OSSL_PARAM_construct_end(),
  };
  return EVP_KDF_derive(ctx, prk, prk_size, params) == 1;
}

// OKM = HKDF-Expand(PRK, info, L); the first call switches the context to
// expand mode with the PRK as key, later calls only replace the info.
bool Expand(EVP_KDF_CTX* ctx, const uint8_t* prk, size_t prk_size, ByteView info, MutableByteView out) noexcept {
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  const OSSL_PARAM with_key[] = {
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OctetParam(OSSL_KDF_PARAM_KEY, prk, prk_size),
      OctetParam(OSSL_KDF_PARAM_INFO, info.data, info.size),
      OSSL_PARAM_construct_end(),
  };
  const OSSL_PARAM info_only[] = {
      OctetParam(OSSL_KDF_PARAM_INFO, info.data, info.size),
      OSSL_PARAM_construct_end(),
  };
  return EVP_KDF_derive(ctx, out.data, out.size, prk != nullptr ? with_key : info_only) == 1;
}

Status DeriveHkdf(const Suite& suite, ByteView data_key, ByteView message_id, MutableByteView out_key,
                  MutableByteView out_commitment) noexcept {
  const EVP_MD* md = KdfDigestFor(suite);
  const int md_size = md != nullptr ? EVP_MD_get_size(md) : 0;
  if (md_size <= 0 || static_cast<size_t>(md_size) > kMaxDigestLength) return Status::kOpenSslFailure;
  const size_t prk_size = static_cast<size_t>(md_size);

  KdfContext kdf;
  if (kdf.get() == nullptr) return Status::kOpenSslFailure;

  uint8_t prk[kMaxDigestLength];
  ScopedCleanse wipe_prk(prk, sizeof(prk));
  uint8_t suite_id[2];
  suite_id[0] = static_cast<uint8_t>(suite.id >> 8);
  suite_id[1] = static_cast<uint8_t>(suite.id);

  if (suite.commitment) {
    // SPEC-NOTES 2: salt = message id; key info = suite id ‖ "DERIVEKEY";
    // commitment info = "COMMITKEY" alone, 32 bytes.
    uint8_t info[2 + sizeof(kDeriveKeyLabel)];
    std::memcpy(info, suite_id, 2);
    std::memcpy(info + 2, kDeriveKeyLabel, sizeof(kDeriveKeyLabel));
    if (!Extract(kdf.get(), md, message_id, data_key, prk, prk_size) ||
        !Expand(kdf.get(), prk, prk_size, ByteView{info, sizeof(info)}, out_key) ||
        !Expand(kdf.get(), nullptr, 0, ByteView{kCommitKeyLabel, sizeof(kCommitKeyLabel)}, out_commitment)) {
      return Status::kOpenSslFailure;
    }
    return Status::kOk;
  }

  // SPEC-NOTES 1: no salt, which RFC 5869 defines as HashLen zero bytes
  // (spelled out rather than relying on how OpenSSL treats an absent salt);
  // info = suite id ‖ message id.
  uint8_t zero_salt[kMaxDigestLength] = {0};
  uint8_t info[2 + kMaxMessageIdLength];
  std::memcpy(info, suite_id, 2);
  std::memcpy(info + 2, message_id.data, message_id.size);
  if (!Extract(kdf.get(), md, ByteView{zero_salt, prk_size}, data_key, prk, prk_size) ||
      !Expand(kdf.get(), prk, prk_size, ByteView{info, 2 + message_id.size}, out_key)) {
    return Status::kOpenSslFailure;
  }
  return Status::kOk;
}

}  // namespace

Status DeriveKeys(const Suite& suite, ByteView data_key, ByteView message_id, MutableByteView out_key,
                  MutableByteView out_commitment) noexcept {
  if (data_key.size != suite.key_length) return Status::kBadKeyLength;
  if (message_id.size != suite.message_id_length) return Status::kBadMessageIdLength;
  if (out_key.size != suite.key_length) return Status::kBadOutputLength;
  if (out_commitment.size != (suite.commitment ? kCommitmentLength : 0)) return Status::kBadOutputLength;
  if (Overlaps(out_key.data, out_key.size, data_key.data, data_key.size) ||
      Overlaps(out_commitment.data, out_commitment.size, data_key.data, data_key.size) ||
      Overlaps(out_key.data, out_key.size, out_commitment.data, out_commitment.size)) {
    return Status::kOverlap;
  }

  WipeUnlessReleased wipe_key(out_key.data, out_key.size);
  WipeUnlessReleased wipe_commitment(out_commitment.data, out_commitment.size);
  Status status = Status::kOk;
  if (suite.kdf == Kdf::kIdentity) {
    std::memcpy(out_key.data, data_key.data, data_key.size);
  } else {
    status = DeriveHkdf(suite, data_key, message_id, out_key, out_commitment);
  }
  if (status != Status::kOk) return status;
  wipe_key.Release();
  wipe_commitment.Release();
  return Status::kOk;
}

}  // namespace esdk
