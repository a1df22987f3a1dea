// ECDSA over OpenSSL's EC_KEY: single-use signing keys with a precomputed nonce, digest signing, verification.
//
// OpenSSL 3.0's EVP interface cannot precompute an ECDSA nonce: ECDSA_sign_setup and
// ECDSA_do_sign_ex exist only on the deprecated EC_KEY API. That precomputation is what moves
// the signing scalar multiplication off a message's critical path, so this file alone opts in.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "ec_keys.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include "ct.h"
#include "error_mark.h"
#include "p384.h"

namespace esdk {

constexpr size_t kMaxCompressedPointSize = 49;

// k^-1 mod n and r = x(k*G) mod n: one signature's nonce, made ahead of time. Both halves are secret.
struct PrecomputedNonce {
  BIGNUM* kinv = nullptr;
  BIGNUM* r = nullptr;
  ~PrecomputedNonce() {
    BN_clear_free(kinv);
    BN_clear_free(r);
  }
};

class SigningKey {
 public:
  explicit SigningKey(Curve c) noexcept : curve(c) {}
  // EC_KEY_free clear-frees the private scalar.
  ~SigningKey() {
    EC_KEY_free(key);
    delete nonce.exchange(nullptr);
    OPENSSL_cleanse(public_point, sizeof(public_point));
  }
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  const Curve curve;
  EC_KEY* key = nullptr;
  // The first signature's nonce; taken by exactly one signer with an atomic exchange, so a key a
  // caching CMM shares between messages signing on several pool threads at once never signs
  // twice with one nonce (which would give the private key away). Later signatures draw fresh.
  std::atomic<PrecomputedNonce*> nonce{nullptr};
  uint8_t public_point[kMaxCompressedPointSize] = {0};
};

namespace {

// P-384 here is OpenSSL 3.0's generic prime-field code: a table of multiples of the generator,
// built once (~2 ms), makes the u1*G half of every verification cheaper (~10% of a verify).
// Signing and key generation do not use it: their secret scalars always go through the
// constant-time ladder. P-256's nistz256 code has its own built-in table.
EC_GROUP* NewPrecomputedGroup(int nid) noexcept {
  EC_GROUP* group = EC_GROUP_new_by_curve_name(nid);
  if (group != nullptr) {
    ErrorMark mark;
    // Without the table, verification is only slower; a failure here is not fatal.
    EC_GROUP_precompute_mult(group, nullptr);
  }
  return group;
}

// One group object per curve for the life of the process, shared read-only by every thread
// (EC_KEY_set_group copies it, table included, by reference), instead of building the curve
// from its name per key.
const EC_GROUP* GroupFor(Curve curve) noexcept {
  static EC_GROUP* const p256 = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  static EC_GROUP* const p384 = NewPrecomputedGroup(NID_secp384r1);
  switch (curve) {
    case Curve::kP256:
      return p256;
    case Curve::kP384:
      return p384;
    case Curve::kNone:
      break;
  }
  return nullptr;
}

EC_KEY* NewKeyOn(Curve curve) noexcept {
  const EC_GROUP* group = GroupFor(curve);
  if (group == nullptr) return nullptr;
  EC_KEY* key = EC_KEY_new();
  if (key != nullptr && EC_KEY_set_group(key, group) != 1) {
    EC_KEY_free(key);
    return nullptr;
  }
  return key;
}

// ---- P-384 on our own group arithmetic (p384.h) ----------------------------------------------
//
// OpenSSL 3.0 has only generic BN code for P-384 (~1.2 ms per scalar multiplication); p384.cc does
// k*G in constant time from a fixed-base table (no doublings), about 3x faster, and u1*G + u2*Q.
// Scalars mod n stay with OpenSSL's BN (constant-time exponentiation for k^-1), and signing itself
// stays ECDSA_do_sign_ex, which takes the (kinv, r) made here as it takes ECDSA_sign_setup's.

// Which P-384 operations use p384.cc, as lib/core/config.ts hands it over at load (ESDK_P384,
// native/addon.cc Configure):
//   keys     k*G (key generation and nonces: ~3x faster than OpenSSL 3.0 here); verification
//            stays on OpenSSL, because our u1*G + u2*Q measured no faster than OpenSSL's (its
//            384 doublings cost the same field multiplications either way), so new code there
//            would be risk without gain;
//   fast     verification too (kept working and tested, for comparison and faster hardware);
//   openssl  nothing: OpenSSL throughout (comparison, escape hatch, or where OpenSSL is faster).
// Atomic because pool work (the signing-key stock) reads it; it is set before any such work starts.
enum class P384Mode : int { kOpenSsl, kKeys, kAll };

std::atomic<P384Mode> g_p384_mode{ESDK_P384_FAST ? P384Mode::kKeys : P384Mode::kOpenSsl};

P384Mode CurrentP384Mode() noexcept { return g_p384_mode.load(std::memory_order_relaxed); }

bool UseFastP384(Curve curve) noexcept {
  return curve == Curve::kP384 && CurrentP384Mode() != P384Mode::kOpenSsl && p384::Available();
}
bool UseFastP384Verify(Curve curve) noexcept {
  return curve == Curve::kP384 && CurrentP384Mode() == P384Mode::kAll && p384::Available();
}

// The group order n of P-384, big-endian.
constexpr uint8_t kP384Order[p384::kBytes] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                              0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                              0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf, 0x58, 0x1a, 0x0d, 0xb2,
                                              0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73};

// The group order n of P-256, big-endian.
constexpr uint8_t kP256Order[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
                                    0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

// 1 <= v < order for a secret big-endian v of the order's size, without a data-dependent branch:
// v - order must borrow and v must have some bit set. Only the yes/no leaves (by value).
bool InOrderRange(const uint8_t* v, const uint8_t* order, size_t size) noexcept {
  unsigned borrow = 0;
  unsigned any = 0;
  for (size_t i = size; i-- > 0;) {
    const unsigned d = static_cast<unsigned>(v[i]) - order[i] - borrow;
    borrow = (d >> 8) & 1;
    any |= v[i];
  }
  const unsigned nonzero = (any + 0xff) >> 8;
  return (borrow & nonzero) == 1;
}

bool InScalarRange(const uint8_t v[p384::kBytes]) noexcept { return InOrderRange(v, kP384Order, p384::kBytes); }

// A uniform scalar in [1, n-1] from the private DRBG, by rejection (n is within 2^-190 of 2^384,
// so a retry practically never happens; a rejected draw is discarded, so the branch leaks nothing
// about the kept one).
Status RandomScalar(uint8_t out[p384::kBytes]) noexcept {
  for (int attempt = 0; attempt < 64; attempt++) {
    if (RAND_priv_bytes(out, static_cast<int>(p384::kBytes)) != 1) return Status::kOpenSslFailure;
    // A private key or nonce from here on (constant-time validation, native/ct.h); only whether
    // the draw is kept is public.
    ct::Secret(out, p384::kBytes);
    if (ct::Public(InScalarRange(out))) return Status::kOk;
  }
  return Status::kOpenSslFailure;
}

// Q = d*G with our code into the key (d already validated 1 <= d < n); the point goes through
// EC_POINT_oct2point, whose on-curve check doubles as a sanity check of our result.
Status SetPublicFromScalar(EC_KEY* key, const uint8_t d[p384::kBytes]) noexcept {
  uint8_t point[1 + 2 * p384::kBytes];
  point[0] = POINT_CONVERSION_UNCOMPRESSED;
  const bool made = p384::BaseMul(d, point + 1, point + 1 + p384::kBytes);
  ct::Declassify(point, sizeof(point));  // the public key
  if (!made) return Status::kOpenSslFailure;
  const EC_GROUP* group = EC_KEY_get0_group(key);
  EC_POINT* q = EC_POINT_new(group);
  Status status = Status::kOk;
  if (q == nullptr || EC_POINT_oct2point(group, q, point, sizeof(point), nullptr) != 1 ||
      EC_KEY_set_public_key(key, q) != 1) {
    status = Status::kOpenSslFailure;
  }
  EC_POINT_free(q);
  return status;
}

// The ECDSA nonce ECDSA_sign_setup would make, with our k*G: k uniform in [1, n-1],
// r = x(k*G) mod n (never 0 in practice: then draw again), kinv = k^(n-2) mod n by a
// constant-time exponentiation (k is secret; n - 2 is public).
// Writes the pair into *out_kinv / *out_r (owned by the caller) and touches nothing in `key`, so
// threads signing with one shared key can each draw their own.
Status FastNonce(const SigningKey& key, BIGNUM** out_kinv, BIGNUM** out_r) noexcept {
  const BIGNUM* order = EC_GROUP_get0_order(EC_KEY_get0_group(key.key));
  uint8_t k_bytes[p384::kBytes];
  uint8_t x[p384::kBytes];
  uint8_t y[p384::kBytes];
  BN_CTX* ctx = BN_CTX_secure_new();
  BIGNUM* k = BN_secure_new();
  BIGNUM* exponent = BN_new();
  BIGNUM* kinv = BN_secure_new();
  BIGNUM* r = BN_new();
  Status status = Status::kOpenSslFailure;
  if (ctx != nullptr && k != nullptr && exponent != nullptr && kinv != nullptr && r != nullptr &&
      BN_copy(exponent, order) != nullptr && BN_sub_word(exponent, 2) == 1) {
    for (int attempt = 0; attempt < 8; attempt++) {
      status = RandomScalar(k_bytes);
      if (status != Status::kOk) break;
      status = Status::kOpenSslFailure;
      const bool made = p384::BaseMul(k_bytes, x, y);
      ct::Declassify(x, sizeof(x));  // r = x mod n is half the signature: public
      if (!made) break;
      // r is public (it is half the signature): plain BN arithmetic. x < p < 2n.
      if (BN_bin2bn(x, static_cast<int>(sizeof(x)), r) == nullptr) break;
      if (BN_cmp(r, order) >= 0 && BN_sub(r, r, order) != 1) break;
      if (BN_is_zero(r)) continue;
      BN_set_flags(k, BN_FLG_CONSTTIME);
      if (BN_bin2bn(k_bytes, static_cast<int>(sizeof(k_bytes)), k) == nullptr) break;
      BN_set_flags(k, BN_FLG_CONSTTIME);
      if (BN_mod_exp_mont_consttime(kinv, k, exponent, order, ctx, nullptr) != 1) break;
      *out_kinv = kinv;
      *out_r = r;
      kinv = nullptr;
      r = nullptr;
      status = Status::kOk;
      break;
    }
  }
  OPENSSL_cleanse(k_bytes, sizeof(k_bytes));
  OPENSSL_cleanse(y, sizeof(y));
  BN_clear_free(k);
  BN_clear_free(kinv);
  BN_free(exponent);
  BN_free(r);
  BN_CTX_free(ctx);
  return status;
}

// Precomputes the nonce (one constant-time scalar multiplication) and the public encoding.
Status Finish(SigningKey* k) noexcept {
  PrecomputedNonce* nonce = new (std::nothrow) PrecomputedNonce();
  if (nonce == nullptr) return Status::kOpenSslFailure;
  const Status made = UseFastP384(k->curve) ? FastNonce(*k, &nonce->kinv, &nonce->r)
                      : ECDSA_sign_setup(k->key, nullptr, &nonce->kinv, &nonce->r) == 1 ? Status::kOk
                                                                                        : Status::kOpenSslFailure;
  if (made != Status::kOk) {
    delete nonce;
    return made;
  }
  delete k->nonce.exchange(nonce);
  const size_t size = CompressedPointSize(k->curve);
  if (EC_POINT_point2oct(EC_KEY_get0_group(k->key), EC_KEY_get0_public_key(k->key), POINT_CONVERSION_COMPRESSED,
                         k->public_point, size, nullptr) != size) {
    return Status::kOpenSslFailure;
  }
  return Status::kOk;
}

// d uniform in [1, n-1] and Q = d*G, as EC_KEY_generate_key does, with our k*G.
Status FastGenerate(EC_KEY* key) noexcept {
  uint8_t d_bytes[p384::kBytes];
  Status status = RandomScalar(d_bytes);
  BIGNUM* d = BN_secure_new();
  if (status == Status::kOk) {
    if (d == nullptr || BN_bin2bn(d_bytes, static_cast<int>(sizeof(d_bytes)), d) == nullptr ||
        EC_KEY_set_private_key(key, d) != 1) {
      status = Status::kOpenSslFailure;
    } else {
      status = SetPublicFromScalar(key, d_bytes);
    }
  }
  OPENSSL_cleanse(d_bytes, sizeof(d_bytes));
  BN_clear_free(d);
  return status;
}

class KeyGuard {
 public:
  explicit KeyGuard(SigningKey* key) noexcept : key_(key) {}
  ~KeyGuard() { delete key_; }
  SigningKey* Release() noexcept {
    SigningKey* k = key_;
    key_ = nullptr;
    return k;
  }
  KeyGuard(const KeyGuard&) = delete;
  KeyGuard& operator=(const KeyGuard&) = delete;

 private:
  SigningKey* key_;
};

}  // namespace

size_t ScalarSize(Curve curve) noexcept { return curve == Curve::kP256 ? 32 : curve == Curve::kP384 ? 48 : 0; }
size_t CompressedPointSize(Curve curve) noexcept { return curve == Curve::kNone ? 0 : 1 + ScalarSize(curve); }
size_t UncompressedPointSize(Curve curve) noexcept { return curve == Curve::kNone ? 0 : 1 + 2 * ScalarSize(curve); }
size_t DigestSize(Curve curve) noexcept { return ScalarSize(curve); }
// SEQUENCE { INTEGER r, INTEGER s }, each integer at most one byte longer than the order
// (a leading zero), as ECDSA_size reports: 72 for P-256, 104 for P-384.
size_t MaxSignatureSize(Curve curve) noexcept { return curve == Curve::kP256 ? 72 : curve == Curve::kP384 ? 104 : 0; }

Status GenerateSigningKey(Curve curve, SigningKey** out) noexcept {
  *out = nullptr;
  if (curve == Curve::kNone) return Status::kUnknownSuite;
  SigningKey* k = new (std::nothrow) SigningKey(curve);
  KeyGuard owner(k);
  if (k == nullptr) return Status::kOpenSslFailure;
  k->key = NewKeyOn(curve);
  if (k->key == nullptr) return Status::kOpenSslFailure;
  if (UseFastP384(curve)) {
    const Status status = FastGenerate(k->key);
    if (status != Status::kOk) return status;
  } else if (EC_KEY_generate_key(k->key) != 1) {
    return Status::kOpenSslFailure;
  }
  const Status status = Finish(k);
  if (status != Status::kOk) return status;
  *out = owner.Release();
  return Status::kOk;
}

Status SigningKeyFromScalar(Curve curve, ByteView scalar, ByteView point_bytes, SigningKey** out) noexcept {
  *out = nullptr;
  if (curve == Curve::kNone) return Status::kUnknownSuite;
  if (scalar.size != ScalarSize(curve)) return Status::kBadKeyLength;
  SigningKey* k = new (std::nothrow) SigningKey(curve);
  KeyGuard owner(k);
  if (k == nullptr) return Status::kOpenSslFailure;
  k->key = NewKeyOn(curve);
  if (k->key == nullptr) return Status::kOpenSslFailure;
  const EC_GROUP* group = EC_KEY_get0_group(k->key);
  BIGNUM* d = BN_secure_new();
  EC_POINT* point = EC_POINT_new(group);
  Status status = Status::kOk;
  if (d == nullptr || point == nullptr || BN_bin2bn(scalar.data, static_cast<int>(scalar.size), d) == nullptr) {
    status = Status::kOpenSslFailure;
  } else if (!ct::Public(InOrderRange(scalar.data, curve == Curve::kP384 ? kP384Order : kP256Order, scalar.size))) {
    // 1 <= d < n in constant time (BN_cmp is not); whether the key is valid is public.
    status = Status::kBadKeyLength;
  } else if (point_bytes.size == 0 && UseFastP384(curve)) {
    // Q = d*G with our constant-time code (the scalar was range-checked above, 48 bytes).
    if (EC_KEY_set_private_key(k->key, d) != 1) {
      status = Status::kOpenSslFailure;
    } else {
      status = SetPublicFromScalar(k->key, scalar.data);
    }
  } else if (point_bytes.size != 0 ? EC_POINT_oct2point(group, point, point_bytes.data, point_bytes.size, nullptr) != 1
                                   : EC_POINT_mul(group, point, d, nullptr, nullptr, nullptr) != 1) {
    status = point_bytes.size != 0 ? Status::kBadPoint : Status::kOpenSslFailure;
  } else if (EC_KEY_set_private_key(k->key, d) != 1 || EC_KEY_set_public_key(k->key, point) != 1) {
    status = Status::kOpenSslFailure;
  }
  BN_clear_free(d);
  EC_POINT_free(point);
  if (status == Status::kOk) status = Finish(k);
  if (status != Status::kOk) return status;
  *out = owner.Release();
  return Status::kOk;
}

void FreeSigningKey(SigningKey* key) noexcept { delete key; }

Curve SigningKeyCurve(const SigningKey& key) noexcept { return key.curve; }

ByteView SigningKeyPublicPoint(const SigningKey& key) noexcept {
  return ByteView{key.public_point, CompressedPointSize(key.curve)};
}

Status ExportSigningKey(const SigningKey& key, MutableByteView scalar, MutableByteView uncompressed) noexcept {
  if (scalar.size != ScalarSize(key.curve) || uncompressed.size != UncompressedPointSize(key.curve)) {
    return Status::kBadOutputLength;
  }
  WipeUnlessReleased wipe(scalar.data, scalar.size);
  const BIGNUM* d = EC_KEY_get0_private_key(key.key);
  if (d == nullptr || BN_bn2binpad(d, scalar.data, static_cast<int>(scalar.size)) != static_cast<int>(scalar.size) ||
      EC_POINT_point2oct(EC_KEY_get0_group(key.key), EC_KEY_get0_public_key(key.key), POINT_CONVERSION_UNCOMPRESSED,
                         uncompressed.data, uncompressed.size, nullptr) != uncompressed.size) {
    return Status::kOpenSslFailure;
  }
  wipe.Release();
  return Status::kOk;
}

Status SignDigest(SigningKey& key, ByteView digest, MutableByteView out, size_t* written) noexcept {
  *written = 0;
  if (digest.size != DigestSize(key.curve)) return Status::kBadDigestLength;
  if (out.size < MaxSignatureSize(key.curve)) return Status::kBadOutputLength;
  const int digest_size = static_cast<int>(digest.size);
  ECDSA_SIG* sig = nullptr;
  // Spent whatever happens: once taken, no other signer can see it.
  PrecomputedNonce* nonce = key.nonce.exchange(nullptr);
  if (nonce != nullptr) {
    sig = ECDSA_do_sign_ex(digest.data, digest_size, nonce->kinv, nonce->r, key.key);
    delete nonce;
  }
  // A reused key (its nonce taken by an earlier signature), or the (negligible) s == 0 case
  // where OpenSSL asks for a new nonce: a fresh one, as SignDigestShared draws.
  if (sig == nullptr) {
    size_t shared = 0;
    const Status status = SignDigestShared(key, digest, out, &shared);
    if (status == Status::kOk) *written = shared;
    return status;
  }
  if (sig == nullptr) return Status::kOpenSslFailure;
  Status status = Status::kOk;
  // The signature is public: its length and bytes (computed from the secrets by OpenSSL) are declassified.
  const int size = ct::Public(i2d_ECDSA_SIG(sig, nullptr));
  if (size <= 0 || static_cast<size_t>(size) > out.size) {
    status = Status::kOpenSslFailure;
  } else {
    uint8_t* p = out.data;
    if (ct::Public(i2d_ECDSA_SIG(sig, &p)) != size) status = Status::kOpenSslFailure;
    ct::Declassify(out.data, static_cast<size_t>(size));
  }
  ECDSA_SIG_free(sig);
  if (status == Status::kOk) *written = static_cast<size_t>(size);
  return status;
}

// A fresh nonce per signature, made here and never stored in `key`: several threads may sign with
// one key at once (a caching CMM's key shared by the records of a batch).
Status SignDigestShared(const SigningKey& key, ByteView digest, MutableByteView out, size_t* written) noexcept {
  *written = 0;
  if (digest.size != DigestSize(key.curve)) return Status::kBadDigestLength;
  if (out.size < MaxSignatureSize(key.curve)) return Status::kBadOutputLength;
  BIGNUM* kinv = nullptr;
  BIGNUM* r = nullptr;
  Status status = Status::kOk;
  if (UseFastP384(key.curve)) {
    status = FastNonce(key, &kinv, &r);
  } else if (ECDSA_sign_setup(key.key, nullptr, &kinv, &r) != 1) {
    status = Status::kOpenSslFailure;
  }
  ECDSA_SIG* sig =
      status == Status::kOk ? ECDSA_do_sign_ex(digest.data, static_cast<int>(digest.size), kinv, r, key.key) : nullptr;
  BN_clear_free(kinv);
  BN_clear_free(r);
  if (status != Status::kOk) return status;
  // The (negligible) s == 0 case: OpenSSL draws its own nonce.
  if (sig == nullptr) sig = ECDSA_do_sign(digest.data, static_cast<int>(digest.size), key.key);
  if (sig == nullptr) return Status::kOpenSslFailure;
  // The signature is public: its length and bytes (computed from the secrets by OpenSSL) are declassified.
  const int size = ct::Public(i2d_ECDSA_SIG(sig, nullptr));
  if (size <= 0 || static_cast<size_t>(size) > out.size) {
    status = Status::kOpenSslFailure;
  } else {
    uint8_t* p = out.data;
    if (ct::Public(i2d_ECDSA_SIG(sig, &p)) != size) status = Status::kOpenSslFailure;
    ct::Declassify(out.data, static_cast<size_t>(size));
  }
  ECDSA_SIG_free(sig);
  if (status == Status::kOk) *written = static_cast<size_t>(size);
  return status;
}

namespace {

// ECDSA verification (SEC 1 section 4.1.4) with our u1*G + u2*Q; everything here is public.
// The signature must be strict DER exactly as ECDSA_verify demands (parse, re-encode, compare),
// and the point is decoded and checked on the curve by EC_POINT_oct2point as on OpenSSL's path.
Status FastVerify(ByteView point, ByteView digest, ByteView signature) noexcept {
  const EC_GROUP* group = GroupFor(Curve::kP384);
  if (group == nullptr) return Status::kOpenSslFailure;
  const BIGNUM* order = EC_GROUP_get0_order(group);
  const uint8_t* p = signature.data;
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size));
  unsigned char* der = nullptr;
  int der_size = 0;
  bool ok = sig != nullptr;
  if (ok) {
    der_size = i2d_ECDSA_SIG(sig, &der);
    ok = der_size > 0 && static_cast<size_t>(der_size) == signature.size &&
         std::memcmp(der, signature.data, signature.size) == 0;
  }
  OPENSSL_free(der);
  BN_CTX* ctx = ok ? BN_CTX_new() : nullptr;
  EC_POINT* q = ok ? EC_POINT_new(group) : nullptr;
  if (ctx != nullptr) BN_CTX_start(ctx);
  BIGNUM* e = ctx != nullptr ? BN_CTX_get(ctx) : nullptr;
  BIGNUM* w = ctx != nullptr ? BN_CTX_get(ctx) : nullptr;
  BIGNUM* u1 = ctx != nullptr ? BN_CTX_get(ctx) : nullptr;
  BIGNUM* u2 = ctx != nullptr ? BN_CTX_get(ctx) : nullptr;
  BIGNUM* qx = ctx != nullptr ? BN_CTX_get(ctx) : nullptr;
  BIGNUM* qy = ctx != nullptr ? BN_CTX_get(ctx) : nullptr;
  ok = ok && qy != nullptr && q != nullptr;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  if (ok) ECDSA_SIG_get0(sig, &r, &s);
  // 1 <= r, s < n (d2i already refuses negative integers; checked again, it is cheap).
  ok = ok && !BN_is_zero(r) && !BN_is_negative(r) && BN_cmp(r, order) < 0 && !BN_is_zero(s) && !BN_is_negative(s) &&
       BN_cmp(s, order) < 0;
  // The public point, exactly as OpenSSL's path decodes it (on-curve check included).
  ok = ok && EC_POINT_oct2point(group, q, point.data, point.size, ctx) == 1 &&
       EC_POINT_get_affine_coordinates(group, q, qx, qy, ctx) == 1;
  // e: the digest is exactly as long as n (48 bytes), so it is the whole integer, taken mod n.
  ok = ok && BN_bin2bn(digest.data, static_cast<int>(digest.size), e) != nullptr && BN_nnmod(e, e, order, ctx) == 1 &&
       BN_mod_inverse(w, s, order, ctx) != nullptr && BN_mod_mul(u1, e, w, order, ctx) == 1 &&
       BN_mod_mul(u2, r, w, order, ctx) == 1;
  uint8_t u1_bytes[p384::kBytes], u2_bytes[p384::kBytes], qx_bytes[p384::kBytes], qy_bytes[p384::kBytes];
  uint8_t x[p384::kBytes];
  const int n = static_cast<int>(p384::kBytes);
  ok = ok && BN_bn2binpad(u1, u1_bytes, n) == n && BN_bn2binpad(u2, u2_bytes, n) == n &&
       BN_bn2binpad(qx, qx_bytes, n) == n && BN_bn2binpad(qy, qy_bytes, n) == n;
  // R = u1*G + u2*Q; the identity is refused inside DoubleMulX. Accept iff x(R) mod n == r.
  ok = ok && p384::DoubleMulX(u1_bytes, u2_bytes, qx_bytes, qy_bytes, x) && BN_bin2bn(x, n, e) != nullptr &&
       BN_nnmod(e, e, order, ctx) == 1 && BN_cmp(e, r) == 0;
  if (ctx != nullptr) BN_CTX_end(ctx);
  BN_CTX_free(ctx);
  EC_POINT_free(q);
  ECDSA_SIG_free(sig);
  return ok ? Status::kOk : Status::kAuthenticationFailed;
}

}  // namespace

