// The whole-message entry points the addon exports: one call seals or opens a message on the calling thread.
#ifndef ESDK_NATIVE_MESSAGE_BINDINGS_H_
#define ESDK_NATIVE_MESSAGE_BINDINGS_H_

#include <napi.h>

#include "js_args.h"
#include "message.h"

namespace esdk {

// sealMessage(suiteId, dataKey, messageId, out, headerBodyLength, extraAad, plaintext, frameLength,
//             signingKey | undefined): message length
Napi::Value SealMessageBinding(const Napi::CallbackInfo& info);
// openMessage(suiteId, dataKey, messageId, headerBody, headerIv, headerTag, extraAad, commitment,
//             source, frameTable, out): boolean (false: any authentication failure; out zeroed)
Napi::Value OpenMessageBinding(const Napi::CallbackInfo& info);

// The arguments the synchronous and thread-pool entry points share (sealMessage(Async) 0..8,
// openMessage(Async) 0..10), read into a request; a bad argument is recorded in `args`.
SealMessageRequest ReadSealMessageArgs(JsArgs& args) noexcept;
OpenMessageRequest ReadOpenMessageArgs(JsArgs& args) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_MESSAGE_BINDINGS_H_
