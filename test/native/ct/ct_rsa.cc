// Constant-time harness for the RSA PKCS#1 v1.5 implicit rejection of native/rsa_pkcs1.cc, run under valgrind memcheck.
//
// The modular exponentiation and the padding check are OpenSSL's (EVP_PKEY_decrypt) and are not
// marked here: the private key inside the EVP_PKEY stays "defined". What is ours is everything
// after the decryption: rsa_pkcs1.cc marks what the provider hands back (the return value, the
// length, the plaintext buffer) and the substitute key from the DRBG as secret, and memcheck
// then reports any branch or index our selection takes on them. Good, bad-padding and
// wrong-length ciphertexts all run through the same marked path.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "../../../native/rsa_pkcs1.h"
#include "harness.h"

using namespace esdk;
using ct_harness::Bytes;

namespace {

// PKCS#1 v1.5 encryption of `msg` under the key's public half (OpenSSL; public inputs).
size_t Encrypt(EVP_PKEY* pkey, const uint8_t* msg, size_t size, uint8_t* out, size_t cap) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pkey, nullptr);
  size_t written = cap;
  CT_CHECK(ctx && EVP_PKEY_encrypt_init(ctx) == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1);
  CT_CHECK(EVP_PKEY_encrypt(ctx, out, &written, msg, size) == 1);
  EVP_PKEY_CTX_free(ctx);
  return written;
}

}  // namespace

int main() {
  // Built against Node's OpenSSL headers, run on the system libcrypto (node links its own statically).
  std::printf("ct-harness openssl: runtime %s; headers %s\n", OpenSSL_version(OPENSSL_VERSION), OPENSSL_VERSION_TEXT);
  // 1024 bits: key generation dominates the run under valgrind, and the selection under test does
  // not depend on the modulus size.
  EVP_PKEY* pkey = EVP_RSA_gen(1024);
  CT_CHECK(pkey != nullptr);
  unsigned char* der = nullptr;
  // PKCS#8, as node:crypto exports it.
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(pkey);
  CT_CHECK(p8 != nullptr);
  const int der_size = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
  CT_CHECK(der_size > 0);
  RsaKey* key = nullptr;
  CT_CHECK(ImportRsaPrivateKey(ByteView{der, static_cast<size_t>(der_size)}, &key) == Status::kOk);
  CT_CHECK(RsaModulusBytes(*key) == 128);
  std::printf("ct-harness rsa: OpenSSL implicit rejection %s\n", RsaImplicitRejection(*key) ? "on" : "off (ours only)");

  Bytes rng(0x5a);
  unsigned long calls = 0;
  for (int i = 0; i < 6; i++) {
    uint8_t data_key[32], ct[128], out[32];
    rng.Fill(data_key, sizeof data_key);
    CT_CHECK(Encrypt(pkey, data_key, sizeof data_key, ct, sizeof ct) == sizeof ct);

    // The right ciphertext: the data key comes back.
    CT_CHECK(RsaPkcs1Unwrap(*key, ByteView{ct, sizeof ct}, MutableByteView{out, sizeof out}) == Status::kOk);
    calls++;
    ct::Declassify(out, sizeof out);  // the harness compares it; in the SDK it stays secret
    CT_CHECK(ct_harness::Same(out, data_key, sizeof out));

    // The right ciphertext but the wrong expected length (a 24-byte suite): a substitute, no error.
    CT_CHECK(RsaPkcs1Unwrap(*key, ByteView{ct, sizeof ct}, MutableByteView{out, 24}) == Status::kOk);
    calls++;
    ct::Declassify(out, sizeof out);
    CT_CHECK(!ct_harness::Same(out, data_key, 24));

    // A tampered ciphertext (bad padding after decryption, or at worst a different message): a substitute.
    ct[100 + i] ^= 0x40;
    CT_CHECK(RsaPkcs1Unwrap(*key, ByteView{ct, sizeof ct}, MutableByteView{out, sizeof out}) == Status::kOk);
    calls++;
    ct::Declassify(out, sizeof out);
    CT_CHECK(!ct_harness::Same(out, data_key, sizeof out));
  }
  FreeRsaKey(key);
  OPENSSL_free(der);
  PKCS8_PRIV_KEY_INFO_free(p8);
  EVP_PKEY_free(pkey);
  ct_harness::Done("rsa", calls);
  return 0;
}
