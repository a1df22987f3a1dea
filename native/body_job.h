// A run of frames split into chunks that several thread-pool workers seal or open at once, with the signature hash
// folded in.
#ifndef ESDK_NATIVE_BODY_JOB_H_
#define ESDK_NATIVE_BODY_JOB_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "bytes.h"
#include "digest.h"
#include "frames.h"
#include "message.h"
#include "status.h"

namespace esdk {

// What a seal job writes: the frames of `layout` from `plaintext` into `body`. For signed
// suites every frame goes, in order, into `digest` (a message stream's running digest, or the
// job's own when null, started with `hash_first`: the header); with `signer` set the job then
// signs and writes the footer into `footer`. `output` is everything the job writes, wiped on
// failure; `length_before_footer` is what the result counts before the footer.
struct SealWork {
  const Suite* suite;
  ByteView key;
  ByteView message_id;
  FramedLayout layout;
  const uint8_t* plaintext;
  uint8_t* body;
  bool hashes;
  MessageDigest* digest;
  ByteView hash_first;
  SigningKey* signer;
  MutableByteView footer;
  MutableByteView output;
  size_t length_before_footer;
};

// What an open job reads: the frames of a validated `table` from `source` into `out`. For a
// signed message, kVerify hashes `signed_bytes` and checks `signature` against `point` beside the
// frames (a whole message); kHash adds `source` to a message stream's running `digest` (a run of
// a streamed message, whose signature is checked at its end).
struct OpenWork {
  enum class Signature : uint8_t { kNone, kVerify, kHash };
  const Suite* suite;
  ByteView key;
  ByteView message_id;
  ByteView source;
  const double* table;
  size_t frame_count;
  MutableByteView out;
  Signature signature;
  ByteView point;
  ByteView signed_bytes;
  ByteView signature_der;
  MessageDigest* digest;
};

// Told on the JS thread how a job ended, before the callback runs (a message stream unlocks
// itself and moves on, or marks itself failed).
class JobListener {
 public:
  virtual void JobEnded(Status status, size_t length) noexcept = 0;

 protected:
  ~JobListener() = default;
};

// Frames are independent (each has its own IV and tag), so any number of threads can work on
// disjoint chunks of one run under copies of the same key. The JS thread does the cheap,
// order-dependent parts first (planning, key derivation, commitment, header tag); workers then
// call RunFrames (and, to hash a signed message being opened, RunSignature) concurrently; the JS
// thread calls Finish once every worker has returned.
//
// Seal of a signed suite: the signature covers the output in order, so each worker marks its
// chunk done and whichever worker finds the next chunks in line done hashes them, never waiting
// for anyone (a waiting worker could hold the last free pool thread another job needs). The one
// that hashes the final chunk signs, if the run signs. Open: the hash does not depend on the
// plaintext, so one extra worker hashes (and verifies) while the others decrypt.
class BodyJob {
 public:
  static BodyJob* ForSeal(const SealWork& run, uint64_t chunk_bytes) noexcept;
  static BodyJob* ForOpen(const OpenWork& run, uint64_t chunk_bytes) noexcept;
  ~BodyJob();
  BodyJob(const BodyJob&) = delete;
  BodyJob& operator=(const BodyJob&) = delete;

  size_t chunk_count() const noexcept { return static_cast<size_t>(chunks_); }
  bool has_signature_work() const noexcept { return open_.signature != OpenWork::Signature::kNone; }

  // One worker's share: takes chunks until none is left or any has failed. Thread-safe.
  void RunFrames() noexcept;
  // Hash (and verify) the signature of the run being opened. At most one thread.
  void RunSignature() noexcept;
  // On the JS thread after every worker returned: the outcome (kAuthenticationFailed when a tag
  // or the signature failed) and, for a seal, the bytes written. On any failure the whole output
  // is wiped here.
  Status Finish(size_t* length) noexcept;

 private:
  BodyJob() noexcept = default;
  void Fail(Status status) noexcept;
  bool failed() const noexcept { return status_.load(std::memory_order_acquire) != static_cast<uint8_t>(Status::kOk); }
  Status SealChunk(GcmKey& gcm, uint64_t chunk) noexcept;
  Status OpenChunk(GcmKey& gcm, uint64_t chunk) noexcept;
  void ChunkSealed(uint64_t chunk) noexcept;
  uint64_t FirstFrame(uint64_t chunk) const noexcept;
  uint64_t BodyOffsetOf(uint64_t frame) const noexcept;
  ByteView key() const noexcept { return ByteView{key_, key_size_}; }
  ByteView message_id() const noexcept { return ByteView{message_id_, message_id_size_}; }

  bool seal_ = false;
  const Suite* suite_ = nullptr;
  uint8_t key_[kMaxKeyLength] = {0};
  size_t key_size_ = 0;
  uint8_t message_id_[kMaxMessageIdLength] = {0};
  size_t message_id_size_ = 0;
  uint64_t chunks_ = 0;
  std::atomic<uint64_t> next_chunk_{0};
  std::atomic<uint8_t> status_{static_cast<uint8_t>(Status::kOk)};

  // Seal.
  SealWork run_{};
  uint64_t frames_per_chunk_ = 0;
  std::atomic<uint8_t>* chunk_done_ = nullptr;
  std::atomic<bool> hashing_{false};
  uint64_t next_hash_ = 0;  // owned by whoever holds hashing_
  MessageDigest own_digest_;
  size_t footer_length_ = 0;

  // Open. Chunk c opens table rows [first_row_[c], first_row_[c + 1]) into out + out_offset_[c].
  OpenWork open_{};
  uint64_t* first_row_ = nullptr;
  uint64_t* out_offset_ = nullptr;
  std::atomic<uint8_t> signature_status_{static_cast<uint8_t>(Status::kOk)};
};

}  // namespace esdk

#endif  // ESDK_NATIVE_BODY_JOB_H_
