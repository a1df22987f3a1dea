// The message body: frames sealed or opened natively, whole or by index range for parallel workers
// (data-format/message-body.md).
#ifndef ESDK_NATIVE_FRAMES_H_
#define ESDK_NATIVE_FRAMES_H_

#include <cstddef>
#include <cstdint>

#include "bytes.h"
#include "gcm.h"
#include "status.h"
#include "suites.h"

namespace esdk {

// Where every frame of a run of frames this library writes sits (lib/format/body.ts
// framedBodySize): `full_frames` frames of `frame_length` bytes, then, if `has_final`, a final
// frame of `final_length` bytes (0 when the plaintext is an exact multiple, as the JS SDK
// writes). Frame index i has sequence number first_sequence + i; index full_frames is the final
// frame. A whole body is the run from sequence number 1 with its final frame; a stream writes
// its body as several runs.
struct FramedLayout {
  uint64_t frame_length;
  uint64_t full_frames;
  uint64_t final_length;
  uint64_t body_size;
  uint64_t first_sequence;
  bool has_final;
};

// The whole body of a `plaintext_size`-byte message.
Status ComputeFramedLayout(uint64_t plaintext_size, uint64_t frame_length, FramedLayout* layout) noexcept;
// A run from `first_sequence`: regular frames only (the plaintext must then be a whole number
// of frames) or, `with_final`, regular frames and then the final frame.
Status ComputeFrameRun(uint64_t plaintext_size, uint64_t frame_length, uint64_t first_sequence, bool with_final,
                       FramedLayout* layout) noexcept;

inline uint64_t FrameCount(const FramedLayout& layout) noexcept {
  return layout.full_frames + (layout.has_final ? 1 : 0);
}
// Offset of frame `index` from the start of the body.
uint64_t FrameOffset(const FramedLayout& layout, uint64_t index) noexcept;

// Seals frames [first, last) of `plaintext` into `body` (the start of the run's region) under a
// GcmKey keyed for encryption. IVs, sequence numbers and body AAD are built here.
Status SealFrames(GcmKey& gcm, ByteView message_id, const FramedLayout& layout, const uint8_t* plaintext,
                  uint64_t first, uint64_t last, uint8_t* body) noexcept;

// Opens frames [first, last) of a validated frame table (frame_table.h) from `source` into `out`
// (where frame `first`'s plaintext goes) under a GcmKey keyed for decryption.
// kAuthenticationFailed on the first tag that fails; the caller wipes the output.
Status OpenFrames(GcmKey& gcm, ByteView message_id, ByteView source, const double* table, uint64_t first, uint64_t last,
                  uint8_t* out) noexcept;

// The exact size of the framed body for a plaintext.
Status FramedBodySize(uint64_t plaintext_size, uint64_t frame_length, uint64_t* body_size) noexcept;

// Writes the whole framed body at the start of `out` (the window from the caller's outOffset to
// the end of its buffer) and sets `*written`. The body region is zeroed on failure; nothing is
// written when the arguments are rejected.
Status SealFramedBody(const Suite& suite, ByteView key, ByteView message_id, ByteView plaintext, uint64_t frame_length,
                      MutableByteView out, size_t* written) noexcept;

// Decrypts every frame described by `table` (see frame_table.h) from `source` into `out`, in
// order. kAuthenticationFailed if any tag fails; on any failure all of `out` is zeroed.
Status OpenBody(const Suite& suite, ByteView key, ByteView message_id, ByteView source, const double* table,
                size_t frame_count, MutableByteView out) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_FRAMES_H_
