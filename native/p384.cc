// P-384 group arithmetic: Montgomery field mod p in 6x64-bit limbs; k*G from a fixed-base table with
// the complete projective formulas (Renes-Costello-Batina 2016, a = -3), constant time; u1*G + u2*Q
// in Jacobian coordinates with a 4-bit window, variable time (verification: public inputs only).
#include "p384.h"

#include <openssl/crypto.h>

#include <cstring>
#include <mutex>

#include "ct.h"

namespace esdk {
namespace p384 {

#if ESDK_P384_FAST

namespace {

using u64 = uint64_t;
using u128 = unsigned __int128;

constexpr int kLimbs = 6;

// A field element, always fully reduced (< p) and in Montgomery form (a*R mod p, R = 2^384)
// except where a function says otherwise. Limbs little-endian.
struct Fe {
  u64 v[kLimbs];
};

// p = 2^384 - 2^128 - 2^96 + 2^32 - 1.
constexpr u64 kP[kLimbs] = {0x00000000ffffffffULL, 0xffffffff00000000ULL, 0xfffffffffffffffeULL,
                            0xffffffffffffffffULL, 0xffffffffffffffffULL, 0xffffffffffffffffULL};
// -p^-1 mod 2^64: p = 2^32 - 1 (mod 2^64) and (2^32 - 1)(2^32 + 1) = 2^64 - 1 = -1.
constexpr u64 kPInv = 0x0000000100000001ULL;

// Curve constants (SP 800-186 section 3.2.1.4), big-endian.
constexpr uint8_t kB[kBytes] = {0xb3, 0x31, 0x2f, 0xa7, 0xe2, 0x3e, 0xe7, 0xe4, 0x98, 0x8e, 0x05, 0x6b,
                                0xe3, 0xf8, 0x2d, 0x19, 0x18, 0x1d, 0x9c, 0x6e, 0xfe, 0x81, 0x41, 0x12,
                                0x03, 0x14, 0x08, 0x8f, 0x50, 0x13, 0x87, 0x5a, 0xc6, 0x56, 0x39, 0x8d,
                                0x8a, 0x2e, 0xd1, 0x9d, 0x2a, 0x85, 0xc8, 0xed, 0xd3, 0xec, 0x2a, 0xef};
constexpr uint8_t kGx[kBytes] = {0xaa, 0x87, 0xca, 0x22, 0xbe, 0x8b, 0x05, 0x37, 0x8e, 0xb1, 0xc7, 0x1e,
                                 0xf3, 0x20, 0xad, 0x74, 0x6e, 0x1d, 0x3b, 0x62, 0x8b, 0xa7, 0x9b, 0x98,
                                 0x59, 0xf7, 0x41, 0xe0, 0x82, 0x54, 0x2a, 0x38, 0x55, 0x02, 0xf2, 0x5d,
                                 0xbf, 0x55, 0x29, 0x6c, 0x3a, 0x54, 0x5e, 0x38, 0x72, 0x76, 0x0a, 0xb7};
constexpr uint8_t kGy[kBytes] = {0x36, 0x17, 0xde, 0x4a, 0x96, 0x26, 0x2c, 0x6f, 0x5d, 0x9e, 0x98, 0xbf,
                                 0x92, 0x92, 0xdc, 0x29, 0xf8, 0xf4, 0x1d, 0xbd, 0x28, 0x9a, 0x14, 0x7c,
                                 0xe9, 0xda, 0x31, 0x13, 0xb5, 0xf0, 0xb8, 0xc0, 0x0a, 0x60, 0xb1, 0xce,
                                 0x1d, 0x7e, 0x81, 0x9d, 0x7a, 0x43, 0x1d, 0x7c, 0x90, 0xea, 0x0e, 0x5f};

// ---- Constant-time helpers -------------------------------------------------------------------

// All ones when x != 0, else 0, without a branch.
inline u64 MaskNonZero(u64 x) noexcept { return 0 - ((x | (0 - x)) >> 63); }
inline u64 MaskEq(u64 a, u64 b) noexcept { return ~MaskNonZero(a ^ b); }

// out = mask ? a : b (mask all ones or zero).
inline void Select(Fe& out, u64 mask, const Fe& a, const Fe& b) noexcept {
  for (int i = 0; i < kLimbs; i++) out.v[i] = (a.v[i] & mask) | (b.v[i] & ~mask);
}

// ---- Field arithmetic mod p ------------------------------------------------------------------

// r = (t + hi*2^384) mod p for t + hi*2^384 < 2p, by subtracting p and keeping the difference
// unless it borrowed past `hi` (mask instead of a branch: the value may be secret).
inline void ReduceOnce(Fe& r, const u64 t[kLimbs], u64 hi) noexcept {
  u64 s[kLimbs];
  u64 borrow = 0;
  for (int i = 0; i < kLimbs; i++) {
    const u128 d = static_cast<u128>(t[i]) - kP[i] - borrow;
    s[i] = static_cast<u64>(d);
    borrow = static_cast<u64>(d >> 64) & 1;
  }
  // The full difference (hi:t) - p is negative iff borrow > hi (hi is 0 or 1).
  const u64 keep_t = 0 - (borrow & ~hi & 1);
  for (int i = 0; i < kLimbs; i++) r.v[i] = (t[i] & keep_t) | (s[i] & ~keep_t);
}

inline void Add(Fe& r, const Fe& a, const Fe& b) noexcept {
  u64 t[kLimbs];
  u64 carry = 0;
  for (int i = 0; i < kLimbs; i++) {
    const u128 s = static_cast<u128>(a.v[i]) + b.v[i] + carry;
    t[i] = static_cast<u64>(s);
    carry = static_cast<u64>(s >> 64);
  }
  ReduceOnce(r, t, carry);
}

inline void Sub(Fe& r, const Fe& a, const Fe& b) noexcept {
  u64 t[kLimbs];
  u64 borrow = 0;
  for (int i = 0; i < kLimbs; i++) {
    const u128 d = static_cast<u128>(a.v[i]) - b.v[i] - borrow;
    t[i] = static_cast<u64>(d);
    borrow = static_cast<u64>(d >> 64) & 1;
  }
  // Add p back when it went negative.
  const u64 mask = 0 - borrow;
  u64 carry = 0;
  for (int i = 0; i < kLimbs; i++) {
    const u128 s = static_cast<u128>(t[i]) + (kP[i] & mask) + carry;
    r.v[i] = static_cast<u64>(s);
    carry = static_cast<u64>(s >> 64);
  }
}

// Montgomery product a*b*R^-1 mod p (CIOS: interleaved multiply and reduce, one limb at a time).
// Inputs < p give t < 2p before the final conditional subtraction.
inline void Mul(Fe& r, const Fe& a, const Fe& b) noexcept {
  u64 t[kLimbs] = {0, 0, 0, 0, 0, 0};
  u64 t6 = 0;
  for (int i = 0; i < kLimbs; i++) {
    u64 carry = 0;
    for (int j = 0; j < kLimbs; j++) {
      const u128 z = static_cast<u128>(a.v[j]) * b.v[i] + t[j] + carry;
      t[j] = static_cast<u64>(z);
      carry = static_cast<u64>(z >> 64);
    }
    u128 z = static_cast<u128>(t6) + carry;
    t6 = static_cast<u64>(z);
    const u64 t7 = static_cast<u64>(z >> 64);
    // Add m*p so that the low limb becomes zero, then shift one limb down.
    const u64 m = t[0] * kPInv;
    z = static_cast<u128>(m) * kP[0] + t[0];
    carry = static_cast<u64>(z >> 64);
    for (int j = 1; j < kLimbs; j++) {
      z = static_cast<u128>(m) * kP[j] + t[j] + carry;
      t[j - 1] = static_cast<u64>(z);
      carry = static_cast<u64>(z >> 64);
    }
    z = static_cast<u128>(t6) + carry;
    t[kLimbs - 1] = static_cast<u64>(z);
    t6 = t7 + static_cast<u64>(z >> 64);
  }
  ReduceOnce(r, t, t6);
}

inline void Sqr(Fe& r, const Fe& a) noexcept { Mul(r, a, a); }

inline void SqrN(Fe& r, const Fe& a, int n) noexcept {
  r = a;
  for (int i = 0; i < n; i++) Sqr(r, r);
}

// a^(p-2) = a^-1 (Fermat; 0 maps to 0). A fixed addition chain over the public exponent, so the
// sequence of operations never depends on a. p - 2 in binary, most significant first:
// 255 ones, 0, 32 ones, 64 zeros, 30 ones, 0, 1.
void Inv(Fe& r, const Fe& a) noexcept {
  Fe x2, x3, x6, x12, x15, x30, x32, x60, x120, x240, x255, t;
  Sqr(x2, a);
  Mul(x2, x2, a);  // a^(2^2-1)
  Sqr(x3, x2);
  Mul(x3, x3, a);  // a^(2^3-1)
  SqrN(x6, x3, 3);
  Mul(x6, x6, x3);
  SqrN(x12, x6, 6);
  Mul(x12, x12, x6);
  SqrN(x15, x12, 3);
  Mul(x15, x15, x3);
  SqrN(x30, x15, 15);
  Mul(x30, x30, x15);
  SqrN(x32, x30, 2);
  Mul(x32, x32, x2);
  SqrN(x60, x30, 30);
  Mul(x60, x60, x30);
  SqrN(x120, x60, 60);
  Mul(x120, x120, x60);
  SqrN(x240, x120, 120);
  Mul(x240, x240, x120);
  SqrN(x255, x240, 15);
  Mul(x255, x255, x15);
  SqrN(t, x255, 1 + 32);
  Mul(t, t, x32);
  SqrN(t, t, 64 + 30);
  Mul(t, t, x30);
  SqrN(t, t, 2);
  Mul(r, t, a);
  // Powers of a secret (a Z coordinate of k*G) are secrets too.
  OPENSSL_cleanse(&x2, sizeof(Fe));
  OPENSSL_cleanse(&x3, sizeof(Fe));
  OPENSSL_cleanse(&x6, sizeof(Fe));
  OPENSSL_cleanse(&x12, sizeof(Fe));
  OPENSSL_cleanse(&x15, sizeof(Fe));
  OPENSSL_cleanse(&x30, sizeof(Fe));
  OPENSSL_cleanse(&x32, sizeof(Fe));
  OPENSSL_cleanse(&x60, sizeof(Fe));
  OPENSSL_cleanse(&x120, sizeof(Fe));
  OPENSSL_cleanse(&x240, sizeof(Fe));
  OPENSSL_cleanse(&x255, sizeof(Fe));
  OPENSSL_cleanse(&t, sizeof(Fe));
}

void FromBytes(u64 out[kLimbs], const uint8_t in[kBytes]) noexcept {
  for (int i = 0; i < kLimbs; i++) {
    u64 w = 0;
    for (int j = 0; j < 8; j++) w = (w << 8) | in[kBytes - 8 * (i + 1) + j];
    out[i] = w;
  }
}

void ToBytes(uint8_t out[kBytes], const u64 in[kLimbs]) noexcept {
  for (int i = 0; i < kLimbs; i++) {
    for (int j = 0; j < 8; j++) out[kBytes - 8 * (i + 1) + j] = static_cast<uint8_t>(in[i] >> (56 - 8 * j));
  }
}

// True when the 384-bit value is < p (public inputs only: variable time).
bool LessThanP(const u64 v[kLimbs]) noexcept {
  for (int i = kLimbs - 1; i >= 0; i--) {
    if (v[i] != kP[i]) return v[i] < kP[i];
  }
  return false;
}

// ---- Points ----------------------------------------------------------------------------------

// Projective (X:Y:Z) with x = X/Z, y = Y/Z; the identity is (0:1:0). Coordinates in Montgomery form.
struct Point {
  Fe x, y, z;
};
// An affine point (never the identity), Montgomery form: the table entries.
struct Affine {
  Fe x, y;
};

struct Constants {
  Fe one;    // R mod p: 1 in Montgomery form
  Fe r2;     // R^2 mod p: converts into Montgomery form
  Fe b;      // curve b, Montgomery form
  Affine g;  // the generator, Montgomery form
};

// Plain integer -> Montgomery form (a*R^2*R^-1 = a*R).
inline void ToMont(Fe& r, const Fe& a, const Constants& c) noexcept { Mul(r, a, c.r2); }
inline void FromMont(Fe& r, const Fe& a) noexcept {
  static const Fe kOnePlain = {{1, 0, 0, 0, 0, 0}};
  Mul(r, a, kOnePlain);
}

Constants MakeConstants() noexcept {
  Constants c;
  // R mod p = 2^384 - p = 2^128 + 2^96 - 2^32 + 1.
  c.one = Fe{{0xffffffff00000001ULL, 0x00000000ffffffffULL, 1, 0, 0, 0}};
  // R^2 = R * 2^384: double R mod p 384 times (Add reduces; operands stay < p).
  c.r2 = c.one;
  for (int i = 0; i < 384; i++) Add(c.r2, c.r2, c.r2);
  Fe plain;
  FromBytes(plain.v, kB);
  ToMont(c.b, plain, c);
  FromBytes(plain.v, kGx);
  ToMont(c.g.x, plain, c);
  FromBytes(plain.v, kGy);
  ToMont(c.g.y, plain, c);
  return c;
}

const Constants& K() noexcept {
  static const Constants c = MakeConstants();
  return c;
}

// RCB16 Algorithm 4: complete projective addition for a = -3 (12M + 2 m_b). r may alias p or q.
void PointAdd(Point& r, const Point& p, const Point& q, const Fe& b) noexcept {
  Fe t0, t1, t2, t3, t4, x3, y3, z3;
  Mul(t0, p.x, q.x);
  Mul(t1, p.y, q.y);
  Mul(t2, p.z, q.z);
  Add(t3, p.x, p.y);
  Add(t4, q.x, q.y);
  Mul(t3, t3, t4);
  Add(t4, t0, t1);
  Sub(t3, t3, t4);
  Add(t4, p.y, p.z);
  Add(x3, q.y, q.z);
  Mul(t4, t4, x3);
  Add(x3, t1, t2);
  Sub(t4, t4, x3);
  Add(x3, p.x, p.z);
  Add(y3, q.x, q.z);
  Mul(x3, x3, y3);
  Add(y3, t0, t2);
  Sub(y3, x3, y3);
  Mul(z3, b, t2);
  Sub(x3, y3, z3);
  Add(z3, x3, x3);
  Add(x3, x3, z3);
  Sub(z3, t1, x3);
  Add(x3, t1, x3);
  Mul(y3, b, y3);
  Add(t1, t2, t2);
  Add(t2, t1, t2);
  Sub(y3, y3, t2);
  Sub(y3, y3, t0);
  Add(t1, y3, y3);
  Add(y3, t1, y3);
  Add(t1, t0, t0);
  Add(t0, t1, t0);
  Sub(t0, t0, t2);
  Mul(t1, t4, y3);
  Mul(t2, t0, y3);
  Mul(y3, x3, z3);
  Add(y3, y3, t2);
  Mul(x3, t3, x3);
  Sub(x3, x3, t1);
  Mul(z3, t4, z3);
  Mul(t1, t3, t0);
  Add(z3, z3, t1);
  r.x = x3;
  r.y = y3;
  r.z = z3;
}

// RCB16 Algorithm 5: complete mixed addition p + (qx, qy, 1) for a = -3 (11M + 2 m_b); q must not
// be the identity (it is affine), p may be. r may alias p.
void PointAddMixed(Point& r, const Point& p, const Affine& q, const Fe& b) noexcept {
  Fe t0, t1, t2, t3, t4, x3, y3, z3;
  Mul(t0, p.x, q.x);
  Mul(t1, p.y, q.y);
  Add(t3, q.x, q.y);
  Add(t4, p.x, p.y);
  Mul(t3, t3, t4);
  Add(t4, t0, t1);
  Sub(t3, t3, t4);
  Mul(t4, q.y, p.z);
  Add(t4, t4, p.y);
  Mul(y3, q.x, p.z);
  Add(y3, y3, p.x);
  Mul(z3, b, p.z);
  Sub(x3, y3, z3);
  Add(z3, x3, x3);
  Add(x3, x3, z3);
  Sub(z3, t1, x3);
  Add(x3, t1, x3);
  Mul(y3, b, y3);
  Add(t1, p.z, p.z);
  Add(t2, t1, p.z);
  Sub(y3, y3, t2);
  Sub(y3, y3, t0);
  Add(t1, y3, y3);
  Add(y3, t1, y3);
  Add(t1, t0, t0);
  Add(t0, t1, t0);
  Sub(t0, t0, t2);
  Mul(t1, t4, y3);
  Mul(t2, t0, y3);
  Mul(y3, x3, z3);
  Add(y3, y3, t2);
  Mul(x3, t3, x3);
  Sub(x3, x3, t1);
  Mul(z3, t4, z3);
  Mul(t1, t3, t0);
  Add(z3, z3, t1);
  r.x = x3;
  r.y = y3;
  r.z = z3;
  // k*G's running sum and the entry chosen by a secret digit pass through here: no copy stays on the stack.
  OPENSSL_cleanse(&t0, sizeof(t0));
  OPENSSL_cleanse(&t1, sizeof(t1));
  OPENSSL_cleanse(&t2, sizeof(t2));
  OPENSSL_cleanse(&t3, sizeof(t3));
  OPENSSL_cleanse(&t4, sizeof(t4));
  OPENSSL_cleanse(&x3, sizeof(x3));
  OPENSSL_cleanse(&y3, sizeof(y3));
  OPENSSL_cleanse(&z3, sizeof(z3));
}

bool IsZero(const Fe& a) noexcept {
  u64 acc = 0;
  for (int i = 0; i < kLimbs; i++) acc |= a.v[i];
  return acc == 0;
}

// ---- The fixed-base table --------------------------------------------------------------------

// 4-bit windows: a 384-bit scalar is 96 digits d_i, k = sum d_i 16^i, and k*G = sum d_i (16^i G).
// Row i holds j * 16^i * G for j = 1..15, affine (mixed additions are cheaper, and affine entries
// make the table half the size): 96 * 15 * 96 bytes = 135 KiB, no doublings at all per k*G.
constexpr int kWindows = 96;
constexpr int kRowSize = 15;

struct Table {
  Affine rows[kWindows][kRowSize];
};

Table* g_table = nullptr;

// Row i from base = 16^i G (projective); leaves 16^(i+1) G in base. One inversion per row
// (Montgomery's batch trick) keeps the build at ~2 ms.
void BuildRow(Affine row[kRowSize], Point& base, const Constants& c) noexcept {
  Point multiples[kRowSize];
  multiples[0] = base;
  for (int j = 1; j < kRowSize; j++) PointAdd(multiples[j], multiples[j - 1], base, c.b);
  PointAdd(base, multiples[kRowSize - 1], base, c.b);
  // prefix[j] = z_0 * ... * z_j; none is zero (j * 16^i < n, so no multiple is the identity).
  Fe prefix[kRowSize];
  prefix[0] = multiples[0].z;
  for (int j = 1; j < kRowSize; j++) Mul(prefix[j], prefix[j - 1], multiples[j].z);
  Fe inv;
  Inv(inv, prefix[kRowSize - 1]);
  for (int j = kRowSize - 1; j >= 0; j--) {
    Fe zinv;
    if (j > 0) {
      Mul(zinv, inv, prefix[j - 1]);
      Mul(inv, inv, multiples[j].z);
    } else {
      zinv = inv;
    }
    Mul(row[j].x, multiples[j].x, zinv);
    Mul(row[j].y, multiples[j].y, zinv);
  }
}

Table* BuildTable() noexcept {
  static Table table;  // static storage: no allocation that could fail, built exactly once
  const Constants& c = K();
  Point base{c.g.x, c.g.y, c.one};
  for (int i = 0; i < kWindows; i++) BuildRow(table.rows[i], base, c);
  return &table;
}

const Table& GetTable() noexcept {
  static std::once_flag once;
  std::call_once(once, [] { g_table = BuildTable(); });
  return *g_table;
}

// Digit i (4 bits, from the least significant end) of a big-endian 48-byte scalar.
inline unsigned Digit(const uint8_t k[kBytes], int i) noexcept {
  const uint8_t byte = k[kBytes - 1 - i / 2];
  return (i & 1) ? (byte >> 4) : (byte & 0x0f);
}

// Affine x (and y when wanted) of a projective point as big-endian bytes; false for the identity,
// with the outputs zeroed. Constant time: the identity test is a mask, the inversion runs whatever
// Z is (0 inverts to 0), and only the final yes/no is declassified. It is public: the identity
// comes only from k = 0 mod n, which no caller passes (a failure, never a secret result).
bool ToAffineBytes(const Point& p, uint8_t x[kBytes], uint8_t y[kBytes]) noexcept {
  u64 z_bits = 0;
  for (int i = 0; i < kLimbs; i++) z_bits |= p.z.v[i];
  const u64 finite = MaskNonZero(z_bits);
  Fe zinv, t;
  Inv(zinv, p.z);
  Mul(t, p.x, zinv);
  FromMont(t, t);
  for (int i = 0; i < kLimbs; i++) t.v[i] &= finite;
  ToBytes(x, t.v);
  if (y != nullptr) {
    Mul(t, p.y, zinv);
    FromMont(t, t);
    for (int i = 0; i < kLimbs; i++) t.v[i] &= finite;
    ToBytes(y, t.v);
  }
  OPENSSL_cleanse(&zinv, sizeof(zinv));
  OPENSSL_cleanse(&t, sizeof(t));
  return ct::Public(finite) != 0;
}

// ---- Jacobian coordinates, variable time: verification only (public inputs) ------------------

// (X:Y:Z) with x = X/Z^2, y = Y/Z^3; Z = 0 is the identity.
struct Jacobian {
  Fe x, y, z;
};

// Doubling for a = -3 ("dbl-2001-b"): 3M + 5S. The identity doubles to itself (Z stays 0), and no
// point of odd order has y = 0, so there is no other exception. r may alias p.
void JacobianDouble(Jacobian& r, const Jacobian& p) noexcept {
  Fe delta, gamma, beta, alpha, t0, t1;
  Sqr(delta, p.z);
  Sqr(gamma, p.y);
  Mul(beta, p.x, gamma);
  Sub(t0, p.x, delta);
  Add(t1, p.x, delta);
  Mul(alpha, t0, t1);
  Add(t0, alpha, alpha);
  Add(alpha, t0, alpha);  // 3(X - delta)(X + delta)
  // Z3 = (Y + Z)^2 - gamma - delta (before X and Y are overwritten: r may alias p)
  Add(t0, p.y, p.z);
  Sqr(t0, t0);
  Sub(t0, t0, gamma);
  Sub(r.z, t0, delta);
  // X3 = alpha^2 - 8 beta
  Add(beta, beta, beta);
  Add(beta, beta, beta);  // 4 beta
  Sqr(t0, alpha);
  Add(t1, beta, beta);
  Sub(r.x, t0, t1);
  // Y3 = alpha (4 beta - X3) - 8 gamma^2
  Sub(t0, beta, r.x);
  Mul(t0, alpha, t0);
  Sqr(t1, gamma);
  Add(t1, t1, t1);
  Add(t1, t1, t1);
  Add(t1, t1, t1);
  Sub(r.y, t0, t1);
}

// p + q ("add-2007-bl", 11M + 5S), with the exceptional cases handled: either identity, p == q
// (doubling), p == -q (the identity). r may alias p or q.
void JacobianAdd(Jacobian& r, const Jacobian& p, const Jacobian& q, const Constants& c) noexcept {
  if (IsZero(p.z)) {
    r = q;
    return;
  }
  if (IsZero(q.z)) {
    r = p;
    return;
  }
  Fe z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;
  Sqr(z1z1, p.z);
  Sqr(z2z2, q.z);
  Mul(u1, p.x, z2z2);
  Mul(u2, q.x, z1z1);
  Mul(s1, p.y, q.z);
  Mul(s1, s1, z2z2);
  Mul(s2, q.y, p.z);
  Mul(s2, s2, z1z1);
  Sub(h, u2, u1);
  Sub(rr, s2, s1);
  if (IsZero(h)) {
    if (IsZero(rr)) {
      JacobianDouble(r, p);
    } else {
      r = Jacobian{c.one, c.one, Fe{{0, 0, 0, 0, 0, 0}}};
    }
    return;
  }
  Add(rr, rr, rr);
  Add(i, h, h);
  Sqr(i, i);
  Mul(j, h, i);
  Mul(v, u1, i);
  // Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H, first: r may alias p or q.
  Add(t, p.z, q.z);
  Sqr(t, t);
  Sub(t, t, z1z1);
  Sub(t, t, z2z2);
  Mul(r.z, t, h);
  // X3 = r^2 - J - 2V
  Sqr(t, rr);
  Sub(t, t, j);
  Sub(t, t, v);
  Sub(r.x, t, v);
  // Y3 = r (V - X3) - 2 S1 J
  Sub(t, v, r.x);
  Mul(t, rr, t);
  Mul(s1, s1, j);
  Add(s1, s1, s1);
  Sub(r.y, t, s1);
}

// p + (x, y) with an affine q ("madd-2007-bl", 7M + 4S), exceptions handled as above.
void JacobianAddAffine(Jacobian& r, const Jacobian& p, const Affine& q, const Constants& c) noexcept {
  if (IsZero(p.z)) {
    r = Jacobian{q.x, q.y, c.one};
    return;
  }
  Fe z1z1, u2, s2, h, hh, i, j, rr, v, t;
  Sqr(z1z1, p.z);
  Mul(u2, q.x, z1z1);
  Mul(s2, q.y, p.z);
  Mul(s2, s2, z1z1);
  Sub(h, u2, p.x);
  Sub(rr, s2, p.y);
  if (IsZero(h)) {
    if (IsZero(rr)) {
      JacobianDouble(r, p);
    } else {
      r = Jacobian{c.one, c.one, Fe{{0, 0, 0, 0, 0, 0}}};
    }
    return;
  }
  Add(rr, rr, rr);
  Sqr(hh, h);
  Add(i, hh, hh);
  Add(i, i, i);
  Mul(j, h, i);
  Mul(v, p.x, i);
  // Y3 needs Y1 and X3 needs nothing of p beyond V: keep Y1 J before overwriting.
  Mul(t, p.y, j);
  Fe y1j2;
  Add(y1j2, t, t);
  // Z3 = (Z1 + H)^2 - Z1Z1 - HH
  Add(t, p.z, h);
  Sqr(t, t);
  Sub(t, t, z1z1);
  Sub(r.z, t, hh);
  Sqr(t, rr);
  Sub(t, t, j);
  Sub(t, t, v);
  Sub(r.x, t, v);
  Sub(t, v, r.x);
  Mul(t, rr, t);
  Sub(r.y, t, y1j2);
}

}  // namespace

bool Available() noexcept {
  GetTable();
  return true;
}

bool BaseMul(const uint8_t k[kBytes], uint8_t x[kBytes], uint8_t y[kBytes]) noexcept {
  const Table& table = GetTable();
  const Constants& c = K();
  Point acc{Fe{{0, 0, 0, 0, 0, 0}}, c.one, Fe{{0, 0, 0, 0, 0, 0}}};  // the identity
  Affine sel;
  Point sum;
  for (int i = 0; i < kWindows; i++) {
    const u64 d = Digit(k, i);
    // Read every entry of the row and keep the one for d (none when d == 0): the memory access
    // pattern is the same whatever d is.
    sel.x = Fe{{0, 0, 0, 0, 0, 0}};
    sel.y = Fe{{0, 0, 0, 0, 0, 0}};
    for (int j = 0; j < kRowSize; j++) {
      const u64 mask = MaskEq(d, static_cast<u64>(j + 1));
      const Affine& e = table.rows[i][j];
      for (int l = 0; l < kLimbs; l++) {
        sel.x.v[l] |= e.x.v[l] & mask;
        sel.y.v[l] |= e.y.v[l] & mask;
      }
    }
    // Always add (a zero digit adds the meaningless point (0, 0)), then keep the sum only for d != 0.
    PointAddMixed(sum, acc, sel, c.b);
    const u64 use = MaskNonZero(d);
    Select(acc.x, use, sum.x, acc.x);
    Select(acc.y, use, sum.y, acc.y);
    Select(acc.z, use, sum.z, acc.z);
  }
  // x and y are zero for the identity (ToAffineBytes masks them).
  const bool ok = ToAffineBytes(acc, x, y);
  OPENSSL_cleanse(&acc, sizeof(acc));
  OPENSSL_cleanse(&sel, sizeof(sel));
  OPENSSL_cleanse(&sum, sizeof(sum));
  return ok;
}

bool DoubleMulX(const uint8_t u1[kBytes], const uint8_t u2[kBytes], const uint8_t qx[kBytes], const uint8_t qy[kBytes],
                uint8_t x[kBytes]) noexcept {
  const Table& table = GetTable();
  const Constants& c = K();
  // Q into Montgomery form, after checking y^2 = x^3 - 3x + b (ec_keys.cc already decoded it with
  // OpenSSL's checks; this keeps the function safe on its own).
  Fe plain_x, plain_y;
  FromBytes(plain_x.v, qx);
  FromBytes(plain_y.v, qy);
  if (!LessThanP(plain_x.v) || !LessThanP(plain_y.v)) return false;
  Affine q;
  ToMont(q.x, plain_x, c);
  ToMont(q.y, plain_y, c);
  Fe lhs, rhs, t;
  Sqr(lhs, q.y);
  Sqr(rhs, q.x);
  Mul(rhs, rhs, q.x);
  Add(t, q.x, q.x);
  Add(t, t, q.x);
  Sub(rhs, rhs, t);
  Add(rhs, rhs, c.b);
  if (std::memcmp(lhs.v, rhs.v, sizeof(lhs.v)) != 0) return false;

  // u2*Q: 1..15 Q, then 4-bit windows from the top (four doublings, one addition per window), in
  // Jacobian coordinates: the 384 doublings dominate and cost 3M + 5S there against 13M for the
  // complete projective formula. Their exceptional cases are branched on, which is fine here only
  // because every input is public.
  Jacobian multiples[kRowSize];
  multiples[0] = Jacobian{q.x, q.y, c.one};
  for (int j = 1; j < kRowSize; j++) JacobianAddAffine(multiples[j], multiples[j - 1], q, c);
  Jacobian acc{c.one, c.one, Fe{{0, 0, 0, 0, 0, 0}}};  // the identity
  for (int i = kWindows - 1; i >= 0; i--) {
    if (!IsZero(acc.z)) {
      for (int s = 0; s < 4; s++) JacobianDouble(acc, acc);
    }
    const unsigned d = Digit(u2, i);
    if (d != 0) JacobianAdd(acc, acc, multiples[d - 1], c);
  }
  // u1*G from the fixed table (affine entries), skipping zero digits.
  for (int i = 0; i < kWindows; i++) {
    const unsigned d = Digit(u1, i);
    if (d != 0) JacobianAddAffine(acc, acc, table.rows[i][d - 1], c);
  }
  // Affine x = X / Z^2; the identity (Z = 0) is refused.
  if (IsZero(acc.z)) return false;
  Fe zinv;
  Inv(zinv, acc.z);
  Sqr(zinv, zinv);
  Mul(t, acc.x, zinv);
  FromMont(t, t);
  ToBytes(x, t.v);
  return true;
}

#else  // !ESDK_P384_FAST

bool Available() noexcept { return false; }
bool BaseMul(const uint8_t*, uint8_t*, uint8_t*) noexcept { return false; }
bool DoubleMulX(const uint8_t*, const uint8_t*, const uint8_t*, const uint8_t*, uint8_t*) noexcept { return false; }

#endif  // ESDK_P384_FAST

}  // namespace p384
}  // namespace esdk
