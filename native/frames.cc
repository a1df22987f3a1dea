// Framed-body seal and open over one keyed GCM context, by frame range, with body AAD built natively
// (message-body-aad.md).
#include "frames.h"

#include <cstring>

#include "algorithms.h"
#include "frame_table.h"

namespace esdk {
namespace {

constexpr uint32_t kFinalFrameMarker = 0xFFFFFFFFu;
// Sequence numbers are uint32 from 1 and the final-frame marker is reserved.
constexpr uint64_t kMaxFrames = 0xFFFFFFFEu;
constexpr uint64_t kMaxFrameLength = 0xFFFFFFFFu;
constexpr size_t kFrameOverhead = 4 + kIvLength + kTagLength;               // seq ‖ IV ‖ … ‖ tag
constexpr size_t kFinalFrameOverhead = 4 + 4 + kIvLength + 4 + kTagLength;  // marker ‖ seq ‖ IV ‖ len ‖ … ‖ tag

constexpr char kContentFrame[] = "AWSKMSEncryptionClient Frame";
constexpr char kContentFinalFrame[] = "AWSKMSEncryptionClient Final Frame";
constexpr char kContentSingleBlock[] = "AWSKMSEncryptionClient Single Block";
constexpr size_t kMaxContentLength = sizeof(kContentSingleBlock) - 1;

// Body AAD = message id ‖ content string ‖ uint32 sequence number ‖ uint64
// content length (data-format/message-body-aad.md). The message id prefix is written once.
class BodyAad {
 public:
  explicit BodyAad(ByteView message_id) noexcept : id_size_(message_id.size) {
    std::memcpy(buffer_, message_id.data, message_id.size);
  }

  ByteView For(FrameKind kind, uint32_t sequence_number, uint64_t length) noexcept {
    const char* content = kind == FrameKind::kFrame   ? kContentFrame
                          : kind == FrameKind::kFinal ? kContentFinalFrame
                                                      : kContentSingleBlock;
    const size_t content_size = kind == FrameKind::kFrame   ? sizeof(kContentFrame) - 1
                                : kind == FrameKind::kFinal ? sizeof(kContentFinalFrame) - 1
                                                            : sizeof(kContentSingleBlock) - 1;
    uint8_t* p = buffer_ + id_size_;
    std::memcpy(p, content, content_size);
    p += content_size;
    StoreBe32(p, sequence_number);
    StoreBe64(p + 4, length);
    return ByteView{buffer_, id_size_ + content_size + 12};
  }

