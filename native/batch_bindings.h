// The batch entry points the addon exports: many messages per call over a message table, on the calling thread or the
// thread pool.
#ifndef ESDK_NATIVE_BATCH_BINDINGS_H_
#define ESDK_NATIVE_BATCH_BINDINGS_H_

#include <napi.h>

#include "arg_slots.h"

namespace esdk {

// sealBatch(...ESDK_SEAL_BATCH_ARGS): undefined. `runs` is an array of run objects read by name
// ({suiteId, dataKey, header, messageIdOffset, extraAad, frameLength, signingKey, sharedKey});
// message i is row i of `table` (run index, offset in `out`, capacity), seals plaintexts[i] with
// id messageIds[32i, 32i + id length), and its length goes to lengths[i]. Throws on any fault,
// with `out` wiped.
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_SEAL_BATCH_ARGS(X)                                                                   \
  X(Runs, "runs") X(Plaintexts, "plaintexts") X(Table, "table") X(MessageIds, "messageIds")      \
  X(Out, "out") X(Lengths, "lengths")
// clang-format on
ESDK_ARG_SLOTS(SealBatchArg, ESDK_SEAL_BATCH_ARGS)

// openBatch(...ESDK_OPEN_BATCH_ARGS): undefined. `groups` holds {suiteId, dataKey, extraAad, point};
// message i is row i of `table` (group index, offset in `out`, plaintext length, signed length,
// header body length) with, at index i of the arrays, its header (body and authentication as
// received), its ciphertext (the frame table's source and, signed, what the signature covers from
// 0 to the signed length), its frame table and, signed batches only, its footer signature (an
// empty `signatures` array for unsigned batches). authentic[i] = 1 when it authenticated, else 0
// with its plaintext zeroed.
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_OPEN_BATCH_ARGS(X)                                                                   \
  X(Groups, "groups") X(Headers, "headers") X(Sources, "sources") X(FrameTables, "frameTables")  \
  X(Signatures, "signatures") X(Table, "table") X(Out, "out") X(Authentic, "authentic")
// clang-format on
ESDK_ARG_SLOTS(OpenBatchArg, ESDK_OPEN_BATCH_ARGS)

// The thread-pool forms take the same, then the most pool threads to use and callback(err),
// called once on the JS thread when every message is done. Every argument stays referenced, and
// must stay untouched, until then.
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_BATCH_POOL_ARGS(X) X(Threads, "threads") X(Callback, "callback")
// clang-format on
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_SEAL_BATCH_ASYNC_ARGS(X) ESDK_SEAL_BATCH_ARGS(X) ESDK_BATCH_POOL_ARGS(X)
// clang-format on
ESDK_ARG_SLOTS(SealBatchAsyncArg, ESDK_SEAL_BATCH_ASYNC_ARGS)
// clang-format off: it finds no stable layout for an X-macro argument list
#define ESDK_OPEN_BATCH_ASYNC_ARGS(X) ESDK_OPEN_BATCH_ARGS(X) ESDK_BATCH_POOL_ARGS(X)
// clang-format on
ESDK_ARG_SLOTS(OpenBatchAsyncArg, ESDK_OPEN_BATCH_ASYNC_ARGS)
static_assert(static_cast<size_t>(SealBatchAsyncArg::kThreads) == static_cast<size_t>(SealBatchArg::kCount),
              "seal batch prefix");
static_assert(static_cast<size_t>(OpenBatchAsyncArg::kThreads) == static_cast<size_t>(OpenBatchArg::kCount),
              "open batch prefix");

Napi::Value SealBatchBinding(const Napi::CallbackInfo& info);
Napi::Value SealBatchAsyncBinding(const Napi::CallbackInfo& info);
Napi::Value OpenBatchBinding(const Napi::CallbackInfo& info);
Napi::Value OpenBatchAsyncBinding(const Napi::CallbackInfo& info);

}  // namespace esdk

#endif  // ESDK_NATIVE_BATCH_BINDINGS_H_
