// flow_binding.cc: the OAuth flow for JS: platform records (to and from plain objects), the
// authorize URL, and Promise-returning exchange (+ account post-steps), refresh, revocation and
// issuer discovery. Tokens cross into JS only as the resolved values; secrets passed in are copied
// into SecretStrings and the worker drops them when its call is done.
#include <string>
#include <utility>
#include <vector>

#include "account_steps.h"
#include "callback_params.h"
#include "convert.h"
#include "issuer_discovery.h"
#include "module.h"
#include "oauth_client.h"
#include "platform.h"
#include "promise_worker.h"
#include "status_error.h"

namespace keryx::bindings {
namespace {

Status arg_error(const std::string& message) { return Status(Code::kInvalidArgument, message); }

Status get_string(const Napi::Object& o, const char* key, std::string& out, bool required = false) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) {
    return required ? arg_error(std::string(key) + " is required") : Status::Ok();
  }
  if (!v.IsString()) return arg_error(std::string(key) + " must be a string");
  out = v.As<Napi::String>().Utf8Value();
  return Status::Ok();
}

Status get_secret(const Napi::Object& o, const char* key, SecretString& out) {
  std::string text;
  KERYX_RETURN_IF_ERROR(get_string(o, key, text));
  out = SecretString(text);
  secure_wipe(text.data(), text.size());
  return Status::Ok();
}

Status get_strings(const Napi::Object& o, const char* key, std::vector<std::string>& out) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return Status::Ok();
  if (!v.IsArray()) return arg_error(std::string(key) + " must be an array of strings");
  auto a = v.As<Napi::Array>();
  out.clear();
  for (uint32_t i = 0; i < a.Length(); ++i) {
    if (!a.Get(i).IsString()) return arg_error(std::string(key) + " must be an array of strings");
    out.push_back(a.Get(i).As<Napi::String>().Utf8Value());
  }
  return Status::Ok();
}

template <typename E>
Status get_enum(const Napi::Object& o, const char* key, E& out, Result<E> (*parse)(std::string_view)) {
  std::string name;
  KERYX_RETURN_IF_ERROR(get_string(o, key, name));
  if (name.empty()) return Status::Ok();
  Result<E> parsed = parse(name);
  if (!parsed.ok()) return parsed.status();
  out = parsed.value();
  return Status::Ok();
}

Napi::Array strings_to_js(Napi::Env env, const std::vector<std::string>& items) {
  Napi::Array a = Napi::Array::New(env, items.size());
  for (uint32_t i = 0; i < items.size(); ++i) a.Set(i, items[i]);
  return a;
}

Napi::Object endpoints_to_js(Napi::Env env, const PlatformEndpoints& e) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("authorizeUrl", e.authorize_url);
  o.Set("tokenUrl", e.token_url);
  o.Set("revokeUrl", e.revoke_url);
  o.Set("userinfoUrl", e.userinfo_url);
  o.Set("longLivedUrl", e.long_lived_url);
  o.Set("refreshUrl", e.refresh_url);
  return o;
}

Napi::Object record_to_js(Napi::Env env, const PlatformRecord& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", r.id);
  o.Set("displayName", r.display_name);
  o.Set("endpoints", endpoints_to_js(env, r.endpoints));
  o.Set("clientIdParam", r.client_id_param);
  o.Set("pkce", r.pkce ? Napi::Value(Napi::String::New(env, std::string(pkce_method_name(*r.pkce)))) : env.Null());
  o.Set("redirectKind", std::string(redirect_kind_name(r.redirect_kind)));
  o.Set("redirectPath", r.redirect_path);
  o.Set("defaultRedirect", r.default_redirect);
  o.Set("scopes", strings_to_js(env, r.scopes));
  o.Set("scopeSeparator", std::string(1, r.scope_separator));
  Napi::Object extra = Napi::Object::New(env);
  for (const auto& [k, v] : r.extra_authorize_params) extra.Set(k, v);
  o.Set("extraAuthorizeParams", extra);
  o.Set("clientAuth", std::string(client_auth_name(r.client_auth)));
  o.Set("tokenShape", std::string(token_shape_name(r.shape)));
  o.Set("dialect", std::string(response_dialect_name(r.dialect)));
  o.Set("checkGrantedScopes", r.check_granted_scopes);
  o.Set("clientIdKey", r.client_id_key);
  o.Set("clientSecretEnv", r.client_secret_env);
  return o;
}

