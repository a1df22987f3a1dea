// Differential test of native/p384.cc against the system libcrypto's P-384 (EC_POINT_mul), plus a
// speed comparison. Not run by CI; see README.md in this folder.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <initializer_list>

#include "../../native/p384.h"

using namespace esdk;

// Process CPU time: the machine is shared, wall time says more about the neighbours than about us.
struct CpuClock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<CpuClock>;
  static time_point now() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return time_point(duration(static_cast<rep>(ts.tv_sec) * 1000000000 + ts.tv_nsec));
  }
};

static EC_GROUP* group;
static const BIGNUM* order;
static int failures = 0;

static void Fail(const char* what, const uint8_t* k) {
  failures++;
  fprintf(stderr, "FAIL %s k=", what);
  for (int i = 0; i < 48; i++) fprintf(stderr, "%02x", k[i]);
  fprintf(stderr, "\n");
}

// Reference a*G + b*P (P may be null) -> affine x, y; false at infinity.
static bool Ref(const uint8_t* a, const uint8_t* b, const EC_POINT* p, uint8_t* x, uint8_t* y) {
  BIGNUM* ba = BN_bin2bn(a, 48, nullptr);
  BIGNUM* bb = b ? BN_bin2bn(b, 48, nullptr) : nullptr;
  EC_POINT* r = EC_POINT_new(group);
  EC_POINT_mul(group, r, ba, p, bb, nullptr);
  bool ok = !EC_POINT_is_at_infinity(group, r);
  if (ok) {
    BIGNUM* bx = BN_new();
    BIGNUM* by = BN_new();
    EC_POINT_get_affine_coordinates(group, r, bx, by, nullptr);
    BN_bn2binpad(bx, x, 48);
    BN_bn2binpad(by, y, 48);
    BN_free(bx);
    BN_free(by);
  }
  EC_POINT_free(r);
  BN_free(ba);
  BN_free(bb);
  return ok;
}

static void CheckBase(const uint8_t* k) {
  uint8_t x[48], y[48], rx[48], ry[48];
  bool ours = p384::BaseMul(k, x, y);
  bool ref = Ref(k, nullptr, nullptr, rx, ry);
  if (ours != ref) return Fail("BaseMul identity mismatch", k);
  if (ours && (memcmp(x, rx, 48) || memcmp(y, ry, 48))) Fail("BaseMul", k);
}

static void CheckDouble(const uint8_t* u1, const uint8_t* u2, const uint8_t* d) {
  // Q = d*G
  uint8_t qx[48], qy[48], x[48], rx[48], ry[48];
  if (!Ref(d, nullptr, nullptr, qx, qy)) return;
  uint8_t oct[97] = {4};
  memcpy(oct + 1, qx, 48);
  memcpy(oct + 49, qy, 48);
  EC_POINT* q = EC_POINT_new(group);
  EC_POINT_oct2point(group, q, oct, 97, nullptr);
  bool ref = Ref(u1, u2, q, rx, ry);
  bool ours = p384::DoubleMulX(u1, u2, qx, qy, x);
  EC_POINT_free(q);
  if (ours != ref) return Fail("DoubleMulX identity mismatch", u1);
  if (ours && memcmp(x, rx, 48)) Fail("DoubleMulX", u1);
}

static void SetBn(uint8_t* out, const BIGNUM* v) { BN_bn2binpad(v, out, 48); }

