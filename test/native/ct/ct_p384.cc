// Constant-time harness for native/p384.cc and the P-384 key, nonce and signing path of native/ec_keys.cc, run under
// valgrind memcheck.
//
// Secrets are marked undefined (native/ct.h); memcheck then reports any branch or memory index
// that depends on them. Marked here: the scalar handed to BaseMul, the private scalar handed to
// SigningKeyFromScalar. Marked by ec_keys.cc itself: every scalar drawn from the DRBG (key
// generation, nonces). Declassified only where the value is public by design (ec_keys.cc, p384.cc
// say which) and here on outputs: public points and signatures. Each result is also checked
// against OpenSSL (on an unmarked copy of the input), so a harness that ran nothing would fail.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/sha.h>

#include "../../../native/ec_keys.h"
#include "../../../native/p384.h"
#include "harness.h"

using namespace esdk;
using ct_harness::Bytes;

namespace {

constexpr size_t kN = p384::kBytes;

// k*G by OpenSSL, for the unmarked copy of k: uncompressed x || y.
void Reference(const uint8_t k[kN], uint8_t xy[2 * kN]) {
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_secp384r1);
  BIGNUM* bk = BN_bin2bn(k, kN, nullptr);
  EC_POINT* p = EC_POINT_new(group);
  uint8_t oct[1 + 2 * kN];
  CT_CHECK(group && bk && p && EC_POINT_mul(group, p, bk, nullptr, nullptr, nullptr) == 1);
  CT_CHECK(EC_POINT_point2oct(group, p, POINT_CONVERSION_UNCOMPRESSED, oct, sizeof oct, nullptr) == sizeof oct);
  std::memcpy(xy, oct + 1, 2 * kN);
  EC_POINT_free(p);
  BN_free(bk);
  EC_GROUP_free(group);
}

unsigned long BaseMulCases(Bytes& rng) {
  unsigned long calls = 0;
  // Random scalars plus the edges: 1, n - 1 (x(G) = x(-G)), and all-ones (reduced mod n inside).
  static const uint8_t kOrderMinus1[kN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                           0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                           0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf, 0x58, 0x1a, 0x0d, 0xb2,
                                           0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x72};
  for (int i = 0; i < 12; i++) {
    uint8_t k[kN], plain_k[kN], x[kN], y[kN], want[2 * kN];
    if (i == 0) {
      std::memset(k, 0, kN);
      k[kN - 1] = 1;
    } else if (i == 1) {
      std::memcpy(k, kOrderMinus1, kN);
    } else if (i == 2) {
      std::memset(k, 0xff, kN);
    } else {
      rng.Fill(k, kN);
    }
    std::memcpy(plain_k, k, kN);
    ct::Secret(k, kN);
    const bool ok = p384::BaseMul(k, x, y);
    calls++;
    // The point is a public key or the r of a signature: public.
    ct::Declassify(x, kN);
    ct::Declassify(y, kN);
    CT_CHECK(ok);
    Reference(plain_k, want);
    CT_CHECK(ct_harness::Same(x, want, kN) && ct_harness::Same(y, want + kN, kN));
  }
  // k = 0 (and k = n): the identity, refused with zeroed outputs. The refusal itself is public (a
  // caller never passes such a k: RandomScalar draws in [1, n-1]); the computation up to it is checked.
  {
    uint8_t k[kN] = {0}, x[kN], y[kN];
    ct::Secret(k, kN);
    const bool ok = p384::BaseMul(k, x, y);
    calls++;
    ct::Declassify(x, kN);
    ct::Declassify(y, kN);
    CT_CHECK(!ok);
    uint8_t zero[kN] = {0};
    CT_CHECK(ct_harness::Same(x, zero, kN) && ct_harness::Same(y, zero, kN));
  }
  return calls;
}

// Signs a digest with the key, declassifies the signature (public) and checks it verifies under the key's public point.
void SignAndVerify(SigningKey& key, Bytes& rng, bool shared) {
  uint8_t digest[kN], sig[104], point[1 + 2 * kN];
  rng.Fill(digest, kN);
  size_t written = 0;
  const Status s = shared ? SignDigestShared(key, ByteView{digest, kN}, MutableByteView{sig, sizeof sig}, &written)
                          : SignDigest(key, ByteView{digest, kN}, MutableByteView{sig, sizeof sig}, &written);
  CT_CHECK(s == Status::kOk);
  ct::Declassify(sig, sizeof sig);
  const ByteView pub = SigningKeyPublicPoint(key);
  CT_CHECK(pub.size == 1 + kN);
  std::memcpy(point, pub.data, pub.size);
  CT_CHECK(VerifyDigest(Curve::kP384, ByteView{point, pub.size}, ByteView{digest, kN}, ByteView{sig, written}) ==
           Status::kOk);
  // And a wrong digest does not verify (so the check above could fail).
  digest[0] ^= 1;
  CT_CHECK(VerifyDigest(Curve::kP384, ByteView{point, pub.size}, ByteView{digest, kN}, ByteView{sig, written}) ==
           Status::kAuthenticationFailed);
}

}  // namespace

int main() {
  CT_CHECK(p384::Available());
  CT_CHECK(SetP384Implementation("keys") && std::strcmp(P384Implementation(), "keys") == 0);
  Bytes rng(0x384);
  unsigned long calls = BaseMulCases(rng);

  // Key generation (DRBG scalar, marked secret inside ec_keys.cc), the precomputed nonce, and signing
  // with it; then a reused key's fresh nonce (SignDigest's second call) and SignDigestShared.
  for (int i = 0; i < 4; i++) {
    SigningKey* key = nullptr;
    CT_CHECK(GenerateSigningKey(Curve::kP384, &key) == Status::kOk && key != nullptr);
    SignAndVerify(*key, rng, false);
    SignAndVerify(*key, rng, false);
    SignAndVerify(*key, rng, true);
    FreeSigningKey(key);
    calls += 4;
  }

  // A known private scalar (a node:crypto key), marked secret, with the public point computed by our code.
  for (int i = 0; i < 2; i++) {
    uint8_t d[kN];
    rng.Fill(d, kN);
    d[0] &= 0x7f;  // below n
    ct::Secret(d, kN);
    SigningKey* key = nullptr;
    CT_CHECK(SigningKeyFromScalar(Curve::kP384, ByteView{d, kN}, ByteView{d, 0}, &key) == Status::kOk);
    SignAndVerify(*key, rng, false);
    FreeSigningKey(key);
    calls += 2;
  }
  ct_harness::Done("p384", calls);
  return 0;
}
