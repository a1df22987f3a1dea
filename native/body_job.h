// A big message's frames split into chunks that several thread-pool workers seal or open at once, with the signature hash folded in.
#ifndef ESDK_NATIVE_BODY_JOB_H_
#define ESDK_NATIVE_BODY_JOB_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "bytes.h"
#include "digest.h"
#include "message.h"
#include "status.h"

namespace esdk {

// Frames are independent (each has its own IV and tag), so any number of threads can work on
// disjoint chunks of one body under copies of the same key. The JS thread does the cheap,
// order-dependent parts first (planning, key derivation, commitment, header tag); workers then
// call RunFrames (and, to check a signed message, RunSignature) concurrently; the JS thread
// calls Finish once every worker has returned.
//
// Encrypt of a signed suite: the signature covers the output in order, so each worker marks its
// chunk done and whichever worker finds the next chunks in line done hashes them, never waiting
// for anyone (a waiting worker could hold the last free pool thread another job needs). The one
// that hashes the final chunk signs. Decrypt: the hash does not depend on the plaintext, so one
// extra worker hashes and verifies while the others decrypt.
class BodyJob {
 public:
  // `request` was checked by PlanSeal and its header written by SealHeader; `key` is the derived key.
  static BodyJob* ForSeal(const SealMessageRequest& request, const SealPlan& plan, ByteView key,
                          uint64_t chunk_bytes) noexcept;
  // `request` was checked by PlanOpen and its header authenticated by OpenHeader. For a signed
  // message, `point`, `signed_bytes` and `signature` are what VerifyMessageSignature takes.
  static BodyJob* ForOpen(const OpenMessageRequest& request, ByteView key, uint64_t chunk_bytes, ByteView point,
                          ByteView signed_bytes, ByteView signature) noexcept;
  ~BodyJob();
  BodyJob(const BodyJob&) = delete;
  BodyJob& operator=(const BodyJob&) = delete;

  size_t chunk_count() const noexcept { return static_cast<size_t>(chunks_); }
  bool verifies_signature() const noexcept { return verify_; }

  // One worker's share: takes chunks until none is left or any has failed. Thread-safe.
  void RunFrames() noexcept;
  // Hash and verify the signature of the message being opened. At most one thread.
  void RunSignature() noexcept;
  // On the JS thread after every worker returned: the outcome (kAuthenticationFailed when a tag
  // or the signature failed). On any failure the whole output is wiped here.
  Status Finish(size_t* message_length) noexcept;

 private:
  BodyJob() noexcept = default;
  void Fail(Status status) noexcept;
  bool failed() const noexcept { return status_.load(std::memory_order_acquire) != static_cast<uint8_t>(Status::kOk); }
  Status SealChunk(GcmKey& gcm, uint64_t chunk) noexcept;
  Status OpenChunk(GcmKey& gcm, uint64_t chunk) noexcept;
  void ChunkSealed(uint64_t chunk) noexcept;
  uint64_t FirstFrame(uint64_t chunk) const noexcept;
  uint64_t BodyOffsetOf(uint64_t frame) const noexcept;

  bool seal_ = false;
  const Suite* suite_ = nullptr;
  uint8_t key_[kMaxKeyLength] = {0};
  size_t key_size_ = 0;
  uint8_t message_id_[kMaxMessageIdLength] = {0};
  size_t message_id_size_ = 0;
  uint64_t chunks_ = 0;
  std::atomic<uint64_t> next_chunk_{0};
  std::atomic<uint8_t> status_{static_cast<uint8_t>(Status::kOk)};

  // Encrypt.
  SealMessageRequest seal_request_{};
  SealPlan plan_{};
  uint64_t frames_per_chunk_ = 0;
  bool sign_ = false;
  std::atomic<uint8_t>* chunk_done_ = nullptr;
  std::atomic<bool> hashing_{false};
  uint64_t next_hash_ = 0;  // owned by whoever holds hashing_
  MessageDigest digest_;
  size_t message_length_ = 0;

  // Decrypt.
  ByteView source_{};
  const double* table_ = nullptr;
  MutableByteView out_{};
  // chunk c opens table rows [first_row_[c], first_row_[c + 1]) into out + out_offset_[c].
  uint64_t* first_row_ = nullptr;
  uint64_t* out_offset_ = nullptr;
  bool verify_ = false;
  Curve curve_ = Curve::kNone;
  ByteView point_{};
  ByteView signed_{};
  ByteView signature_{};
  std::atomic<uint8_t> signature_status_{static_cast<uint8_t>(Status::kOk)};
};

}  // namespace esdk

#endif  // ESDK_NATIVE_BODY_JOB_H_
