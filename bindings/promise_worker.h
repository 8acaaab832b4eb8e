// promise_worker.h: run one blocking core call on the libuv pool and settle a Promise with it.
// `work` runs off the JS thread and must not touch N-API; `to_js` runs on the JS thread with the
// value. A non-ok Status rejects with status_to_error.
//
//   return run_async<TokenResponse>(env, "keryx.oauthRefresh",
//       [=] { return refresh_access_token(record, client, rt, limits); },
//       [](Napi::Env env, TokenResponse& t) { return token_to_js(env, t); });
#pragma once

#include <napi.h>

#include <functional>
#include <utility>

#include "status.h"
#include "status_error.h"

namespace keryx::bindings {

template <typename T>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<Result<T>()>;
  using ToJs = std::function<Napi::Value(Napi::Env, T&)>;

  PromiseWorker(Napi::Env env, const char* name, Work work, ToJs to_js)
      : Napi::AsyncWorker(env, name),
        deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)),
        to_js_(std::move(to_js)),
        result_(Status(Code::kInternal, "the call did not run")) {}

  Napi::Promise promise() const { return deferred_.Promise(); }
  void Execute() override {
    result_ = work_();
    work_ = nullptr;  // drop captured secrets as soon as the work is done
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (!result_.ok()) {
      deferred_.Reject(status_to_error(env, result_.status()).Value());
      return;
    }
    deferred_.Resolve(to_js_(env, result_.value()));
  }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Work work_;
  ToJs to_js_;
  Result<T> result_;
};

// run_async: queues `work` and returns its Promise.
template <typename T>
Napi::Promise run_async(Napi::Env env, const char* name, typename PromiseWorker<T>::Work work,
                        typename PromiseWorker<T>::ToJs to_js) {
  auto* worker = new PromiseWorker<T>(env, name, std::move(work), std::move(to_js));  // self-deleting
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

// rejected: a Promise already rejected with `status` (bad arguments: callers always get a Promise).
inline Napi::Promise rejected(Napi::Env env, const Status& status) {
  Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
  deferred.Reject(status_to_error(env, status).Value());
  return deferred.Promise();
}

}  // namespace keryx::bindings
