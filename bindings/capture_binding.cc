// capture_binding.cc: placeholder registration; the capture server binding lands with native/src/capture_server.
#include "module.h"

namespace keryx::bindings {
void init_capture(Napi::Env, Napi::Object) {}
}  // namespace keryx::bindings
