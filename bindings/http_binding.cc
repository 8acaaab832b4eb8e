// http_binding.cc: placeholder registration; the libcurl client binding lands with native/src/http_client.
#include "module.h"

namespace keryx::bindings {
void init_http(Napi::Env, Napi::Object) {}
}  // namespace keryx::bindings