Status VerifyDigest(Curve curve, ByteView point, ByteView digest, ByteView signature) noexcept {
  if (digest.size != DigestSize(curve)) return Status::kBadDigestLength;
  if (UseFastP384Verify(curve)) {
    ErrorMark mark;  // a refused signature or point leaves OpenSSL errors behind; drop them
    return FastVerify(point, digest, signature);
  }
  EC_KEY* key = NewKeyOn(curve);
  if (key == nullptr) return Status::kOpenSslFailure;
  const EC_GROUP* group = EC_KEY_get0_group(key);
  EC_POINT* q = EC_POINT_new(group);
  Status status = Status::kAuthenticationFailed;
  // oct2point refuses points off the curve; the groups here have cofactor 1, so that is the
  // whole public-key validation. ECDSA_verify refuses non-DER or trailing bytes in the signature.
  if (q != nullptr && EC_POINT_oct2point(group, q, point.data, point.size, nullptr) == 1 &&
      EC_KEY_set_public_key(key, q) == 1 &&
      ECDSA_verify(0, digest.data, static_cast<int>(digest.size), signature.data, static_cast<int>(signature.size),
                   key) == 1) {
    status = Status::kOk;
  }
  EC_POINT_free(q);
  EC_KEY_free(key);
  return status;
}

