// Many whole messages in one native call: a message table in, every message sealed (or opened) as the one-message path
// would, on one thread or several.
#ifndef ESDK_NATIVE_BATCH_H_
#define ESDK_NATIVE_BATCH_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "bytes.h"
#include "ec_keys.h"
#include "status.h"
#include "suites.h"

namespace esdk {

// What the messages of one materials answer share. `header` is the serialized header body with
// zeros where each message's id and (v2) commitment go.
struct SealBatchRun {
  const Suite* suite;
  ByteView data_key;
  ByteView header;
  size_t message_id_offset;
  ByteView extra_aad;
  uint64_t frame_length;
  SigningKey* signing_key;
  // More than one message of the batch signs with this key (a cached key): see SealMessageRequest.
  bool shared_signing_key;
};

struct SealBatchMessage {
  uint32_t run;
  ByteView plaintext;
  ByteView message_id;
  // Exactly the capacity SealMessage wants (header, auth, body, footer room).
  MutableByteView out;
};

struct OpenBatchGroup {
  const Suite* suite;
  ByteView data_key;
  ByteView extra_aad;
  // Signed suites: the uncompressed SEC1 verification point.
  ByteView point;
};

struct OpenBatchMessage {
  uint32_t group;
  ByteView header_body;
  ByteView header_iv;
  ByteView header_tag;
  ByteView source;
  const double* table;
  size_t frame_count;
  MutableByteView out;
  // Signed suites: header and body as received, and the footer's DER signature.
  ByteView signed_bytes;
  ByteView signature;
};

// A batch's messages, taken a few at a time by however many threads run it. Seal: every message
// must succeed (a failure is a fault, and Finish wipes every output). Open: each message's outcome
// is its own (authentic[i] = 1, or 0 with its plaintext zeroed); only a fault fails the job.
class BatchJob {
 public:
  // Takes ownership of the arrays (allocated with new[]).
  static BatchJob* ForSeal(SealBatchRun* runs, size_t run_count, SealBatchMessage* messages, size_t count,
                           double* lengths, MutableByteView out) noexcept;
  static BatchJob* ForOpen(OpenBatchGroup* groups, size_t group_count, OpenBatchMessage* messages, size_t count,
                           uint8_t* authentic) noexcept;
  ~BatchJob();
  BatchJob(const BatchJob&) = delete;
  BatchJob& operator=(const BatchJob&) = delete;

  size_t count() const noexcept { return count_; }
  // Takes messages until none is left (or, sealing, one failed). Thread-safe.
  void Run() noexcept;
  // After every Run returned: the outcome; a failed seal has wiped the whole output.
  Status Finish() noexcept;

 private:
  BatchJob() noexcept = default;
  void RunOne(size_t i) noexcept;
  void Fail(Status status) noexcept;

  bool seal_ = false;
  size_t count_ = 0;
  std::atomic<size_t> next_{0};
  std::atomic<uint8_t> status_{static_cast<uint8_t>(Status::kOk)};
  SealBatchRun* runs_ = nullptr;
  size_t run_count_ = 0;
  SealBatchMessage* seal_messages_ = nullptr;
  double* lengths_ = nullptr;
  MutableByteView out_{};
  OpenBatchGroup* groups_ = nullptr;
  size_t group_count_ = 0;
  OpenBatchMessage* open_messages_ = nullptr;
  uint8_t* authentic_ = nullptr;
};

// One message of a batch, exactly as SealMessage / OpenMessage (and, signed, the signature check)
// would do it alone. Open: kOk or kAuthenticationFailed with `out` zeroed.
Status SealBatchMessageNow(const SealBatchRun& run, const SealBatchMessage& message, size_t* length) noexcept;
Status OpenBatchMessageNow(const OpenBatchGroup& group, const OpenBatchMessage& message) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_BATCH_H_
