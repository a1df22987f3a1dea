// Reads the batch message tables cell by cell: integers in range, rows in output order, windows inside their buffers.
#include "batch_table.h"

#include <cmath>

#include "frame_table.h"

namespace esdk {
namespace {

constexpr double kMaxSafe = 9007199254740992.0;  // 2^53: every integer up to here is exact

// A table cell that must be an integer in [0, max]; a negative max (no run or group at all)
// admits nothing.
bool Cell(const double* table, size_t at, double max, size_t* out) noexcept {
  const double v = table[at];
  if (!(v >= 0.0 && v <= kMaxSafe && v <= max) || std::floor(v) != v) return false;
  *out = static_cast<size_t>(v);
  return true;
}

}  // namespace

Status ReadSealBatchRow(const double* table, size_t index, size_t run_count, size_t out_size, size_t* end,
                        SealBatchRow* row) noexcept {
  const size_t at = index * kSealBatchStride;
  SealBatchRow r{};
  if (!Cell(table, at, static_cast<double>(run_count) - 1.0, &r.run) ||
      !Cell(table, at + 1, static_cast<double>(out_size), &r.offset) ||
      !Cell(table, at + 2, static_cast<double>(out_size - r.offset), &r.capacity) || r.offset < *end) {
    return Status::kBadBatchTable;
  }
  *end = r.offset + r.capacity;
  *row = r;
  return Status::kOk;
}

Status ReadOpenBatchRow(const double* table, size_t index, size_t group_count, size_t out_size, size_t* end,
                        OpenBatchRow* row) noexcept {
  const size_t at = index * kOpenBatchStride;
  OpenBatchRow r{};
  if (!Cell(table, at, static_cast<double>(group_count) - 1.0, &r.group) ||
      !Cell(table, at + 1, static_cast<double>(out_size), &r.offset) ||
      !Cell(table, at + 2, static_cast<double>(out_size - r.offset), &r.length) ||
      !Cell(table, at + 3, kMaxSafe, &r.signed_length) || !Cell(table, at + 4, kMaxSafe, &r.body_length) ||
      r.offset < *end) {
    return Status::kBadBatchTable;
  }
  *end = r.offset + r.length;
  *row = r;
  return Status::kOk;
}

Status CheckOpenBatchMessage(const OpenBatchRow& row, size_t header_size, size_t auth_size, size_t source_size,
                             size_t frame_cells) noexcept {
  if (frame_cells % kFrameTableStride != 0 || row.signed_length > source_size || row.body_length > header_size ||
      header_size - row.body_length != auth_size) {
    return Status::kBadBatchTable;
  }
  return Status::kOk;
}

}  // namespace esdk
