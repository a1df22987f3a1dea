// Chunked frame seal/open shared by several thread-pool workers; the in-order signature hash needs no waiting thread.
#include "body_job.h"

#include <openssl/crypto.h>

#include <cstring>
#include <new>

#include "algorithms.h"
#include "frame_table.h"

namespace esdk {
namespace {

constexpr uint64_t kFrameOverhead = 4 + kIvLength + kTagLength;

}  // namespace

BodyJob* BodyJob::ForSeal(const SealWork& run, uint64_t chunk_bytes) noexcept {
  BodyJob* job = new (std::nothrow) BodyJob();
  if (job == nullptr) return nullptr;
  job->seal_ = true;
  job->suite_ = run.suite;
  std::memcpy(job->key_, run.key.data, run.key.size);
  job->key_size_ = run.key.size;
  std::memcpy(job->message_id_, run.message_id.data, run.message_id.size);
  job->message_id_size_ = run.message_id.size;
  job->run_ = run;
  const uint64_t frames = FrameCount(run.layout);
  const uint64_t per_chunk = chunk_bytes / (run.layout.frame_length + kFrameOverhead);
  job->frames_per_chunk_ = per_chunk > 0 ? per_chunk : 1;
  job->chunks_ = (frames + job->frames_per_chunk_ - 1) / job->frames_per_chunk_;
  if (run.hashes) {
    job->chunk_done_ = new (std::nothrow) std::atomic<uint8_t>[job->chunks_ + 1]();
    bool ready = job->chunk_done_ != nullptr;
    if (ready && run.digest == nullptr) {
      // A whole message: the job's own digest, which takes the header (already written) first.
      ready = job->own_digest_.Init(run.suite->signature) &&
              job->own_digest_.Update(run.hash_first.data, run.hash_first.size);
      job->run_.digest = &job->own_digest_;
    }
    if (!ready) {
      delete job;
      return nullptr;
    }
  }
  return job;
}

BodyJob* BodyJob::ForOpen(const OpenWork& run, uint64_t chunk_bytes) noexcept {
  BodyJob* job = new (std::nothrow) BodyJob();
  if (job == nullptr) return nullptr;
  job->suite_ = run.suite;
  std::memcpy(job->key_, run.key.data, run.key.size);
  job->key_size_ = run.key.size;
  std::memcpy(job->message_id_, run.message_id.data, run.message_id.size);
  job->message_id_size_ = run.message_id.size;
  job->open_ = run;
  // Chunk boundaries: rows accumulate until a chunk holds chunk_bytes of frames. Counted first,
  // then recorded, so the arrays are exactly as long as the chunks (the table was validated).
  for (int pass = 0; pass < 2; ++pass) {
    uint64_t chunk = 0;
    uint64_t in_chunk = 0;
    uint64_t out_offset = 0;
    if (pass == 1) {
      job->first_row_[0] = 0;
      job->out_offset_[0] = 0;
    }
    for (size_t i = 0; i < run.frame_count; ++i) {
      FrameEntry frame{};
      if (DecodeFrame(run.table, i, run.source.size, &frame) != Status::kOk) {
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
      job->chunks_ = run.frame_count == 0 ? 0 : chunk + 1;
      job->first_row_ = new (std::nothrow) uint64_t[job->chunks_ + 1];
      job->out_offset_ = new (std::nothrow) uint64_t[job->chunks_ + 1];
      if (job->first_row_ == nullptr || job->out_offset_ == nullptr) {
        delete job;
        return nullptr;
      }
    } else {
      job->first_row_[job->chunks_] = run.frame_count;
    }
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
  return frame >= FrameCount(run_.layout) ? run_.layout.body_size : FrameOffset(run_.layout, frame);
}

Status BodyJob::SealChunk(GcmKey& gcm, uint64_t chunk) noexcept {
  const uint64_t first = FirstFrame(chunk);
  const uint64_t frames = FrameCount(run_.layout);
  const uint64_t last = first + frames_per_chunk_ < frames ? first + frames_per_chunk_ : frames;
  return SealFrames(gcm, message_id(), run_.layout, run_.plaintext, first, last, run_.body);
}

Status BodyJob::OpenChunk(GcmKey& gcm, uint64_t chunk) noexcept {
  return OpenFrames(gcm, message_id(), open_.source, open_.table, first_row_[chunk], first_row_[chunk + 1],
                    open_.out.data + out_offset_[chunk]);
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
      if (!run_.digest->Update(run_.body + from, static_cast<size_t>(to - from))) {
        Fail(Status::kOpenSslFailure);
        break;
      }
      if (++next_hash_ == chunks_ && run_.signer != nullptr) {
        uint8_t hash[64];
        const MutableByteView hash_view{hash, DigestSize(suite_->signature)};
        Status status = run_.digest->Final(hash_view) ? Status::kOk : Status::kOpenSslFailure;
        if (status == Status::kOk)
          status = WriteFooter(*run_.signer, ByteView{hash, hash_view.size}, run_.footer, &footer_length_);
        if (status != Status::kOk) Fail(status);
      }
    }
    hashing_.store(false);
    if (!(next_hash_ < chunks_ && chunk_done_[next_hash_].load() != 0) || failed()) return;
  }
}

void BodyJob::RunFrames() noexcept {
  GcmKey gcm;
  const Status init = gcm.Init(GcmCipherFor(*suite_), key(), seal_);
  if (init != Status::kOk) return Fail(init);
  for (;;) {
    if (failed()) return;
    const uint64_t chunk = next_chunk_.fetch_add(1);
    if (chunk >= chunks_) return;
    const Status status = seal_ ? SealChunk(gcm, chunk) : OpenChunk(gcm, chunk);
    if (status != Status::kOk) return Fail(status);
    if (seal_ && run_.hashes) ChunkSealed(chunk);
  }
}

void BodyJob::RunSignature() noexcept {
  Status status = Status::kOk;
  if (open_.signature == OpenWork::Signature::kVerify) {
    status = VerifyMessageSignature(suite_->signature, open_.point, open_.signed_bytes, open_.signature_der);
  } else if (open_.signature == OpenWork::Signature::kHash) {
    status = open_.digest->Update(open_.source.data, open_.source.size) ? Status::kOk : Status::kOpenSslFailure;
  }
  signature_status_.store(static_cast<uint8_t>(status));
}

Status BodyJob::Finish(size_t* length) noexcept {
  *length = 0;
  Status status = static_cast<Status>(status_.load());
  if (status == Status::kOk && !seal_) status = static_cast<Status>(signature_status_.load());
  if (status == Status::kOk && seal_ && run_.hashes && next_hash_ != chunks_) status = Status::kOpenSslFailure;
  if (status != Status::kOk) {
    // Partial ciphertext or unauthenticated plaintext never leaves: the whole output is wiped.
    const MutableByteView out = seal_ ? run_.output : open_.out;
    OPENSSL_cleanse(out.data, out.size);
    return status;
  }
  if (seal_) *length = run_.length_before_footer + footer_length_;
  return Status::kOk;
}

}  // namespace esdk
