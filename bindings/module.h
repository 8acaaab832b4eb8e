// module.h: the addon's parts. Each bindings/<area>_binding.cc converts arguments to plain core
// structs, schedules blocking work off the JS thread, and registers its functions through its
// init function, called once from addon.cc.
#pragma once

#include <napi.h>

namespace keryx::bindings {

void init_pkce(Napi::Env env, Napi::Object exports);
void init_http(Napi::Env env, Napi::Object exports);
void init_capture(Napi::Env env, Napi::Object exports);
void init_config(Napi::Env env, Napi::Object exports);
void init_store(Napi::Env env, Napi::Object exports);

}  // namespace keryx::bindings