Status record_from_js(const Napi::Value& value, PlatformRecord& r) {
  if (!value.IsObject()) return arg_error("record must be an object");
  auto o = value.As<Napi::Object>();
  KERYX_RETURN_IF_ERROR(get_string(o, "id", r.id, true));
  KERYX_RETURN_IF_ERROR(get_string(o, "displayName", r.display_name));
  if (r.display_name.empty()) r.display_name = r.id;
  Napi::Value ev = o.Get("endpoints");
  if (!ev.IsObject()) return arg_error("record.endpoints must be an object");
  auto e = ev.As<Napi::Object>();
  KERYX_RETURN_IF_ERROR(get_string(e, "authorizeUrl", r.endpoints.authorize_url));
  KERYX_RETURN_IF_ERROR(get_string(e, "tokenUrl", r.endpoints.token_url));
  KERYX_RETURN_IF_ERROR(get_string(e, "revokeUrl", r.endpoints.revoke_url));
  KERYX_RETURN_IF_ERROR(get_string(e, "userinfoUrl", r.endpoints.userinfo_url));
  KERYX_RETURN_IF_ERROR(get_string(e, "longLivedUrl", r.endpoints.long_lived_url));
  KERYX_RETURN_IF_ERROR(get_string(e, "refreshUrl", r.endpoints.refresh_url));
  KERYX_RETURN_IF_ERROR(get_string(o, "clientIdParam", r.client_id_param));
  Napi::Value pkce = o.Get("pkce");
  if (pkce.IsString()) {
    Result<PkceMethod> m = pkce_parse_method(pkce.As<Napi::String>().Utf8Value());
    if (!m.ok()) return m.status();
    r.pkce = m.value();
  } else if (pkce.IsNull() || pkce.IsUndefined()) {
    r.pkce.reset();
  } else {
    return arg_error("record.pkce must be a method name or null");
  }
  KERYX_RETURN_IF_ERROR(get_enum(o, "redirectKind", r.redirect_kind, redirect_kind_parse));
  KERYX_RETURN_IF_ERROR(get_string(o, "redirectPath", r.redirect_path));
  KERYX_RETURN_IF_ERROR(get_string(o, "defaultRedirect", r.default_redirect));
  KERYX_RETURN_IF_ERROR(get_strings(o, "scopes", r.scopes));
  std::string sep;
  KERYX_RETURN_IF_ERROR(get_string(o, "scopeSeparator", sep));
  if (sep.size() > 1) return arg_error("record.scopeSeparator must be one character");
  if (sep.size() == 1) r.scope_separator = sep[0];
  Napi::Value extra = o.Get("extraAuthorizeParams");
  if (extra.IsObject()) {
    r.extra_authorize_params.clear();
    auto x = extra.As<Napi::Object>();
    Napi::Array names = x.GetPropertyNames();
    for (uint32_t i = 0; i < names.Length(); ++i) {
      std::string k = names.Get(i).ToString().Utf8Value();
      if (!x.Get(k).IsString()) return arg_error("record.extraAuthorizeParams values must be strings");
      r.extra_authorize_params.emplace_back(k, x.Get(k).As<Napi::String>().Utf8Value());
    }
  }
  KERYX_RETURN_IF_ERROR(get_enum(o, "clientAuth", r.client_auth, client_auth_parse));
  KERYX_RETURN_IF_ERROR(get_enum(o, "tokenShape", r.shape, token_shape_parse));
  KERYX_RETURN_IF_ERROR(get_enum(o, "dialect", r.dialect, response_dialect_parse));
  Napi::Value check = o.Get("checkGrantedScopes");
  if (check.IsBoolean()) r.check_granted_scopes = check.As<Napi::Boolean>().Value();
  KERYX_RETURN_IF_ERROR(get_string(o, "clientIdKey", r.client_id_key));
  KERYX_RETURN_IF_ERROR(get_string(o, "clientSecretEnv", r.client_secret_env));
  return platform_validate(r);
}