int main() {
  group = EC_GROUP_new_by_curve_name(NID_secp384r1);
  order = EC_GROUP_get0_order(group);
  if (!p384::Available()) {
    fprintf(stderr, "fast path not available\n");
    return 1;
  }
  uint8_t k[48], k2[48], d[48];
  // Edge scalars: 0, 1, 2, 15, 16, n-1, n-2, n, n+1, 2^383, 2^384-1, long zero runs.
  BIGNUM* t = BN_new();
  auto edge = [&](const BIGNUM* v) {
    SetBn(k, v);
    CheckBase(k);
  };
  for (int v : {0, 1, 2, 3, 15, 16, 17, 255, 256}) {
    BN_set_word(t, v);
    edge(t);
  }
  BN_copy(t, order);
  BN_sub_word(t, 1);
  edge(t);
  BN_copy(t, order);
  BN_sub_word(t, 2);
  edge(t);
  BN_copy(t, order);
  edge(t);
  BN_copy(t, order);
  BN_add_word(t, 1);
  edge(t);
  BN_zero(t);
  BN_set_bit(t, 383);
  edge(t);
  BN_zero(t);
  BN_set_bit(t, 384);
  BN_sub_word(t, 1);
  edge(t);
  for (int bit = 0; bit < 384; bit += 7) {
    BN_zero(t);
    BN_set_bit(t, bit);
    BN_set_bit(t, 0);
    edge(t);
  }
  for (int i = 0; i < 2000; i++) {
    RAND_bytes(k, 48);
    // Some with long zero runs.
    if (i % 4 == 1) memset(k + (i % 40), 0, 8);
    if (i % 4 == 2) memset(k, 0, 40);
    CheckBase(k);
  }
  // Double multiplication: random, zeros, u2*Q = -u1*G (identity), same point.
  for (int i = 0; i < 500; i++) {
    RAND_bytes(k, 48);
    RAND_bytes(k2, 48);
    RAND_bytes(d, 48);
    if (i % 5 == 1) memset(k, 0, 48);
    if (i % 5 == 2) memset(k2, 0, 48);
    if (i % 5 == 3) {
      memset(d, 0, 48);
      d[47] = 1;
    }  // Q = G: u1 G + u2 G
    CheckDouble(k, k2, d);
  }
  {
    // u1 = a, u2 = n - a with Q = G: the identity, must be refused.
    BIGNUM* a = BN_new();
    BN_rand_range(a, order);
    BN_sub(t, order, a);
    SetBn(k, a);
    SetBn(k2, t);
    memset(d, 0, 48);
    d[47] = 1;
    CheckDouble(k, k2, d);
    uint8_t x[48], gx[48], gy[48];
    Ref(d, nullptr, nullptr, gx, gy);
    if (p384::DoubleMulX(k, k2, gx, gy, x)) Fail("identity accepted", k);
    // u1 G + u1 G with Q = G: doubling through the addition formula.
    SetBn(k2, a);
    CheckDouble(k, k, d);
    // The exceptional cases of the variable-time additions: u2*Q + (digit of u1)*16^i*G meets
    // the same point (doubling) or its negative (identity part-way) when Q = G.
    BIGNUM* c1 = BN_new();
    BIGNUM* c2 = BN_new();
    const unsigned long small[][2] = {{16, 16}, {16, 0}, {0x110, 0x100}, {0x1000, 0x1000}, {0x21, 0x10}, {0x30, 0x30}};
    for (const auto& pair : small) {
      BN_set_word(c1, pair[0]);
      BN_set_word(c2, pair[1]);
      SetBn(k, c1);
      SetBn(k2, c2);
      CheckDouble(k, k2, d);
      // u2 = n - u2: u1*G meets -u2*G part-way.
      BN_sub(c2, order, c2);
      SetBn(k2, c2);
      CheckDouble(k, k2, d);
      // Q = -G: u2*Q = -u2*G.
    }
    BN_free(c1);
    BN_free(c2);
    gy[47] ^= 1;
    if (p384::DoubleMulX(k, k2, gx, gy, x)) Fail("off-curve accepted", k);
    BN_free(a);
  }
  printf("%s (%d failures)\n", failures ? "FAILED" : "all ok", failures);
  if (getenv("P384_NO_SPEED") != nullptr) return failures ? 1 : 0;

  // Speed: ours vs libcrypto.
  using clk = CpuClock;
  const int N = 2000;
  uint8_t x[48], y[48];
  auto t0 = clk::now();
  for (int i = 0; i < N; i++) {
    k[i % 48] ^= 1;
    p384::BaseMul(k, x, y);
  }
  auto t1 = clk::now();
  double ours_base = N / std::chrono::duration<double>(t1 - t0).count();
  RAND_bytes(d, 48);
  uint8_t qx[48], qy[48];
  Ref(d, nullptr, nullptr, qx, qy);
  t0 = clk::now();
  for (int i = 0; i < N; i++) {
    k[i % 48] ^= 1;
    p384::DoubleMulX(k, k2, qx, qy, x);
  }
  t1 = clk::now();
  double ours_dbl = N / std::chrono::duration<double>(t1 - t0).count();
  BIGNUM* bk = BN_new();
  EC_POINT* r = EC_POINT_new(group);
  t0 = clk::now();
  for (int i = 0; i < N / 4; i++) {
    k[i % 48] ^= 1;
    BN_bin2bn(k, 48, bk);
    BN_set_flags(bk, BN_FLG_CONSTTIME);
    EC_POINT_mul(group, r, bk, nullptr, nullptr, nullptr);
  }
  t1 = clk::now();
  double ref_base = (N / 4) / std::chrono::duration<double>(t1 - t0).count();
  // libcrypto's verification path: the generator table (as ec_keys.cc precomputes) and u1*G + u2*Q.
  EC_GROUP* pre = EC_GROUP_new_by_curve_name(NID_secp384r1);
  EC_GROUP_precompute_mult(pre, nullptr);
  uint8_t oct[97] = {4};
  memcpy(oct + 1, qx, 48);
  memcpy(oct + 49, qy, 48);
  EC_POINT* q = EC_POINT_new(pre);
  EC_POINT_oct2point(pre, q, oct, 97, nullptr);
  BIGNUM* b2 = BN_bin2bn(k2, 48, nullptr);
  EC_POINT* r2 = EC_POINT_new(pre);
  t0 = clk::now();
  for (int i = 0; i < N / 4; i++) {
    k[i % 48] ^= 1;
    BN_bin2bn(k, 48, bk);
    EC_POINT_mul(pre, r2, bk, q, b2, nullptr);
  }
  t1 = clk::now();
  double ref_dbl = (N / 4) / std::chrono::duration<double>(t1 - t0).count();
  printf("k*G: ours %.0f/s, libcrypto %.0f/s; u1*G+u2*Q: ours %.0f/s, libcrypto %.0f/s (CPU time)\n", ours_base,
         ref_base, ours_dbl, ref_dbl);
  return failures ? 1 : 0;
}
