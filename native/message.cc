// Whole-message seal and open on the calling thread; the header and footer steps are shared with the parallel path.
#include "message.h"

#include <openssl/crypto.h>

#include <cstring>

#include "algorithms.h"
#include "digest.h"
#include "frame_table.h"
#include "hkdf.h"

namespace esdk {
namespace {

constexpr uint8_t kZeroIv[kIvLength] = {0};
// While hashing a signed message, frames are sealed this many bytes at a time and hashed right
// after, while they are still in cache: one pass over the output instead of two.
constexpr uint64_t kHashBlock = 64 * 1024;

bool Outside(ByteView a, const uint8_t* b, size_t b_size) noexcept { return !Overlaps(a.data, a.size, b, b_size); }

}  // namespace

Status PlanSeal(const SealMessageRequest& r, SealPlan* plan) noexcept {
  const Suite& suite = *r.suite;
  if (r.data_key.size != suite.key_length) return Status::kBadKeyLength;
  if (r.message_id.size != suite.message_id_length) return Status::kBadMessageIdLength;
  const bool signed_suite = suite.signature != Curve::kNone;
  if (signed_suite != (r.signing_key != nullptr)) return Status::kNotSigningKey;
  if (signed_suite && SigningKeyCurve(*r.signing_key) != suite.signature) return Status::kNotSigningKey;
  if (suite.commitment && r.header_body_length < kCommitmentLength) return Status::kBadOutputLength;
  Status status = ComputeFramedLayout(r.plaintext.size, r.frame_length, &plan->layout);
  if (status != Status::kOk) return status;
  plan->body_offset = r.header_body_length + HeaderAuthLength(suite);
  plan->unsigned_length = plan->body_offset + static_cast<size_t>(plan->layout.body_size);
  plan->capacity = plan->unsigned_length + (signed_suite ? 2 + MaxSignatureSize(suite.signature) : 0);
  if (r.header_body_length > r.out.size || plan->capacity != r.out.size) return Status::kBadOutputLength;
  if (!Outside(r.plaintext, r.out.data, r.out.size) || !Outside(r.data_key, r.out.data, r.out.size) ||
      !Outside(r.message_id, r.out.data, r.out.size) || !Outside(r.extra_aad, r.out.data, r.out.size)) {
    return Status::kOverlap;
  }
  return Status::kOk;
}

MutableByteView FooterRoom(const SealMessageRequest& r, const SealPlan& plan) noexcept {
  return MutableByteView{r.out.data + plan.unsigned_length, r.out.size - plan.unsigned_length};
}

Status SealHeader(const SealMessageRequest& r, MutableByteView key, GcmKey& gcm) noexcept {
  const Suite& suite = *r.suite;
  uint8_t* out = r.out.data;
  const size_t hbl = r.header_body_length;
  const MutableByteView commitment = suite.commitment
                                         ? MutableByteView{out + hbl - kCommitmentLength, kCommitmentLength}
                                         : MutableByteView{key.data, 0};
  Status status = DeriveKeys(suite, r.data_key, r.message_id, key, commitment);
  if (status == Status::kOk) status = gcm.Init(GcmCipherFor(suite), ByteView{key.data, key.size}, true);
  if (status != Status::kOk) return status;
  // The header tag: AES-GCM over an empty plaintext, IV = 12 zero bytes, AAD = header body ‖
  // the authenticated-only context (data-format/message-header.md "Header Authentication").
  // v1 writes the IV before the tag.
  uint8_t* tag = out + hbl;
  if (!suite.commitment) {
    std::memcpy(tag, kZeroIv, kIvLength);
    tag += kIvLength;
  }
  return gcm.Seal(kZeroIv, ByteView{out, hbl}, r.extra_aad, nullptr, 0, nullptr, tag);
}

Status WriteFooter(SigningKey& key, ByteView digest, MutableByteView room, size_t* footer_length,
                   bool shared) noexcept {
  *footer_length = 0;
  if (room.size < 2) return Status::kBadOutputLength;
  size_t signature_length = 0;
  const MutableByteView signature{room.data + 2, room.size - 2};
  const Status status = shared ? SignDigestShared(key, digest, signature, &signature_length)
                               : SignDigest(key, digest, signature, &signature_length);
  if (status != Status::kOk) return status;
  if (signature_length > 0xFFFF) return Status::kBadSignatureLength;
  room.data[0] = static_cast<uint8_t>(signature_length >> 8);
  room.data[1] = static_cast<uint8_t>(signature_length);
  *footer_length = 2 + signature_length;
  // The unused tail of the footer's room is left zero, never stale bytes.
  std::memset(room.data + *footer_length, 0, room.size - *footer_length);
  return Status::kOk;
}

Status SealMessage(const SealMessageRequest& r, size_t* message_length) noexcept {
  *message_length = 0;
  SealPlan plan{};
  Status status = PlanSeal(r, &plan);
  if (status != Status::kOk) return status;
  WipeUnlessReleased wipe_out(r.out.data, r.out.size);
  uint8_t key_bytes[kMaxKeyLength];
  ScopedCleanse wipe_key(key_bytes, sizeof(key_bytes));
  GcmKey gcm;
  status = SealHeader(r, MutableByteView{key_bytes, r.suite->key_length}, gcm);
  if (status != Status::kOk) return status;

  uint8_t* body = r.out.data + plan.body_offset;
  const uint64_t frames = FrameCount(plan.layout);
  if (r.signing_key == nullptr) {
    status = SealFrames(gcm, r.message_id, plan.layout, r.plaintext.data, 0, frames, body);
    if (status != Status::kOk) return status;
    *message_length = plan.unsigned_length;
    wipe_out.Release();
    return Status::kOk;
  }

  const Curve curve = r.suite->signature;
  MessageDigest digest;
  if (!digest.Init(curve) || !digest.Update(r.out.data, plan.body_offset)) return Status::kOpenSslFailure;
  const uint64_t step = kHashBlock / (plan.layout.frame_length + 32) + 1;
  for (uint64_t first = 0; first < frames; first += step) {
    const uint64_t last = first + step < frames ? first + step : frames;
    status = SealFrames(gcm, r.message_id, plan.layout, r.plaintext.data, first, last, body);
    if (status != Status::kOk) return status;
    const uint64_t from = FrameOffset(plan.layout, first);
    const uint64_t to = last == frames ? plan.layout.body_size : FrameOffset(plan.layout, last);
    if (!digest.Update(body + from, static_cast<size_t>(to - from))) return Status::kOpenSslFailure;
  }
  uint8_t hash[64];
  const MutableByteView hash_view{hash, DigestSize(curve)};
  if (!digest.Final(hash_view)) return Status::kOpenSslFailure;
  size_t footer_length = 0;
  status = WriteFooter(*r.signing_key, ByteView{hash, hash_view.size}, FooterRoom(r, plan), &footer_length,
                       r.shared_signing_key);
  if (status != Status::kOk) return status;
  *message_length = plan.unsigned_length + footer_length;
  wipe_out.Release();
  return Status::kOk;
}

Status PlanOpen(const OpenMessageRequest& r) noexcept {
  const Suite& suite = *r.suite;
  if (r.data_key.size != suite.key_length) return Status::kBadKeyLength;
  if (r.message_id.size != suite.message_id_length) return Status::kBadMessageIdLength;
  if (r.header_iv.size != kIvLength) return Status::kBadIvLength;
  if (!Outside(r.source, r.out.data, r.out.size) || !Outside(r.data_key, r.out.data, r.out.size) ||
      !Outside(r.message_id, r.out.data, r.out.size) || !Outside(r.header_body, r.out.data, r.out.size) ||
      !Outside(r.extra_aad, r.out.data, r.out.size)) {
    return Status::kOverlap;
  }
  uint64_t total = 0;
  const Status status = ValidateFrameTable(r.table, r.frame_count, r.source.size, &total);
  if (status != Status::kOk) return status;
  return total == r.out.size ? Status::kOk : Status::kBadOutputLength;
}

Status OpenHeader(const OpenMessageRequest& r, MutableByteView key, GcmKey& gcm) noexcept {
  const Suite& suite = *r.suite;
  // A tag or commitment of the wrong length cannot match: fail the same way as a mismatch.
  if (r.header_tag.size != kTagLength) return Status::kAuthenticationFailed;
  if (r.commitment.size != (suite.commitment ? kCommitmentLength : 0)) return Status::kAuthenticationFailed;
  uint8_t derived_commitment[kCommitmentLength];
  ScopedCleanse wipe_commitment(derived_commitment, sizeof(derived_commitment));
  Status status = DeriveKeys(suite, r.data_key, r.message_id, key,
                             MutableByteView{derived_commitment, suite.commitment ? kCommitmentLength : 0});
  if (status != Status::kOk) return status;
  // client-apis/decrypt.md "Get the decryption materials": the commitment is compared, in
  // constant time, before the key is used at all.
  if (suite.commitment && CRYPTO_memcmp(derived_commitment, r.commitment.data, kCommitmentLength) != 0) {
    return Status::kAuthenticationFailed;
  }
  status = gcm.Init(GcmCipherFor(suite), ByteView{key.data, key.size}, false);
  if (status != Status::kOk) return status;
  return gcm.Open(r.header_iv.data, r.header_body, r.extra_aad, nullptr, 0, nullptr, r.header_tag.data);
}

Status OpenMessage(const OpenMessageRequest& r) noexcept {
  Status status = PlanOpen(r);
  if (status != Status::kOk) return status;
  // Frames are decrypted before their tags are checked: any failure wipes everything written.
  WipeUnlessReleased wipe_out(r.out.data, r.out.size);
  uint8_t key_bytes[kMaxKeyLength];
  ScopedCleanse wipe_key(key_bytes, sizeof(key_bytes));
  GcmKey gcm;
  status = OpenHeader(r, MutableByteView{key_bytes, r.suite->key_length}, gcm);
  if (status == Status::kOk) status = OpenFrames(gcm, r.message_id, r.source, r.table, 0, r.frame_count, r.out.data);
  if (status != Status::kOk) return status;
  wipe_out.Release();
  return Status::kOk;
}

Status VerifyMessageSignature(Curve curve, ByteView point, ByteView signed_bytes, ByteView signature) noexcept {
  MessageDigest digest;
  uint8_t hash[64];
  const MutableByteView hash_view{hash, DigestSize(curve)};
  if (!digest.Init(curve) || !digest.Update(signed_bytes.data, signed_bytes.size) || !digest.Final(hash_view)) {
    return Status::kOpenSslFailure;
  }
  return VerifyDigest(curve, point, ByteView{hash, hash_view.size}, signature);
}

}  // namespace esdk
