// libFuzzer target: RSA PKCS#1 v1.5 unwrap with implicit rejection under a fixed key, against OpenSSL's plain PKCS#1
// decryption: a valid block gives exactly its plaintext, anything else fresh random bytes and still kOk.
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../../../native/rsa_pkcs1.h"
#include "message_input.h"

using esdk::ByteView;
using esdk::MutableByteView;
using esdk::Status;

namespace {

esdk::RsaKey* g_key = nullptr;
EVP_PKEY_CTX* g_reference = nullptr;

// The official vectors' RSA key when scripts/fuzz.js wrote it (ESDK_FUZZ_KEYS/rsa-private.der), else a fresh 2048-bit
// one.
std::vector<uint8_t> KeyDer() {
  std::vector<uint8_t> der;
  if (const char* dir = std::getenv("ESDK_FUZZ_KEYS")) {
    const std::string file = std::string(dir) + "/rsa-private.der";
    if (FILE* f = std::fopen(file.c_str(), "rb")) {
      uint8_t buf[8192];
      const size_t n = std::fread(buf, 1, sizeof(buf), f);
      std::fclose(f);
      der.assign(buf, buf + n);
      return der;
    }
  }
  EVP_PKEY* pkey = EVP_RSA_gen(2048);
  FUZZ_CHECK(pkey != nullptr);
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(pkey);
  uint8_t* out = nullptr;
  const int n = i2d_PKCS8_PRIV_KEY_INFO(p8, &out);
  FUZZ_CHECK(n > 0);
  der.assign(out, out + n);
  OPENSSL_free(out);
  PKCS8_PRIV_KEY_INFO_free(p8);
  EVP_PKEY_free(pkey);
  return der;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::vector<uint8_t> der = KeyDer();
  FUZZ_CHECK(esdk::ImportRsaPrivateKey(ByteView{der.data(), der.size()}, &g_key) == Status::kOk);
  const uint8_t* p = der.data();
  EVP_PKEY* pkey = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));
  FUZZ_CHECK(pkey != nullptr);
  g_reference = EVP_PKEY_CTX_new(pkey, nullptr);
  FUZZ_CHECK(g_reference != nullptr && EVP_PKEY_decrypt_init(g_reference) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(g_reference, RSA_PKCS1_PADDING) == 1);
  // The reference must report a bad block as an error (OpenSSL >= 3.2 would substitute its own).
  EVP_PKEY_CTX_ctrl_str(g_reference, "rsa_pkcs1_implicit_rejection", "0");
  EVP_PKEY_free(pkey);
  return 0;
}

// [data key length (1 .. 64, mod 64)] [ciphertext]
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t length = data[0] % esdk::kRsaMaxUnwrapLength + 1;
  const ByteView ciphertext{data + 1, size - 1};
  uint8_t out[esdk::kRsaMaxUnwrapLength + 1];
  uint8_t again[esdk::kRsaMaxUnwrapLength + 1];
  std::memset(out, 0xA5, sizeof(out));
  std::memset(again, 0xA5, sizeof(again));
  // Any ciphertext, of any length or content: kOk, exactly `length` bytes written.
  FUZZ_CHECK(esdk::RsaPkcs1Unwrap(*g_key, ciphertext, MutableByteView{out, length}) == Status::kOk);
  FUZZ_CHECK(esdk::RsaPkcs1Unwrap(*g_key, ciphertext, MutableByteView{again, length}) == Status::kOk);
  FUZZ_CHECK(out[length] == 0xA5 && again[length] == 0xA5);

  uint8_t plain[esdk::kRsaMaxModulusBytes];
  size_t plain_length = sizeof(plain);
  const bool valid = ciphertext.size == esdk::RsaModulusBytes(*g_key) &&
                     EVP_PKEY_decrypt(g_reference, plain, &plain_length, ciphertext.data, ciphertext.size) == 1 &&
                     plain_length == length;
  if (valid) {
    FUZZ_CHECK(std::memcmp(out, plain, length) == 0 && std::memcmp(again, plain, length) == 0);
  } else if (length >= 8 && !esdk::RsaImplicitRejection(*g_key)) {
    // Our own rejection draws fresh bytes on every call (a substitute that repeated would be a tell).
    FUZZ_CHECK(std::memcmp(out, again, length) != 0);
  }
  return 0;
}