Status limits_from(const Napi::Object& o, RequestLimits& limits) {
  Napi::Value t = o.Get("timeoutMs");
  if (!t.IsUndefined()) {
    if (!t.IsNumber() || t.As<Napi::Number>().Int64Value() <= 0)
      return arg_error("timeoutMs must be a positive number");
    limits.timeout = std::chrono::milliseconds(t.As<Napi::Number>().Int64Value());
  }
  return get_string(o, "caFile", limits.ca_file);
}

Status client_from(const Napi::Object& o, ClientCredentials& c) {
  KERYX_RETURN_IF_ERROR(get_string(o, "clientId", c.client_id, true));
  return get_secret(o, "clientSecret", c.client_secret);
}

Napi::Value optional_number(Napi::Env env, const std::optional<std::int64_t>& v) {
  return v ? Napi::Value(Napi::Number::New(env, static_cast<double>(*v))) : env.Null();
}

Napi::Object token_to_js(Napi::Env env, const TokenResponse& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("accessToken", std::string(t.access_token.view()));
  o.Set("refreshToken", t.refresh_token.empty()
                            ? env.Null()
                            : Napi::Value(Napi::String::New(env, std::string(t.refresh_token.view()))));
  o.Set("idToken",
        t.id_token.empty() ? env.Null() : Napi::Value(Napi::String::New(env, std::string(t.id_token.view()))));
  o.Set("tokenType", t.token_type);
  o.Set("scopes", strings_to_js(env, t.scopes));
  o.Set("scopesReported", t.scopes_reported);
  o.Set("expiresIn", optional_number(env, t.expires_in));
  o.Set("refreshExpiresIn", optional_number(env, t.refresh_expires_in));
  o.Set("accountId", t.account_id);
  return o;
}

// Parsed arguments of the two-argument calls: (record, options).
struct Call {
  PlatformRecord record;
  ClientCredentials client;
  RequestLimits limits;
  Napi::Object options;
};

Status parse_call(const Napi::CallbackInfo& info, Call& call, bool with_client = true) {
  if (info.Length() < 2 || !info[1].IsObject()) return arg_error("expected (record, options)");
  KERYX_RETURN_IF_ERROR(record_from_js(info[0], call.record));
  call.options = info[1].As<Napi::Object>();
  if (with_client) KERYX_RETURN_IF_ERROR(client_from(call.options, call.client));
  return limits_from(call.options, call.limits);
}

Napi::Value platform_builtin_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    throw_status(env, arg_error("platformBuiltin takes a platform id"));
    return env.Undefined();
  }
  Result<PlatformRecord> r = builtin_platform(info[0].As<Napi::String>().Utf8Value());
  if (!r.ok()) {
    throw_status(env, r.status());
    return env.Undefined();
  }
  return record_to_js(env, r.value());
}

Napi::Value platform_ids_js(const Napi::CallbackInfo& info) {
  return strings_to_js(info.Env(), builtin_platform_ids());
}

Napi::Value validate_record_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PlatformRecord r;
  Status s = info.Length() > 0 ? record_from_js(info[0], r) : arg_error("validateRecord takes a record");
  if (!s.ok()) {
    throw_status(env, s);
    return env.Undefined();
  }
  return record_to_js(env, r);
}

