// libFuzzer target: raw AES keyring unwrap (KeyWrapOpen) against OpenSSL's AES-GCM directly; a failure releases
// nothing, a success reseals to the same bytes.
#include <openssl/evp.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "../../../native/key_wrap.h"
#include "../../../native/suites.h"
#include "message_input.h"

using esdk::ByteView;
using esdk::MutableByteView;
using esdk::Status;

namespace {

bool ReferenceOpen(ByteView key, ByteView iv, ByteView aad, ByteView sealed, uint8_t* out) {
  const EVP_CIPHER* cipher = key.size == 16   ? EVP_aes_128_gcm()
                             : key.size == 24 ? EVP_aes_192_gcm()
                                              : EVP_aes_256_gcm();
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n = 0;
  const size_t length = sealed.size - esdk::kTagLength;
  bool ok = ctx != nullptr && EVP_DecryptInit_ex(ctx, cipher, nullptr, key.data, iv.data) == 1 &&
            EVP_DecryptUpdate(ctx, nullptr, &n, aad.data, static_cast<int>(aad.size)) == 1 &&
            EVP_DecryptUpdate(ctx, out, &n, sealed.data, static_cast<int>(length)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, esdk::kTagLength,
                                const_cast<uint8_t*>(sealed.data + length)) == 1 &&
            EVP_DecryptFinal_ex(ctx, out + n, &n) == 1;
  EVP_CIPHER_CTX_free(ctx);
  return ok;
}

}  // namespace

// [key length 16/24/32 (else mod 3)] [key] [IV, 12] [AAD length, uint16] [AAD] [ciphertext ‖ tag]
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  esdk_fuzz::Reader r(data, size);
  uint32_t selector, aad_length;
  const uint8_t *key, *iv, *aad;
  if (!r.U8(&selector)) return 0;
  const size_t key_length = selector == 16 || selector == 24 || selector == 32 ? selector : 16 + 8 * (selector % 3);
  if (!r.Take(key_length, &key) || !r.Take(esdk::kIvLength, &iv) || !r.U16(&aad_length) || !r.Take(aad_length, &aad))
    return 0;
  const size_t sealed_size = r.left();
  const uint8_t* sealed = nullptr;
  r.Take(sealed_size, &sealed);
  if (sealed_size < esdk::kTagLength) return 0;
  const ByteView k{key, key_length}, v{iv, esdk::kIvLength}, a{aad, aad_length}, s{sealed, sealed_size};
  const size_t length = sealed_size - esdk::kTagLength;

  std::vector<uint8_t> out(length + 1, 0xA5);
  const Status status = esdk::KeyWrapOpen(k, v, a, s, MutableByteView{out.data(), length});
  FUZZ_CHECK(status == Status::kOk || status == Status::kAuthenticationFailed);
  FUZZ_CHECK(out[length] == 0xA5);
  std::vector<uint8_t> reference(length + 1);
  const bool reference_ok = ReferenceOpen(k, v, a, s, reference.data());
  FUZZ_CHECK((status == Status::kOk) == reference_ok);
  if (status != Status::kOk) {
    FUZZ_CHECK(esdk_fuzz::AllZero(out.data(), length));
    return 0;
  }
  FUZZ_CHECK(std::memcmp(out.data(), reference.data(), length) == 0);
  std::vector<uint8_t> resealed(sealed_size + 1, 0xA5);
  FUZZ_CHECK(esdk::KeyWrapSeal(k, v, a, ByteView{out.data(), length}, MutableByteView{resealed.data(), sealed_size}) ==
             Status::kOk);
  FUZZ_CHECK(std::memcmp(resealed.data(), sealed, sealed_size) == 0 && resealed[sealed_size] == 0xA5);
  return 0;
}
