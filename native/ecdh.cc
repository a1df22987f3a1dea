// ECDH shared secrets over EVP_PKEY_derive (peer points checked on the curve first) and the counter-mode KDF over our
// HMAC, every secret cleansed.
#include "ecdh.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/params.h>

#include <cstring>
#include <memory>
#include <new>

#include "algorithms.h"
#include "hmac.h"

namespace esdk {

class EcdhKey {
 public:
  EcdhCurve curve = EcdhCurve::kP256;
  EVP_PKEY* pkey = nullptr;
  // Derive-initialised once; each call sets a new peer. Not thread-safe: one JS thread uses it.
  EVP_PKEY_CTX* ctx = nullptr;
};

namespace {

// A PKCS#8 P-521 key is under 300 bytes of DER; anything much larger is not one.
constexpr size_t kMaxDerBytes = 4096;
constexpr size_t kMaxFieldSize = 66;
constexpr size_t kMaxUncompressed = 1 + 2 * kMaxFieldSize;
// FixedInfo carries the serialized encryption context, which a message header bounds well below this.
constexpr size_t kMaxKdfLabel = 1u << 24;
constexpr size_t kMaxKdfBlock = 64;

int NidOf(EcdhCurve curve) noexcept {
  switch (curve) {
    case EcdhCurve::kP256:
      return NID_X9_62_prime256v1;
    case EcdhCurve::kP384:
      return NID_secp384r1;
    case EcdhCurve::kP521:
      return NID_secp521r1;
  }
  return NID_undef;
}

const char* GroupName(EcdhCurve curve) noexcept {
  switch (curve) {
    case EcdhCurve::kP256:
      return "P-256";
    case EcdhCurve::kP384:
      return "P-384";
    case EcdhCurve::kP521:
      return "P-521";
  }
  return "";
}

// One group per curve, made at first use (thread-safe static initialisation) and never freed.
const EC_GROUP* GroupOf(EcdhCurve curve) noexcept {
  static EC_GROUP* const p256 = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  static EC_GROUP* const p384 = EC_GROUP_new_by_curve_name(NID_secp384r1);
  static EC_GROUP* const p521 = EC_GROUP_new_by_curve_name(NID_secp521r1);
  switch (curve) {
    case EcdhCurve::kP256:
      return p256;
    case EcdhCurve::kP384:
      return p384;
    case EcdhCurve::kP521:
      return p521;
  }
  return nullptr;
}

// The NID of an EC key's named group, NID_undef for anything else.
int GroupNidOf(const EVP_PKEY* pkey) noexcept {
  char name[64];
  size_t length = 0;
  if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), &length) != 1) return NID_undef;
  int nid = OBJ_sn2nid(name);
  if (nid == NID_undef) nid = EC_curve_nist2nid(name);
  return nid;
}

// framework/raw-ecdh-keyring.md "Initialization": a public key must be on the curve and not the
// point at infinity. oct2point refuses coordinates out of range and points off the curve (it sets
// affine coordinates, which checks); the explicit checks say so here rather than rely on it. The
// curves are of prime order, so a point on the curve other than infinity is in the group.
bool IsValidPeerPoint(EcdhCurve curve, ByteView point) noexcept {
  const EC_GROUP* group = GroupOf(curve);
  if (group == nullptr || point.size != 1 + 2 * EcdhFieldSize(curve) || point.data[0] != 0x04) return false;
  EC_POINT* q = EC_POINT_new(group);
  const bool ok = q != nullptr && EC_POINT_oct2point(group, q, point.data, point.size, nullptr) == 1 &&
                  EC_POINT_is_at_infinity(group, q) == 0 && EC_POINT_is_on_curve(group, q, nullptr) == 1;
  EC_POINT_free(q);
  return ok;
}

// An EVP_PKEY for an already validated public point.
EVP_PKEY* PeerKey(EcdhCurve curve, ByteView point) noexcept {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* peer = nullptr;
  uint8_t copy[kMaxUncompressed];
  std::memcpy(copy, point.data, point.size);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(GroupName(curve)), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, copy, point.size),
      OSSL_PARAM_construct_end(),
  };
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx) != 1 ||
      EVP_PKEY_fromdata(ctx, &peer, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    EVP_PKEY_free(peer);
    peer = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  return peer;
}

