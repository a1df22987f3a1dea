// Decodes and bounds-checks the JS-built frame table before any frame is decrypted.
#include "frame_table.h"

#include <cmath>

#include "suites.h"

namespace esdk {
namespace {

// 2^53: every integer up to here is exact in a double.
constexpr double kMaxSafe = 9007199254740992.0;

bool ToIndex(double value, uint64_t* out) noexcept {
  if (!(value >= 0.0 && value < kMaxSafe) || std::floor(value) != value) return false;
  *out = static_cast<uint64_t>(value);
  return true;
}

bool Inside(uint64_t offset, uint64_t length, size_t source_size) noexcept {
  return offset <= source_size && length <= source_size - offset;
}

}  // namespace

Status DecodeFrame(const double* table, size_t index, size_t source_size, FrameEntry* out) noexcept {
  const double* row = table + index * kFrameTableStride;
  uint64_t sequence = 0;
  uint64_t kind = 0;
  if (!ToIndex(row[0], &out->iv_offset) || !ToIndex(row[1], &out->ciphertext_offset) ||
      !ToIndex(row[2], &out->length) || !ToIndex(row[3], &out->tag_offset) || !ToIndex(row[4], &sequence) ||
      !ToIndex(row[5], &kind)) {
    return Status::kBadFrameTable;
  }
  if (sequence > UINT32_MAX || kind > static_cast<uint64_t>(FrameKind::kSingle)) return Status::kBadFrameTable;
  if (!Inside(out->iv_offset, kIvLength, source_size) || !Inside(out->ciphertext_offset, out->length, source_size) ||
      !Inside(out->tag_offset, kTagLength, source_size)) {
    return Status::kBadFrameTable;
  }
  out->sequence_number = static_cast<uint32_t>(sequence);
  out->kind = static_cast<FrameKind>(kind);
  return Status::kOk;
}

Status ValidateFrameTable(const double* table, size_t frame_count, size_t source_size,
                          uint64_t* total_length) noexcept {
  uint64_t total = 0;
  for (size_t i = 0; i < frame_count; ++i) {
    FrameEntry entry{};
    const Status status = DecodeFrame(table, i, source_size, &entry);
    if (status != Status::kOk) return status;
    // Frames may alias the same source bytes, so guard the sum explicitly.
    if (entry.length > UINT64_MAX - total) return Status::kBadFrameTable;
    total += entry.length;
  }
  *total_length = total;
  return Status::kOk;
}

Status ValidateFrameRun(const double* table, size_t frame_count, size_t source_size, uint64_t first_sequence,
                        uint64_t* total_length, bool* ends_message) noexcept {
  uint64_t total = 0;
  uint64_t at = 0;
  *ends_message = false;
  for (size_t i = 0; i < frame_count; ++i) {
    FrameEntry entry{};
    const Status status = DecodeFrame(table, i, source_size, &entry);
    if (status != Status::kOk) return status;
    // data-format/message-body.md "Sequence Number", "Final Frame": consecutive sequence
    // numbers; nothing after the final frame.
    if (entry.sequence_number != first_sequence + i) return Status::kBadFrameTable;
    const bool last = i + 1 == frame_count;
    if (entry.kind != FrameKind::kFrame) {
      if (!last || (entry.kind == FrameKind::kSingle && (first_sequence != 1 || frame_count != 1)))
        return Status::kBadFrameTable;
      *ends_message = true;
    }
    // The frames lie end to end exactly as data-format/message-body.md lays them out, so the
    // bytes a signature digest takes (the whole source) are the bytes these rows decrypt.
    const uint64_t header = entry.kind == FrameKind::kFrame ? 4 : entry.kind == FrameKind::kFinal ? 8 : 0;
    const uint64_t length_field = entry.kind == FrameKind::kFrame ? 0 : entry.kind == FrameKind::kFinal ? 4 : 8;
    if (entry.iv_offset != at + header || entry.ciphertext_offset != entry.iv_offset + kIvLength + length_field ||
        entry.tag_offset != entry.ciphertext_offset + entry.length) {
      return Status::kBadFrameTable;
    }
    at = entry.tag_offset + kTagLength;
    total += entry.length;
  }
  if (at != source_size) return Status::kBadFrameTable;
  *total_length = total;
  return Status::kOk;
}

}  // namespace esdk