 private:
  uint8_t buffer_[kMaxMessageIdLength + kMaxContentLength + 12];
  size_t id_size_;
};

constexpr uint8_t kEmpty[1] = {0};
constexpr ByteView kNoAad{kEmpty, 0};

}  // namespace

Status ComputeFramedLayout(uint64_t plaintext_size, uint64_t frame_length, FramedLayout* layout) noexcept {
  return ComputeFrameRun(plaintext_size, frame_length, 1, true, layout);
}

Status ComputeFrameRun(uint64_t plaintext_size, uint64_t frame_length, uint64_t first_sequence, bool with_final,
                       FramedLayout* layout) noexcept {
  if (frame_length == 0 || frame_length > kMaxFrameLength) return Status::kBadFrameLength;
  const uint64_t full_frames = plaintext_size / frame_length;
  const uint64_t remainder = plaintext_size - full_frames * frame_length;
  if (!with_final && remainder != 0) return Status::kPartialFrame;
  // Sequence numbers are uint32 from 1 and the final-frame marker is reserved
  // (data-format/message-body.md "Sequence Number").
  const uint64_t count = full_frames + (with_final ? 1 : 0);
  if (first_sequence == 0 || first_sequence > kMaxFrames || count > kMaxFrames - first_sequence + 1)
    return Status::kTooManyFrames;
  layout->frame_length = frame_length;
  layout->full_frames = full_frames;
  layout->final_length = remainder;
  layout->first_sequence = first_sequence;
  layout->has_final = with_final;
  // plaintext_size < 2^53 (it is a JS buffer length), so none of this wraps.
  layout->body_size = full_frames * kFrameOverhead + (with_final ? kFinalFrameOverhead : 0) + plaintext_size;
  return Status::kOk;
}

uint64_t FrameOffset(const FramedLayout& layout, uint64_t index) noexcept {
  return index * (kFrameOverhead + layout.frame_length);
}

Status SealFrames(GcmKey& gcm, ByteView message_id, const FramedLayout& layout, const uint8_t* plaintext,
                  uint64_t first, uint64_t last, uint8_t* body) noexcept {
  BodyAad aad(message_id);
  uint8_t* o = body + FrameOffset(layout, first);
  const uint8_t* p = plaintext + first * layout.frame_length;
  for (uint64_t index = first; index < last; ++index) {
    const uint32_t sequence_number = static_cast<uint32_t>(layout.first_sequence + index);
    const bool final = layout.has_final && index == layout.full_frames;
    const uint64_t length = final ? layout.final_length : layout.frame_length;
    // client-apis/encrypt.md "Construct a frame": IV = 8 zero bytes ‖ uint32 big-endian sequence number.
    uint8_t iv[kIvLength] = {0};
    StoreBe32(iv + 8, sequence_number);
    if (final) {
      StoreBe32(o, kFinalFrameMarker);
      StoreBe32(o + 4, sequence_number);
      std::memcpy(o + 8, iv, kIvLength);
      StoreBe32(o + 8 + kIvLength, static_cast<uint32_t>(length));
      o += 8 + kIvLength + 4;
    } else {
      StoreBe32(o, sequence_number);
      std::memcpy(o + 4, iv, kIvLength);
      o += 4 + kIvLength;
    }
    const ByteView frame_aad = aad.For(final ? FrameKind::kFinal : FrameKind::kFrame, sequence_number, length);
    const Status status = gcm.Seal(iv, frame_aad, kNoAad, p, static_cast<size_t>(length), o, o + length);
    if (status != Status::kOk) return status;
    o += length + kTagLength;
    p += length;
  }
  return Status::kOk;
}

Status OpenFrames(GcmKey& gcm, ByteView message_id, ByteView source, const double* table, uint64_t first, uint64_t last,
                  uint8_t* out) noexcept {
  BodyAad aad(message_id);
  uint8_t* o = out;
  for (uint64_t i = first; i < last; ++i) {
    FrameEntry frame{};
    Status status = DecodeFrame(table, static_cast<size_t>(i), source.size, &frame);
    if (status != Status::kOk) return status;
    // data-format/message-body.md "IV": decrypt with the IV stored in the frame, never a recomputed
    // one (some valid vectors carry IVs other than 0^8 ‖ sequence number).
    status = gcm.Open(source.data + frame.iv_offset, aad.For(frame.kind, frame.sequence_number, frame.length), kNoAad,
                      source.data + frame.ciphertext_offset, static_cast<size_t>(frame.length), o,
                      source.data + frame.tag_offset);
    if (status != Status::kOk) return status;
    o += frame.length;
  }
  return Status::kOk;
}

Status FramedBodySize(uint64_t plaintext_size, uint64_t frame_length, uint64_t* body_size) noexcept {
  FramedLayout layout{};
  const Status status = ComputeFramedLayout(plaintext_size, frame_length, &layout);
  if (status == Status::kOk) *body_size = layout.body_size;
  return status;
}

Status SealFramedBody(const Suite& suite, ByteView key, ByteView message_id, ByteView plaintext, uint64_t frame_length,
                      MutableByteView out, size_t* written) noexcept {
  if (key.size != suite.key_length) return Status::kBadKeyLength;
  if (message_id.size != suite.message_id_length) return Status::kBadMessageIdLength;
  FramedLayout layout{};
  Status status = ComputeFramedLayout(plaintext.size, frame_length, &layout);
  if (status != Status::kOk) return status;
  if (layout.body_size > out.size) return Status::kBadOutputLength;
  if (Overlaps(out.data, layout.body_size, plaintext.data, plaintext.size) ||
      Overlaps(out.data, layout.body_size, key.data, key.size) ||
      Overlaps(out.data, layout.body_size, message_id.data, message_id.size)) {
    return Status::kOverlap;
  }

  WipeUnlessReleased wipe_body(out.data, layout.body_size);
  GcmKey gcm;
  status = gcm.Init(GcmCipherFor(suite), key, true);
  if (status == Status::kOk)
    status = SealFrames(gcm, message_id, layout, plaintext.data, 0, FrameCount(layout), out.data);
  if (status != Status::kOk) return status;
  *written = static_cast<size_t>(layout.body_size);
  wipe_body.Release();
  return Status::kOk;
}

Status OpenBody(const Suite& suite, ByteView key, ByteView message_id, ByteView source, const double* table,
                size_t frame_count, MutableByteView out) noexcept {
  if (key.size != suite.key_length) return Status::kBadKeyLength;
  if (message_id.size != suite.message_id_length) return Status::kBadMessageIdLength;
  if (Overlaps(out.data, out.size, source.data, source.size) || Overlaps(out.data, out.size, key.data, key.size) ||
      Overlaps(out.data, out.size, message_id.data, message_id.size)) {
    return Status::kOverlap;
  }
  // Decryption writes before each tag is checked, so every failure wipes the
  // whole output: the caller never sees unauthenticated plaintext.
  WipeUnlessReleased wipe_out(out.data, out.size);
  uint64_t total_length = 0;
  Status status = ValidateFrameTable(table, frame_count, source.size, &total_length);
  if (status != Status::kOk) return status;
  if (total_length > out.size) return Status::kBadOutputLength;

  GcmKey gcm;
  status = gcm.Init(GcmCipherFor(suite), key, false);
  if (status == Status::kOk) status = OpenFrames(gcm, message_id, source, table, 0, frame_count, out.data);
  if (status != Status::kOk) return status;
  wipe_out.Release();
  return Status::kOk;
}

}  // namespace esdk
