// Chunked frame seal/open shared by several thread-pool workers; the in-order signature hash needs no waiting thread.
#include "body_job.h"

#include <openssl/crypto.h>

#include <cstring>
#include <new>

#include "algorithms.h"
#include "frame_table.h"
#include "frames.h"

namespace esdk {
namespace {

constexpr uint64_t kFrameOverhead = 4 + kIvLength + kTagLength;

}  // namespace

BodyJob* BodyJob::ForSeal(const SealMessageRequest& r, const SealPlan& plan, ByteView key, uint64_t chunk_bytes) noexcept {
  BodyJob* job = new (std::nothrow) BodyJob();
  if (job == nullptr) return nullptr;
  job->seal_ = true;
  job->suite_ = r.suite;
  std::memcpy(job->key_, key.data, key.size);
  job->key_size_ = key.size;
  std::memcpy(job->message_id_, r.message_id.data, r.message_id.size);
  job->message_id_size_ = r.message_id.size;
  job->seal_request_ = r;
  job->plan_ = plan;
  const uint64_t frames = FrameCount(plan.layout);
  const uint64_t per_chunk = chunk_bytes / (plan.layout.frame_length + kFrameOverhead);
  job->frames_per_chunk_ = per_chunk > 0 ? per_chunk : 1;
  job->chunks_ = (frames + job->frames_per_chunk_ - 1) / job->frames_per_chunk_;
  job->sign_ = r.signing_key != nullptr;
  if (job->sign_) {
    job->chunk_done_ = new (std::nothrow) std::atomic<uint8_t>[job->chunks_]();
    // The header is written already: it goes into the hash first.
    if (job->chunk_done_ == nullptr || !job->digest_.Init(r.suite->signature) ||
        !job->digest_.Update(r.out.data, plan.body_offset)) {
      delete job;
      return nullptr;
    }
  }
  return job;
}

BodyJob* BodyJob::ForOpen(const OpenMessageRequest& r, ByteView key, uint64_t chunk_bytes, ByteView point,
                          ByteView signed_bytes, ByteView signature) noexcept {
  BodyJob* job = new (std::nothrow) BodyJob();
  if (job == nullptr) return nullptr;
  job->suite_ = r.suite;
  std::memcpy(job->key_, key.data, key.size);
  job->key_size_ = key.size;
  std::memcpy(job->message_id_, r.message_id.data, r.message_id.size);
  job->message_id_size_ = r.message_id.size;
  job->source_ = r.source;
  job->table_ = r.table;
  job->out_ = r.out;
  // Chunk boundaries: rows accumulate until a chunk holds chunk_bytes of frames. Counted first,
  // then recorded, so the arrays are exactly as long as the chunks (PlanOpen validated every row).
  for (int pass = 0; pass < 2; ++pass) {
    uint64_t chunk = 0;
    uint64_t in_chunk = 0;
    uint64_t out_offset = 0;
    if (pass == 1) {
      job->first_row_[0] = 0;
      job->out_offset_[0] = 0;
    }
    for (size_t i = 0; i < r.frame_count; ++i) {
      FrameEntry frame{};
      if (DecodeFrame(r.table, i, r.source.size, &frame) != Status::kOk) {
        delete job;
        return nullptr;
      }
      if (in_chunk >= chunk_bytes) {
        ++chunk;
        in_chunk = 0;
        if (pass == 1) {
          job->first_row_[chunk] = i;
          job->out_offset_[chunk] = out_offset;
        }
      }
      in_chunk += frame.length + kFrameOverhead;
      out_offset += frame.length;
    }
    if (pass == 0) {
      job->chunks_ = r.frame_count == 0 ? 0 : chunk + 1;
      job->first_row_ = new (std::nothrow) uint64_t[job->chunks_ + 1];
      job->out_offset_ = new (std::nothrow) uint64_t[job->chunks_ + 1];
      if (job->first_row_ == nullptr || job->out_offset_ == nullptr) {
        delete job;
        return nullptr;
      }
    } else {
      job->first_row_[job->chunks_] = r.frame_count;
    }
  }
  if (r.suite->signature != Curve::kNone) {
    job->verify_ = true;
    job->curve_ = r.suite->signature;
    job->point_ = point;
    job->signed_ = signed_bytes;
    job->signature_ = signature;
  }
  return job;
}

BodyJob::~BodyJob() {
  OPENSSL_cleanse(key_, sizeof(key_));
  delete[] chunk_done_;
  delete[] first_row_;
  delete[] out_offset_;
}

void BodyJob::Fail(Status status) noexcept {
  uint8_t expected = static_cast<uint8_t>(Status::kOk);
  status_.compare_exchange_strong(expected, static_cast<uint8_t>(status), std::memory_order_acq_rel);
}

uint64_t BodyJob::FirstFrame(uint64_t chunk) const noexcept { return chunk * frames_per_chunk_; }

uint64_t BodyJob::BodyOffsetOf(uint64_t frame) const noexcept {
  return frame >= FrameCount(plan_.layout) ? plan_.layout.body_size : FrameOffset(plan_.layout, frame);
}

Status BodyJob::SealChunk(GcmKey& gcm, uint64_t chunk) noexcept {
  const uint64_t first = FirstFrame(chunk);
  const uint64_t frames = FrameCount(plan_.layout);
  const uint64_t last = first + frames_per_chunk_ < frames ? first + frames_per_chunk_ : frames;
  return SealFrames(gcm, ByteView{message_id_, message_id_size_}, plan_.layout, seal_request_.plaintext.data, first,
                    last, seal_request_.out.data + plan_.body_offset);
}

Status BodyJob::OpenChunk(GcmKey& gcm, uint64_t chunk) noexcept {
  return OpenFrames(gcm, ByteView{message_id_, message_id_size_}, source_, table_, first_row_[chunk],
                    first_row_[chunk + 1], out_.data + out_offset_[chunk]);
}

// Every access here is sequentially consistent, which is what makes the hand-over safe: a worker
// that finds hashing_ taken has stored its done flag before that exchange, and the owner
// re-reads the next flag after releasing hashing_, so one of the two always hashes the chunk.
void BodyJob::ChunkSealed(uint64_t chunk) noexcept {
  chunk_done_[chunk].store(1);
  for (;;) {
    if (hashing_.exchange(true)) return;
    while (next_hash_ < chunks_ && chunk_done_[next_hash_].load() != 0 && !failed()) {
      const uint64_t from = BodyOffsetOf(FirstFrame(next_hash_));
      const uint64_t to = BodyOffsetOf(FirstFrame(next_hash_ + 1));
      if (!digest_.Update(seal_request_.out.data + plan_.body_offset + from, static_cast<size_t>(to - from))) {
        Fail(Status::kOpenSslFailure);
        break;
      }
      if (++next_hash_ == chunks_) {
        uint8_t hash[64];
        const MutableByteView hash_view{hash, DigestSize(suite_->signature)};
        Status status = digest_.Final(hash_view) ? Status::kOk : Status::kOpenSslFailure;
        if (status == Status::kOk) status = WriteFooter(seal_request_, plan_, ByteView{hash, hash_view.size}, &message_length_);
        if (status != Status::kOk) {
          Fail(status);
        } else {
          // The unused tail of the footer's room is left zero, never stale bytes.
          std::memset(seal_request_.out.data + message_length_, 0, seal_request_.out.size - message_length_);
        }
      }
    }
    hashing_.store(false);
    if (!(next_hash_ < chunks_ && chunk_done_[next_hash_].load() != 0) || failed()) return;
  }
}

void BodyJob::RunFrames() noexcept {
  GcmKey gcm;
  const Status init = gcm.Init(GcmCipherFor(*suite_), ByteView{key_, key_size_}, seal_);
  if (init != Status::kOk) return Fail(init);
  for (;;) {
    if (failed()) return;
    const uint64_t chunk = next_chunk_.fetch_add(1);
    if (chunk >= chunks_) return;
    const Status status = seal_ ? SealChunk(gcm, chunk) : OpenChunk(gcm, chunk);
    if (status != Status::kOk) return Fail(status);
    if (sign_) ChunkSealed(chunk);
  }
}

void BodyJob::RunSignature() noexcept {
  signature_status_.store(static_cast<uint8_t>(VerifyMessageSignature(curve_, point_, signed_, signature_)));
}

Status BodyJob::Finish(size_t* message_length) noexcept {
  *message_length = 0;
  Status status = static_cast<Status>(status_.load());
  if (status == Status::kOk && verify_) status = static_cast<Status>(signature_status_.load());
  if (status == Status::kOk && sign_ && next_hash_ != chunks_) status = Status::kOpenSslFailure;
  if (status != Status::kOk) {
    // Partial ciphertext or unauthenticated plaintext never leaves: the whole output is wiped.
    const MutableByteView out = seal_ ? seal_request_.out : out_;
    OPENSSL_cleanse(out.data, out.size);
    return status;
  }
  if (seal_) *message_length = sign_ ? message_length_ : plan_.unsigned_length;
  return Status::kOk;
}

}  // namespace esdk
