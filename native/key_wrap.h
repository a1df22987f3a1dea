// Single-shot AES-GCM as the raw AES keyring wraps data keys: 12-byte IV, tag after the ciphertext
// (framework/raw-aes-keyring.md).
#ifndef ESDK_NATIVE_KEY_WRAP_H_
#define ESDK_NATIVE_KEY_WRAP_H_

#include "bytes.h"
#include "status.h"

namespace esdk {

// out (plaintext.size + 16 bytes) = AES-GCM(key, iv, aad, plaintext) ‖ tag. The AES variant
// follows the key length (16, 24 or 32). `out` is zeroed on failure.
Status KeyWrapSeal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext, MutableByteView out) noexcept;

// out (sealed.size - 16 bytes) = the plaintext of sealed = ciphertext ‖ tag; kAuthenticationFailed,
// with `out` zeroed, when the tag does not verify.
Status KeyWrapOpen(ByteView key, ByteView iv, ByteView aad, ByteView sealed, MutableByteView out) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_KEY_WRAP_H_
