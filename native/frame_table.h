// The compact frame table JS builds for openBody/openMessage: six float64 per frame, offsets relative to one source
// buffer.
#ifndef ESDK_NATIVE_FRAME_TABLE_H_
#define ESDK_NATIVE_FRAME_TABLE_H_

#include <cstddef>
#include <cstdint>

#include "status.h"

namespace esdk {

// Layout, per frame, as written by lib/format/body-table.ts (keep in step):
//   [0] IV offset   [1] ciphertext offset   [2] ciphertext length
//   [3] tag offset  [4] sequence number     [5] kind (FrameKind)
// Float64 because offsets and a non-framed length can exceed 2^32.
constexpr size_t kFrameTableStride = 6;

enum class FrameKind : uint8_t { kFrame = 0, kFinal = 1, kSingle = 2 };

struct FrameEntry {
  uint64_t iv_offset;
  uint64_t ciphertext_offset;
  uint64_t length;
  uint64_t tag_offset;
  uint32_t sequence_number;
  FrameKind kind;
};

// Decodes frame `index`, checking that every field is an integer in range
// and that the IV, ciphertext and tag all lie inside a source of
// `source_size` bytes.
Status DecodeFrame(const double* table, size_t index, size_t source_size, FrameEntry* out) noexcept;

// Validates every frame before any decryption starts (so a bad table never
// leaves half-written output) and sums the plaintext lengths.
Status ValidateFrameTable(const double* table, size_t frame_count, size_t source_size, uint64_t* total_length) noexcept;

// A streamed run of frames: ValidateFrameTable's checks, and the sequence numbers are
// first_sequence, first_sequence + 1, ... with only the last row allowed to be a final frame (or
// a lone single block, sequence number 1), and the rows are the frames laid end to end from the
// source's first byte to its last. `*ends_message` says whether the run ends the message.
Status ValidateFrameRun(const double* table, size_t frame_count, size_t source_size, uint64_t first_sequence,
                        uint64_t* total_length, bool* ends_message) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_FRAME_TABLE_H_