Napi::Value authorize_url_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Call call;
  AuthorizeRequest req;
  Status s = parse_call(info, call, false);
  if (s.ok()) s = get_string(call.options, "clientId", req.client_id, true);
  if (s.ok()) s = get_string(call.options, "redirectUri", req.redirect_uri, true);
  if (s.ok()) s = get_string(call.options, "state", req.state);
  if (s.ok()) s = get_string(call.options, "codeChallenge", req.code_challenge);
  if (s.ok()) s = get_strings(call.options, "scopes", req.scopes);
  Result<std::string> url = s.ok() ? authorize_url(call.record, req) : Result<std::string>(s);
  if (!url.ok()) {
    throw_status(env, url.status());
    return env.Undefined();
  }
  return Napi::String::New(env, url.value());
}

// Exchanged: the token and (when asked) who it belongs to.
struct Exchanged {
  TokenResponse token;
  AccountInfo account;
  bool has_account = false;
};

Napi::Value exchange_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto call = std::make_shared<Call>();
  Status s = parse_call(info, *call);
  auto code = std::make_shared<SecretString>();
  auto verifier = std::make_shared<SecretString>();
  std::string redirect;
  std::vector<std::string> requested;
  bool complete = true;
  if (s.ok()) s = get_secret(call->options, "code", *code);
  if (s.ok()) s = get_secret(call->options, "verifier", *verifier);
  if (s.ok()) s = get_string(call->options, "redirectUri", redirect, true);
  if (s.ok()) s = get_strings(call->options, "scopes", requested);
  if (s.ok() && call->options.Get("completeAccount").IsBoolean()) {
    complete = call->options.Get("completeAccount").As<Napi::Boolean>().Value();
  }
  if (!s.ok()) return rejected(env, s);
  return run_async<Exchanged>(
      env, "keryx.oauthExchange",
      [call, code, verifier, redirect, requested, complete]() -> Result<Exchanged> {
        Exchanged out;
        Result<TokenResponse> t =
            exchange_code(call->record, call->client, code->view(), verifier->view(), redirect, call->limits);
        if (!t.ok()) return t.status();
        out.token = std::move(t).value();
        if (complete) {
          Result<AccountInfo> a = complete_account(call->record, call->client, out.token, requested, call->limits);
          if (!a.ok()) return a.status();
          out.account = std::move(a).value();
          out.has_account = true;
        }
        return out;
      },
      [](Napi::Env env, Exchanged& e) -> Napi::Value {
        Napi::Object o = Napi::Object::New(env);
        o.Set("token", token_to_js(env, e.token));
        if (e.has_account) {
          Napi::Object a = Napi::Object::New(env);
          a.Set("accountId", e.account.account_id);
          Napi::Object fields = Napi::Object::New(env);
          for (const auto& [k, v] : e.account.fields) fields.Set(k, v);
          a.Set("fields", fields);
          o.Set("account", a);
        }
        return o;
      });
}

Napi::Value refresh_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto call = std::make_shared<Call>();
  auto refresh = std::make_shared<SecretString>();
  Status s = parse_call(info, *call);
  if (s.ok()) s = get_secret(call->options, "refreshToken", *refresh);
  if (!s.ok()) return rejected(env, s);
  return run_async<TokenResponse>(
      env, "keryx.oauthRefresh",
      [call, refresh] { return refresh_access_token(call->record, call->client, refresh->view(), call->limits); },
      [](Napi::Env env, const TokenResponse& t) -> Napi::Value { return token_to_js(env, t); });
}

Napi::Value revoke_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto call = std::make_shared<Call>();
  auto token = std::make_shared<SecretString>();
  std::string hint;
  Status s = parse_call(info, *call);
  if (s.ok()) s = get_secret(call->options, "token", *token);
  if (s.ok()) s = get_string(call->options, "hint", hint);
  if (!s.ok()) return rejected(env, s);
  return run_async<bool>(
      env, "keryx.oauthRevoke",
      [call, token, hint]() -> Result<bool> {
        Status r = revoke_token(call->record, call->client, token->view(), hint, call->limits);
        if (!r.ok()) return r;
        return true;
      },
      [](Napi::Env env, bool&) -> Napi::Value { return env.Undefined(); });
}

