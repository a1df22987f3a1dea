// A whole message in one native call: key derivation, commitment, header auth, every frame and (signed) the footer.
#ifndef ESDK_NATIVE_MESSAGE_H_
#define ESDK_NATIVE_MESSAGE_H_

#include <cstddef>
#include <cstdint>

#include "bytes.h"
#include "ec_keys.h"
#include "frames.h"
#include "gcm.h"
#include "status.h"
#include "suites.h"

namespace esdk {

constexpr size_t kMaxKeyLength = 32;

// Encrypt. JS has serialized the header body into out[0, header_body_length); for v2 its last
// 32 bytes (the suite data) are a placeholder the commitment is written over. Header auth, the
// framed body and, for signed suites, the footer follow. `out` must be exactly the unsigned
// length plus, for signed suites, 2 + MaxSignatureSize (the DER length is known only once signed).
struct SealMessageRequest {
  const Suite* suite;
  ByteView data_key;
  ByteView message_id;
  MutableByteView out;
  size_t header_body_length;
  // Authenticated by the header tag but not stored (required encryption context).
  ByteView extra_aad;
  ByteView plaintext;
  uint64_t frame_length;
  // Signed suites only; the key's precomputed nonce is consumed.
  SigningKey* signing_key;
  // The key also signs other messages at the same time (a batch's records sharing a cached key):
  // sign with a nonce of this message's own (SignDigestShared), never the key's stored one.
  bool shared_signing_key;
};

// Where each part of a sealed message goes.
struct SealPlan {
  FramedLayout layout;
  size_t body_offset;
  size_t unsigned_length;
  // unsigned_length for unsigned suites; plus the longest footer for signed ones.
  size_t capacity;
};

// Checks every argument and computes the plan; nothing is written.
Status PlanSeal(const SealMessageRequest& request, SealPlan* plan) noexcept;

// Derives the key into `key` (suite.key_length bytes, the caller cleanses it), writes the v2
// commitment over the suite-data placeholder and the header auth, and leaves `gcm` keyed for
// the frames.
Status SealHeader(const SealMessageRequest& request, MutableByteView key, GcmKey& gcm) noexcept;

// Signs `digest` with `key` and writes the footer (uint16 length ‖ DER) at the start of `room`
// (at least 2 + MaxSignatureSize bytes), zeroing the rest of it; sets the footer's length.
Status WriteFooter(SigningKey& key, ByteView digest, MutableByteView room, size_t* footer_length,
                   bool shared = false) noexcept;

// Where a sealed message's footer goes: out[unsigned_length, capacity).
MutableByteView FooterRoom(const SealMessageRequest& request, const SealPlan& plan) noexcept;

// The whole message on the calling thread. On any failure all of `out` is zeroed.
Status SealMessage(const SealMessageRequest& request, size_t* message_length) noexcept;

// Decrypt, everything but the signature: derive, compare the commitment in constant time
// (before the key is used for anything, client-apis/decrypt.md "Get the decryption materials"),
// check the header tag, open every frame of `table` (frame_table.h) into `out`, which must be
// exactly the plaintext size.
struct OpenMessageRequest {
  const Suite* suite;
  ByteView data_key;
  ByteView message_id;
  // Exactly as received: what the header tag covers (client-apis/decrypt.md "Verify the header").
  ByteView header_body;
  ByteView header_iv;
  ByteView header_tag;
  ByteView extra_aad;
  // v2: the stored suite data; empty for v1.
  ByteView commitment;
  ByteView source;
  const double* table;
  size_t frame_count;
  MutableByteView out;
};

// Checks the arguments and the frame table (bounds, total length == out.size).
Status PlanOpen(const OpenMessageRequest& request) noexcept;

// Derives into `key`, checks the commitment and header tag, leaves `gcm` keyed for the frames.
// kAuthenticationFailed when the commitment or the tag does not match.
Status OpenHeader(const OpenMessageRequest& request, MutableByteView key, GcmKey& gcm) noexcept;

// The whole open on the calling thread; kAuthenticationFailed, with `out` zeroed, on any
// authentication failure.
Status OpenMessage(const OpenMessageRequest& request) noexcept;

// Hashes `signed_bytes` with the curve's hash and verifies the DER signature against the SEC1
// point: kOk or kAuthenticationFailed.
Status VerifyMessageSignature(Curve curve, ByteView point, ByteView signed_bytes, ByteView signature) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_MESSAGE_H_