bool SetP384Implementation(const char* name) noexcept {
  P384Mode mode;
  if (std::strcmp(name, "keys") == 0) {
    mode = P384Mode::kKeys;
  } else if (std::strcmp(name, "fast") == 0) {
    mode = P384Mode::kAll;
  } else if (std::strcmp(name, "openssl") == 0) {
    mode = P384Mode::kOpenSsl;
  } else {
    return false;
  }
  // Without our field arithmetic (no 64-bit __int128 target) everything stays on OpenSSL.
  g_p384_mode.store(ESDK_P384_FAST ? mode : P384Mode::kOpenSsl, std::memory_order_relaxed);
  return true;
}

const char* P384Implementation() noexcept {
  switch (CurrentP384Mode()) {
    case P384Mode::kAll:
      return "fast";
    case P384Mode::kKeys:
      return "keys";
    case P384Mode::kOpenSsl:
      break;
  }
  return "openssl";
}

Status DecompressPoint(Curve curve, ByteView compressed, MutableByteView uncompressed) noexcept {
  const EC_GROUP* group = GroupFor(curve);
  if (group == nullptr) return Status::kUnknownSuite;
  if (compressed.size != CompressedPointSize(curve) || (compressed.data[0] != 0x02 && compressed.data[0] != 0x03)) {
    return Status::kBadPoint;
  }
  if (uncompressed.size != UncompressedPointSize(curve)) return Status::kBadOutputLength;
  EC_POINT* p = EC_POINT_new(group);
  Status status = Status::kBadPoint;
  if (p != nullptr && EC_POINT_oct2point(group, p, compressed.data, compressed.size, nullptr) == 1 &&
      EC_POINT_point2oct(group, p, POINT_CONVERSION_UNCOMPRESSED, uncompressed.data, uncompressed.size, nullptr) ==
          uncompressed.size) {
    status = Status::kOk;
  }
  EC_POINT_free(p);
  return status;
}

}  // namespace esdk
