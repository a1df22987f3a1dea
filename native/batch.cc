// The batch job: each message through the one-message seal or open, messages handed out a few at a time to whichever
// thread asks.
#include "batch.h"

#include <openssl/crypto.h>

#include <cstring>
#include <new>

#include "message.h"

namespace esdk {
namespace {

// Messages a thread takes at once: enough to keep the atomic off the profile, few enough that the
// last thread to finish is not left with a long tail.
constexpr size_t kTake = 8;
constexpr size_t kV1MessageIdOffset = 4;
constexpr size_t kV2MessageIdOffset = 3;

}  // namespace

Status SealBatchMessageNow(const SealBatchRun& run, const SealBatchMessage& message, size_t* length) noexcept {
  *length = 0;
  const Suite& suite = *run.suite;
  const size_t header = run.header.size;
  if (message.message_id.size != suite.message_id_length || run.message_id_offset + suite.message_id_length > header ||
      message.out.size < header) {
    return Status::kBadBatchTable;
  }
  // The header body as JS planned it, then this message's id where the zeros are; SealMessage
  // writes the commitment over the v2 suite data and everything after the header.
  std::memcpy(message.out.data, run.header.data, header);
  std::memcpy(message.out.data + run.message_id_offset, message.message_id.data, message.message_id.size);
  SealMessageRequest request{};
  request.suite = run.suite;
  request.data_key = run.data_key;
  request.message_id = message.message_id;
  request.out = message.out;
  request.header_body_length = header;
  request.extra_aad = run.extra_aad;
  request.plaintext = message.plaintext;
  request.frame_length = run.frame_length;
  request.signing_key = run.signing_key;
  request.shared_signing_key = run.shared_signing_key;
  const Status status = SealMessage(request, length);
  if (status != Status::kOk) OPENSSL_cleanse(message.out.data, message.out.size);
  return status;
}

Status OpenBatchMessageNow(const OpenBatchGroup& group, const OpenBatchMessage& message) noexcept {
  const Suite& suite = *group.suite;
  const bool v2 = suite.commitment;
  const size_t id_at = v2 ? kV2MessageIdOffset : kV1MessageIdOffset;
  const size_t body = message.header_body.size;
  // A header too short for its own fields cannot have come from the parser: a fault, not a forgery.
  if (body < id_at + suite.message_id_length + (v2 ? kCommitmentLength : 0)) return Status::kBadBatchTable;
  OpenMessageRequest request{};
  request.suite = group.suite;
  request.data_key = group.data_key;
  request.message_id = ByteView{message.header_body.data + id_at, suite.message_id_length};
  request.header_body = message.header_body;
  request.header_iv = message.header_iv;
  request.header_tag = message.header_tag;
  request.extra_aad = group.extra_aad;
  // v2: the suite data, the last 32 bytes of the header body (message-header.md).
  request.commitment =
      v2 ? ByteView{message.header_body.data + body - kCommitmentLength, kCommitmentLength} : ByteView{nullptr, 0};
  request.source = message.source;
  request.table = message.table;
  request.frame_count = message.frame_count;
  request.out = message.out;
  Status status = OpenMessage(request);
  if (status == Status::kOk && suite.signature != Curve::kNone) {
    // The plaintext is already in `out`, but is released (authentic = 1) only once this verifies.
    status = VerifyMessageSignature(suite.signature, group.point, message.signed_bytes, message.signature);
  }
  if (status != Status::kOk) OPENSSL_cleanse(message.out.data, message.out.size);
  return status;
}

BatchJob* BatchJob::ForSeal(SealBatchRun* runs, size_t run_count, SealBatchMessage* messages, size_t count,
                            double* lengths, MutableByteView out) noexcept {
  BatchJob* job = new (std::nothrow) BatchJob();
  if (job == nullptr) {
    delete[] runs;
    delete[] messages;
    return nullptr;
  }
  job->seal_ = true;
  job->runs_ = runs;
  job->run_count_ = run_count;
  job->seal_messages_ = messages;
  job->count_ = count;
  job->lengths_ = lengths;
  job->out_ = out;
  return job;
}

BatchJob* BatchJob::ForOpen(OpenBatchGroup* groups, size_t group_count, OpenBatchMessage* messages, size_t count,
                            uint8_t* authentic) noexcept {
  BatchJob* job = new (std::nothrow) BatchJob();
  if (job == nullptr) {
    delete[] groups;
    delete[] messages;
    return nullptr;
  }
  job->groups_ = groups;
  job->group_count_ = group_count;
  job->open_messages_ = messages;
  job->count_ = count;
  job->authentic_ = authentic;
  return job;
}

BatchJob::~BatchJob() {
  delete[] runs_;
  delete[] seal_messages_;
  delete[] groups_;
  delete[] open_messages_;
}

void BatchJob::Fail(Status status) noexcept {
  uint8_t expected = static_cast<uint8_t>(Status::kOk);
  status_.compare_exchange_strong(expected, static_cast<uint8_t>(status), std::memory_order_acq_rel);
}

void BatchJob::RunOne(size_t i) noexcept {
  if (seal_) {
    const SealBatchMessage& m = seal_messages_[i];
    size_t length = 0;
    const Status status = m.run < run_count_ ? SealBatchMessageNow(runs_[m.run], m, &length) : Status::kBadBatchTable;
    if (status != Status::kOk) {
      Fail(status);
      return;
    }
    lengths_[i] = static_cast<double>(length);
    return;
  }
  const OpenBatchMessage& m = open_messages_[i];
  const Status status = m.group < group_count_ ? OpenBatchMessageNow(groups_[m.group], m) : Status::kBadBatchTable;
  authentic_[i] = status == Status::kOk ? 1 : 0;
  if (status != Status::kOk && status != Status::kAuthenticationFailed) Fail(status);
}

void BatchJob::Run() noexcept {
  for (;;) {
    // A failed seal stops everyone: its output is wiped in Finish anyway.
    if (seal_ && status_.load(std::memory_order_acquire) != static_cast<uint8_t>(Status::kOk)) return;
    const size_t first = next_.fetch_add(kTake, std::memory_order_relaxed);
    if (first >= count_) return;
    const size_t last = first + kTake < count_ ? first + kTake : count_;
    for (size_t i = first; i < last; ++i) RunOne(i);
  }
}

Status BatchJob::Finish() noexcept {
  const Status status = static_cast<Status>(status_.load(std::memory_order_acquire));
  if (status != Status::kOk) {
    if (seal_) {
      OPENSSL_cleanse(out_.data, out_.size);
    } else {
      // A fault in one message: release nothing from this batch.
      for (size_t i = 0; i < count_; ++i) {
        authentic_[i] = 0;
        OPENSSL_cleanse(open_messages_[i].out.data, open_messages_[i].out.size);
      }
    }
  }
  return status;
}

}  // namespace esdk
