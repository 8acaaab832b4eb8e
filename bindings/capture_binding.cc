// capture_binding.cc: captureStart(options, onResult) -> Promise<CaptureHandle>.
// Binding (certificate + bind) runs on a worker thread; the one result reaches JS through a
// ThreadSafeFunction as onResult(error | null, { code, state, source }). CaptureHandle exposes
// the bound address, offer(text), cancel() and close() -> Promise.
#include <memory>
#include <string>

#include "capture_server.h"
#include "module.h"
#include "status_error.h"

namespace keryx::bindings {
namespace {

// ResultMessage: the outcome, copied off the deciding thread for the JS callback.
struct ResultMessage {
  Result<CaptureResult> result;
};

Napi::Value result_to_js(Napi::Env env, const Result<CaptureResult>& result) {
  const CaptureResult& r = result.value();
  Napi::Object out = Napi::Object::New(env);
  out.Set("code", Napi::String::New(env, r.code.data(), r.code.size()));
  out.Set("state", r.state);
  out.Set("source", r.source == CaptureSource::kPaste ? "paste" : "callback");
  return out;
}

void deliver(Napi::Env env, Napi::Function on_result, std::nullptr_t* /*context*/, ResultMessage* message) {
  std::unique_ptr<ResultMessage> owned(message);
  if (env == nullptr || on_result.IsEmpty()) return;
  if (owned->result.ok()) {
    on_result.Call({env.Null(), result_to_js(env, owned->result)});
  } else {
    on_result.Call({status_to_error(env, owned->result.status()).Value()});
  }
}

using ResultTsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, ResultMessage, deliver>;

class CaptureHandle : public Napi::ObjectWrap<CaptureHandle> {
 public:
  static Napi::FunctionReference* constructor;

  static Napi::Function define(Napi::Env env) {
    return DefineClass(
        env, "CaptureHandle",
        {InstanceMethod("offer", &CaptureHandle::offer), InstanceMethod("cancel", &CaptureHandle::cancel),
         InstanceMethod("close", &CaptureHandle::close)});
  }

  explicit CaptureHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CaptureHandle>(info) {}

  void adopt(std::shared_ptr<CaptureServer> server) {
    server_ = std::move(server);
    Napi::Object self = Value();
    Napi::Env env = self.Env();
    self.Set("redirectUri", server_->redirect_uri());
    self.Set("port", server_->port());
    self.Set("tls", server_->tls());
    self.Set("pasteOnly", server_->paste_only());
    self.Set("certPem", server_->certificate_pem());
    Napi::Array addresses = Napi::Array::New(env);
    for (const std::string& a : server_->bound_addresses()) addresses.Set(addresses.Length(), a);
    self.Set("boundAddresses", addresses);
    Napi::Array skipped = Napi::Array::New(env);
    for (int p : server_->skipped_ports()) skipped.Set(skipped.Length(), p);
    self.Set("skippedPorts", skipped);
  }

 private:
  Napi::Value offer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) {
      throw_status(env, Status(Code::kInvalidArgument, "offer() takes the pasted text as a string"));
      return env.Undefined();
    }
    if (!server_) return status_to_error(env, Status(Code::kAlreadyFinished, "the capture is closed")).Value();
    Status s = server_->offer(info[0].As<Napi::String>().Utf8Value());
    if (s.ok()) return env.Null();
    return status_to_error(env, s).Value();  // returned, not thrown: the flow goes on
  }

  Napi::Value cancel(const Napi::CallbackInfo& info) {
    if (server_) server_->cancel();
    return info.Env().Undefined();
  }

  Napi::Value close(const Napi::CallbackInfo& info);

  std::shared_ptr<CaptureServer> server_;
};

Napi::FunctionReference* CaptureHandle::constructor = nullptr;

