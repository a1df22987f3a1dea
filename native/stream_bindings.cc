// N-API wrappers for MessageStream: argument reading by slot, the tagged handle, and the pool forms of a run and of the
// signature check.
#include "stream_bindings.h"

#include <openssl/crypto.h>

#include <new>

#include "body_workers.h"
#include "error_mark.h"
#include "frame_table.h"
#include "js_args.h"
#include "message_stream.h"
#include "pins.h"
#include "tagged_handle.h"

namespace esdk {
namespace {

// Random 128-bit tag of message-stream handles (distinct from the signing and RSA keys').
constexpr napi_type_tag kMessageStreamTag = {0x3c71e5a09b2d4f86ULL, 0xd15f7e2a8c0b9463ULL};
using MessageStreams = TaggedHandle<MessageStream, FreeMessageStream, kMessageStreamTag>;

MessageStream* StreamAt(JsArgs& args, Slot slot) noexcept {
  if (!args.ok()) return nullptr;
  const Napi::Value value = args.ValueAt(slot);
  MessageStreams::Holder* holder = MessageStreams::Unwrap(value.Env(), value);
  if (holder == nullptr) {
    args.Fail(Status::kNotMessageStream, slot.name);
    return nullptr;
  }
  if (holder->key == nullptr) args.Fail(Status::kKeyDisposed, slot.name);
  return holder->key;
}

// A boolean passed as 0 or 1.
bool FlagAt(JsArgs& args, Slot slot) noexcept { return args.IntegerAt(slot, 1) == 1; }

struct RunCommon {
  uint64_t threads;
  uint64_t chunk_bytes;
  Napi::Function callback;
};

template <typename A>
RunCommon ReadPoolArgs(JsArgs& args) noexcept {
  RunCommon common{};
  common.threads = args.IntegerAt(At(A::kThreads), kMaxJobThreads);
  common.chunk_bytes = args.IntegerAt(At(A::kChunkBytes), kMaxJobChunkBytes);
  common.callback = args.FunctionAt(At(A::kCallback));
  if (args.ok() && (common.threads == 0 || common.chunk_bytes < kMinJobChunkBytes)) {
    args.Fail(Status::kNotSafeInteger, "threads/chunkBytes");
  }
  return common;
}

// Hashes nothing itself: finalizes the stream's digest and checks the signature on a pool thread.
class StreamVerifyWorker : public Napi::AsyncWorker {
 public:
  StreamVerifyWorker(Napi::Function callback, MessageStream* stream, ByteView point, ByteView signature) noexcept
      : Napi::AsyncWorker(callback, "esdk:streamVerify"),
        stream_(stream),
        point_(point),
        signature_(signature),
        pins_(callback.Env()) {}

  Pins& pins() noexcept { return pins_; }

  void Execute() override {
    ErrorMark mark;
    status_ = stream_->VerifyNow(point_, signature_);
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    stream_->EndVerify(status_);
    if (status_ == Status::kOk || status_ == Status::kAuthenticationFailed) {
      Callback().Call({env.Null(), Napi::Boolean::New(env, status_ == Status::kOk)});
      return;
    }
    napi_value error = StatusError(env, status_, "openStreamVerifyAsync");
    Callback().Call({error != nullptr ? Napi::Value(env, error) : env.Undefined()});
  }

 private:
  MessageStream* const stream_;
  const ByteView point_;
  const ByteView signature_;
  Status status_ = Status::kOpenSslFailure;
  Pins pins_;
};

}  // namespace

Napi::Value SealStreamStartBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  using A = SealStartArg;
  SealStreamStart start{};
  start.suite = args.SuiteAt(At(A::kSuiteId));
  start.data_key = args.BytesAt(At(A::kDataKey));
  start.message_id = args.BytesAt(At(A::kMessageId));
  start.header = args.MutableBytesAt(At(A::kHeader));
  start.header_body_length = static_cast<size_t>(args.IntegerAt(At(A::kHeaderBodyLength), start.header.size));
  start.extra_aad = args.BytesAt(At(A::kExtraAad));
  start.frame_length = args.IntegerAt(At(A::kFrameLength), 0xFFFFFFFFu);
  if (!args.ok()) return args.Throw();
  MessageStream* stream = nullptr;
  args.Fail(MessageStream::StartSeal(start, &stream), "sealStreamStart");
  if (!args.ok()) return args.Throw();
  Napi::Value handle = MessageStreams::Wrap(info.Env(), stream);
  if (handle.IsEmpty()) {
    args.Fail(Status::kOpenSslFailure, "sealStreamStart");
    return args.Throw();
  }
  return handle;
}

