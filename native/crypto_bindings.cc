// N-API wrappers for key derivation, header auth, whole-body seal/open and the key-wrap AES-GCM; no crypto logic lives
// here.
#include "crypto_bindings.h"

#include "error_mark.h"
#include "frame_table.h"
#include "frames.h"
#include "header_auth.h"
#include "hkdf.h"
#include "js_args.h"
#include "key_wrap.h"

namespace esdk {

Napi::Value DeriveKeysBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const Suite* suite = args.SuiteAt(0, "suiteId");
  const ByteView data_key = args.BytesAt(1, "dataKey");
  const ByteView message_id = args.BytesAt(2, "messageId");
  const MutableByteView out_key = args.MutableBytesAt(3, "outKey");
  const MutableByteView out_commitment = args.MutableBytesAt(4, "outCommitment");
  if (args.ok()) args.Fail(DeriveKeys(*suite, data_key, message_id, out_key, out_commitment), "deriveKeys");
  if (!args.ok()) return args.Throw();
  return info.Env().Undefined();
}

Napi::Value HeaderAuthTagBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const Suite* suite = args.SuiteAt(0, "suiteId");
  const ByteView key = args.BytesAt(1, "key");
  const ByteView iv = args.BytesAt(2, "iv");
  const ByteView header_body = args.BytesAt(3, "headerBody");
  const ByteView extra_aad = args.BytesAt(4, "extraAad");
  const MutableByteView out_tag = args.MutableBytesAt(5, "outTag");
  if (args.ok()) args.Fail(HeaderAuthTag(*suite, key, iv, header_body, extra_aad, out_tag), "headerAuthTag");
  if (!args.ok()) return args.Throw();
  return info.Env().Undefined();
}

Napi::Value VerifyHeaderAuthBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const Suite* suite = args.SuiteAt(0, "suiteId");
  const ByteView key = args.BytesAt(1, "key");
  const ByteView iv = args.BytesAt(2, "iv");
  const ByteView header_body = args.BytesAt(3, "headerBody");
  const ByteView extra_aad = args.BytesAt(4, "extraAad");
  const ByteView tag = args.BytesAt(5, "tag");
  if (!args.ok()) return args.Throw();
  const Status status = VerifyHeaderAuth(*suite, key, iv, header_body, extra_aad, tag);
  if (status == Status::kOk || status == Status::kAuthenticationFailed) {
    return Napi::Boolean::New(info.Env(), status == Status::kOk);
  }
  args.Fail(status, "verifyHeaderAuth");
  return args.Throw();
}

Napi::Value SealFramedBodyBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const Suite* suite = args.SuiteAt(0, "suiteId");
  const ByteView key = args.BytesAt(1, "key");
  const ByteView message_id = args.BytesAt(2, "messageId");
  const ByteView plaintext = args.BytesAt(3, "plaintext");
  const uint64_t frame_length = args.IntegerAt(4, "frameLength", 0xFFFFFFFFu);
  const MutableByteView out = args.MutableBytesAt(5, "out");
  const uint64_t out_offset = args.IntegerAt(6, "outOffset", out.size);
  if (!args.ok()) return args.Throw();
  size_t written = 0;
  const MutableByteView window{out.data + out_offset, out.size - static_cast<size_t>(out_offset)};
  args.Fail(SealFramedBody(*suite, key, message_id, plaintext, frame_length, window, &written), "sealFramedBody");
  if (!args.ok()) return args.Throw();
  return Napi::Number::New(info.Env(), static_cast<double>(written));
}

Napi::Value OpenBodyBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const Suite* suite = args.SuiteAt(0, "suiteId");
  const ByteView key = args.BytesAt(1, "key");
  const ByteView message_id = args.BytesAt(2, "messageId");
  const ByteView source = args.BytesAt(3, "source");
  size_t table_length = 0;
  const double* table = args.Float64sAt(4, "frameTable", &table_length);
  const MutableByteView out = args.MutableBytesAt(5, "out");
  if (args.ok() && table_length % kFrameTableStride != 0) args.Fail(Status::kBadFrameTable, "frameTable");
  if (!args.ok()) return args.Throw();
  const Status status = OpenBody(*suite, key, message_id, source, table, table_length / kFrameTableStride, out);
  if (status == Status::kOk || status == Status::kAuthenticationFailed) {
    return Napi::Boolean::New(info.Env(), status == Status::kOk);
  }
  args.Fail(status, "openBody");
  return args.Throw();
}

Napi::Value GcmSealBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const ByteView key = args.BytesAt(0, "key");
  const ByteView iv = args.BytesAt(1, "iv");
  const ByteView aad = args.BytesAt(2, "aad");
  const ByteView plaintext = args.BytesAt(3, "plaintext");
  const MutableByteView out = args.MutableBytesAt(4, "out");
  if (args.ok()) args.Fail(KeyWrapSeal(key, iv, aad, plaintext, out), "gcmSeal");
  if (!args.ok()) return args.Throw();
  return info.Env().Undefined();
}

Napi::Value GcmOpenBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const ByteView key = args.BytesAt(0, "key");
  const ByteView iv = args.BytesAt(1, "iv");
  const ByteView aad = args.BytesAt(2, "aad");
  const ByteView sealed = args.BytesAt(3, "sealed");
  const MutableByteView out = args.MutableBytesAt(4, "out");
  if (!args.ok()) return args.Throw();
  const Status status = KeyWrapOpen(key, iv, aad, sealed, out);
  if (status == Status::kOk || status == Status::kAuthenticationFailed) {
    return Napi::Boolean::New(info.Env(), status == Status::kOk);
  }
  args.Fail(status, "gcmOpen");
  return args.Throw();
}

}  // namespace esdk
