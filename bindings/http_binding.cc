// http_binding.cc: httpRequest(options) -> Promise<{ status, headers, body }>. The options become a
// plain HttpRequest on the JS thread; http_send runs on the libuv pool in an AsyncWorker that never
// touches N-API; the promise settles in OnOK. js/lib/http.js validates first; the checks here only
// keep a bad call from reaching curl.
#include <string>
#include <utility>

#include "http_client.h"
#include "module.h"
#include "secret_string.h"
#include "status_error.h"

namespace keryx::bindings {
namespace {

// kFollowRedirectsDefault: how many redirects `followRedirects: true` follows.
constexpr int kFollowRedirectsDefault = 5;

void wipe(std::string& text) {
  secure_wipe(text.data(), text.capacity());
  text.clear();
}

// wipe_request: clears the fields of `request` that may hold secrets (form, header values, body).
void wipe_request(HttpRequest& request) {
  for (auto& [name, value] : request.form) wipe(value);
  for (auto& [name, value] : request.headers) wipe(value);
  wipe(request.body);
}

Status arg_error(const std::string& message) { return Status(Code::kInvalidArgument, message); }

// string_pairs: an object of string values as ordered name/value pairs.
Status string_pairs(const Napi::Value& value, const char* what, std::vector<std::pair<std::string, std::string>>& out) {
  if (!value.IsObject()) return arg_error(std::string(what) + " must be an object");
  auto object = value.As<Napi::Object>();
  Napi::Array names = object.GetPropertyNames();
  for (uint32_t i = 0; i < names.Length(); ++i) {
    Napi::Value name = names.Get(i);
    Napi::Value item = object.Get(name);
    std::string key = name.ToString().Utf8Value();
    if (!item.IsString()) return arg_error(std::string(what) + "." + key + " must be a string");
    out.emplace_back(std::move(key), item.As<Napi::String>().Utf8Value());
  }
  return Status::Ok();
}

Status positive_ms(const Napi::Object& options, const char* name, std::chrono::milliseconds& out) {
  Napi::Value v = options.Get(name);
  if (v.IsUndefined()) return Status::Ok();
  if (!v.IsNumber() || v.As<Napi::Number>().Int64Value() <= 0) {
    return arg_error(std::string(name) + " must be a positive number");
  }
  out = std::chrono::milliseconds(v.As<Napi::Number>().Int64Value());
  return Status::Ok();
}

// request_from: the HttpRequest described by `options` (see js/lib/http.js for the contract).
Status request_from(const Napi::Object& options, HttpRequest& req) {
  Napi::Value url = options.Get("url");
  if (!url.IsString()) return arg_error("url must be a string");
  req.url = url.As<Napi::String>().Utf8Value();
  Napi::Value method = options.Get("method");
  if (!method.IsUndefined()) {
    if (!method.IsString()) return arg_error("method must be a string");
    req.method = method.As<Napi::String>().Utf8Value();
  }
  if (!options.Get("headers").IsUndefined()) {
    KERYX_RETURN_IF_ERROR(string_pairs(options.Get("headers"), "headers", req.headers));
  }
  Napi::Value form = options.Get("form");
  Napi::Value json = options.Get("json");
  Napi::Value body = options.Get("body");
  int kinds = (form.IsUndefined() ? 0 : 1) + (json.IsUndefined() ? 0 : 1) + (body.IsUndefined() ? 0 : 1);
  if (kinds > 1) return arg_error("only one of form, json and body may be given");
  if (!form.IsUndefined()) {
    req.body_kind = HttpBodyKind::kForm;
    KERYX_RETURN_IF_ERROR(string_pairs(form, "form", req.form));
  } else if (!json.IsUndefined()) {
    if (!json.IsString()) return arg_error("json must be a string of JSON text");
    req.body_kind = HttpBodyKind::kJson;
    req.body = json.As<Napi::String>().Utf8Value();
  } else if (body.IsString()) {
    req.body_kind = HttpBodyKind::kRaw;
    req.body = body.As<Napi::String>().Utf8Value();
  } else if (body.IsBuffer()) {
    req.body_kind = HttpBodyKind::kRaw;
    auto bytes = body.As<Napi::Buffer<char>>();
    req.body.assign(bytes.Data(), bytes.Length());
  } else if (!body.IsUndefined()) {
    return arg_error("body must be a string or a Buffer");
  }
  KERYX_RETURN_IF_ERROR(positive_ms(options, "connectTimeoutMs", req.connect_timeout));
  KERYX_RETURN_IF_ERROR(positive_ms(options, "timeoutMs", req.total_timeout));
  Napi::Value max_bytes = options.Get("maxBytes");
  if (!max_bytes.IsUndefined()) {
    if (!max_bytes.IsNumber() || max_bytes.As<Napi::Number>().Int64Value() <= 0) {
      return arg_error("maxBytes must be a positive number");
    }
    req.max_response_bytes = static_cast<std::size_t>(max_bytes.As<Napi::Number>().Int64Value());
  }
  Napi::Value ca_file = options.Get("caFile");
  if (!ca_file.IsUndefined()) {
    if (!ca_file.IsString()) return arg_error("caFile must be a string");
    req.ca_file = ca_file.As<Napi::String>().Utf8Value();
  }
  Napi::Value follow = options.Get("followRedirects");
  if (follow.IsBoolean()) {
    req.max_redirects = follow.As<Napi::Boolean>().Value() ? kFollowRedirectsDefault : 0;
  } else if (follow.IsNumber()) {
    req.max_redirects = follow.As<Napi::Number>().Int32Value();
  } else if (!follow.IsUndefined()) {
    return arg_error("followRedirects must be a boolean or a number");
  }
  return Status::Ok();
}

// headers_to_js: lowercased names; repeats joined with ", " except set-cookie, always an array.
Napi::Object headers_to_js(Napi::Env env, const HttpHeaders& headers) {
  Napi::Object out = Napi::Object::New(env);
  for (const auto& [name, value] : headers) {
    if (name == "set-cookie") {
      if (!out.Has(name)) out.Set(name, Napi::Array::New(env));
      auto list = out.Get(name).As<Napi::Array>();
      list.Set(list.Length(), value);
    } else if (out.Has(name)) {
      out.Set(name, out.Get(name).As<Napi::String>().Utf8Value() + ", " + value);
    } else {
      out.Set(name, value);
    }
  }
  return out;
}

// HttpWorker: runs http_send off the JS thread and settles `deferred` with the outcome.
class HttpWorker : public Napi::AsyncWorker {
 public:
  HttpWorker(Napi::Env env, HttpRequest request)
      : Napi::AsyncWorker(env, "keryx.httpRequest"),
        deferred_(Napi::Promise::Deferred::New(env)),
        request_(std::move(request)),
        result_(Status(Code::kInternal, "the request did not run")) {}

