// Type-tagged N-API externals that own one native key object: the only way such keys cross into JS.
#ifndef ESDK_NATIVE_TAGGED_HANDLE_H_
#define ESDK_NATIVE_TAGGED_HANDLE_H_

#include <napi.h>

#include <new>

namespace esdk {

// One instantiation per kind of key (signing keys, RSA keys), each with its own random 128-bit
// tag: napi_check_object_type_tag tells our externals of that kind from anything else JS might
// pass (a handle of the other kind, another addon's external, a forged object).
template <typename Key, void (*Free)(Key*) noexcept, const napi_type_tag& Tag>
class TaggedHandle {
 public:
  // What an external points at. `key` becomes null once disposed; the holder itself lives until
  // the external is collected, so a stale handle is reported as disposed, never dereferenced.
  struct Holder {
    Key* key;
  };

  // Wraps `key` (taking ownership) in a tagged external whose finalizer frees it. Returns an
  // empty value, with `key` freed, if the external cannot be created.
  static Napi::Value Wrap(Napi::Env env, Key* key) noexcept {
    Holder* holder = new (std::nothrow) Holder{key};
    if (holder == nullptr) {
      Free(key);
      return Napi::Value();
    }
    napi_value external = nullptr;
    if (napi_create_external(env, holder, Finalize, nullptr, &external) != napi_ok) {
      Finalize(env, holder, nullptr);
      return Napi::Value();
    }
    // The finalizer owns the holder from here on, tagged or not.
    if (napi_type_tag_object(env, external, &Tag) != napi_ok) return Napi::Value();
    return Napi::Value(env, external);
  }

  // The holder behind a handle, or nullptr when `value` is not one of this kind.
  static Holder* Unwrap(napi_env env, napi_value value) noexcept {
    napi_valuetype type = napi_undefined;
    if (napi_typeof(env, value, &type) != napi_ok || type != napi_external) return nullptr;
    bool tagged = false;
    if (napi_check_object_type_tag(env, value, &Tag, &tagged) != napi_ok || !tagged) return nullptr;
    void* data = nullptr;
    if (napi_get_value_external(env, value, &data) != napi_ok) return nullptr;
    return static_cast<Holder*>(data);
  }

  // Frees the key now; later use of the handle finds it disposed. Idempotent.
  static void Dispose(Holder* holder) noexcept {
    Free(holder->key);
    holder->key = nullptr;
  }

 private:
  static void Finalize(napi_env /*env*/, void* data, void* /*hint*/) {
    Holder* holder = static_cast<Holder*>(data);
    Free(holder->key);
    delete holder;
  }
};

}  // namespace esdk

#endif  // ESDK_NATIVE_TAGGED_HANDLE_H_
