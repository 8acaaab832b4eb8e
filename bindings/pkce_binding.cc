// pkce_binding.cc: pkceCreate(method, length) and pkceChallenge(method, verifier). Both are
// microsecond-scale CPU work, so they run synchronously on the JS thread.
#include <string>

#include "module.h"
#include "pkce.h"
#include "random.h"
#include "status_error.h"

namespace keryx::bindings {
namespace {

Result<PkceMethod> method_arg(const Napi::CallbackInfo& info, size_t index) {
  if (info.Length() <= index || !info[index].IsString()) return PkceMethod::kS256;
  return pkce_parse_method(info[index].As<Napi::String>().Utf8Value());
}

Napi::Value pkce_create_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Result<PkceMethod> method = method_arg(info, 0);
  if (!method.ok()) {
    throw_status(env, method.status());
    return env.Undefined();
  }
  size_t length = kPkceVerifierDefault;
  if (info.Length() > 1 && info[1].IsNumber()) {
    length = static_cast<size_t>(info[1].As<Napi::Number>().Int64Value());
  }
  Result<PkcePair> pair = pkce_create(method.value(), length);
  if (!pair.ok()) {
    throw_status(env, pair.status());
    return env.Undefined();
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("method", std::string(pkce_method_name(method.value())));
  out.Set("challengeMethod", std::string(pkce_method_param(method.value())));
  out.Set("verifier", Napi::String::New(env, pair.value().verifier.data(), pair.value().verifier.size()));
  out.Set("challenge", pair.value().challenge);
  return out;
}

Napi::Value pkce_challenge_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Result<PkceMethod> method = method_arg(info, 0);
  if (!method.ok()) {
    throw_status(env, method.status());
    return env.Undefined();
  }
  if (info.Length() < 2 || !info[1].IsString()) {
    throw_status(env, Status(Code::kInvalidArgument, "verifier must be a string"));
    return env.Undefined();
  }
  Result<std::string> challenge = pkce_challenge(method.value(), info[1].As<Napi::String>().Utf8Value());
  if (!challenge.ok()) {
    throw_status(env, challenge.status());
    return env.Undefined();
  }
  return Napi::String::New(env, challenge.value());
}

Napi::Value random_state_js(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), random_state()); }

}  // namespace

void init_pkce(Napi::Env env, Napi::Object exports) {
  exports.Set("pkceCreate", Napi::Function::New(env, pkce_create_js, "pkceCreate"));
  exports.Set("pkceChallenge", Napi::Function::New(env, pkce_challenge_js, "pkceChallenge"));
  exports.Set("randomState", Napi::Function::New(env, random_state_js, "randomState"));
}

}  // namespace keryx::bindings
