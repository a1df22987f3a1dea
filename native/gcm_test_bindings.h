// Test-only entry points that run one chosen AES-GCM implementation (VAES or EVP) on raw inputs, so tests can diff
// them.
#ifndef ESDK_NATIVE_GCM_TEST_BINDINGS_H_
#define ESDK_NATIVE_GCM_TEST_BINDINGS_H_

#include <napi.h>

namespace esdk {

// gcmImplementation(): 'vaes' | 'evp', what GcmKey::Init (as frames call it) picks in this process.
Napi::Value GcmImplementationBinding(const Napi::CallbackInfo& info);
// gcmTestSeal(impl, key, iv, aadA, aadB, input, out, outTag): undefined. impl: 0 = the default (as
// GcmKey::Init picks), 1 = EVP, 2 = VAES; throws when that implementation is unavailable here.
// `out` may be `input` itself (in place) but must not otherwise overlap it.
Napi::Value GcmTestSealBinding(const Napi::CallbackInfo& info);
// gcmTestOpen(impl, key, iv, aadA, aadB, input, out, tag): boolean (false: tag mismatch, out zeroed).
Napi::Value GcmTestOpenBinding(const Napi::CallbackInfo& info);

}  // namespace esdk

#endif  // ESDK_NATIVE_GCM_TEST_BINDINGS_H_