Napi::Value SealStreamRunBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  using A = SealRunArg;
  MessageStream* stream = StreamAt(args, At(A::kStream));
  const ByteView plaintext = args.BytesAt(At(A::kPlaintext));
  const bool final = FlagAt(args, At(A::kFinal));
  SigningKey* signer = args.SigningKeyAt(At(A::kSigningKey), true);
  const MutableByteView out = args.MutableBytesAt(At(A::kOut));
  if (!args.ok()) return args.Throw();
  size_t written = 0;
  args.Fail(stream->SealRun(plaintext, final, signer, out, &written), "sealStreamRun");
  if (!args.ok()) return args.Throw();
  return Napi::Number::New(info.Env(), static_cast<double>(written));
}

Napi::Value SealStreamRunAsyncBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  using A = SealRunAsyncArg;
  MessageStream* stream = StreamAt(args, At(A::kStream));
  const ByteView plaintext = args.BytesAt(At(A::kPlaintext));
  const bool final = FlagAt(args, At(A::kFinal));
  SigningKey* signer = args.SigningKeyAt(At(A::kSigningKey), true);
  const MutableByteView out = args.MutableBytesAt(At(A::kOut));
  const RunCommon pool = ReadPoolArgs<A>(args);
  if (!args.ok()) return args.Throw();
  Status status = Status::kOk;
  BodyJob* job = stream->SealJob(plaintext, final, signer, out, pool.chunk_bytes, &status);
  args.Fail(status, "sealStreamRunAsync");
  if (!args.ok()) return args.Throw();
  BodyJobLaunch launch(info.Env(), job, true, "sealStreamRunAsync", stream);
  const auto pin = [&](A slot) { return launch.Pin(args.ValueAt(At(slot))); };
  const bool ready = launch.ok() && pin(A::kStream) && pin(A::kPlaintext) && pin(A::kOut) &&
                     (signer == nullptr || pin(A::kSigningKey)) &&
                     launch.Launch(info.Env(), pool.threads, pool.callback);
  if (!ready) {
    // The stream was made busy for this job; it cannot go on without it.
    stream->JobEnded(Status::kOpenSslFailure, 0);
    OPENSSL_cleanse(out.data, out.size);
    args.Fail(Status::kOpenSslFailure, "sealStreamRunAsync");
    return args.Throw();
  }
  return info.Env().Undefined();
}

Napi::Value OpenStreamStartBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  using A = OpenStartArg;
  OpenMessageRequest header{};
  header.suite = args.SuiteAt(At(A::kSuiteId));
  header.data_key = args.BytesAt(At(A::kDataKey));
  header.message_id = args.BytesAt(At(A::kMessageId));
  header.header_body = args.BytesAt(At(A::kHeaderBody));
  header.header_iv = args.BytesAt(At(A::kHeaderIv));
  header.header_tag = args.BytesAt(At(A::kHeaderTag));
  header.extra_aad = args.BytesAt(At(A::kExtraAad));
  header.commitment = args.BytesAt(At(A::kCommitment));
  const ByteView header_bytes = args.BytesAt(At(A::kHeaderBytes));
  const uint64_t frame_length = args.IntegerAt(At(A::kFrameLength), 0xFFFFFFFFu);
  if (!args.ok()) return args.Throw();
  MessageStream* stream = nullptr;
  const Status status = MessageStream::StartOpen(header, header_bytes, frame_length, &stream);
  if (status == Status::kAuthenticationFailed) return Napi::Boolean::New(info.Env(), false);
  args.Fail(status, "openStreamStart");
  if (!args.ok()) return args.Throw();
  Napi::Value handle = MessageStreams::Wrap(info.Env(), stream);
  if (handle.IsEmpty()) {
    args.Fail(Status::kOpenSslFailure, "openStreamStart");
    return args.Throw();
  }
  return handle;
}

namespace {

// The frame table of a run: whole rows only.
const double* TableAt(JsArgs& args, Slot slot, size_t* frame_count) noexcept {
  size_t length = 0;
  const double* table = args.Float64sAt(slot, &length);
  if (args.ok() && length % kFrameTableStride != 0) args.Fail(Status::kBadFrameTable, slot.name);
  *frame_count = length / kFrameTableStride;
  return table;
}

}  // namespace