// Z into `z` (EcdhFieldSize bytes) from an initialised derive context and a peer.
Status Derive(EVP_PKEY_CTX* ctx, EVP_PKEY* peer, uint8_t* z, size_t size) noexcept {
  size_t length = size;
  // The peer was checked above; OpenSSL's own validation would repeat that plus an n*Q check,
  // a whole scalar multiplication that a prime-order curve does not need.
  if (EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) != 1 || EVP_PKEY_derive(ctx, z, &length) != 1 || length != size) {
    return Status::kOpenSslFailure;
  }
  return Status::kOk;
}

}  // namespace

size_t EcdhFieldSize(EcdhCurve curve) noexcept {
  switch (curve) {
    case EcdhCurve::kP256:
      return 32;
    case EcdhCurve::kP384:
      return 48;
    case EcdhCurve::kP521:
      return 66;
  }
  return 0;
}

Status ImportEcdhPrivateKey(EcdhCurve curve, ByteView der, EcdhKey** out) noexcept {
  *out = nullptr;
  if (der.size == 0 || der.size > kMaxDerBytes) return Status::kBadEcdhKey;
  const unsigned char* p = der.data;
  EVP_PKEY* pkey = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size));
  if (pkey == nullptr) return Status::kBadEcdhKey;
  EcdhKey* key = new (std::nothrow) EcdhKey;
  if (key == nullptr) {
    EVP_PKEY_free(pkey);
    return Status::kOpenSslFailure;
  }
  key->curve = curve;
  key->pkey = pkey;
  if (p != der.data + der.size || EVP_PKEY_is_a(pkey, "EC") != 1 || GroupNidOf(pkey) != NidOf(curve)) {
    FreeEcdhKey(key);
    return Status::kBadEcdhKey;
  }
  key->ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
  if (key->ctx == nullptr || EVP_PKEY_derive_init(key->ctx) != 1) {
    FreeEcdhKey(key);
    return Status::kOpenSslFailure;
  }
  *out = key;
  return Status::kOk;
}

void FreeEcdhKey(EcdhKey* key) noexcept {
  if (key == nullptr) return;
  EVP_PKEY_CTX_free(key->ctx);
  EVP_PKEY_free(key->pkey);
  delete key;
}

Status KdfCounterMode(const EVP_MD* md, ByteView ikm, ByteView label, ByteView context, MutableByteView out) noexcept {
  const Algorithms* algorithms = GetAlgorithms(nullptr);
  if (algorithms == nullptr) return Status::kOpenSslFailure;
  if (md != algorithms->sha256 && md != algorithms->sha384) return Status::kBadKdfInput;
  if ((ikm.size != 32 && ikm.size != 48 && ikm.size != 66) || (context.size != 16 && context.size != 32) ||
      label.size > kMaxKdfLabel) {
    return Status::kBadKdfInput;
  }
  if (out.size != 32 && out.size != 64) return Status::kBadOutputLength;
  if (Overlaps(out.data, out.size, ikm.data, ikm.size) || Overlaps(out.data, out.size, label.data, label.size) ||
      Overlaps(out.data, out.size, context.data, context.size)) {
    return Status::kOverlap;
  }
  WipeUnlessReleased wipe(out.data, out.size);

  // [i]_32 ‖ Label ‖ 0x00 ‖ Context ‖ [L]_32, with the counter rewritten per block.
  const size_t input_size = 4 + label.size + 1 + context.size + 4;
  std::unique_ptr<uint8_t[]> input(new (std::nothrow) uint8_t[input_size]);
  if (!input) return Status::kOpenSslFailure;
  uint8_t* at = input.get() + 4;
  std::memcpy(at, label.data, label.size);
  at += label.size;
  *at++ = 0x00;
  std::memcpy(at, context.data, context.size);
  at += context.size;
  StoreBe32(at, static_cast<uint32_t>(out.size * 8));

  Hmac hmac;
  if (!hmac.Init(md, ikm)) return Status::kOpenSslFailure;
  uint8_t block[kMaxKdfBlock];
  ScopedCleanse block_wipe(block, sizeof(block));
  const ByteView none{block, 0};
  for (size_t i = 1, o = 0; o < out.size; ++i) {
    StoreBe32(input.get(), static_cast<uint32_t>(i));
    if (!hmac.Mac(ByteView{input.get(), input_size}, none, block)) return Status::kOpenSslFailure;
    const size_t take = out.size - o < hmac.size() ? out.size - o : hmac.size();
    std::memcpy(out.data + o, block, take);
    o += take;
  }
  wipe.Release();
  return Status::kOk;
}

