// libFuzzer target: the raw ECDH keyring's derivation from an untrusted peer point (P-256, P-384, P-521) under fixed
// static keys, against OpenSSL's own point checks and scalar multiplication.
#include "../../../native/ecdh.h"

#include "../../../native/algorithms.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include <cstdint>
#include <cstring>

#include "message_input.h"

using esdk::ByteView;
using esdk::EcdhCurve;
using esdk::MutableByteView;
using esdk::Status;

namespace {

struct Static {
  EcdhCurve curve;
  const char* name;
  int nid;
  esdk::EcdhKey* key;
  BIGNUM* d;
  EC_GROUP* group;
};
Static g_keys[] = {
    {EcdhCurve::kP256, "P-256", NID_X9_62_prime256v1, nullptr, nullptr, nullptr},
    {EcdhCurve::kP384, "P-384", NID_secp384r1, nullptr, nullptr, nullptr},
    {EcdhCurve::kP521, "P-521", NID_secp521r1, nullptr, nullptr, nullptr},
};

const uint8_t kSalt[32] = {1, 2, 3, 4, 5, 6, 7, 8};
const uint8_t kFixedInfo[] = "fuzz fixed info";

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  for (Static& s : g_keys) {
    EVP_PKEY* pkey = EVP_EC_gen(s.name);
    FUZZ_CHECK(pkey != nullptr && EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &s.d) == 1);
    PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(pkey);
    uint8_t* der = nullptr;
    const int n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
    FUZZ_CHECK(n > 0 &&
               esdk::ImportEcdhPrivateKey(s.curve, ByteView{der, static_cast<size_t>(n)}, &s.key) == Status::kOk);
    OPENSSL_free(der);
    PKCS8_PRIV_KEY_INFO_free(p8);
    EVP_PKEY_free(pkey);
    s.group = EC_GROUP_new_by_curve_name(s.nid);
  }
  return 0;
}

// [curve: 0 P-256, 1 P-384, 2 P-521 (mod 3); +3: the ephemeral schema] [peer point, SEC1]
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Static& s = g_keys[data[0] % 3];
  const bool ephemeral = (data[0] / 3) % 2 == 1;
  const ByteView peer{data + 1, size - 1};
  const size_t field = esdk::EcdhFieldSize(s.curve);

  // OpenSSL's verdict on the point: uncompressed, on the curve, not infinity; and Z = x(d * Q).
  EC_POINT* q = EC_POINT_new(s.group);
  const bool valid = peer.size == 1 + 2 * field && peer.data[0] == 0x04 &&
                     EC_POINT_oct2point(s.group, q, peer.data, peer.size, nullptr) == 1 &&
                     EC_POINT_is_at_infinity(s.group, q) == 0;
  uint8_t out[64 + 1];
  std::memset(out, 0xA5, sizeof(out));
  uint8_t ephemeral_public[1 + 66 + 1];
  std::memset(ephemeral_public, 0, sizeof(ephemeral_public));
  const MutableByteView ephemeral_out{ephemeral_public, ephemeral ? 1 + field : 0};
  const Status status = esdk::EcdhDeriveKeyingMaterial(
      s.curve, ephemeral ? nullptr : s.key, ephemeral_out, peer, ByteView{kSalt, sizeof(kSalt)},
      ByteView{kFixedInfo, sizeof(kFixedInfo) - 1}, MutableByteView{out, 64});
  FUZZ_CHECK(status == Status::kOk || status == Status::kBadPoint);
  FUZZ_CHECK((status == Status::kOk) == valid);
  FUZZ_CHECK(out[64] == 0xA5);
  if (status != Status::kOk) {
    // Released nothing: a refused point leaves the output wiped, as ecdh.h promises.
    FUZZ_CHECK(esdk_fuzz::AllZero(out, 64));
  } else if (!ephemeral) {
    EC_POINT* r = EC_POINT_new(s.group);
    BIGNUM* x = BN_new();
    FUZZ_CHECK(EC_POINT_mul(s.group, r, nullptr, q, s.d, nullptr) == 1 &&
               EC_POINT_get_affine_coordinates(s.group, r, x, nullptr, nullptr) == 1);
    uint8_t z[66];
    FUZZ_CHECK(BN_bn2binpad(x, z, static_cast<int>(field)) == static_cast<int>(field));
    uint8_t expected[64];
    FUZZ_CHECK(esdk::KdfCounterMode(esdk::GetAlgorithms(nullptr)->sha384, ByteView{z, field},
                                    ByteView{kFixedInfo, sizeof(kFixedInfo) - 1}, ByteView{kSalt, sizeof(kSalt)},
                                    MutableByteView{expected, 64}) == Status::kOk);
    FUZZ_CHECK(std::memcmp(out, expected, 64) == 0);
    BN_free(x);
    EC_POINT_free(r);
  }
  EC_POINT_free(q);
  return 0;
}
