// addon.cc: the full addon's entry point (keryx.node): library start-up once, then each area's
// functions. The light store addon has its own entry point, addon_store.cc.
#include <napi.h>

#include "crypto_init.h"
#include "curl_init.h"
#include "module.h"
#include "status_error.h"

namespace keryx::bindings {
Napi::Object init(Napi::Env env, Napi::Object exports) {
  Status started = crypto_init();
  if (started.ok()) started = curl_init();  // at load, on the main thread (STYLE 7)
  if (!started.ok()) {
    throw_status(env, started);
    return exports;
  }
  exports.Set("version", Napi::String::New(env, KERYX_VERSION));
  init_pkce(env, exports);
  init_http(env, exports);
  init_capture(env, exports);
  init_config(env, exports);
  init_store(env, exports);
  init_flow(env, exports);
  init_policy(env, exports);
  init_lifecycle(env, exports);
  return exports;
}

}  // namespace keryx::bindings

// NODE_API_MODULE pastes the function name into an identifier, so it must be unqualified.
static Napi::Object keryx_module_init(Napi::Env env, Napi::Object exports) {
  return keryx::bindings::init(env, exports);
}

NODE_API_MODULE(keryx, keryx_module_init)
