// The whole-message entry points the addon exports: one call seals or opens a message on the calling thread.
#ifndef ESDK_NATIVE_MESSAGE_BINDINGS_H_
#define ESDK_NATIVE_MESSAGE_BINDINGS_H_

#include <napi.h>

namespace esdk {

// sealMessage(suiteId, dataKey, messageId, out, headerBodyLength, extraAad, plaintext, frameLength,
//             signingKey | undefined): message length
Napi::Value SealMessageBinding(const Napi::CallbackInfo& info);
// openMessage(suiteId, dataKey, messageId, headerBody, headerIv, headerTag, extraAad, commitment,
//             source, frameTable, out): boolean (false: any authentication failure; out zeroed)
Napi::Value OpenMessageBinding(const Napi::CallbackInfo& info);

}  // namespace esdk

#endif  // ESDK_NATIVE_MESSAGE_BINDINGS_H_
