// Header authentication: the AES-GCM tag over an empty plaintext (data-format/message-header.md "Header
// Authentication").
#ifndef ESDK_NATIVE_HEADER_AUTH_H_
#define ESDK_NATIVE_HEADER_AUTH_H_

#include "bytes.h"
#include "status.h"
#include "suites.h"

namespace esdk {

// tag = GCM tag with AAD = header body ‖ extra AAD; `out_tag` must be 16 bytes
// and is zeroed on failure.
Status HeaderAuthTag(const Suite& suite, ByteView key, ByteView iv, ByteView header_body, ByteView extra_aad,
                     MutableByteView out_tag) noexcept;

// kOk when `tag` verifies (constant-time compare), kAuthenticationFailed when
// it does not (including a tag of the wrong length).
Status VerifyHeaderAuth(const Suite& suite, ByteView key, ByteView iv, ByteView header_body, ByteView extra_aad,
                        ByteView tag) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_HEADER_AUTH_H_
