// addon_store.cc: the light addon's entry point (keryx_store.node): pkce, config and store, the
// same functions as in keryx.node, over the part of the core that needs only libsodium. js/lib/
// native.js loads it for load('store') and falls back to keryx.node when it is missing.
#include <napi.h>

#include "crypto_init.h"
#include "module.h"
#include "status_error.h"

namespace keryx::bindings {
namespace {

Napi::Object init_store_addon(Napi::Env env, Napi::Object exports) {
  Status started = crypto_init();
  if (!started.ok()) {
    throw_status(env, started);
    return exports;
  }
  exports.Set("version", Napi::String::New(env, KERYX_VERSION));
  init_pkce(env, exports);
  init_config(env, exports);
  init_store(env, exports);
  return exports;
}

}  // namespace
}  // namespace keryx::bindings

// NODE_API_MODULE pastes the function name into an identifier, so it must be unqualified.
static Napi::Object keryx_store_module_init(Napi::Env env, Napi::Object exports) {
  return keryx::bindings::init_store_addon(env, exports);
}

NODE_API_MODULE(keryx_store, keryx_store_module_init)
