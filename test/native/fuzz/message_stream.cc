// libFuzzer target: a message opened through the per-message stream object in fuzzer-chosen runs of frames (inline and
// as body jobs), checked against the one-call open.
#include <cstdint>
#include <cstring>
#include <vector>

#include "../../../native/body_job.h"
#include "../../../native/message.h"
#include "../../../native/message_stream.h"
#include "message_input.h"

using esdk::ByteView;
using esdk::MutableByteView;
using esdk::Status;

namespace {

constexpr uint8_t kFill = 0xA5;

// xorshift32 from the control byte: how many frames each run takes and which path runs it.
struct Split {
  uint32_t state;
  uint32_t Next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
};

uint64_t FrameStart(const esdk_fuzz::Frame& f) {
  return f.iv - (f.kind == esdk::FrameKind::kFrame ? 4 : f.kind == esdk::FrameKind::kFinal ? 8 : 0);
}

// The edits a hostile sender makes with validly tagged frames (control byte % 8: 4 swaps two, 5 duplicates
// one, 6 drops one; otherwise none), written into `body` end to end; true when the order changed.
bool EditFrames(esdk_fuzz::ParsedMessage* m, Split* split, std::vector<uint8_t>* body) {
  std::vector<esdk_fuzz::Frame> frames = m->frames;
  const size_t n = frames.size();
  const uint32_t edit = m->control % 8;
  if (edit < 4 || n == 0) return false;
  const size_t a = (m->control / 8) % n;
  const size_t b = split->Next() % n;
  if (edit == 4) std::swap(frames[a], frames[b]);
  if (edit == 5) frames.insert(frames.begin() + static_cast<long>(b), frames[a]);
  if (edit == 6) frames.erase(frames.begin() + static_cast<long>(a));
  // Changed when the frames (told apart by where they were in the input) are not the same list.
  bool changed = frames.size() != n;
  for (size_t i = 0; !changed && i < n; ++i) changed = FrameStart(frames[i]) != FrameStart(m->frames[i]);
  body->clear();
  for (esdk_fuzz::Frame& f : frames) {
    const uint64_t start = FrameStart(f);
    const uint64_t end = f.tag + esdk::kTagLength;
    const uint64_t moved = body->size();
    body->insert(body->end(), m->body.data + start, m->body.data + end);
    f.iv = f.iv - start + moved;
    f.ciphertext = f.ciphertext - start + moved;
    f.tag = f.tag - start + moved;
  }
  m->plaintext_length = 0;
  for (const esdk_fuzz::Frame& f : frames) m->plaintext_length += f.length;
  m->frames = frames;
  static const uint8_t kNone[1] = {0};
  m->body = body->empty() ? esdk::ByteView{kNone, 0} : esdk::ByteView{body->data(), body->size()};
  return changed;
}

bool StructureIsValid(const esdk_fuzz::ParsedMessage& m) {
  for (size_t i = 0; i < m.frames.size(); ++i) {
    const esdk_fuzz::Frame& f = m.frames[i];
    if (f.sequence != i + 1) return false;
    if (f.kind != esdk::FrameKind::kFrame && i + 1 != m.frames.size()) return false;
    if (f.kind == esdk::FrameKind::kFinal && f.length > m.frame_length) return false;
  }
  return !m.frames.empty() && m.frames.back().kind != esdk::FrameKind::kFrame;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  esdk_fuzz::ParsedMessage m;
  if (!esdk_fuzz::ParseMessage(data, size, false, &m)) return 0;

  // The reference: the strict parse (what lib/format accepts) opened in one call, signature checked.
  esdk_fuzz::ParsedMessage strict;
  const bool strict_parsed = esdk_fuzz::ParseMessage(data, size, true, &strict);
  Status reference = Status::kAuthenticationFailed;
  std::vector<uint8_t> reference_plaintext;
  if (strict_parsed) {
    const std::vector<double> table = esdk_fuzz::BuildTable(strict, 0, strict.frames.size(), 0);
    reference_plaintext.assign(strict.plaintext_length + 1, 0);
    reference = esdk::OpenMessage(esdk_fuzz::OpenRequest(
        strict, table.data(), MutableByteView{reference_plaintext.data(), strict.plaintext_length}));
    if (reference == Status::kOk && strict.suite->signature != esdk::Curve::kNone) {
      reference = esdk::VerifyMessageSignature(
          strict.suite->signature, ByteView{strict.point.data(), strict.point.size()},
          ByteView{strict.message.data, strict.header_bytes.size + strict.body.size}, strict.signature);
    }
    reference_plaintext.resize(strict.plaintext_length);
  }

  Split split{0x9E3779B9u ^ (uint32_t{m.control} * 0x01000193u)};
  std::vector<uint8_t> edited_body;
  const bool edited = EditFrames(&m, &split, &edited_body);

  static const uint8_t kNone[1] = {0};
  static const double kZeroRow = 0;
  static uint8_t scratch[1];
  esdk::OpenMessageRequest header = esdk_fuzz::OpenRequest(m, nullptr, MutableByteView{scratch, 0});
  esdk::MessageStream* stream = nullptr;
  Status status = esdk::MessageStream::StartOpen(header, m.header_bytes, m.frame_length, &stream);
  FUZZ_CHECK(status == Status::kOk || status == Status::kAuthenticationFailed);
  if (status != Status::kOk) {
    FUZZ_CHECK(stream == nullptr);
    FUZZ_CHECK(reference != Status::kOk);
    return 0;
  }
  FUZZ_CHECK(stream != nullptr);
  const bool signed_suite = m.suite->signature != esdk::Curve::kNone;
  // Nothing to verify before the last frame.
  if (signed_suite)
    FUZZ_CHECK(stream->Verify(ByteView{m.point.data(), m.point.size()}, m.signature) == Status::kStreamState);

  std::vector<uint8_t> plaintext;
  bool failed = false;
  bool ended = false;
  size_t next = 0;
  while (next < m.frames.size() && !failed) {
    const uint32_t draw = split.Next();
    size_t count = draw % 4;  // 0 to 3 frames; an empty run is allowed and changes nothing
    if (count > m.frames.size() - next) count = m.frames.size() - next;
    const esdk_fuzz::Frame* first = count > 0 ? &m.frames[next] : nullptr;
    const uint64_t begin = first != nullptr ? FrameStart(*first) : 0;
    const uint64_t end = count > 0 ? m.frames[next + count - 1].tag + esdk::kTagLength : 0;
    const std::vector<double> table = esdk_fuzz::BuildTable(m, next, next + count, begin);
    uint64_t run_plaintext = 0;
    for (size_t i = next; i < next + count; ++i) run_plaintext += m.frames[i].length;
    std::vector<uint8_t> out(run_plaintext + 1, kFill);
    const ByteView source =
        count > 0 ? ByteView{m.body.data + begin, static_cast<size_t>(end - begin)} : ByteView{kNone, 0};
    const MutableByteView out_view{out.data(), static_cast<size_t>(run_plaintext)};
    if ((draw >> 8) & 1) {
      status = stream->OpenRun(source, table.data(), count, out_view);
    } else {
      esdk::BodyJob* job = stream->OpenJob(source, table.data(), count, out_view, (draw >> 9) % 200 + 1, &status);
      if (job != nullptr) {
        FUZZ_CHECK(status == Status::kOk);
        FUZZ_CHECK(stream->busy());
        // Busy: every other call is refused.
        FUZZ_CHECK(stream->OpenRun(source, table.data(), count, out_view) == Status::kStreamState);
        job->RunFrames();
        if (job->has_signature_work()) job->RunSignature();
        size_t length = 0;
        status = job->Finish(&length);
        delete job;
        stream->JobEnded(status, length);
      }
    }
    FUZZ_CHECK(out[run_plaintext] == kFill);
    if (ended) {
      // A stream that ended takes nothing more (frames after the final one).
      FUZZ_CHECK(status == Status::kStreamState);
      break;
    }
    if (status == Status::kAuthenticationFailed) {
      // A failed run releases nothing, and fails the stream for good.
      FUZZ_CHECK(esdk_fuzz::AllZero(out.data(), out_view.size));
      failed = true;
      break;
    }
    if (status != Status::kOk) {
      // A refused table (order, layout, a frame after the final one) is refused before anything is written.
      FUZZ_CHECK(status == Status::kBadFrameTable);
      for (size_t i = 0; i < out_view.size; ++i) FUZZ_CHECK(out[i] == kFill);
      break;
    }
    plaintext.insert(plaintext.end(), out.begin(), out.begin() + static_cast<long>(run_plaintext));
    next += count;
    if (count > 0 && m.frames[next - 1].kind != esdk::FrameKind::kFrame) ended = true;
  }

  if (failed || ended) {
    // Failed or finished: a further run is refused.
    FUZZ_CHECK(stream->OpenRun(ByteView{kNone, 0}, &kZeroRow, 0, MutableByteView{scratch, 0}) == Status::kStreamState);
  }
  bool accepted = !failed && ended && next == m.frames.size();
  if (accepted && signed_suite) {
    status = stream->Verify(ByteView{m.point.data(), m.point.size()}, m.signature);
    FUZZ_CHECK(status == Status::kOk || status == Status::kAuthenticationFailed);
    accepted = status == Status::kOk;
    // Verified (or not) once: a second check is refused.
    FUZZ_CHECK(stream->Verify(ByteView{m.point.data(), m.point.size()}, m.signature) == Status::kStreamState);
  }
  esdk::FreeMessageStream(stream);

  if (accepted) {
    // Whatever the stream accepted is in order (frames 1, 2, ... and the final one last, so never a
    // reordered, repeated or missing frame), lib/format accepts it and the one-call open opens it to the same bytes.
    FUZZ_CHECK(StructureIsValid(m));
    FUZZ_CHECK(!edited);
    FUZZ_CHECK(strict_parsed);
    FUZZ_CHECK(reference == Status::kOk);
    FUZZ_CHECK(plaintext == reference_plaintext);
  } else {
    // And the other way round: a message the one-call open accepts, the stream accepts, however it is split.
    FUZZ_CHECK(reference != Status::kOk || edited);
  }
  return 0;
}
