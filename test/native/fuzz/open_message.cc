// libFuzzer target: a whole message opened by the one-call path (OpenMessage), a thread-pool body job and the batch
// path, which must agree; failures release nothing and a success reseals to the same bytes.
#include <cstdint>
#include <cstring>
#include <vector>

#include "../../../native/batch.h"
#include "../../../native/body_job.h"
#include "../../../native/ec_keys.h"
#include "../../../native/message.h"
#include "message_input.h"

using esdk::ByteView;
using esdk::MutableByteView;
using esdk::Status;

namespace {

// Non-zero filler, so "released nothing" means the output was wiped, not merely never written.
constexpr uint8_t kFill = 0xA5;

struct Outcome {
  Status status;
  std::vector<uint8_t> plaintext;
};

Outcome OpenOneCall(const esdk_fuzz::ParsedMessage& m, const std::vector<double>& table) {
  Outcome o{Status::kOk, std::vector<uint8_t>(m.plaintext_length + 1, kFill)};
  const esdk::OpenMessageRequest r =
      esdk_fuzz::OpenRequest(m, table.data(), MutableByteView{o.plaintext.data(), m.plaintext_length});
  // The harness's parser only builds in-bounds tables whose total is the output size.
  FUZZ_CHECK(esdk::PlanOpen(r) == Status::kOk);
  o.status = esdk::OpenMessage(r);
  if (o.status == Status::kOk && m.suite->signature != esdk::Curve::kNone) {
    const size_t signed_length = m.header_bytes.size + m.body.size;
    o.status = esdk::VerifyMessageSignature(m.suite->signature, ByteView{m.point.data(), m.point.size()},
                                            ByteView{m.message.data, signed_length}, m.signature);
    if (o.status != Status::kOk) std::memset(o.plaintext.data(), 0, m.plaintext_length);
  }
  return o;
}

// The same open split into chunks of `chunk_bytes` for workers (run here one after another), the signature checked
// beside them.
Outcome OpenByJob(const esdk_fuzz::ParsedMessage& m, const std::vector<double>& table, uint64_t chunk_bytes) {
  Outcome o{Status::kOk, std::vector<uint8_t>(m.plaintext_length + 1, kFill)};
  const MutableByteView out{o.plaintext.data(), m.plaintext_length};
  const esdk::OpenMessageRequest r = esdk_fuzz::OpenRequest(m, table.data(), out);
  uint8_t key[esdk::kMaxKeyLength];
  esdk::GcmKey gcm;
  o.status = esdk::OpenHeader(r, MutableByteView{key, m.suite->key_length}, gcm);
  if (o.status != Status::kOk) {
    // The header failed: nothing was written and nothing may be.
    std::memset(o.plaintext.data(), 0, m.plaintext_length);
    return o;
  }
  const bool signed_suite = m.suite->signature != esdk::Curve::kNone;
  esdk::OpenWork work{};
  work.suite = m.suite;
  work.key = ByteView{key, m.suite->key_length};
  work.message_id = m.message_id;
  work.source = m.body;
  work.table = table.data();
  work.frame_count = m.frames.size();
  work.out = out;
  work.signature = signed_suite ? esdk::OpenWork::Signature::kVerify : esdk::OpenWork::Signature::kNone;
  work.point = ByteView{m.point.data(), m.point.size()};
  work.signed_bytes = ByteView{m.message.data, m.header_bytes.size + m.body.size};
  work.signature_der = m.signature;
  work.digest = nullptr;
  esdk::BodyJob* job = esdk::BodyJob::ForOpen(work, chunk_bytes);
  FUZZ_CHECK(job != nullptr);
  job->RunFrames();
  job->RunFrames();  // a second worker finds nothing left
  if (job->has_signature_work()) job->RunSignature();
  size_t length = 0;
  o.status = job->Finish(&length);
  delete job;
  OPENSSL_cleanse(key, sizeof(key));
  return o;
}

// The batch path's per-message open (which takes the uncompressed point).
Outcome OpenByBatch(const esdk_fuzz::ParsedMessage& m, const std::vector<double>& table) {
  Outcome o{Status::kOk, std::vector<uint8_t>(m.plaintext_length + 1, kFill)};
  esdk::OpenBatchGroup group{};
  group.suite = m.suite;
  group.data_key = m.data_key;
  static const uint8_t kNone[1] = {0};
  group.extra_aad = ByteView{kNone, 0};
  group.point = ByteView{kNone, 0};
  if (m.suite->signature != esdk::Curve::kNone)
    group.point = ByteView{m.uncompressed_point.data(), m.uncompressed_point.size()};
  esdk::OpenBatchMessage message{};
  message.group = 0;
  message.header_body = m.header_body;
  message.header_iv = m.header_iv;
  message.header_tag = m.header_tag;
  message.source = m.body;
  message.table = table.data();
  message.frame_count = m.frames.size();
  message.out = MutableByteView{o.plaintext.data(), m.plaintext_length};
  message.signed_bytes = ByteView{m.message.data, m.header_bytes.size + m.body.size};
  message.signature = m.signature;
  o.status = esdk::OpenBatchMessageNow(group, message);
  return o;
}

// A success must be exactly what this library would write for the same header and plaintext
// (AES-GCM is deterministic under the same key and IV): the frames of the input are the layout
// ComputeFramedLayout gives, so resealing reproduces every byte up to the footer.
void CheckReseal(const esdk_fuzz::ParsedMessage& m, const std::vector<uint8_t>& plaintext) {
  if (!m.framed || !m.standard_ivs) return;
  esdk::FramedLayout layout{};
  if (esdk::ComputeFramedLayout(m.plaintext_length, m.frame_length, &layout) != Status::kOk) return;
  if (esdk::FrameCount(layout) != m.frames.size()) return;
  if (layout.has_final && m.frames.back().length != layout.final_length) return;
  esdk::SigningKey* signer = nullptr;
  if (m.suite->signature != esdk::Curve::kNone)
    FUZZ_CHECK(esdk::GenerateSigningKey(m.suite->signature, &signer) == Status::kOk);
  std::vector<uint8_t> header_body(m.header_body.data, m.header_body.data + m.header_body.size);
  esdk::SealMessageRequest r{};
  r.suite = m.suite;
  r.data_key = m.data_key;
  r.message_id = m.message_id;
  r.header_body_length = header_body.size();
  static const uint8_t kNone[1] = {0};
  r.extra_aad = ByteView{kNone, 0};
  r.plaintext = ByteView{plaintext.data(), m.plaintext_length};
  r.frame_length = m.frame_length;
  r.signing_key = signer;
  r.shared_signing_key = false;
  // Size the output by the plan: the layout above says it is the input's own up to the footer.
  std::vector<uint8_t> sealed(m.header_bytes.size + m.body.size +
                              (signer != nullptr ? 2 + esdk::MaxSignatureSize(m.suite->signature) : 0));
  std::memcpy(sealed.data(), header_body.data(), header_body.size());
  r.out = MutableByteView{sealed.data(), sealed.size()};
  size_t length = 0;
  const Status status = esdk::SealMessage(r, &length);
  FUZZ_CHECK(status == Status::kOk);
  FUZZ_CHECK(std::memcmp(sealed.data(), m.message.data, m.header_bytes.size + m.body.size) == 0);
  if (signer != nullptr) esdk::FreeSigningKey(signer);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  esdk_fuzz::ParsedMessage m;
  if (!esdk_fuzz::ParseMessage(data, size, true, &m)) return 0;
  const std::vector<double> table = esdk_fuzz::BuildTable(m, 0, m.frames.size(), 0);

  const Outcome one = OpenOneCall(m, table);
  // Chunks from one frame's worth to everything in one chunk.
  const uint64_t chunk_bytes = uint64_t{m.control} * 8 + 1;
  const Outcome job = OpenByJob(m, table, chunk_bytes);
  const Outcome batch = OpenByBatch(m, table);

  for (const Outcome* o : {&one, &job, &batch}) {
    FUZZ_CHECK(o->status == Status::kOk || o->status == Status::kAuthenticationFailed);
    // The guard byte past the output is never touched.
    FUZZ_CHECK(o->plaintext[m.plaintext_length] == kFill);
    // A failed open releases nothing: the whole output is zero.
    if (o->status != Status::kOk) FUZZ_CHECK(esdk_fuzz::AllZero(o->plaintext.data(), m.plaintext_length));
  }
  // Three paths over the same checks agree on the verdict and on every plaintext byte.
  FUZZ_CHECK(one.status == job.status && one.status == batch.status);
  FUZZ_CHECK(one.plaintext == job.plaintext && one.plaintext == batch.plaintext);
  if (one.status == Status::kOk) CheckReseal(m, one.plaintext);
  return 0;
}
