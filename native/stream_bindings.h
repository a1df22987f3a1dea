// The message-stream entry points: a keyed per-message handle, then one call per run of frames, on the calling thread
// or the pool.
#ifndef ESDK_NATIVE_STREAM_BINDINGS_H_
#define ESDK_NATIVE_STREAM_BINDINGS_H_

#include <napi.h>

#include "arg_slots.h"

namespace esdk {

// sealStreamStart(...): handle. Writes the commitment and the header auth into `header`.
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_SEAL_STREAM_START_ARGS(X)                                                            \
  X(SuiteId, "suiteId") X(DataKey, "dataKey") X(MessageId, "messageId") X(Header, "header")       \
  X(HeaderBodyLength, "headerBodyLength") X(ExtraAad, "extraAad") X(FrameLength, "frameLength")
// clang-format on
ESDK_ARG_SLOTS(SealStartArg, ESDK_SEAL_STREAM_START_ARGS)

// sealStreamRun(...): run length. `final` is 0 or 1; `signingKey` only for a final signed run.
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_SEAL_STREAM_RUN_ARGS(X) \
  X(Stream, "stream") X(Plaintext, "plaintext") X(Final, "final") X(SigningKey, "signingKey") X(Out, "out")
// clang-format on
ESDK_ARG_SLOTS(SealRunArg, ESDK_SEAL_STREAM_RUN_ARGS)
// sealStreamRunAsync(...ESDK_SEAL_STREAM_RUN_ARGS, threads, chunkBytes, callback(err, length)).
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_SEAL_STREAM_RUN_ASYNC_ARGS(X) \
  ESDK_SEAL_STREAM_RUN_ARGS(X) X(Threads, "threads") X(ChunkBytes, "chunkBytes") X(Callback, "callback")
// clang-format on
ESDK_ARG_SLOTS(SealRunAsyncArg, ESDK_SEAL_STREAM_RUN_ASYNC_ARGS)

// openStreamStart(...): handle, or false when the commitment or the header tag fails.
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_OPEN_STREAM_START_ARGS(X)                                                            \
  X(SuiteId, "suiteId") X(DataKey, "dataKey") X(MessageId, "messageId") X(HeaderBody, "headerBody") \
  X(HeaderIv, "headerIv") X(HeaderTag, "headerTag") X(ExtraAad, "extraAad")                       \
  X(Commitment, "commitment") X(HeaderBytes, "headerBytes") X(FrameLength, "frameLength")
// clang-format on
ESDK_ARG_SLOTS(OpenStartArg, ESDK_OPEN_STREAM_START_ARGS)

// openStreamRun(...): boolean (false: a tag failed; out wiped, the stream failed for good).
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_OPEN_STREAM_RUN_ARGS(X) X(Stream, "stream") X(Source, "source") X(FrameTable, "frameTable") X(Out, "out")
// clang-format on
ESDK_ARG_SLOTS(OpenRunArg, ESDK_OPEN_STREAM_RUN_ARGS)
// openStreamRunAsync(...ESDK_OPEN_STREAM_RUN_ARGS, threads, chunkBytes, callback(err, authentic)).
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_OPEN_STREAM_RUN_ASYNC_ARGS(X) \
  ESDK_OPEN_STREAM_RUN_ARGS(X) X(Threads, "threads") X(ChunkBytes, "chunkBytes") X(Callback, "callback")
// clang-format on
ESDK_ARG_SLOTS(OpenRunAsyncArg, ESDK_OPEN_STREAM_RUN_ASYNC_ARGS)

// openStreamVerify(stream, point, signature): boolean; openStreamVerifyAsync(..., callback(err, ok)).
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_OPEN_STREAM_VERIFY_ARGS(X) X(Stream, "stream") X(Point, "point") X(Signature, "signature") X(Callback, "callback")
// clang-format on
ESDK_ARG_SLOTS(VerifyArg, ESDK_OPEN_STREAM_VERIFY_ARGS)

Napi::Value SealStreamStartBinding(const Napi::CallbackInfo& info);
Napi::Value SealStreamRunBinding(const Napi::CallbackInfo& info);
Napi::Value SealStreamRunAsyncBinding(const Napi::CallbackInfo& info);
Napi::Value OpenStreamStartBinding(const Napi::CallbackInfo& info);
Napi::Value OpenStreamRunBinding(const Napi::CallbackInfo& info);
Napi::Value OpenStreamRunAsyncBinding(const Napi::CallbackInfo& info);
Napi::Value OpenStreamVerifyBinding(const Napi::CallbackInfo& info);
Napi::Value OpenStreamVerifyAsyncBinding(const Napi::CallbackInfo& info);
// disposeMessageStream(stream): cleanses the key now (idempotent); refused while a job runs.
Napi::Value DisposeMessageStreamBinding(const Napi::CallbackInfo& info);

}  // namespace esdk

#endif  // ESDK_NATIVE_STREAM_BINDINGS_H_
