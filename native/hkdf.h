// Per-message key derivation: identity, HKDF v1, and HKDF-SHA512 with key commitment
// (framework/transitive-requirements.md "HKDF Encryption Key", "HKDF Commit Key").
#ifndef ESDK_NATIVE_HKDF_H_
#define ESDK_NATIVE_HKDF_H_

#include "bytes.h"
#include "status.h"
#include "suites.h"

namespace esdk {

// Writes the encryption key (suite.key_length bytes) into `out_key` and, for
// committing suites, the 32-byte commitment into `out_commitment` (which must
// be empty otherwise). Both outputs are zeroed on failure; every intermediate
// secret is cleansed before returning.
Status DeriveKeys(const Suite& suite, ByteView data_key, ByteView message_id, MutableByteView out_key,
                  MutableByteView out_commitment) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_HKDF_H_
