// A streamed message's runs of frames: planned and checked on the JS thread, sealed or opened there or handed to a
// BodyJob.
#include "message_stream.h"

#include <openssl/crypto.h>

#include <cstring>
#include <new>

#include "algorithms.h"
#include "frame_table.h"

namespace esdk {

MessageStream::~MessageStream() { WipeKey(); }

void FreeMessageStream(MessageStream* stream) noexcept { delete stream; }

void MessageStream::WipeKey() noexcept {
  OPENSSL_cleanse(key_, sizeof(key_));
  key_size_ = 0;
  // GcmKey's destructor wipes its key schedule.
  delete gcm_;
  gcm_ = nullptr;
}

void MessageStream::Fail() noexcept {
  state_ = State::kFailed;
  WipeKey();
}

void MessageStream::Advance(bool ends) noexcept {
  if (!ends) {
    state_ = State::kReady;
    return;
  }
  // A signed message still owes its signature check; otherwise the key is done with.
  if (!seal_ && suite_->signature != Curve::kNone) {
    state_ = State::kAwaitingSignature;
  } else {
    state_ = State::kFinished;
  }
  WipeKey();
}

Status MessageStream::StartSeal(const SealStreamStart& s, MessageStream** out) noexcept {
  *out = nullptr;
  const Suite& suite = *s.suite;
  if (s.data_key.size != suite.key_length) return Status::kBadKeyLength;
  if (s.message_id.size != suite.message_id_length) return Status::kBadMessageIdLength;
  if (s.frame_length == 0 || s.frame_length > 0xFFFFFFFFu) return Status::kBadFrameLength;
  if (suite.commitment && s.header_body_length < kCommitmentLength) return Status::kBadOutputLength;
  if (s.header.size != s.header_body_length + HeaderAuthLength(suite)) return Status::kBadOutputLength;
  if (Overlaps(s.header.data, s.header.size, s.data_key.data, s.data_key.size) ||
      Overlaps(s.header.data, s.header.size, s.message_id.data, s.message_id.size) ||
      Overlaps(s.header.data, s.header.size, s.extra_aad.data, s.extra_aad.size)) {
    return Status::kOverlap;
  }
  MessageStream* stream = new (std::nothrow) MessageStream();
  if (stream == nullptr) return Status::kOpenSslFailure;
  stream->gcm_ = new (std::nothrow) GcmKey();
  if (stream->gcm_ == nullptr) {
    delete stream;
    return Status::kOpenSslFailure;
  }
  stream->seal_ = true;
  stream->suite_ = &suite;
  stream->frame_length_ = s.frame_length;
  stream->key_size_ = suite.key_length;
  std::memcpy(stream->message_id_, s.message_id.data, s.message_id.size);
  stream->message_id_size_ = s.message_id.size;
  SealMessageRequest header{};
  header.suite = &suite;
  header.data_key = s.data_key;
  header.message_id = s.message_id;
  header.out = s.header;
  header.header_body_length = s.header_body_length;
  header.extra_aad = s.extra_aad;
  Status status = SealHeader(header, MutableByteView{stream->key_, stream->key_size_}, *stream->gcm_);
  // encrypt.md: a signed message's digest takes the header as soon as it is serialized.
  if (status == Status::kOk && suite.signature != Curve::kNone &&
      !(stream->digest_.Init(suite.signature) && stream->digest_.Update(s.header.data, s.header.size))) {
    status = Status::kOpenSslFailure;
  }
  if (status != Status::kOk) {
    OPENSSL_cleanse(s.header.data, s.header.size);
    delete stream;
    return status;
  }
  *out = stream;
  return Status::kOk;
}

Status MessageStream::StartOpen(const OpenMessageRequest& r, ByteView header_bytes, uint64_t frame_length,
                                MessageStream** out) noexcept {
  *out = nullptr;
  const Suite& suite = *r.suite;
  if (r.data_key.size != suite.key_length) return Status::kBadKeyLength;
  if (r.message_id.size != suite.message_id_length) return Status::kBadMessageIdLength;
  if (r.header_iv.size != kIvLength) return Status::kBadIvLength;
  if (frame_length > 0xFFFFFFFFu) return Status::kBadFrameLength;
  MessageStream* stream = new (std::nothrow) MessageStream();
  if (stream == nullptr) return Status::kOpenSslFailure;
  stream->gcm_ = new (std::nothrow) GcmKey();
  if (stream->gcm_ == nullptr) {
    delete stream;
    return Status::kOpenSslFailure;
  }
  stream->suite_ = &suite;
  stream->frame_length_ = frame_length;
  stream->key_size_ = suite.key_length;
  std::memcpy(stream->message_id_, r.message_id.data, r.message_id.size);
  stream->message_id_size_ = r.message_id.size;
  Status status = OpenHeader(r, MutableByteView{stream->key_, stream->key_size_}, *stream->gcm_);
  // decrypt.md: the digest takes the header as received, once it verified.
  if (status == Status::kOk && suite.signature != Curve::kNone &&
      !(stream->digest_.Init(suite.signature) && stream->digest_.Update(header_bytes.data, header_bytes.size))) {
    status = Status::kOpenSslFailure;
  }
  if (status != Status::kOk) {
    delete stream;
    return status;
  }
  *out = stream;
  return Status::kOk;
}

Status MessageStream::PlanSealRun(ByteView plaintext, bool final, SigningKey* signer, MutableByteView out,
                                  FramedLayout* layout) noexcept {
  if (!seal_ || state_ != State::kReady) return Status::kStreamState;
  const bool signs = final && suite_->signature != Curve::kNone;
  if (signs != (signer != nullptr)) return Status::kNotSigningKey;
  if (signs && SigningKeyCurve(*signer) != suite_->signature) return Status::kNotSigningKey;
  const Status status = ComputeFrameRun(plaintext.size, frame_length_, next_sequence_, final, layout);
  if (status != Status::kOk) return status;
  const size_t footer = signs ? 2 + MaxSignatureSize(suite_->signature) : 0;
  if (out.size != layout->body_size + footer) return Status::kBadOutputLength;
  if (Overlaps(out.data, out.size, plaintext.data, plaintext.size)) return Status::kOverlap;
  return Status::kOk;
}

Status MessageStream::SealRun(ByteView plaintext, bool final, SigningKey* signer, MutableByteView out,
                              size_t* written) noexcept {
  *written = 0;
  FramedLayout layout{};
  Status status = PlanSealRun(plaintext, final, signer, out, &layout);
  if (status != Status::kOk) return status;
  WipeUnlessReleased wipe_out(out.data, out.size);
  const uint64_t frames = FrameCount(layout);
  status = SealFrames(*gcm_, message_id(), layout, plaintext.data, 0, frames, out.data);
  const bool hashes = suite_->signature != Curve::kNone;
  if (status == Status::kOk && hashes && !digest_.Update(out.data, static_cast<size_t>(layout.body_size))) {
    status = Status::kOpenSslFailure;
  }
  size_t footer_length = 0;
  if (status == Status::kOk && signer != nullptr) {
    uint8_t hash[64];
    const MutableByteView hash_view{hash, DigestSize(suite_->signature)};
    status = digest_.Final(hash_view) ? Status::kOk : Status::kOpenSslFailure;
    if (status == Status::kOk) {
      status =
          WriteFooter(*signer, ByteView{hash, hash_view.size},
                      MutableByteView{out.data + layout.body_size, out.size - static_cast<size_t>(layout.body_size)},
                      &footer_length);
    }
  }
  if (status != Status::kOk) {
    Fail();
    return status;
  }
  next_sequence_ += frames;
  Advance(final);
  *written = static_cast<size_t>(layout.body_size) + footer_length;
  wipe_out.Release();
  return Status::kOk;
}

BodyJob* MessageStream::SealJob(ByteView plaintext, bool final, SigningKey* signer, MutableByteView out,
                                uint64_t chunk_bytes, Status* status) noexcept {
  FramedLayout layout{};
  *status = PlanSealRun(plaintext, final, signer, out, &layout);
  if (*status != Status::kOk) return nullptr;
  const bool hashes = suite_->signature != Curve::kNone;
  const SealWork run{suite_,
                     key(),
                     message_id(),
                     layout,
                     plaintext.data,
                     out.data,
                     hashes,
                     hashes ? &digest_ : nullptr,
                     ByteView{out.data, 0},
                     signer,
                     MutableByteView{out.data + layout.body_size, out.size - static_cast<size_t>(layout.body_size)},
                     out,
                     static_cast<size_t>(layout.body_size)};
  BodyJob* job = BodyJob::ForSeal(run, chunk_bytes);
  if (job == nullptr) {
    *status = Status::kOpenSslFailure;
    return nullptr;
  }
  state_ = State::kBusy;
  pending_frames_ = FrameCount(layout);
  pending_ends_ = final;
  return job;
}

Status MessageStream::PlanOpenRun(ByteView source, const double* table, size_t frame_count, MutableByteView out,
                                  bool* ends) noexcept {
  if (seal_ || state_ != State::kReady) return Status::kStreamState;
  if (Overlaps(out.data, out.size, source.data, source.size)) return Status::kOverlap;
  uint64_t total = 0;
  Status status = ValidateFrameRun(table, frame_count, source.size, next_sequence_, &total, ends);
  if (status != Status::kOk) return status;
  if (total != out.size) return Status::kBadOutputLength;
  // Regular frames of a framed body are exactly the frame length; a final frame at most that.
  for (size_t i = 0; i < frame_count; ++i) {
    FrameEntry entry{};
    status = DecodeFrame(table, i, source.size, &entry);
    if (status != Status::kOk) return status;
    if (entry.kind == FrameKind::kFrame && entry.length != frame_length_) return Status::kBadFrameTable;
    if (entry.kind == FrameKind::kFinal && entry.length > frame_length_) return Status::kBadFrameTable;
    if (entry.kind == FrameKind::kSingle && frame_length_ != 0) return Status::kBadFrameTable;
  }
  return Status::kOk;
}

Status MessageStream::OpenRun(ByteView source, const double* table, size_t frame_count, MutableByteView out) noexcept {
  bool ends = false;
  Status status = PlanOpenRun(source, table, frame_count, out, &ends);
  if (status != Status::kOk) return status;
  // Frames are decrypted before their tags are checked: any failure wipes everything written.
  WipeUnlessReleased wipe_out(out.data, out.size);
  status = OpenFrames(*gcm_, message_id(), source, table, 0, frame_count, out.data);
  if (status == Status::kOk && suite_->signature != Curve::kNone && !digest_.Update(source.data, source.size)) {
    status = Status::kOpenSslFailure;
  }
  if (status != Status::kOk) {
    Fail();
    return status;
  }
  next_sequence_ += frame_count;
  Advance(ends);
  wipe_out.Release();
  return Status::kOk;
}

BodyJob* MessageStream::OpenJob(ByteView source, const double* table, size_t frame_count, MutableByteView out,
                                uint64_t chunk_bytes, Status* status) noexcept {
  bool ends = false;
  *status = PlanOpenRun(source, table, frame_count, out, &ends);
  if (*status != Status::kOk) return nullptr;
  const bool hashes = suite_->signature != Curve::kNone;
  const OpenWork run{suite_,
                     key(),
                     message_id(),
                     source,
                     table,
                     frame_count,
                     out,
                     hashes ? OpenWork::Signature::kHash : OpenWork::Signature::kNone,
                     ByteView{source.data, 0},
                     ByteView{source.data, 0},
                     ByteView{source.data, 0},
                     hashes ? &digest_ : nullptr};
  BodyJob* job = BodyJob::ForOpen(run, chunk_bytes);
  if (job == nullptr) {
    *status = Status::kOpenSslFailure;
    return nullptr;
  }
  state_ = State::kBusy;
  pending_frames_ = frame_count;
  pending_ends_ = ends;
  return job;
}

void MessageStream::JobEnded(Status status, size_t /*length*/) noexcept {
  if (status != Status::kOk) {
    Fail();
    return;
  }
  next_sequence_ += pending_frames_;
  Advance(pending_ends_);
}

Status MessageStream::BeginVerify() noexcept {
  if (seal_ || state_ != State::kAwaitingSignature) return Status::kStreamState;
  state_ = State::kBusy;
  return Status::kOk;
}

Status MessageStream::VerifyNow(ByteView point, ByteView signature) noexcept {
  uint8_t hash[64];
  const MutableByteView hash_view{hash, DigestSize(suite_->signature)};
  if (!digest_.Final(hash_view)) return Status::kOpenSslFailure;
  return VerifyDigest(suite_->signature, point, ByteView{hash, hash_view.size}, signature);
}

void MessageStream::EndVerify(Status status) noexcept {
  state_ = status == Status::kOk ? State::kFinished : State::kFailed;
}

Status MessageStream::Verify(ByteView point, ByteView signature) noexcept {
  Status status = BeginVerify();
  if (status != Status::kOk) return status;
  status = VerifyNow(point, signature);
  EndVerify(status);
  return status;
}

}  // namespace esdk