  ~HttpWorker() override { wipe_request(request_); }

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override { result_ = http_send(request_); }

  void OnOK() override {
    Napi::Env env = Env();
    if (!result_.ok()) {
      deferred_.Reject(status_to_error(env, result_.status()).Value());
      return;
    }
    const HttpResponse& response = result_.value();
    Napi::Object out = Napi::Object::New(env);
    out.Set("status", Napi::Number::New(env, static_cast<double>(response.status)));
    out.Set("headers", headers_to_js(env, response.headers));
    out.Set("body", Napi::String::New(env, response.body));
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  HttpRequest request_;
  Result<HttpResponse> result_;
};

Napi::Value http_request_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HttpRequest request;
  Status parsed = info.Length() > 0 && info[0].IsObject() ? request_from(info[0].As<Napi::Object>(), request)
                                                          : arg_error("httpRequest takes an options object");
  if (!parsed.ok()) {  // reject rather than throw: callers always get a promise
    wipe_request(request);
    Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
    deferred.Reject(status_to_error(env, parsed).Value());
    return deferred.Promise();
  }
  auto* worker = new HttpWorker(env, std::move(request));  // deletes itself after OnOK/OnError
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

}  // namespace

void init_http(Napi::Env env, Napi::Object exports) {
  exports.Set("httpRequest", Napi::Function::New(env, http_request_js, "httpRequest"));
}

}  // namespace keryx::bindings