// judgePaste(text, expectedState): the core's paste rules (judge_paste) for `keryx auth --code`:
// { code } for a code, { error, description } for a platform error; throws for anything refused
// (paste_invalid, missing_code, state_mismatch). An empty expectedState checks no state.
Napi::Value judge_paste_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    throw_status(env, arg_error("judgePaste takes (text, expectedState)"));
    return env.Undefined();
  }
  std::string text = info[0].As<Napi::String>().Utf8Value();
  CallbackVerdict v = judge_paste(text, info[1].As<Napi::String>().Utf8Value());
  secure_wipe(text.data(), text.size());
  Napi::Object out = Napi::Object::New(env);
  switch (v.kind) {
    case CallbackVerdict::Kind::kCode: out.Set("code", std::string(v.code.view())); return out;
    case CallbackVerdict::Kind::kPlatformError:
      out.Set("error", v.error);
      out.Set("description", v.description);
      return out;
    case CallbackVerdict::Kind::kRejected: break;
  }
  throw_status(env, v.status);
  return env.Undefined();
}

Napi::Value discover_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string issuer;
  RequestLimits limits;
  Status s = info.Length() > 0 && info[0].IsString() ? Status::Ok() : arg_error("discoverIssuer takes an issuer URL");
  if (s.ok()) issuer = info[0].As<Napi::String>().Utf8Value();
  if (s.ok() && info.Length() > 1 && info[1].IsObject()) s = limits_from(info[1].As<Napi::Object>(), limits);
  if (!s.ok()) return rejected(env, s);
  return run_async<IssuerMetadata>(
      env, "keryx.discoverIssuer", [issuer, limits] { return discover_issuer(issuer, limits); },
      [](Napi::Env env, IssuerMetadata& m) -> Napi::Value {
        Napi::Object o = Napi::Object::New(env);
        o.Set("issuer", m.issuer);
        o.Set("endpoints", endpoints_to_js(env, m.endpoints));
        o.Set("codeChallengeMethods", strings_to_js(env, m.code_challenge_methods));
        o.Set("scopesSupported", strings_to_js(env, m.scopes_supported));
        return o;
      });
}

}  // namespace

Status platform_record_from_js(const Napi::Value& value, PlatformRecord& out) { return record_from_js(value, out); }
Status client_credentials_from_js(const Napi::Object& options, ClientCredentials& out) {
  return client_from(options, out);
}
Status request_limits_from_js(const Napi::Object& options, RequestLimits& out) { return limits_from(options, out); }

void init_flow(Napi::Env env, Napi::Object exports) {
  exports.Set("platformIds", Napi::Function::New(env, platform_ids_js, "platformIds"));
  exports.Set("platformBuiltin", Napi::Function::New(env, platform_builtin_js, "platformBuiltin"));
  exports.Set("validateRecord", Napi::Function::New(env, validate_record_js, "validateRecord"));
  exports.Set("authorizeUrl", Napi::Function::New(env, authorize_url_js, "authorizeUrl"));
  exports.Set("oauthExchange", Napi::Function::New(env, exchange_js, "oauthExchange"));
  exports.Set("oauthRefresh", Napi::Function::New(env, refresh_js, "oauthRefresh"));
  exports.Set("oauthRevoke", Napi::Function::New(env, revoke_js, "oauthRevoke"));
  exports.Set("discoverIssuer", Napi::Function::New(env, discover_js, "discoverIssuer"));
  exports.Set("judgePaste", Napi::Function::New(env, judge_paste_js, "judgePaste"));
}

}  // namespace keryx::bindings
