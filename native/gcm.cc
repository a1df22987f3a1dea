// AES-GCM seal/open: dispatch to the VAES implementation or to one keyed EVP_CIPHER_CTX (chunking lengths past
// OpenSSL's int).
#include "gcm.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include <atomic>
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

// What Init uses, as lib/core/config.ts hands it over at load (ESDK_GCM_IMPL, native/addon.cc
// Configure): kVaes where the CPU has it unless told kEvp. Atomic: pool work reads it.
std::atomic<GcmKey::Impl> g_preferred{GcmKey::Impl::kVaes};

}  // namespace

GcmKey::GcmKey() noexcept : ctx_(nullptr), impl_(Impl::kNone) {}

GcmKey::~GcmKey() {
  Wipe();
  EVP_CIPHER_CTX_free(ctx_);
}

void GcmKey::Wipe() noexcept {
  if (impl_ == Impl::kVaes) OPENSSL_cleanse(&vaes_, sizeof vaes_);
  impl_ = Impl::kNone;
}

GcmKey::Impl GcmKey::DefaultImpl() noexcept {
  // A key keeps the implementation it was initialised with, so a message in flight never switches.
  return g_preferred.load(std::memory_order_relaxed) == Impl::kVaes && GcmVaesSupported() ? Impl::kVaes : Impl::kEvp;
}

void GcmKey::SetPreferred(Impl impl) noexcept {
  g_preferred.store(impl == Impl::kEvp ? Impl::kEvp : Impl::kVaes, std::memory_order_relaxed);
}

bool GcmKey::Available(Impl impl) noexcept { return impl == Impl::kEvp || (impl == Impl::kVaes && GcmVaesSupported()); }

Status GcmKey::Init(const EVP_CIPHER* cipher, ByteView key, bool encrypt) noexcept {
  return InitWith(DefaultImpl(), cipher, key, encrypt);
}

Status GcmKey::InitWith(Impl impl, const EVP_CIPHER* cipher, ByteView key, bool encrypt) noexcept {
  Wipe();
  if (cipher == nullptr || !Available(impl)) return Status::kOpenSslFailure;
  if (key.size != static_cast<size_t>(EVP_CIPHER_get_key_length(cipher))) return Status::kBadKeyLength;
  if (impl == Impl::kVaes) {
    // The cipher is always one of the three AES-GCMs, so its key length is
    // 16, 24 or 32.
    GcmVaesInit(&vaes_, key.data, key.size);
    impl_ = Impl::kVaes;
    return Status::kOk;
  }
  // Allocated only on the EVP path: the VAES path needs no heap at all.
  if (ctx_ == nullptr && (ctx_ = EVP_CIPHER_CTX_new()) == nullptr) return Status::kOpenSslFailure;
  // The default GCM IV length is 12, which is the only one ESDK uses.
  if (EVP_CipherInit_ex2(ctx_, cipher, key.data, nullptr, encrypt ? 1 : 0, nullptr) != 1) {
    return Status::kOpenSslFailure;
  }
  impl_ = Impl::kEvp;
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
  if (impl_ == Impl::kVaes) {
    GcmVaesSeal(vaes_, iv, aad_a.data, aad_a.size, aad_b.data, aad_b.size, in, size, out, tag);
    return Status::kOk;
  }
  if (impl_ != Impl::kEvp) return Status::kOpenSslFailure;
  uint8_t final_block[16];
  int final_written = 0;
  // The tag is read through EVP_CIPHER_CTX_get_params rather than the
  // EVP_CTRL_AEAD_GET_TAG ctrl, which only builds this same parameter.
  OSSL_PARAM params[2] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, kTagLength),
                          OSSL_PARAM_construct_end()};
  if (!Start(iv, aad_a, aad_b) || !Update(in, size, out) ||
      EVP_CipherFinal_ex(ctx_, final_block, &final_written) != 1 || final_written != 0 ||
      EVP_CIPHER_CTX_get_params(ctx_, params) != 1) {
    return Status::kOpenSslFailure;
  }
  return Status::kOk;
}

Status GcmKey::Open(const uint8_t* iv, ByteView aad_a, ByteView aad_b, const uint8_t* in, size_t size, uint8_t* out,
                    const uint8_t* tag) noexcept {
  if (impl_ == Impl::kVaes) {
    uint8_t expected[kTagLength];
    GcmVaesOpen(vaes_, iv, aad_a.data, aad_a.size, aad_b.data, aad_b.size, in, size, out, expected);
    const bool match = CRYPTO_memcmp(expected, tag, kTagLength) == 0;
    // The right tag for possibly attacker-chosen bytes is a forgery: do not leave it behind.
    OPENSSL_cleanse(expected, sizeof expected);
    return match ? Status::kOk : Status::kAuthenticationFailed;
  }
  if (impl_ != Impl::kEvp) return Status::kOpenSslFailure;
  // The parameter takes a non-const pointer; copy rather than cast away
  // const on caller memory.
  uint8_t expected[kTagLength];
  std::memcpy(expected, tag, kTagLength);
  OSSL_PARAM params[2] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, expected, kTagLength),
                          OSSL_PARAM_construct_end()};
  if (!Start(iv, aad_a, aad_b) || !Update(in, size, out) || EVP_CIPHER_CTX_set_params(ctx_, params) != 1) {
    return Status::kOpenSslFailure;
  }
  uint8_t final_block[16];
  int final_written = 0;
  // Final is where OpenSSL compares tags (in constant time).
  if (EVP_CipherFinal_ex(ctx_, final_block, &final_written) != 1) return Status::kAuthenticationFailed;
  return Status::kOk;
}

}  // namespace esdk
