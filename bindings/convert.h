// convert.h: JS <-> core conversions shared across binding files (defined in the file of the area
// that owns them): platform records, client credentials and limits (flow_binding.cc); store
// options and token records (store_binding.cc).
#pragma once

#include <napi.h>

#include <string>

#include "lifecycle_policy.h"
#include "oauth_client.h"
#include "platform.h"
#include "status.h"
#include "token_record.h"
#include "token_store.h"

namespace keryx::bindings {

Status platform_record_from_js(const Napi::Value& value, PlatformRecord& out);
Status client_credentials_from_js(const Napi::Object& options, ClientCredentials& out);
Status request_limits_from_js(const Napi::Object& options, RequestLimits& out);
StoreOptions store_options_from_js(const Napi::Object& options);
Napi::Object token_record_to_js(Napi::Env env, const TokenRecord& record, bool with_secrets);
Status policy_from_js(const Napi::Object& options, LifecyclePolicy& out);
Status purpose_from_js(const std::string& name, LifecyclePurpose& out);
Napi::Object decision_to_js(Napi::Env env, const LifecycleDecision& decision);

}  // namespace keryx::bindings