Napi::Value OpenStreamRunBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  using A = OpenRunArg;
  MessageStream* stream = StreamAt(args, At(A::kStream));
  const ByteView source = args.BytesAt(At(A::kSource));
  size_t frame_count = 0;
  const double* table = TableAt(args, At(A::kFrameTable), &frame_count);
  const MutableByteView out = args.MutableBytesAt(At(A::kOut));
  if (!args.ok()) return args.Throw();
  const Status status = stream->OpenRun(source, table, frame_count, out);
  if (status == Status::kOk || status == Status::kAuthenticationFailed)
    return Napi::Boolean::New(info.Env(), status == Status::kOk);
  args.Fail(status, "openStreamRun");
  return args.Throw();
}

Napi::Value OpenStreamRunAsyncBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  using A = OpenRunAsyncArg;
  MessageStream* stream = StreamAt(args, At(A::kStream));
  const ByteView source = args.BytesAt(At(A::kSource));
  size_t frame_count = 0;
  const double* table = TableAt(args, At(A::kFrameTable), &frame_count);
  const MutableByteView out = args.MutableBytesAt(At(A::kOut));
  const RunCommon pool = ReadPoolArgs<A>(args);
  if (!args.ok()) return args.Throw();
  Status status = Status::kOk;
  BodyJob* job = stream->OpenJob(source, table, frame_count, out, pool.chunk_bytes, &status);
  args.Fail(status, "openStreamRunAsync");
  if (!args.ok()) return args.Throw();
  BodyJobLaunch launch(info.Env(), job, false, "openStreamRunAsync", stream);
  const auto pin = [&](A slot) { return launch.Pin(args.ValueAt(At(slot))); };
  const bool ready = launch.ok() && pin(A::kStream) && pin(A::kSource) && pin(A::kFrameTable) && pin(A::kOut) &&
                     launch.Launch(info.Env(), pool.threads, pool.callback);
  if (!ready) {
    stream->JobEnded(Status::kOpenSslFailure, 0);
    OPENSSL_cleanse(out.data, out.size);
    args.Fail(Status::kOpenSslFailure, "openStreamRunAsync");
    return args.Throw();
  }
  return info.Env().Undefined();
}

Napi::Value OpenStreamVerifyBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  using A = VerifyArg;
  MessageStream* stream = StreamAt(args, At(A::kStream));
  const ByteView point = args.BytesAt(At(A::kPoint));
  const ByteView signature = args.BytesAt(At(A::kSignature));
  if (!args.ok()) return args.Throw();
  const Status status = stream->Verify(point, signature);
  if (status == Status::kOk || status == Status::kAuthenticationFailed)
    return Napi::Boolean::New(info.Env(), status == Status::kOk);
  args.Fail(status, "openStreamVerify");
  return args.Throw();
}

Napi::Value OpenStreamVerifyAsyncBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  using A = VerifyArg;
  MessageStream* stream = StreamAt(args, At(A::kStream));
  const ByteView point = args.BytesAt(At(A::kPoint));
  const ByteView signature = args.BytesAt(At(A::kSignature));
  Napi::Function callback = args.FunctionAt(At(A::kCallback));
  if (!args.ok()) return args.Throw();
  args.Fail(stream->BeginVerify(), "openStreamVerifyAsync");
  if (!args.ok()) return args.Throw();
  StreamVerifyWorker* worker = new (std::nothrow) StreamVerifyWorker(callback, stream, point, signature);
  const auto pin = [&](A slot) { return worker->pins().Add(args.ValueAt(At(slot))); };
  if (worker == nullptr || !pin(A::kStream) || !pin(A::kPoint) || !pin(A::kSignature)) {
    delete worker;
    stream->EndVerify(Status::kOpenSslFailure);
    args.Fail(Status::kOpenSslFailure, "openStreamVerifyAsync");
    return args.Throw();
  }
  worker->Queue();
  return info.Env().Undefined();
}

Napi::Value DisposeMessageStreamBinding(const Napi::CallbackInfo& info) {
  JsArgs args(info);
  const Napi::Value value = info[0];
  MessageStreams::Holder* holder = MessageStreams::Unwrap(info.Env(), value);
  if (holder == nullptr) {
    args.Fail(Status::kNotMessageStream, "stream");
    return args.Throw();
  }
  if (holder->key != nullptr && holder->key->busy()) {
    args.Fail(Status::kStreamState, "disposeMessageStream");
    return args.Throw();
  }
  MessageStreams::Dispose(holder);
  return info.Env().Undefined();
}

}  // namespace esdk
