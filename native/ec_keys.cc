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

#include <new>

#include "error_mark.h"

namespace esdk {

constexpr size_t kMaxCompressedPointSize = 49;

class SigningKey {
 public:
  explicit SigningKey(Curve c) noexcept : curve(c) {}
  // EC_KEY_free clear-frees the private scalar; the nonce halves are secret too.
  ~SigningKey() {
    EC_KEY_free(key);
    BN_clear_free(kinv);
    BN_clear_free(r);
    OPENSSL_cleanse(public_point, sizeof(public_point));
  }
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  const Curve curve;
  EC_KEY* key = nullptr;
  // k^-1 mod n and r = x(k*G) mod n for the next signature; null once used.
  BIGNUM* kinv = nullptr;
  BIGNUM* r = nullptr;
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

// Precomputes the nonce (one constant-time scalar multiplication) and the public encoding.
Status Finish(SigningKey* k) noexcept {
  if (ECDSA_sign_setup(k->key, nullptr, &k->kinv, &k->r) != 1) return Status::kOpenSslFailure;
  const size_t size = CompressedPointSize(k->curve);
  if (EC_POINT_point2oct(EC_KEY_get0_group(k->key), EC_KEY_get0_public_key(k->key), POINT_CONVERSION_COMPRESSED,
                         k->public_point, size, nullptr) != size) {
    return Status::kOpenSslFailure;
  }
  return Status::kOk;
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
  if (k->key == nullptr || EC_KEY_generate_key(k->key) != 1) return Status::kOpenSslFailure;
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
  } else if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(group)) >= 0) {
    status = Status::kBadKeyLength;
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
  if (key.kinv != nullptr && key.r != nullptr) {
    sig = ECDSA_do_sign_ex(digest.data, digest_size, key.kinv, key.r, key.key);
    // Spent whatever happened: a nonce must never sign twice.
    BN_clear_free(key.kinv);
    BN_clear_free(key.r);
    key.kinv = nullptr;
    key.r = nullptr;
  }
  // A reused key, or the (negligible) s == 0 case where OpenSSL asks for a new nonce.
  if (sig == nullptr) sig = ECDSA_do_sign(digest.data, digest_size, key.key);
  if (sig == nullptr) return Status::kOpenSslFailure;
  Status status = Status::kOk;
  const int size = i2d_ECDSA_SIG(sig, nullptr);
  if (size <= 0 || static_cast<size_t>(size) > out.size) {
    status = Status::kOpenSslFailure;
  } else {
    uint8_t* p = out.data;
    if (i2d_ECDSA_SIG(sig, &p) != size) status = Status::kOpenSslFailure;
  }
  ECDSA_SIG_free(sig);
  if (status == Status::kOk) *written = static_cast<size_t>(size);
  return status;
}

Status VerifyDigest(Curve curve, ByteView point, ByteView digest, ByteView signature) noexcept {
  if (digest.size != DigestSize(curve)) return Status::kBadDigestLength;
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
