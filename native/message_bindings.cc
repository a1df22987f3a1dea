// N-API wrappers for the synchronous whole-message seal and open; argument reading only, the work is in message.cc.
#include "message_bindings.h"

#include "error_mark.h"
#include "frame_table.h"
#include "js_args.h"
#include "message.h"

namespace esdk {

SealMessageRequest ReadSealMessageArgs(JsArgs& args) noexcept {
  using A = SealArg;
  SealMessageRequest request{};
  request.suite = args.SuiteAt(At(A::kSuiteId));
  request.data_key = args.BytesAt(At(A::kDataKey));
  request.message_id = args.BytesAt(At(A::kMessageId));
  request.out = args.MutableBytesAt(At(A::kOut));
  request.header_body_length = static_cast<size_t>(args.IntegerAt(At(A::kHeaderBodyLength), request.out.size));
  request.extra_aad = args.BytesAt(At(A::kExtraAad));
  request.plaintext = args.BytesAt(At(A::kPlaintext));
  request.frame_length = args.IntegerAt(At(A::kFrameLength), 0xFFFFFFFFu);
  request.signing_key = args.SigningKeyAt(At(A::kSigningKey), true);
  return request;
}

OpenMessageRequest ReadOpenMessageArgs(JsArgs& args) noexcept {
  using A = OpenArg;
  OpenMessageRequest request{};
  request.suite = args.SuiteAt(At(A::kSuiteId));
  request.data_key = args.BytesAt(At(A::kDataKey));
  request.message_id = args.BytesAt(At(A::kMessageId));
  request.header_body = args.BytesAt(At(A::kHeaderBody));
  request.header_iv = args.BytesAt(At(A::kHeaderIv));
  request.header_tag = args.BytesAt(At(A::kHeaderTag));
  request.extra_aad = args.BytesAt(At(A::kExtraAad));
  request.commitment = args.BytesAt(At(A::kCommitment));
  request.source = args.BytesAt(At(A::kSource));
  size_t table_length = 0;
  request.table = args.Float64sAt(At(A::kFrameTable), &table_length);
  request.out = args.MutableBytesAt(At(A::kOut));
  if (args.ok() && table_length % kFrameTableStride != 0) args.Fail(Status::kBadFrameTable, At(A::kFrameTable).name);
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
