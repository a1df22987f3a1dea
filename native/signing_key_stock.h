// A process-wide stock of ready signing keys per curve: made by libuv pool work, taken synchronously on the JS thread.
#ifndef ESDK_NATIVE_SIGNING_KEY_STOCK_H_
#define ESDK_NATIVE_SIGNING_KEY_STOCK_H_

#include <node_api.h>

#include "ec_keys.h"
#include "suites.h"

namespace esdk {

// A ready key (pair and first nonce) for `curve`, owned by the caller, or nullptr when the stock is
// empty. Thread-safe. The stock is shared by every Node environment (worker) of the process:
// its keys are plain native memory from OpenSSL's DRBG, tied to no environment.
SigningKey* TakeStockedSigningKey(Curve curve) noexcept;

// Queues pool work (on `env`'s loop) until the keys in stock plus those being made reach the
// curve's target. Pool work puts its keys straight into the stock when it finishes, so they are
// there for the next take even while the JS thread never returns to its event loop (a tight
// loop of awaits that all resolve in microtasks). Failures to queue are silent: the caller makes
// its key inline instead.
void RefillSigningKeyStock(napi_env env, Curve curve) noexcept;

}  // namespace esdk

#endif  // ESDK_NATIVE_SIGNING_KEY_STOCK_H_
