// The thread-pool entry points for big messages: the body split across several AsyncWorkers, the JS thread left free.
#ifndef ESDK_NATIVE_PARALLEL_BINDINGS_H_
#define ESDK_NATIVE_PARALLEL_BINDINGS_H_

#include <napi.h>

namespace esdk {

// sealMessageAsync(suiteId, dataKey, messageId, out, headerBodyLength, extraAad, plaintext, frameLength,
//                  signingKey | undefined, threads, chunkBytes, callback(err, messageLength)): undefined
// The header is derived and authenticated before this returns; the body (and the signature) on the
// thread pool. Every buffer stays referenced, and must stay untouched, until the callback.
Napi::Value SealMessageAsyncBinding(const Napi::CallbackInfo& info);

// openMessageAsync(suiteId, dataKey, messageId, headerBody, headerIv, headerTag, extraAad, commitment,
//                  source, frameTable, out, point, signed, signature, threads, chunkBytes,
//                  callback(err, authentic)): boolean
// false (out wiped, no callback) when the commitment or header tag fails right away; otherwise the
// frames (and, for signed suites, the signature over `signed` with `point`) are checked on the
// thread pool and the callback gets false if anything failed.
Napi::Value OpenMessageAsyncBinding(const Napi::CallbackInfo& info);

}  // namespace esdk

#endif  // ESDK_NATIVE_PARALLEL_BINDINGS_H_
