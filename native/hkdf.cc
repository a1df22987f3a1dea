// HKDF (RFC 5869) over the HMAC helper: one extract, then one single-block expand per output
// (framework/algorithm-suites.md).
#include "hkdf.h"

#include <openssl/evp.h>

#include <cstring>

#include "algorithms.h"
#include "hmac.h"

namespace esdk {
namespace {

constexpr uint8_t kDeriveKeyLabel[] = {'D', 'E', 'R', 'I', 'V', 'E', 'K', 'E', 'Y'};
constexpr uint8_t kCommitKeyLabel[] = {'C', 'O', 'M', 'M', 'I', 'T', 'K', 'E', 'Y'};
constexpr size_t kMaxDigestLength = 64;

// HKDF-Extract (RFC 5869 2.2): PRK = HMAC-Hash(salt, IKM).
bool Extract(Hmac& hmac, const EVP_MD* md, ByteView salt, ByteView ikm, uint8_t* prk) noexcept {
  return hmac.Init(md, salt) && hmac.Mac(ikm, ByteView{prk, 0}, prk);
}

// HKDF-Expand (RFC 5869 2.3) for L <= HashLen, all this library needs: OKM = T(1) = HMAC(PRK, info ‖ 0x01).
// `hmac` must be keyed with the PRK.
bool ExpandOneBlock(Hmac& hmac, ByteView info, MutableByteView out) noexcept {
  static const uint8_t kCounter[1] = {0x01};
  uint8_t block[kMaxDigestLength];
  ScopedCleanse wipe_block(block, sizeof(block));
  if (out.size > hmac.size() || !hmac.Mac(info, ByteView{kCounter, 1}, block)) return false;
  std::memcpy(out.data, block, out.size);
  return true;
}

Status DeriveHkdf(const Suite& suite, ByteView data_key, ByteView message_id, MutableByteView out_key,
                  MutableByteView out_commitment) noexcept {
  const EVP_MD* md = KdfDigestFor(suite);
  const int md_size = md != nullptr ? EVP_MD_get_size(md) : 0;
  if (md_size <= 0 || static_cast<size_t>(md_size) > kMaxDigestLength) return Status::kOpenSslFailure;
  const size_t prk_size = static_cast<size_t>(md_size);

  Hmac hmac;
  uint8_t prk[kMaxDigestLength];
  ScopedCleanse wipe_prk(prk, sizeof(prk));
  uint8_t suite_id[2];
  suite_id[0] = static_cast<uint8_t>(suite.id >> 8);
  suite_id[1] = static_cast<uint8_t>(suite.id);

  if (suite.commitment) {
    // transitive-requirements.md "HKDF Encryption Key", "HKDF Commit Key": salt = message id;
    // key info = suite id ‖ "DERIVEKEY"; commitment info = "COMMITKEY" alone, 32 bytes.
    uint8_t info[2 + sizeof(kDeriveKeyLabel)];
    std::memcpy(info, suite_id, 2);
    std::memcpy(info + 2, kDeriveKeyLabel, sizeof(kDeriveKeyLabel));
    if (!Extract(hmac, md, message_id, data_key, prk) || !hmac.Init(md, ByteView{prk, prk_size}) ||
        !ExpandOneBlock(hmac, ByteView{info, sizeof(info)}, out_key) ||
        !ExpandOneBlock(hmac, ByteView{kCommitKeyLabel, sizeof(kCommitKeyLabel)}, out_commitment)) {
      return Status::kOpenSslFailure;
    }
    return Status::kOk;
  }

  // transitive-requirements.md "HKDF Encryption Key": no salt, which RFC 5869 defines as
  // HashLen zero bytes (spelled out rather than relying on how OpenSSL treats an absent salt);
  // info = suite id ‖ message id.
  uint8_t zero_salt[kMaxDigestLength] = {0};
  uint8_t info[2 + kMaxMessageIdLength];
  std::memcpy(info, suite_id, 2);
  std::memcpy(info + 2, message_id.data, message_id.size);
  if (!Extract(hmac, md, ByteView{zero_salt, prk_size}, data_key, prk) || !hmac.Init(md, ByteView{prk, prk_size}) ||
      !ExpandOneBlock(hmac, ByteView{info, 2 + message_id.size}, out_key)) {
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
