// Running signature digest: EVP_Digest* over the suite's hash, one context per message.
#include "digest.h"

#include "algorithms.h"

namespace esdk {

MessageDigest::MessageDigest() noexcept : ctx_(EVP_MD_CTX_new()) {}

MessageDigest::~MessageDigest() { EVP_MD_CTX_free(ctx_); }

bool MessageDigest::Init(Curve curve) noexcept {
  const EVP_MD* md = SignatureDigestFor(curve);
  return ctx_ != nullptr && md != nullptr && EVP_DigestInit_ex2(ctx_, md, nullptr) == 1;
}

bool MessageDigest::Update(const uint8_t* data, size_t size) noexcept {
  return size == 0 || EVP_DigestUpdate(ctx_, data, size) == 1;
}

bool MessageDigest::Final(MutableByteView out) noexcept {
  unsigned int n = 0;
  if (static_cast<size_t>(EVP_MD_CTX_get_size(ctx_)) != out.size) return false;
  return EVP_DigestFinal_ex(ctx_, out.data, &n) == 1 && n == out.size;
}

}  // namespace esdk
