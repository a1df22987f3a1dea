// libFuzzer target: ECDSA verification of a signed message's footer (P-256, P-384) and SEC1 point decoding, our P-384
// code against OpenSSL's and both against ECDSA_verify itself.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

#include <cstdint>
#include <cstring>

#include "../../../native/ec_keys.h"
#include "message_input.h"

using esdk::ByteView;
using esdk::Curve;
using esdk::MutableByteView;
using esdk::Status;

namespace {

// OpenSSL's own verdict: the point decoded by EC_POINT_oct2point, the signature by ECDSA_verify (strict DER).
int Reference(Curve curve, ByteView point, ByteView digest, ByteView signature, bool* point_ok) {
  EC_KEY* key = EC_KEY_new_by_curve_name(curve == Curve::kP256 ? NID_X9_62_prime256v1 : NID_secp384r1);
  const EC_GROUP* group = EC_KEY_get0_group(key);
  EC_POINT* q = EC_POINT_new(group);
  *point_ok = EC_POINT_oct2point(group, q, point.data, point.size, nullptr) == 1 &&
              EC_POINT_is_at_infinity(group, q) == 0 && EC_POINT_is_on_curve(group, q, nullptr) == 1;
  int verified = 0;
  if (*point_ok && EC_KEY_set_public_key(key, q) == 1) {
    verified = ECDSA_verify(0, digest.data, static_cast<int>(digest.size), signature.data,
                            static_cast<int>(signature.size), key) == 1;
  }
  EC_POINT_free(q);
  EC_KEY_free(key);
  return verified;
}

}  // namespace

// [curve: even P-256, odd P-384] [point length] [point] [digest, DigestSize] [DER signature]
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  esdk_fuzz::Reader r(data, size);
  uint32_t selector, point_length;
  const uint8_t *point, *digest;
  if (!r.U8(&selector) || !r.U8(&point_length) || !r.Take(point_length, &point)) return 0;
  const Curve curve = selector & 1 ? Curve::kP384 : Curve::kP256;
  if (!r.Take(esdk::DigestSize(curve), &digest)) return 0;
  const uint8_t* signature = data + r.at();
  const ByteView p{point, point_length}, d{digest, esdk::DigestSize(curve)}, s{signature, r.left()};

  bool point_ok = false;
  const bool verified = Reference(curve, p, d, s, &point_ok) == 1;
  // Every implementation this build has: the OpenSSL path and, for P-384, ours (p384.cc) for verification.
  for (const char* mode : {"openssl", "fast"}) {
    FUZZ_CHECK(esdk::SetP384Implementation(mode));
    const Status status = esdk::VerifyDigest(curve, p, d, s);
    FUZZ_CHECK(status == Status::kOk || status == Status::kAuthenticationFailed);
    FUZZ_CHECK((status == Status::kOk) == verified);
  }
  FUZZ_CHECK(esdk::SetP384Implementation("keys"));

  // A compressed point decodes iff OpenSSL takes it, to a point that verifies the same way.
  if (point_length == esdk::CompressedPointSize(curve)) {
    uint8_t uncompressed[97];
    const size_t n = esdk::UncompressedPointSize(curve);
    std::memset(uncompressed, 0xA5, sizeof(uncompressed));
    const Status status = esdk::DecompressPoint(curve, p, MutableByteView{uncompressed, n});
    FUZZ_CHECK(status == Status::kOk || status == Status::kBadPoint);
    FUZZ_CHECK((status == Status::kOk) == point_ok);
    if (status == Status::kOk) {
      FUZZ_CHECK(uncompressed[0] == 0x04 && std::memcmp(uncompressed + 1, point + 1, esdk::ScalarSize(curve)) == 0);
      FUZZ_CHECK((esdk::VerifyDigest(curve, ByteView{uncompressed, n}, d, s) == Status::kOk) == verified);
    }
  }
  return 0;
}
