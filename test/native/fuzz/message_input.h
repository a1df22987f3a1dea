// Fuzz-harness side: turns fuzzer bytes (data key ‖ control byte ‖ ESDK message) into the header fields and frame table
// the native open paths take, as lib/format does.
#ifndef ESDK_FUZZ_MESSAGE_INPUT_H_
#define ESDK_FUZZ_MESSAGE_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../../../native/bytes.h"
#include "../../../native/ec_keys.h"
#include "../../../native/frame_table.h"
#include "../../../native/message.h"
#include "../../../native/suites.h"

namespace esdk_fuzz {

// Input layout shared by the message targets and the seed builder (scripts/fuzz.js):
//   [0, 32)   data key (the first suite.key_length bytes are used)
//   [32]      control byte (chunk size or run-split seed, per target)
//   [33, ...) the message as written (data-format/message-header.md, message-body.md, message-footer.md)
constexpr size_t kKeyPrefix = 32;
constexpr size_t kMessageStart = kKeyPrefix + 1;

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool Take(size_t n, const uint8_t** out) {
    if (n > size_ - at_) return false;
    *out = data_ + at_;
    at_ += n;
    return true;
  }
  bool U8(uint32_t* v) {
    const uint8_t* p;
    if (!Take(1, &p)) return false;
    *v = p[0];
    return true;
  }
  bool U16(uint32_t* v) {
    const uint8_t* p;
    if (!Take(2, &p)) return false;
    *v = (uint32_t{p[0]} << 8) | p[1];
    return true;
  }
  bool U32(uint64_t* v) {
    const uint8_t* p;
    if (!Take(4, &p)) return false;
    *v = (uint64_t{p[0]} << 24) | (uint64_t{p[1]} << 16) | (uint64_t{p[2]} << 8) | p[3];
    return true;
  }
  bool U64(uint64_t* v) {
    uint64_t hi, lo;
    if (!U32(&hi) || !U32(&lo)) return false;
    *v = (hi << 32) | lo;
    return true;
  }
  size_t at() const { return at_; }
  size_t left() const { return size_ - at_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

struct Frame {
  uint64_t iv, ciphertext, length, tag;
  uint64_t sequence;
  esdk::FrameKind kind;
};

struct ParsedMessage {
  const esdk::Suite* suite = nullptr;
  esdk::ByteView data_key{};
  uint8_t control = 0;
  esdk::ByteView message{};  // the whole message as received
  esdk::ByteView message_id{};
  esdk::ByteView header_body{};
  esdk::ByteView header_iv{};
  esdk::ByteView header_tag{};
  esdk::ByteView commitment{};
  esdk::ByteView header_bytes{};  // body and auth, what a signature digest starts with
  esdk::ByteView body{};          // the frames, laid end to end
  uint64_t frame_length = 0;
  bool framed = false;
  std::vector<Frame> frames;  // offsets relative to body
  uint64_t plaintext_length = 0;
  // Signed suites: the footer's DER signature and the encryption context's public point (SEC1 compressed).
  esdk::ByteView signature{};
  std::vector<uint8_t> point;
  std::vector<uint8_t> uncompressed_point;
  // True when the v1 header IV and every frame IV are the ones this library writes, so a reseal can be compared byte
  // for byte.
  bool standard_ivs = true;
};

inline int Base64Value(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

inline bool Base64Decode(const uint8_t* s, size_t n, std::vector<uint8_t>* out) {
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  size_t i = 0;
  for (; i < n && s[i] != '='; ++i) {
    const int v = Base64Value(s[i]);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  return true;
}

// Finds aws-crypto-public-key in the serialized encryption context (data-format/message-header.md
// "AAD"); false when the context is malformed.
inline bool FindPublicKey(esdk::ByteView aad, std::vector<uint8_t>* point) {
  point->clear();
  if (aad.size == 0) return true;
  Reader r(aad.data, aad.size);
  uint32_t count;
  if (!r.U16(&count)) return false;
  static const char kName[] = "aws-crypto-public-key";
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t kl, vl;
    const uint8_t *k, *v;
    if (!r.U16(&kl) || !r.Take(kl, &k) || !r.U16(&vl) || !r.Take(vl, &v)) return false;
    if (kl == sizeof(kName) - 1 && std::memcmp(k, kName, kl) == 0 && !Base64Decode(v, vl, point)) return false;
  }
  return r.left() == 0;
}

// Parses the message. `strict` applies lib/format's structural checks (sequence numbers 1, 2, ...,
// the final frame last and no longer than the frame length), as the whole-message open path
// relies on; without it the frames are read as they come, to see whether the stream's own run
// checks (ValidateFrameRun) refuse what JS would have.
inline bool ParseMessage(const uint8_t* data, size_t size, bool strict, ParsedMessage* m) {
  if (size < kMessageStart) return false;
  const uint8_t* msg = data + kMessageStart;
  const size_t n = size - kMessageStart;
  m->control = data[kKeyPrefix];
  m->message = esdk::ByteView{msg, n};
  Reader r(msg, n);
  uint32_t version, suite_id;
  if (!r.U8(&version)) return false;
  if (version == 1) {
    uint32_t type;
    if (!r.U8(&type) || type != 0x80) return false;
  } else if (version != 2) {
    return false;
  }
  if (!r.U16(&suite_id)) return false;
  m->suite = esdk::FindSuite(suite_id);
  if (m->suite == nullptr || m->suite->commitment != (version == 2)) return false;
  m->data_key = esdk::ByteView{data, m->suite->key_length};
  const uint8_t* p;
  if (!r.Take(m->suite->message_id_length, &p)) return false;
  m->message_id = esdk::ByteView{p, m->suite->message_id_length};
  uint32_t aad_length, edk_count;
  if (!r.U16(&aad_length) || !r.Take(aad_length, &p)) return false;
  if (!FindPublicKey(esdk::ByteView{p, aad_length}, &m->point)) return false;
  if ((m->suite->signature != esdk::Curve::kNone) != !m->point.empty()) return false;
  // As lib/materials/signature-keys.ts: the context's key must be a compressed point on the suite's curve.
  if (m->suite->signature != esdk::Curve::kNone) {
    const size_t size = esdk::UncompressedPointSize(m->suite->signature);
    m->uncompressed_point.resize(size);
    if (m->point.size() != esdk::CompressedPointSize(m->suite->signature) ||
        esdk::DecompressPoint(m->suite->signature, esdk::ByteView{m->point.data(), m->point.size()},
                              esdk::MutableByteView{m->uncompressed_point.data(), size}) != esdk::Status::kOk) {
      return false;
    }
  }
  if (!r.U16(&edk_count) || edk_count == 0) return false;
  for (uint32_t i = 0; i < edk_count * 3; ++i) {
    uint32_t l;
    if (!r.U16(&l) || !r.Take(l, &p)) return false;
  }
  uint32_t content_type;
  if (!r.U8(&content_type) || (content_type != 1 && content_type != 2)) return false;
  m->framed = content_type == 2;
  if (version == 1) {
    uint32_t iv_length;
    if (!r.Take(4, &p) || std::memcmp(p, "\0\0\0\0", 4) != 0) return false;
    if (!r.U8(&iv_length) || iv_length != esdk::kIvLength) return false;
  }
  if (!r.U32(&m->frame_length)) return false;
  if (m->framed != (m->frame_length != 0)) return false;
  if (version == 2) {
    if (!r.Take(esdk::kCommitmentLength, &p)) return false;
    m->commitment = esdk::ByteView{p, esdk::kCommitmentLength};
  } else {
    m->commitment = esdk::ByteView{msg, 0};
  }
  m->header_body = esdk::ByteView{msg, r.at()};
  static const uint8_t kZeroIv[esdk::kIvLength] = {0};
  if (version == 1) {
    if (!r.Take(esdk::kIvLength, &p)) return false;
    m->header_iv = esdk::ByteView{p, esdk::kIvLength};
    if (std::memcmp(p, kZeroIv, esdk::kIvLength) != 0) m->standard_ivs = false;
  } else {
    m->header_iv = esdk::ByteView{kZeroIv, esdk::kIvLength};
  }
  if (!r.Take(esdk::kTagLength, &p)) return false;
  m->header_tag = esdk::ByteView{p, esdk::kTagLength};
  m->header_bytes = esdk::ByteView{msg, r.at()};

  const size_t body_start = r.at();
  auto iv_is_standard = [&](uint64_t iv_at, uint64_t sequence) {
    uint8_t want[esdk::kIvLength] = {0};
    esdk::StoreBe32(want + 8, static_cast<uint32_t>(sequence));
    return std::memcmp(msg + body_start + iv_at, want, esdk::kIvLength) == 0;
  };
  if (!m->framed) {
    uint64_t length;
    if (!r.Take(esdk::kIvLength, &p) || !r.U64(&length) || length > r.left() || r.left() - length < esdk::kTagLength)
      return false;
    Frame f{};
    f.iv = 0;
    f.ciphertext = esdk::kIvLength + 8;
    f.length = length;
    f.tag = f.ciphertext + length;
    f.sequence = 1;
    f.kind = esdk::FrameKind::kSingle;
    if (!iv_is_standard(0, 1)) m->standard_ivs = false;
    r.Take(length + esdk::kTagLength, &p);
    m->frames.push_back(f);
    m->plaintext_length = length;
  } else {
    for (uint64_t expected = 1;; ++expected) {
      // Bounded: every frame takes at least 32 bytes of the input.
      uint64_t first;
      if (!r.U32(&first)) return false;
      const bool final = first == 0xFFFFFFFFu;
      uint64_t sequence = first;
      if (final && !r.U32(&sequence)) return false;
      if (strict && sequence != expected) return false;
      Frame f{};
      f.iv = r.at() - body_start;
      if (!r.Take(esdk::kIvLength, &p)) return false;
      uint64_t length = m->frame_length;
      if (final) {
        if (!r.U32(&length)) return false;
        if (strict && length > m->frame_length) return false;
      }
      f.ciphertext = r.at() - body_start;
      if (!r.Take(length, &p) || !r.Take(esdk::kTagLength, &p)) return false;
      f.length = length;
      f.tag = f.ciphertext + length;
      f.sequence = sequence;
      f.kind = final ? esdk::FrameKind::kFinal : esdk::FrameKind::kFrame;
      if (!iv_is_standard(f.iv, sequence)) m->standard_ivs = false;
      m->frames.push_back(f);
      m->plaintext_length += length;
      if (final) break;
      // Lax mode: an unsigned message may also end after a regular frame, so one whose final frame
      // was mutated away still reaches the stream's own end-of-message checks.
      if (!strict && r.left() == 0 && m->suite->signature == esdk::Curve::kNone) break;
    }
  }
  m->body = esdk::ByteView{msg + body_start, r.at() - body_start};
  if (m->suite->signature != esdk::Curve::kNone) {
    uint32_t sl;
    if (!r.U16(&sl) || !r.Take(sl, &p)) return false;
    m->signature = esdk::ByteView{p, sl};
  }
  return r.left() == 0;
}

// Rows [first, last) of the message's frames as a frame table (frame_table.h) over `source_base`
// bytes before the body (0: offsets relative to the body).
inline std::vector<double> BuildTable(const ParsedMessage& m, size_t first, size_t last, uint64_t rebase) {
  std::vector<double> t;
  t.reserve((last - first) * esdk::kFrameTableStride + 1);
  for (size_t i = first; i < last; ++i) {
    const Frame& f = m.frames[i];
    t.push_back(static_cast<double>(f.iv - rebase));
    t.push_back(static_cast<double>(f.ciphertext - rebase));
    t.push_back(static_cast<double>(f.length));
    t.push_back(static_cast<double>(f.tag - rebase));
    t.push_back(static_cast<double>(f.sequence));
    t.push_back(static_cast<double>(static_cast<uint8_t>(f.kind)));
  }
  t.push_back(0);  // never empty, so data() is never null
  return t;
}

inline esdk::OpenMessageRequest OpenRequest(const ParsedMessage& m, const double* table, esdk::MutableByteView out) {
  esdk::OpenMessageRequest r{};
  r.suite = m.suite;
  r.data_key = m.data_key;
  r.message_id = m.message_id;
  r.header_body = m.header_body;
  r.header_iv = m.header_iv;
  r.header_tag = m.header_tag;
  static const uint8_t kNone[1] = {0};
  r.extra_aad = esdk::ByteView{kNone, 0};
  r.commitment = m.commitment;
  r.source = m.body;
  r.table = table;
  r.frame_count = m.frames.size();
  r.out = out;
  return r;
}

inline bool AllZero(const uint8_t* p, size_t n) {
  uint8_t acc = 0;
  for (size_t i = 0; i < n; ++i) acc |= p[i];
  return acc == 0;
}

}  // namespace esdk_fuzz

// A check that stays on in every build: a broken invariant aborts, which libFuzzer reports as a crash with the input
// saved.
#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "invariant broken: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

#endif  // ESDK_FUZZ_MESSAGE_INPUT_H_
