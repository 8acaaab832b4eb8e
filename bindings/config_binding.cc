// config_binding.cc: configGet(path, key), configSet(path, key, jsonText), configUnset(path, key),
// configList(path) -> Promises over ConfigFile (file I/O and a lock wait run on the libuv pool),
// and configPath() (synchronous: it only reads the environment). Values cross as JSON text;
// js/lib/config.js validates arguments first and parses the text.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config_file.h"
#include "module.h"
#include "status_error.h"

namespace keryx::bindings {
namespace {

// ConfigOutcome: what one operation produced; `text` for get, `leaves` for list.
struct ConfigOutcome {
  Status status;
  std::optional<std::string> text;
  std::vector<std::pair<std::string, std::string>> leaves;
};

enum class ConfigOp { kGet, kSet, kUnset, kList };

// ConfigWorker: runs `work` (which touches only plain strings) off the JS thread and settles the
// promise: get -> string | null, set/unset -> undefined, list -> [{ key, json }].
class ConfigWorker : public Napi::AsyncWorker {
 public:
  ConfigWorker(Napi::Env env, ConfigOp op, std::function<ConfigOutcome()> work)
      : Napi::AsyncWorker(env, "keryx.config"),
        deferred_(Napi::Promise::Deferred::New(env)),
        op_(op),
        work_(std::move(work)) {
    outcome_.status = Status(Code::kInternal, "the config operation did not run");
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override { outcome_ = work_(); }

  void OnOK() override {
    Napi::Env env = Env();
    if (!outcome_.status.ok()) {
      deferred_.Reject(status_to_error(env, outcome_.status).Value());
      return;
    }
    switch (op_) {
      case ConfigOp::kGet:
        deferred_.Resolve(outcome_.text ? Napi::String::New(env, *outcome_.text) : env.Null());
        return;
      case ConfigOp::kList: {
        Napi::Array out = Napi::Array::New(env, outcome_.leaves.size());
        for (uint32_t i = 0; i < outcome_.leaves.size(); ++i) {
          Napi::Object leaf = Napi::Object::New(env);
          leaf.Set("key", outcome_.leaves[i].first);
          leaf.Set("json", outcome_.leaves[i].second);
          out.Set(i, leaf);
        }
        deferred_.Resolve(out);
        return;
      }
      case ConfigOp::kSet:
      case ConfigOp::kUnset: deferred_.Resolve(env.Undefined()); return;
    }
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  ConfigOp op_;
  std::function<ConfigOutcome()> work_;
  ConfigOutcome outcome_;
};

// string_args: the first `count` arguments as strings; invalid_argument naming the first that is not.
Status string_args(const Napi::CallbackInfo& info, std::vector<const char*> names, std::vector<std::string>& out) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (info.Length() <= i || !info[i].IsString()) {
      return Status(Code::kInvalidArgument, std::string(names[i]) + " must be a string");
    }
    out.push_back(info[i].As<Napi::String>().Utf8Value());
  }
  return Status::Ok();
}

Napi::Value rejected(Napi::Env env, const Status& status) {
  Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
  deferred.Reject(status_to_error(env, status).Value());
  return deferred.Promise();
}

// start: validates the string arguments, then queues `make(args)` as the worker's job.
Napi::Value start(const Napi::CallbackInfo& info, ConfigOp op, std::vector<const char*> names,
                  const std::function<std::function<ConfigOutcome()>(std::vector<std::string>)>& make) {
  std::vector<std::string> args;
  Status parsed = string_args(info, std::move(names), args);
  if (!parsed.ok()) return rejected(info.Env(), parsed);
  auto* worker = new ConfigWorker(info.Env(), op, make(std::move(args)));  // deletes itself
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

Napi::Value config_get_js(const Napi::CallbackInfo& info) {
  return start(info, ConfigOp::kGet, {"path", "key"}, [](std::vector<std::string> a) {
    return [a = std::move(a)]() {
      ConfigOutcome out;
      Result<ConfigFile> file = ConfigFile::load(a[0]);
      if (!file.ok()) return ConfigOutcome{file.status(), {}, {}};
      Result<std::optional<std::string>> value = file.value().get(a[1]);
      out.status = value.status();
      if (value.ok()) out.text = value.value();
      return out;
    };
  });
}

Napi::Value config_set_js(const Napi::CallbackInfo& info) {
  return start(info, ConfigOp::kSet, {"path", "key", "jsonText"}, [](std::vector<std::string> a) {
    return [a = std::move(a)]() {
      Status s = ConfigFile::update(a[0], [&](ConfigFile& f) { return f.set(a[1], a[2]); });
      return ConfigOutcome{s, {}, {}};
    };
  });
}

Napi::Value config_unset_js(const Napi::CallbackInfo& info) {
  return start(info, ConfigOp::kUnset, {"path", "key"}, [](std::vector<std::string> a) {
    return [a = std::move(a)]() {
      Status s = ConfigFile::update(a[0], [&](ConfigFile& f) { return f.unset(a[1]); });
      return ConfigOutcome{s, {}, {}};
    };
  });
}

Napi::Value config_list_js(const Napi::CallbackInfo& info) {
  return start(info, ConfigOp::kList, {"path"}, [](std::vector<std::string> a) {
    return [a = std::move(a)]() {
      Result<ConfigFile> file = ConfigFile::load(a[0]);
      if (!file.ok()) return ConfigOutcome{file.status(), {}, {}};
      return ConfigOutcome{Status::Ok(), {}, file.value().list()};
    };
  });
}

Napi::Value config_path_js(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), ConfigFile::default_path());
}

}  // namespace

void init_config(Napi::Env env, Napi::Object exports) {
  exports.Set("configGet", Napi::Function::New(env, config_get_js, "configGet"));
  exports.Set("configSet", Napi::Function::New(env, config_set_js, "configSet"));
  exports.Set("configUnset", Napi::Function::New(env, config_unset_js, "configUnset"));
  exports.Set("configList", Napi::Function::New(env, config_list_js, "configList"));
  exports.Set("configPath", Napi::Function::New(env, config_path_js, "configPath"));
}

}  // namespace keryx::bindings
