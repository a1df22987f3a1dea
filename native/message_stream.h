// One message sealed or opened across many calls (a stream): the derived key, the message id, the next sequence number
// and the running signature digest.
#ifndef ESDK_NATIVE_MESSAGE_STREAM_H_
#define ESDK_NATIVE_MESSAGE_STREAM_H_

#include <cstddef>
#include <cstdint>

#include "body_job.h"
#include "bytes.h"
#include "digest.h"
#include "ec_keys.h"
#include "frames.h"
#include "gcm.h"
#include "message.h"
#include "status.h"
#include "suites.h"

namespace esdk {

// Encrypt: `header` is the serialized header body (for v2 its last 32 bytes are the commitment
// placeholder) followed by exactly the room for the header auth, which StartSeal writes.
struct SealStreamStart {
  const Suite* suite;
  ByteView data_key;
  ByteView message_id;
  MutableByteView header;
  size_t header_body_length;
  ByteView extra_aad;
  uint64_t frame_length;
};

// The body of a message, one run of frames per call, in order (client-apis/encrypt.md "Construct
// the body", decrypt.md "Decrypt the message body"). A run that fails (a tag, the signature)
// wipes its output and fails the stream for good; nothing after it is processed. The key lives
// here, cleansed as soon as the stream finishes or fails, and in the destructor.
//
// While a thread-pool job works on a run the stream is busy and refuses every other call
// (kStreamState); the job reports back through JobEnded on the JS thread.
class MessageStream final : public JobListener {
 public:
  // Derives the key, writes the v2 commitment and the header auth into `start.header`, and
  // (signed suites) starts the digest with the whole header.
  static Status StartSeal(const SealStreamStart& start, MessageStream** out) noexcept;
  // Derives the key, checks the commitment (constant time, first) and the header tag:
  // kAuthenticationFailed when either fails. `header` holds only the header fields of an
  // OpenMessageRequest; `header_bytes` is the header exactly as received (body and auth), which
  // a signed suite's digest starts with.
  static Status StartOpen(const OpenMessageRequest& header, ByteView header_bytes, uint64_t frame_length,
                          MessageStream** out) noexcept;
  ~MessageStream();
  MessageStream(const MessageStream&) = delete;
  MessageStream& operator=(const MessageStream&) = delete;

  bool sealing() const noexcept { return seal_; }
  const Suite& suite() const noexcept { return *suite_; }

  // Seal the next run of `plaintext`: whole frames only, or (`final`) whole frames, the final
  // frame and, for signed suites, the footer signed by `signer`. `out` is exactly the run's
  // body size, plus 2 + MaxSignatureSize for a final signed run. `*written` is the run's length.
  Status SealRun(ByteView plaintext, bool final, SigningKey* signer, MutableByteView out, size_t* written) noexcept;
  // Open the next run: the rows of `table` (frame_table.h) must be the frames laid end to end in
  // `source` from its first byte to its last (what a signed suite's digest takes), numbered on
  // from the last run, a final frame only last. `out` is exactly their plaintext size.
  Status OpenRun(ByteView source, const double* table, size_t frame_count, MutableByteView out) noexcept;
  // After the final frame of a signed message: the signature over everything hashed, checked
  // against `point`. kAuthenticationFailed when it does not verify.
  Status Verify(ByteView point, ByteView signature) noexcept;

  // The thread-pool forms: the same checks, then a job that the caller launches; the stream is
  // busy until JobEnded. nullptr with `*status` set when the run is refused.
  BodyJob* SealJob(ByteView plaintext, bool final, SigningKey* signer, MutableByteView out, uint64_t chunk_bytes,
                   Status* status) noexcept;
  BodyJob* OpenJob(ByteView source, const double* table, size_t frame_count, MutableByteView out, uint64_t chunk_bytes,
                   Status* status) noexcept;
  // For a verification on the pool: BeginVerify marks the stream busy, VerifyNow runs on the
  // pool thread, EndVerify on the JS thread records the outcome.
  Status BeginVerify() noexcept;
  Status VerifyNow(ByteView point, ByteView signature) noexcept;
  void EndVerify(Status status) noexcept;

  void JobEnded(Status status, size_t length) noexcept override;
  // Disposal is refused while a job holds the stream.
  bool busy() const noexcept { return state_ == State::kBusy; }

 private:
  enum class State : uint8_t { kReady, kBusy, kAwaitingSignature, kFinished, kFailed };
  MessageStream() noexcept = default;
  Status PlanSealRun(ByteView plaintext, bool final, SigningKey* signer, MutableByteView out,
                     FramedLayout* layout) noexcept;
  Status PlanOpenRun(ByteView source, const double* table, size_t frame_count, MutableByteView out,
                     bool* ends) noexcept;
  void Advance(bool ends) noexcept;
  void Fail() noexcept;
  void WipeKey() noexcept;
  ByteView key() const noexcept { return ByteView{key_, key_size_}; }
  ByteView message_id() const noexcept { return ByteView{message_id_, message_id_size_}; }

  bool seal_ = false;
  const Suite* suite_ = nullptr;
  State state_ = State::kReady;
  uint8_t key_[kMaxKeyLength] = {0};
  size_t key_size_ = 0;
  uint8_t message_id_[kMaxMessageIdLength] = {0};
  size_t message_id_size_ = 0;
  uint64_t frame_length_ = 0;
  uint64_t next_sequence_ = 1;
  // The run a job is working on: how many frames it holds and whether it ends the message.
  uint64_t pending_frames_ = 0;
  bool pending_ends_ = false;
  GcmKey* gcm_ = nullptr;
  MessageDigest digest_;
};

void FreeMessageStream(MessageStream* stream) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_MESSAGE_STREAM_H_
