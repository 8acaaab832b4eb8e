// lifecycle_binding.cc: lifecycleRefresh, the refresh transaction (token_refresh.h) on a worker
// thread: (storeOptions, platformRecord, {clientId, clientSecret?, timeoutMs?, caFile?, account?,
// purpose?, now?, takeOver?, lockTimeoutMs?, policy?}) -> Promise<{record (with tokens), decision,
// refreshed, rotated, persisted, persistError, recovered, retried, waited}>. Failures reject with the
// core's code (token_revoked, rotation_lost, holder_mismatch, ...); the message names the fix.
#include <memory>
#include <string>

#include "convert.h"
#include "lifecycle_policy.h"
#include "module.h"
#include "promise_worker.h"
#include "status_error.h"
#include "token_refresh.h"

namespace keryx::bindings {

namespace {

Napi::Value refresh_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsObject() || !info[2].IsObject()) {
    return rejected(env, Status(Code::kInvalidArgument, "lifecycleRefresh(storeOptions, platform, options)"));
  }
  auto job = std::make_shared<RefreshJob>();
  job->store = store_options_from_js(info[0].As<Napi::Object>());
  auto o = info[2].As<Napi::Object>();
  Status s = platform_record_from_js(info[1], job->platform);
  if (s.ok()) s = client_credentials_from_js(o, job->client);
  if (s.ok()) s = request_limits_from_js(o, job->limits);
  if (s.ok() && o.Get("policy").IsObject()) s = policy_from_js(o.Get("policy").As<Napi::Object>(), job->policy);
  if (s.ok()) {
    Napi::Value purpose = o.Get("purpose");
    s = purpose_from_js(purpose.IsString() ? purpose.As<Napi::String>().Utf8Value() : "", job->purpose);
  }
  if (!s.ok()) return rejected(env, s);
  if (o.Get("account").IsString()) job->account = o.Get("account").As<Napi::String>().Utf8Value();
  if (o.Get("now").IsNumber()) job->now = o.Get("now").As<Napi::Number>().Int64Value();
  if (o.Get("takeOver").IsBoolean()) job->take_over = o.Get("takeOver").As<Napi::Boolean>().Value();
  if (o.Get("lockTimeoutMs").IsNumber()) {
    job->account_lock_timeout = std::chrono::milliseconds(o.Get("lockTimeoutMs").As<Napi::Number>().Int64Value());
  }
  auto error = std::make_shared<OAuthError>();
  return run_async<RefreshOutcome>(
      env, "keryx.lifecycleRefresh", [job, error] { return refresh_stored_token(*job, error.get()); },
      [](Napi::Env env, RefreshOutcome& r) -> Napi::Value {
        Napi::Object out = Napi::Object::New(env);
        out.Set("record", token_record_to_js(env, r.record, true));
        out.Set("decision", decision_to_js(env, r.decision));
        out.Set("refreshed", r.refreshed);
        out.Set("rotated", r.rotated);
        out.Set("persisted", r.persisted);
        if (r.persisted) {
          out.Set("persistError", env.Null());
        } else {
          Napi::Object e = Napi::Object::New(env);
          e.Set("code", std::string(r.persist_error.name()));
          e.Set("message", r.persist_error.message());
          out.Set("persistError", e);
        }
        out.Set("recovered", r.recovered);
        out.Set("retried", r.retried);
        out.Set("waited", r.waited);
        return out;
      });
}

}  // namespace

void init_lifecycle(Napi::Env env, Napi::Object exports) {
  exports.Set("lifecycleRefresh", Napi::Function::New(env, refresh_js, "lifecycleRefresh"));
}

}  // namespace keryx::bindings
