// store_binding.cc: registration point for the store functions (filled in with native/src/store work).
#include "module.h"

namespace keryx::bindings {
void init_store(Napi::Env, Napi::Object) {}
}  // namespace keryx::bindings
