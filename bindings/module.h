// module.h: the addons' parts. Each bindings/<area>_binding.cc converts arguments to plain core
// structs, schedules blocking work off the JS thread, and registers its functions through its
// init function, called once from an entry point:
//   addon.cc        keryx.node: every area (links the whole core: libcurl, cpp-httplib, OpenSSL)
//   addon_store.cc  keryx_store.node: pkce, config and store only (the vault half of the core,
//                   libsodium alone), so `keryx status` does not load libcurl's ~30 libraries
#pragma once

#include <napi.h>

namespace keryx::bindings {

void init_pkce(Napi::Env env, Napi::Object exports);
void init_http(Napi::Env env, Napi::Object exports);
void init_capture(Napi::Env env, Napi::Object exports);
void init_config(Napi::Env env, Napi::Object exports);
void init_store(Napi::Env env, Napi::Object exports);
void init_flow(Napi::Env env, Napi::Object exports);
void init_policy(Napi::Env env, Napi::Object exports);
void init_lifecycle(Napi::Env env, Napi::Object exports);

}  // namespace keryx::bindings
