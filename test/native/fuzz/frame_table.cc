// libFuzzer target: frame tables (as JS builds them from untrusted lengths) checked by ValidateFrameTable /
// ValidateFrameRun against an independent model of their rules.
#include <cmath>
#include <cstdint>
#include <vector>

#include "../../../native/frame_table.h"
#include "../../../native/suites.h"
#include "message_input.h"

using esdk::Status;

namespace {

// Values near the boundaries as well as small offsets: a 16-bit code either is the value itself or picks one of these.
double Value(uint32_t code) {
  static const double kSpecial[] = {
      -1.0,
      -0.0,
      0.5,
      1e300,
      NAN,
      INFINITY,
      -INFINITY,
      4294967295.0,
      4294967296.0,
      9007199254740991.0,
      9007199254740992.0,
      9007199254740993.0,
      18446744073709551615.0,
      1.0000000001,
      65535.5,
      2.0,
  };
  if (code >= 0xFFF0) return kSpecial[code - 0xFFF0];
  return static_cast<double>(code);
}

struct Row {
  double v[esdk::kFrameTableStride];
};

bool Integer(double d, uint64_t* out) {
  if (!(d >= 0 && d < 9007199254740992.0) || std::floor(d) != d) return false;
  *out = static_cast<uint64_t>(d);
  return true;
}

// The rules of frame_table.h written out again, with wide arithmetic.
bool ModelRow(const Row& r, uint64_t source, uint64_t f[6]) {
  for (int i = 0; i < 6; ++i)
    if (!Integer(r.v[i], &f[i])) return false;
  if (f[4] > 0xFFFFFFFFu || f[5] > 2) return false;
  using Wide = unsigned __int128;
  const Wide s = source;
  return Wide(f[0]) + esdk::kIvLength <= s && Wide(f[1]) + f[2] <= s && Wide(f[3]) + esdk::kTagLength <= s;
}

}  // namespace

// [source size, uint16] [first sequence number (0xFF: 2^32 - 1)] then rows of six 16-bit codes. A code
// below 0x8000 is a small signed offset (code - 16) from the value a well-formed run would have there
// (frames laid end to end, numbered on), so near-valid tables are as easy to reach as valid ones; from
// 0x8000 it is an absolute value (code - 0x8000), or one of the boundary values above.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint64_t source_size = (uint64_t{data[0]} << 8) | data[1];
  const uint64_t first_sequence = data[2] == 0xFF ? 0xFFFFFFFFull : data[2];
  std::vector<Row> rows;
  double expected_at = 0;
  for (size_t at = 3; at + 12 <= size; at += 12) {
    Row r{};
    for (int i = 0; i < 6; ++i) {
      const uint32_t code = (uint32_t{data[at + 2 * i]} << 8) | data[at + 2 * i + 1];
      if (code >= 0x8000) {
        r.v[i] = code >= 0xFFF0 ? Value(code) : static_cast<double>(code - 0x8000);
        continue;
      }
      const double delta = static_cast<double>(code) - 16.0;
      double expected = 0;
      switch (i) {
        case 0:
          expected = expected_at + 4;
          break;  // as for a regular frame (a final one: +4 more, a single block: -4)
        case 1:
          expected = r.v[0] + esdk::kIvLength;
          break;
        case 2:
          expected = 0;
          break;
        case 3:
          expected = r.v[1] + r.v[2];
          break;
        case 4:
          expected = static_cast<double>(first_sequence + rows.size());
          break;
        case 5:
          expected = 0;
          break;
      }
      r.v[i] = expected + delta;
    }
    expected_at = r.v[3] + esdk::kTagLength;
    rows.push_back(r);
  }
  std::vector<double> table;
  for (const Row& r : rows) table.insert(table.end(), r.v, r.v + esdk::kFrameTableStride);
  table.push_back(0);
  const size_t count = rows.size();

  bool model_table = true;
  unsigned __int128 model_total = 0;
  bool model_run = true;
  bool model_ends = false;
  uint64_t at = 0;
  for (size_t i = 0; i < count; ++i) {
    uint64_t f[6];
    if (!ModelRow(rows[i], source_size, f)) {
      model_table = model_run = false;
      break;
    }
    model_total += f[2];
    const auto kind = static_cast<esdk::FrameKind>(f[5]);
    const bool last = i + 1 == count;
    if (f[4] != first_sequence + i) model_run = false;
    if (kind != esdk::FrameKind::kFrame) {
      if (!last || (kind == esdk::FrameKind::kSingle && (first_sequence != 1 || count != 1))) model_run = false;
      model_ends = true;
    }
    const uint64_t header = kind == esdk::FrameKind::kFrame ? 4 : kind == esdk::FrameKind::kFinal ? 8 : 0;
    const uint64_t length_field = kind == esdk::FrameKind::kFrame ? 0 : kind == esdk::FrameKind::kFinal ? 4 : 8;
    if (f[0] != at + header || f[1] != f[0] + esdk::kIvLength + length_field || f[3] != f[1] + f[2]) model_run = false;
    at = f[3] + esdk::kTagLength;
  }
  if (model_run && at != source_size) model_run = false;

  uint64_t total = 0;
  const Status table_status = esdk::ValidateFrameTable(table.data(), count, source_size, &total);
  FUZZ_CHECK(table_status == Status::kOk || table_status == Status::kBadFrameTable);
  FUZZ_CHECK((table_status == Status::kOk) == model_table);
  if (table_status == Status::kOk) {
    FUZZ_CHECK(total == model_total);
    for (size_t i = 0; i < count; ++i) {
      esdk::FrameEntry e{};
      FUZZ_CHECK(esdk::DecodeFrame(table.data(), i, source_size, &e) == Status::kOk);
      FUZZ_CHECK(e.iv_offset + esdk::kIvLength <= source_size && e.tag_offset + esdk::kTagLength <= source_size);
      FUZZ_CHECK(e.ciphertext_offset <= source_size && e.length <= source_size - e.ciphertext_offset);
    }
  }
  uint64_t run_total = 0;
  bool ends = false;
  const Status run_status = esdk::ValidateFrameRun(table.data(), count, source_size, first_sequence, &run_total, &ends);
  FUZZ_CHECK(run_status == Status::kOk || run_status == Status::kBadFrameTable);
  FUZZ_CHECK((run_status == Status::kOk) == (model_table && model_run));
  if (run_status == Status::kOk) {
    FUZZ_CHECK(table_status == Status::kOk && run_total == total);
    FUZZ_CHECK(ends == model_ends);
  }
  return 0;
}
