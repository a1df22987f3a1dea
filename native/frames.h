// The message body in one call: every frame sealed or opened natively (data-format/message-body.md).
#ifndef ESDK_NATIVE_FRAMES_H_
#define ESDK_NATIVE_FRAMES_H_

#include <cstddef>
#include <cstdint>

#include "bytes.h"
#include "status.h"
#include "suites.h"

namespace esdk {

// The exact size of the framed body this library writes for a plaintext
// (lib/format/body.ts framedBodySize): full frames, then a final frame that is
// empty when the plaintext is an exact multiple of the frame length.
Status FramedBodySize(uint64_t plaintext_size, uint64_t frame_length, uint64_t* body_size) noexcept;

// Writes the whole framed body at the start of `out` (the window from the
// caller's outOffset to the end of its buffer) and sets `*written`. IVs,
// sequence numbers and body AAD are built here. The body region is zeroed on
// failure; nothing is written when the arguments are rejected.
Status SealFramedBody(const Suite& suite, ByteView key, ByteView message_id, ByteView plaintext,
                      uint64_t frame_length, MutableByteView out, size_t* written) noexcept;

// Decrypts every frame described by `table` (see frame_table.h) from `source`
// into `out`, in order. kAuthenticationFailed if any tag fails; on any
// failure all of `out` is zeroed.
Status OpenBody(const Suite& suite, ByteView key, ByteView message_id, ByteView source, const double* table,
                size_t frame_count, MutableByteView out) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_FRAMES_H_
