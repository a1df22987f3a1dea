// AES-GCM seal/open over one keyed EVP_CIPHER_CTX, chunking lengths that do not fit OpenSSL's int parameters.
#include "gcm.h"

#include <climits>
#include <cstring>

#include "suites.h"

namespace esdk {
namespace {

// EVP_CipherUpdate takes an int length; frames may be up to 2^32-1 bytes and
// a non-framed body up to 2^36-32, so larger inputs go through in pieces. A
// multiple of the AES block keeps every piece on the fast whole-block path.
constexpr size_t kMaxUpdate = size_t{1} << 30;
static_assert(kMaxUpdate <= static_cast<size_t>(INT_MAX), "chunk must fit an int");

}  // namespace

GcmKey::GcmKey() noexcept : ctx_(EVP_CIPHER_CTX_new()) {}

GcmKey::~GcmKey() { EVP_CIPHER_CTX_free(ctx_); }

Status GcmKey::Init(const EVP_CIPHER* cipher, ByteView key, bool encrypt) noexcept {
  if (ctx_ == nullptr || cipher == nullptr) return Status::kOpenSslFailure;
  if (key.size != static_cast<size_t>(EVP_CIPHER_get_key_length(cipher))) return Status::kBadKeyLength;
  // The default GCM IV length is 12, which is the only one ESDK uses.
  if (EVP_CipherInit_ex2(ctx_, cipher, key.data, nullptr, encrypt ? 1 : 0, nullptr) != 1) {
    return Status::kOpenSslFailure;
  }
  return Status::kOk;
}

bool GcmKey::Start(const uint8_t* iv, ByteView aad_a, ByteView aad_b) noexcept {
  // NULL cipher and key: keep the key schedule, restart GCM with a new IV.
  if (EVP_CipherInit_ex2(ctx_, nullptr, nullptr, iv, -1, nullptr) != 1) return false;
  return Update(aad_a.data, aad_a.size, nullptr) && Update(aad_b.data, aad_b.size, nullptr);
}

bool GcmKey::Update(const uint8_t* in, size_t size, uint8_t* out) noexcept {
  while (size > 0) {
    const size_t chunk = size < kMaxUpdate ? size : kMaxUpdate;
    int written = 0;
    // out == NULL feeds AAD.
    if (EVP_CipherUpdate(ctx_, out, &written, in, static_cast<int>(chunk)) != 1) return false;
    if (out != nullptr) {
      if (static_cast<size_t>(written) != chunk) return false;
      out += chunk;
    }
    in += chunk;
    size -= chunk;
  }
  return true;
}

Status GcmKey::Seal(const uint8_t* iv, ByteView aad_a, ByteView aad_b, const uint8_t* in, size_t size, uint8_t* out,
                    uint8_t* tag) noexcept {
  uint8_t final_block[16];
  int final_written = 0;
  if (!Start(iv, aad_a, aad_b) || !Update(in, size, out) ||
      EVP_CipherFinal_ex(ctx_, final_block, &final_written) != 1 || final_written != 0 ||
      EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagLength), tag) != 1) {
    return Status::kOpenSslFailure;
  }
  return Status::kOk;
}

Status GcmKey::Open(const uint8_t* iv, ByteView aad_a, ByteView aad_b, const uint8_t* in, size_t size, uint8_t* out,
                    const uint8_t* tag) noexcept {
  // The ctrl takes a non-const pointer; copy rather than cast away const on
  // caller memory.
  uint8_t expected[kTagLength];
  std::memcpy(expected, tag, kTagLength);
  if (!Start(iv, aad_a, aad_b) || !Update(in, size, out) ||
      EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagLength), expected) != 1) {
    return Status::kOpenSslFailure;
  }
  uint8_t final_block[16];
  int final_written = 0;
  // Final is where OpenSSL compares tags (in constant time).
  if (EVP_CipherFinal_ex(ctx_, final_block, &final_written) != 1) return Status::kAuthenticationFailed;
  return Status::kOk;
}

}  // namespace esdk
