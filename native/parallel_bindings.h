// The thread-pool entry points for big messages: the body split across several AsyncWorkers, the JS thread left free.
#ifndef ESDK_NATIVE_PARALLEL_BINDINGS_H_
#define ESDK_NATIVE_PARALLEL_BINDINGS_H_

#include <napi.h>

#include "arg_slots.h"
#include "message_bindings.h"

namespace esdk {

// What every thread-pool entry point takes after its request: the most workers to use, the work
// unit's size, and callback(err, result), called once on the JS thread.
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_PARALLEL_ARGS(X) X(Threads, "threads") X(ChunkBytes, "chunkBytes") X(Callback, "callback")
// clang-format on
// What openMessageAsync takes between its request and ESDK_PARALLEL_ARGS: the verification point,
// the bytes the signature covers and the DER signature (all empty for unsigned suites).
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_OPEN_SIGNATURE_ARGS(X) X(Point, "point") X(Signed, "signed") X(Signature, "signature")
// clang-format on

// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_SEAL_MESSAGE_ASYNC_ARGS(X) ESDK_SEAL_MESSAGE_ARGS(X) ESDK_PARALLEL_ARGS(X)
// clang-format on
ESDK_ARG_SLOTS(SealAsyncArg, ESDK_SEAL_MESSAGE_ASYNC_ARGS)
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_OPEN_MESSAGE_ASYNC_ARGS(X) ESDK_OPEN_MESSAGE_ARGS(X) ESDK_OPEN_SIGNATURE_ARGS(X) ESDK_PARALLEL_ARGS(X)
// clang-format on
ESDK_ARG_SLOTS(OpenAsyncArg, ESDK_OPEN_MESSAGE_ASYNC_ARGS)
// The shared prefix is read by ReadSealMessageArgs / ReadOpenMessageArgs through the sync enums.
static_assert(static_cast<size_t>(SealAsyncArg::kThreads) == static_cast<size_t>(SealArg::kCount), "seal prefix");
static_assert(static_cast<size_t>(OpenAsyncArg::kPoint) == static_cast<size_t>(OpenArg::kCount), "open prefix");

// sealMessageAsync(...ESDK_SEAL_MESSAGE_ASYNC_ARGS), callback(err, messageLength): undefined.
// The header is derived and authenticated before this returns; the body (and the signature) on the
// thread pool. Every buffer stays referenced, and must stay untouched, until the callback.
Napi::Value SealMessageAsyncBinding(const Napi::CallbackInfo& info);

// openMessageAsync(...ESDK_OPEN_MESSAGE_ASYNC_ARGS), callback(err, authentic): boolean.
// false (out wiped, no callback) when the commitment or header tag fails right away; otherwise the
// frames (and, for signed suites, the signature over `signed` with `point`) are checked on the
// thread pool and the callback gets false if anything failed.
Napi::Value OpenMessageAsyncBinding(const Napi::CallbackInfo& info);

}  // namespace esdk

#endif  // ESDK_NATIVE_PARALLEL_BINDINGS_H_