Status EcdhDeriveKeyingMaterial(EcdhCurve curve, const EcdhKey* key, MutableByteView ephemeral_public_out,
                                ByteView peer_point, ByteView salt, ByteView fixed_info, MutableByteView out) noexcept {
  const size_t field = EcdhFieldSize(curve);
  if (out.size != 64) return Status::kBadOutputLength;
  if (key != nullptr && key->curve != curve) return Status::kBadEcdhKey;
  if (key == nullptr && ephemeral_public_out.size != 1 + field) return Status::kBadOutputLength;
  // The ephemeral public key may sit inside fixed_info (it is part of FixedInfo); nothing else may
  // overlap the output.
  if (Overlaps(out.data, out.size, fixed_info.data, fixed_info.size) ||
      Overlaps(out.data, out.size, salt.data, salt.size) ||
      Overlaps(out.data, out.size, peer_point.data, peer_point.size) ||
      Overlaps(out.data, out.size, ephemeral_public_out.data, ephemeral_public_out.size)) {
    return Status::kOverlap;
  }
  // From here on every failure wipes `out` (ecdh.h promises it); the argument checks above leave it
  // alone, since an overlapping `out` is somebody's input.
  WipeUnlessReleased wipe(out.data, out.size);
  if (!IsValidPeerPoint(curve, peer_point)) return Status::kBadPoint;

  EVP_PKEY* peer = PeerKey(curve, peer_point);
  if (peer == nullptr) return Status::kBadPoint;
  uint8_t z[kMaxFieldSize];
  ScopedCleanse z_wipe(z, sizeof(z));
  Status status = Status::kOk;
  if (key != nullptr) {
    status = Derive(key->ctx, peer, z, field);
  } else {
    // A fresh key pair for this message alone: freed (and its scalar cleared) before returning.
    EVP_PKEY* ephemeral = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", GroupName(curve));
    EVP_PKEY_CTX* ctx = ephemeral != nullptr ? EVP_PKEY_CTX_new_from_pkey(nullptr, ephemeral, nullptr) : nullptr;
    uint8_t point[kMaxUncompressed];
    size_t point_size = 0;
    if (ctx == nullptr || EVP_PKEY_derive_init(ctx) != 1 ||
        EVP_PKEY_get_octet_string_param(ephemeral, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &point_size) != 1 ||
        point_size != 1 + 2 * field || point[0] != 0x04) {
      status = Status::kOpenSslFailure;
    } else {
      status = Derive(ctx, peer, z, field);
    }
    if (status == Status::kOk) {
      // SEC1 compressed: 02 | parity of y, then x.
      ephemeral_public_out.data[0] = static_cast<uint8_t>(0x02 | (point[point_size - 1] & 1));
      std::memcpy(ephemeral_public_out.data + 1, point + 1, field);
    }
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(ephemeral);
  }
  EVP_PKEY_free(peer);
  if (status != Status::kOk) return status;

  const Algorithms* algorithms = GetAlgorithms(nullptr);
  if (algorithms == nullptr) return Status::kOpenSslFailure;
  status = KdfCounterMode(algorithms->sha384, ByteView{z, field}, fixed_info, salt, out);
  if (status != Status::kOk) return status;
  wipe.Release();
  return Status::kOk;
}

}  // namespace esdk
