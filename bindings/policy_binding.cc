// policy_binding.cc: lifecycleDecide, the pure per-shape decision (lifecycle_policy.h) for a record
// as listed (no tokens needed: hasAccessToken / hasRefreshToken say what it holds),
// so `keryx status` and `keryx auth refresh` can say what is due. (Full addon: the shape names live
// in platform.cc.)
#include <string>

#include <ctime>

#include "convert.h"
#include "lifecycle_policy.h"
#include "module.h"
#include "status_error.h"

namespace keryx::bindings {
namespace {

int64_t num(const Napi::Object& o, const char* key, int64_t fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int64Value() : fallback;
}
bool flag(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : fallback;
}
std::string str(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

}  // namespace

Status policy_from_js(const Napi::Object& options, LifecyclePolicy& out) {
  const Napi::Object& o = options;
  LifecyclePolicy& p = out;
  p.skew_seconds = num(o, "skewSeconds", p.skew_seconds);
  p.min_refresh_age_seconds = num(o, "minRefreshAgeSeconds", p.min_refresh_age_seconds);
  p.alert_before_seconds = num(o, "alertBeforeSeconds", p.alert_before_seconds);
  Napi::Value fraction = o.Get("longLivedRefreshFraction");
  if (fraction.IsNumber()) p.long_lived_refresh_fraction = fraction.As<Napi::Number>().DoubleValue();
  p.mint_on_use = flag(o, "mintOnUse", p.mint_on_use);
  if (p.skew_seconds < 0 || p.min_refresh_age_seconds < 0 || p.alert_before_seconds < 0 ||
      !(p.long_lived_refresh_fraction > 0 && p.long_lived_refresh_fraction < 1)) {
    return Status(Code::kInvalidArgument,
                  "lifecycle policy: times must be >= 0 and longLivedRefreshFraction between 0 and 1");
  }
  return Status::Ok();
}

Status purpose_from_js(const std::string& name, LifecyclePurpose& out) {
  if (name.empty() || name == "use") {
    out = LifecyclePurpose::kUse;
  } else if (name == "maintain") {
    out = LifecyclePurpose::kMaintain;
  } else if (name == "force") {
    out = LifecyclePurpose::kForce;
  } else {
    return Status(Code::kInvalidArgument, "purpose must be use, maintain or force");
  }
  return Status::Ok();
}

Napi::Object decision_to_js(Napi::Env env, const LifecycleDecision& decision) {
  const LifecycleDecision& d = decision;
  Napi::Object o = Napi::Object::New(env);
  o.Set("action", std::string(lifecycle_action_name(d.action)));
  o.Set("reason", d.reason);
  o.Set("shape", std::string(token_shape_name(d.shape)));
  auto time = [&](int64_t t) {
    return t > 0 ? Napi::Value(Napi::Number::New(env, static_cast<double>(t))) : env.Null();
  };
  o.Set("expiresAt", time(d.expires_at));
  o.Set("refreshAt", time(d.refresh_at));
  o.Set("notBefore", time(d.not_before));
  o.Set("expiring", d.expiring);
  o.Set("expiringAt", time(d.expiring_at));
  return o;
}

namespace {

// lifecycleDecide(record, {shape, hasRefreshEndpoint, now, purpose, policy}) -> decision
Napi::Value decide_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsObject()) {
    throw_status(env, Status(Code::kInvalidArgument, "lifecycleDecide(record, options)"));
    return env.Undefined();
  }
  auto rec = info[0].As<Napi::Object>();
  auto opt = info[1].As<Napi::Object>();
  TokenRecord r;
  r.platform = str(rec, "platform");
  r.account = str(rec, "account");
  // Only emptiness matters to the policy: stand-ins for tokens the caller may not hold.
  if (flag(rec, "hasAccessToken", false) || rec.Get("accessToken").IsString()) r.access_token = SecretString("x");
  if (flag(rec, "hasRefreshToken", false) || rec.Get("refreshToken").IsString()) r.refresh_token = SecretString("x");
  r.obtained_at = num(rec, "obtainedAt", 0);
  r.expires_at = num(rec, "expiresAt", 0);
  r.refresh_expires_at = num(rec, "refreshExpiresAt", 0);
  Napi::Value meta = rec.Get("metadata");
  if (meta.IsObject()) {
    std::string marked = str(meta.As<Napi::Object>(), std::string(kMetaNeedsReauth).c_str());
    if (!marked.empty()) r.metadata[std::string(kMetaNeedsReauth)] = marked;
  }
  Result<TokenShape> shape = token_shape_parse(str(opt, "shape"));
  LifecyclePolicy policy;
  LifecyclePurpose purpose = LifecyclePurpose::kUse;
  Status s = shape.ok() ? Status::Ok() : shape.status();
  if (s.ok() && opt.Get("policy").IsObject()) s = policy_from_js(opt.Get("policy").As<Napi::Object>(), policy);
  if (s.ok()) s = purpose_from_js(str(opt, "purpose"), purpose);
  if (!s.ok()) {
    throw_status(env, s);
    return env.Undefined();
  }
  const int64_t now = num(opt, "now", static_cast<int64_t>(std::time(nullptr)));
  return decision_to_js(
      env, lifecycle_decide(r, shape.value(), flag(opt, "hasRefreshEndpoint", false), policy, now, purpose));
}

}  // namespace

void init_policy(Napi::Env env, Napi::Object exports) {
  exports.Set("lifecycleDecide", Napi::Function::New(env, decide_js, "lifecycleDecide"));
}

}  // namespace keryx::bindings