// CloseWorker: joins the server's threads off the JS thread.
class CloseWorker : public Napi::AsyncWorker {
 public:
  CloseWorker(Napi::Env env, std::shared_ptr<CaptureServer> server)
      : Napi::AsyncWorker(env, "keryx:capture-close"),
        deferred_(Napi::Promise::Deferred::New(env)),
        server_(std::move(server)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    if (server_) {
      server_->cancel();
      server_->close();
    }
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<CaptureServer> server_;
};

Napi::Value CaptureHandle::close(const Napi::CallbackInfo& info) {
  auto* worker = new CloseWorker(info.Env(), std::move(server_));
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

// StartWorker: certificate + bind + listen, off the JS thread.
class StartWorker : public Napi::AsyncWorker {
 public:
  StartWorker(Napi::Env env, CaptureOptions options, ResultTsfn tsfn)
      : Napi::AsyncWorker(env, "keryx:capture-start"),
        deferred_(Napi::Promise::Deferred::New(env)),
        options_(std::move(options)),
        tsfn_(tsfn) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    ResultTsfn tsfn = tsfn_;
    auto listener = [tsfn](const Result<CaptureResult>& result) mutable {
      tsfn.BlockingCall(new ResultMessage{result});
      tsfn.Release();
    };
    Result<std::unique_ptr<CaptureServer>> started = CaptureServer::start(options_, listener);
    if (started.ok()) {
      server_ = std::shared_ptr<CaptureServer>(std::move(started).value());
    } else {
      status_ = started.status();
      SetError(status_.message());
    }
  }
  void OnOK() override {
    Napi::Object handle = CaptureHandle::constructor->New({});
    CaptureHandle::Unwrap(handle)->adopt(server_);
    deferred_.Resolve(handle);
  }
  void OnError(const Napi::Error& /*error*/) override { deferred_.Reject(status_to_error(Env(), status_).Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  CaptureOptions options_;
  ResultTsfn tsfn_;
  std::shared_ptr<CaptureServer> server_;
  Status status_;
};

// options_from_js: the plain struct from { mode, path, host, rangeFirst, rangeLast, listen,
// redirectUri, state, timeoutMs, readTimeoutMs, maxConnections, cert, appName }.
Result<CaptureOptions> options_from_js(const Napi::Object& o) {
  CaptureOptions out;
  auto str = [&](const char* key, std::string& into) {
    if (o.Has(key) && o.Get(key).IsString()) into = o.Get(key).As<Napi::String>().Utf8Value();
  };
  auto num = [&](const char* key) -> std::optional<int64_t> {
    if (o.Has(key) && o.Get(key).IsNumber()) return o.Get(key).As<Napi::Number>().Int64Value();
    return std::nullopt;
  };
  std::string mode = "http";
  str("mode", mode);
  if (mode == "http") out.mode = CaptureMode::kLoopbackHttp;
  else if (mode == "https-range") out.mode = CaptureMode::kHttpsRange;
  else if (mode == "pinned") out.mode = CaptureMode::kPinned;
  else return Status(Code::kInvalidArgument, "mode must be http, https-range or pinned");
  str("path", out.path);
  str("host", out.loopback_host);
  str("redirectUri", out.redirect_uri);
  str("state", out.expected_state);
  str("appName", out.app_name);
  std::string listen = "all";
  std::string cert = "ecdsa-p256";
  str("listen", listen);
  out.listen_all = listen != "loopback";
  str("cert", cert);
  out.cert_algorithm = cert == "rsa-2048" ? CertAlgorithm::kRsa2048 : CertAlgorithm::kEcdsaP256;
  if (auto v = num("rangeFirst")) out.range_first = static_cast<int>(*v);
  if (auto v = num("rangeLast")) out.range_last = static_cast<int>(*v);
  if (auto v = num("timeoutMs")) out.timeout = std::chrono::milliseconds(*v);
  if (auto v = num("readTimeoutMs")) out.read_timeout = std::chrono::milliseconds(*v);
  if (auto v = num("maxConnections")) out.max_connections = static_cast<std::size_t>(*v);
  return out;
}

Napi::Value capture_start_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction()) {
    throw_status(env, Status(Code::kInvalidArgument, "captureStart(options, onResult)"));
    return env.Undefined();
  }
  Result<CaptureOptions> options = options_from_js(info[0].As<Napi::Object>());
  if (!options.ok()) {
    throw_status(env, options.status());
    return env.Undefined();
  }
  ResultTsfn tsfn = ResultTsfn::New(env, info[1].As<Napi::Function>(), "keryx:capture-result", 0, 1);
  auto* worker = new StartWorker(env, std::move(options).value(), tsfn);
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

}  // namespace

void init_capture(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = CaptureHandle::define(env);
  CaptureHandle::constructor = new Napi::FunctionReference(Napi::Persistent(ctor));
  env.SetInstanceData<Napi::FunctionReference>(CaptureHandle::constructor);
  exports.Set("captureStart", Napi::Function::New(env, capture_start_js, "captureStart"));
}

}  // namespace keryx::bindings
