// HMAC (RFC 2104): key ⊕ ipad and key ⊕ opad absorbed once per key; each MAC continues from copies of those states.
//
// The SHA-2 block functions (SHA256_Init and friends) are deprecated in OpenSSL 3.0 but present
// in every build, and are the same code the default provider runs; copying their contexts by
// value costs nothing, where EVP_MD_CTX_copy_ex allocates. This file alone opts in, and falls
// back to EVP_MD whenever the default library context is in FIPS mode.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "hmac.h"

#include <openssl/sha.h>

#include <cstring>
#include <new>

#include "algorithms.h"

namespace esdk {
namespace {

constexpr uint8_t kIpad = 0x36;
constexpr uint8_t kOpad = 0x5c;
constexpr size_t kMaxBlock = 128;
constexpr size_t kMaxDigest = 64;

enum class Kind : uint8_t { kNone, kEvp, kSha256, kSha384, kSha512 };

// The digests come from algorithms.h, fetched once, so identity tells them apart (EVP_MD_is_a
// would look the name up under a lock on every call).
Kind DirectKind(const EVP_MD* md) noexcept {
  const Algorithms* a = GetAlgorithms(nullptr);
  if (a == nullptr || EVP_default_properties_is_fips_enabled(nullptr) == 1) return Kind::kEvp;
  if (md == a->sha256) return Kind::kSha256;
  if (md == a->sha384) return Kind::kSha384;
  if (md == a->sha512) return Kind::kSha512;
  return Kind::kEvp;
}

}  // namespace

// One hash state in whichever form the key's HMAC uses.
class Hmac::State {
 public:
  State() noexcept = default;
  ~State() {
    EVP_MD_CTX_free(evp_);
    OPENSSL_cleanse(&sha_, sizeof(sha_));
  }

  bool Start(Kind kind, const EVP_MD* md) noexcept {
    kind_ = kind;
    switch (kind) {
      case Kind::kSha256:
        return SHA256_Init(&sha_.s256) == 1;
      case Kind::kSha384:
        return SHA384_Init(&sha_.s512) == 1;
      case Kind::kSha512:
        return SHA512_Init(&sha_.s512) == 1;
      case Kind::kEvp:
        if (evp_ == nullptr) evp_ = EVP_MD_CTX_new();
        return evp_ != nullptr && EVP_DigestInit_ex2(evp_, md, nullptr) == 1;
      case Kind::kNone:
        break;
    }
    return false;
  }

  bool Update(ByteView data) noexcept {
    if (data.size == 0) return true;
    switch (kind_) {
      case Kind::kSha256:
        return SHA256_Update(&sha_.s256, data.data, data.size) == 1;
      case Kind::kSha384:
        return SHA384_Update(&sha_.s512, data.data, data.size) == 1;
      case Kind::kSha512:
        return SHA512_Update(&sha_.s512, data.data, data.size) == 1;
      case Kind::kEvp:
        return EVP_DigestUpdate(evp_, data.data, data.size) == 1;
      case Kind::kNone:
        break;
    }
    return false;
  }

  bool Final(uint8_t* out) noexcept {
    unsigned int n = 0;
    switch (kind_) {
      case Kind::kSha256:
        return SHA256_Final(out, &sha_.s256) == 1;
      case Kind::kSha384:
        return SHA384_Final(out, &sha_.s512) == 1;
      case Kind::kSha512:
        return SHA512_Final(out, &sha_.s512) == 1;
      case Kind::kEvp:
        return EVP_DigestFinal_ex(evp_, out, &n) == 1;
      case Kind::kNone:
        break;
    }
    return false;
  }

  bool CopyFrom(const State& other) noexcept {
    kind_ = other.kind_;
    if (kind_ != Kind::kEvp) {
      sha_ = other.sha_;
      return true;
    }
    if (evp_ == nullptr) evp_ = EVP_MD_CTX_new();
    return evp_ != nullptr && EVP_MD_CTX_copy_ex(evp_, other.evp_) == 1;
  }

 private:
  Kind kind_ = Kind::kNone;
  union {
    SHA256_CTX s256;
    SHA512_CTX s512;
  } sha_{};
  EVP_MD_CTX* evp_ = nullptr;
};

Hmac::Hmac() noexcept
    : inner_(new (std::nothrow) State()), outer_(new (std::nothrow) State()), work_(new (std::nothrow) State()) {}

Hmac::~Hmac() {
  delete inner_;
  delete outer_;
  delete work_;
}

bool Hmac::Init(const EVP_MD* md, ByteView key) noexcept {
  md_size_ = 0;
  if (inner_ == nullptr || outer_ == nullptr || work_ == nullptr || md == nullptr) return false;
  const int block_size = EVP_MD_get_block_size(md);
  const int digest_size = EVP_MD_get_size(md);
  if (block_size <= 0 || static_cast<size_t>(block_size) > kMaxBlock || digest_size <= 0 ||
      static_cast<size_t>(digest_size) > kMaxDigest) {
    return false;
  }
  const Kind kind = DirectKind(md);
  const size_t block = static_cast<size_t>(block_size);
  uint8_t hashed[kMaxDigest];
  ScopedCleanse wipe_hashed(hashed, sizeof(hashed));
  if (key.size > block) {
    if (!work_->Start(kind, md) || !work_->Update(key) || !work_->Final(hashed)) return false;
    key = ByteView{hashed, static_cast<size_t>(digest_size)};
  }
  uint8_t pad[kMaxBlock];
  ScopedCleanse wipe_pad(pad, sizeof(pad));
  std::memset(pad, kIpad, block);
  for (size_t i = 0; i < key.size; ++i) pad[i] ^= key.data[i];
  if (!inner_->Start(kind, md) || !inner_->Update(ByteView{pad, block})) return false;
  for (size_t i = 0; i < block; ++i) pad[i] ^= kIpad ^ kOpad;
  if (!outer_->Start(kind, md) || !outer_->Update(ByteView{pad, block})) return false;
  md_size_ = static_cast<size_t>(digest_size);
  return true;
}

bool Hmac::Mac(ByteView a, ByteView b, uint8_t* out) noexcept {
  if (md_size_ == 0) return false;
  uint8_t inner[kMaxDigest];
  ScopedCleanse wipe_inner(inner, sizeof(inner));
  return work_->CopyFrom(*inner_) && work_->Update(a) && work_->Update(b) && work_->Final(inner) &&
         work_->CopyFrom(*outer_) && work_->Update(ByteView{inner, md_size_}) && work_->Final(out);
}

}  // namespace esdk
