// N-API wrappers for the synchronous whole-message seal and open; argument reading only, the work is in message.cc.
#include "message_bindings.h"

#include "error_mark.h"
#include "frame_table.h"
#include "js_args.h"
#include "message.h"

namespace esdk {

SealMessageRequest ReadSealMessageArgs(JsArgs& args) noexcept {
  SealMessageRequest request{};
  request.suite = args.SuiteAt(0, "suiteId");
  request.data_key = args.BytesAt(1, "dataKey");
  request.message_id = args.BytesAt(2, "messageId");
  request.out = args.MutableBytesAt(3, "out");
  request.header_body_length = static_cast<size_t>(args.IntegerAt(4, "headerBodyLength", request.out.size));
  request.extra_aad = args.BytesAt(5, "extraAad");
  request.plaintext = args.BytesAt(6, "plaintext");
  request.frame_length = args.IntegerAt(7, "frameLength", 0xFFFFFFFFu);
  request.signing_key = args.SigningKeyAt(8, "signingKey", true);
  return request;
}

OpenMessageRequest ReadOpenMessageArgs(JsArgs& args) noexcept {
  OpenMessageRequest request{};
  request.suite = args.SuiteAt(0, "suiteId");
  request.data_key = args.BytesAt(1, "dataKey");
  request.message_id = args.BytesAt(2, "messageId");
  request.header_body = args.BytesAt(3, "headerBody");
  request.header_iv = args.BytesAt(4, "headerIv");
  request.header_tag = args.BytesAt(5, "headerTag");
  request.extra_aad = args.BytesAt(6, "extraAad");
  request.commitment = args.BytesAt(7, "commitment");
  request.source = args.BytesAt(8, "source");
  size_t table_length = 0;
  request.table = args.Float64sAt(9, "frameTable", &table_length);
  request.out = args.MutableBytesAt(10, "out");
  if (args.ok() && table_length % kFrameTableStride != 0) args.Fail(Status::kBadFrameTable, "frameTable");
  request.frame_count = table_length / kFrameTableStride;
  return request;
}

Napi::Value SealMessageBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const SealMessageRequest request = ReadSealMessageArgs(args);
  if (!args.ok()) return args.Throw();
  size_t length = 0;
  args.Fail(SealMessage(request, &length), "sealMessage");
  if (!args.ok()) return args.Throw();
  return Napi::Number::New(info.Env(), static_cast<double>(length));
}

Napi::Value OpenMessageBinding(const Napi::CallbackInfo& info) {
  ErrorMark mark;
  JsArgs args(info);
  const OpenMessageRequest request = ReadOpenMessageArgs(args);
  if (!args.ok()) return args.Throw();
  const Status status = OpenMessage(request);
  if (status == Status::kOk || status == Status::kAuthenticationFailed) {
    return Napi::Boolean::New(info.Env(), status == Status::kOk);
  }
  args.Fail(status, "openMessage");
  return args.Throw();
}

}  // namespace esdk
