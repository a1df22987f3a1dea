// The message tables of sealBatch/openBatch, read and bounds-checked row by row before any message is touched (pure: no
// Node-API).
#ifndef ESDK_NATIVE_BATCH_TABLE_H_
#define ESDK_NATIVE_BATCH_TABLE_H_

#include <cstddef>
#include <cstdint>

#include "status.h"

namespace esdk {

// sealBatch: three float64 per message: run index, output offset, capacity.
constexpr size_t kSealBatchStride = 3;
// openBatch: five float64 per message: group index, plaintext offset, plaintext length, signed
// length (header and body, what a signature covers), header body length.
constexpr size_t kOpenBatchStride = 5;

struct SealBatchRow {
  size_t run;
  size_t offset;
  size_t capacity;
};

struct OpenBatchRow {
  size_t group;
  size_t offset;
  size_t length;
  size_t signed_length;
  size_t body_length;
};

// Row `index` of a seal table (at least (index + 1) * kSealBatchStride cells): every cell an
// integer, the run below `run_count`, [offset, offset + capacity) inside an output of `out_size`
// bytes and starting at or after `*end`, where the previous row ended (rows in output order, none
// overlapping: no two messages, hence no two threads, write the same bytes). Advances `*end`.
// kBadBatchTable otherwise, with `*row` and `*end` untouched.
Status ReadSealBatchRow(const double* table, size_t index, size_t run_count, size_t out_size, size_t* end,
                        SealBatchRow* row) noexcept;

// Row `index` of an open table, with the same rules for groups and plaintext windows.
Status ReadOpenBatchRow(const double* table, size_t index, size_t group_count, size_t out_size, size_t* end,
                        OpenBatchRow* row) noexcept;

// The message's own buffers against its row: the header is exactly its body and its
// authentication (`auth_size` bytes: v1 IV and tag, v2 tag), the signed part lies inside the
// source, and its frame table holds whole rows (`frame_cells` float64).
Status CheckOpenBatchMessage(const OpenBatchRow& row, size_t header_size, size_t auth_size, size_t source_size,
                             size_t frame_cells) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_BATCH_TABLE_H_
