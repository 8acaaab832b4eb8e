// config_binding.cc: registration point for the config functions (filled in with native/src/config work).
#include "module.h"

namespace keryx::bindings {
void init_config(Napi::Env, Napi::Object) {}
}  // namespace keryx::bindings
