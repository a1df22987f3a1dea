// libFuzzer target: our P-384 arithmetic (p384.h: constant-time k*G, variable-time u1*G + u2*Q) against OpenSSL's
// EC_POINT_mul on fuzzer scalars and points.
#include "../../../native/p384.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <cstdint>
#include <cstring>

#include "message_input.h"

namespace {

constexpr size_t kB = esdk::p384::kBytes;
EC_GROUP* g_group = nullptr;

// Affine (x, y) of u1*G + u2*Q (Q null: u1*G) by OpenSSL; false at infinity.
bool ReferenceMul(const uint8_t u1[kB], const uint8_t* u2, const EC_POINT* q, uint8_t x[kB], uint8_t y[kB]) {
  BN_CTX* ctx = BN_CTX_new();
  BIGNUM* a = BN_bin2bn(u1, kB, nullptr);
  BIGNUM* b = u2 != nullptr ? BN_bin2bn(u2, kB, nullptr) : nullptr;
  EC_POINT* r = EC_POINT_new(g_group);
  BIGNUM* bx = BN_new();
  BIGNUM* by = BN_new();
  FUZZ_CHECK(EC_POINT_mul(g_group, r, a, q, b, ctx) == 1);
  const bool finite = EC_POINT_is_at_infinity(g_group, r) == 0;
  if (finite) {
    FUZZ_CHECK(EC_POINT_get_affine_coordinates(g_group, r, bx, by, ctx) == 1);
    FUZZ_CHECK(BN_bn2binpad(bx, x, kB) == kB && BN_bn2binpad(by, y, kB) == kB);
  }
  BN_free(a);
  BN_free(b);
  BN_free(bx);
  BN_free(by);
  EC_POINT_free(r);
  BN_CTX_free(ctx);
  return finite;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_group = EC_GROUP_new_by_curve_name(NID_secp384r1);
  FUZZ_CHECK(g_group != nullptr && esdk::p384::Available());
  return 0;
}

// [k, 48] [u1, 48] [u2, 48] [qx, 48] [qy, 48]: zero-padded; without qx ‖ qy, Q = k*G.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint8_t in[5 * kB] = {0};
  std::memcpy(in, data, size < sizeof(in) ? size : sizeof(in));
  const uint8_t* k = in;
  const uint8_t* u1 = in + kB;
  const uint8_t* u2 = in + 2 * kB;

  uint8_t x[kB], y[kB], rx[kB], ry[kB];
  const bool ours = esdk::p384::BaseMul(k, x, y);
  const bool reference = ReferenceMul(k, nullptr, nullptr, rx, ry);
  FUZZ_CHECK(ours == reference);
  if (ours)
    FUZZ_CHECK(std::memcmp(x, rx, kB) == 0 && std::memcmp(y, ry, kB) == 0);
  else
    FUZZ_CHECK(esdk_fuzz::AllZero(x, kB) && esdk_fuzz::AllZero(y, kB));

  uint8_t qx[kB], qy[kB];
  if (size >= 5 * kB) {
    std::memcpy(qx, in + 3 * kB, kB);
    std::memcpy(qy, in + 4 * kB, kB);
  } else if (ours) {
    std::memcpy(qx, x, kB);
    std::memcpy(qy, y, kB);
  } else {
    return 0;
  }
  BIGNUM* bx = BN_bin2bn(qx, kB, nullptr);
  BIGNUM* by = BN_bin2bn(qy, kB, nullptr);
  EC_POINT* q = EC_POINT_new(g_group);
  const bool on_curve = EC_POINT_set_affine_coordinates(g_group, q, bx, by, nullptr) == 1;
  uint8_t dx[kB];
  const bool double_ours = esdk::p384::DoubleMulX(u1, u2, qx, qy, dx);
  if (!on_curve) {
    // Off the curve (or a coordinate >= p): refused.
    FUZZ_CHECK(!double_ours);
  } else {
    const bool double_reference = ReferenceMul(u1, u2, q, rx, ry);
    FUZZ_CHECK(double_ours == double_reference);
    if (double_ours) FUZZ_CHECK(std::memcmp(dx, rx, kB) == 0);
  }
  EC_POINT_free(q);
  BN_free(bx);
  BN_free(by);
  return 0;
}
