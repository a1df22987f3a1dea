// The whole-message entry points the addon exports: one call seals or opens a message on the calling thread.
#ifndef ESDK_NATIVE_MESSAGE_BINDINGS_H_
#define ESDK_NATIVE_MESSAGE_BINDINGS_H_

#include <napi.h>

#include "arg_slots.h"
#include "js_args.h"
#include "message.h"

namespace esdk {

// sealMessage(...ESDK_SEAL_MESSAGE_ARGS): message length. sealMessageAsync takes the same
// arguments and then ESDK_PARALLEL_ARGS (parallel_bindings.h).
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_SEAL_MESSAGE_ARGS(X)                                                                  \
  X(SuiteId, "suiteId") X(DataKey, "dataKey") X(MessageId, "messageId") X(Out, "out")              \
  X(HeaderBodyLength, "headerBodyLength") X(ExtraAad, "extraAad") X(Plaintext, "plaintext")        \
  X(FrameLength, "frameLength") X(SigningKey, "signingKey")
// clang-format on
ESDK_ARG_SLOTS(SealArg, ESDK_SEAL_MESSAGE_ARGS)

// openMessage(...ESDK_OPEN_MESSAGE_ARGS): boolean (false: any authentication failure; out zeroed).
// openMessageAsync takes these, then ESDK_OPEN_SIGNATURE_ARGS and ESDK_PARALLEL_ARGS.
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_OPEN_MESSAGE_ARGS(X)                                                                  \
  X(SuiteId, "suiteId") X(DataKey, "dataKey") X(MessageId, "messageId") X(HeaderBody, "headerBody") \
  X(HeaderIv, "headerIv") X(HeaderTag, "headerTag") X(ExtraAad, "extraAad")                        \
  X(Commitment, "commitment") X(Source, "source") X(FrameTable, "frameTable") X(Out, "out")
// clang-format on
ESDK_ARG_SLOTS(OpenArg, ESDK_OPEN_MESSAGE_ARGS)

Napi::Value SealMessageBinding(const Napi::CallbackInfo& info);
Napi::Value OpenMessageBinding(const Napi::CallbackInfo& info);

// The arguments the synchronous and thread-pool entry points share, read into a request; a bad
// argument is recorded in `args`.
SealMessageRequest ReadSealMessageArgs(JsArgs& args) noexcept;
OpenMessageRequest ReadOpenMessageArgs(JsArgs& args) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_MESSAGE_BINDINGS_H_
