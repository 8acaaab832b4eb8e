// store_binding.cc: the token store. Every call opens the vault on a worker thread (key
// resolution may talk to the keychain; Argon2id may take 100 ms), does one operation and resolves
// a Promise. Secrets cross into JS only from storeGet.
#include <functional>
#include <optional>
#include <string>

#include "convert.h"
#include "module.h"
#include "status_error.h"
#include "token_store.h"

namespace keryx::bindings {
namespace {

std::string str(const Napi::Object& o, const char* key) {
  return o.Has(key) && o.Get(key).IsString() ? o.Get(key).As<Napi::String>().Utf8Value() : std::string();
}
int64_t num(const Napi::Object& o, const char* key, int64_t fallback = 0) {
  return o.Has(key) && o.Get(key).IsNumber() ? o.Get(key).As<Napi::Number>().Int64Value() : fallback;
}

StoreOptions options_from_js(const Napi::Object& o) {
  StoreOptions out;
  out.vault_path = str(o, "vaultPath");
  out.install_id_path = str(o, "installIdPath");
  out.keys.key_file_path = str(o, "keyFilePath");
  out.keys.keychain_account = str(o, "keychainAccount");
  out.keys.keychain_enabled =
      !(o.Has("keychain") && o.Get("keychain").IsBoolean() && !o.Get("keychain").As<Napi::Boolean>().Value());
  out.keys.keychain_timeout = std::chrono::milliseconds(num(o, "keychainTimeoutMs", 3000));
  out.keys.env_key = SecretString(str(o, "envKey"));
  out.keys.passphrase = SecretString(str(o, "passphrase"));
  out.lock_timeout = std::chrono::milliseconds(num(o, "lockTimeoutMs", 10000));
  return out;
}

TokenRecord record_from_js(const Napi::Object& o) {
  TokenRecord r;
  r.platform = str(o, "platform");
  r.account = str(o, "account");
  r.access_token = SecretString(str(o, "accessToken"));
  r.refresh_token = SecretString(str(o, "refreshToken"));
  r.token_type = str(o, "tokenType");
  r.obtained_at = num(o, "obtainedAt");
  r.expires_at = num(o, "expiresAt");
  r.refresh_expires_at = num(o, "refreshExpiresAt");
  r.is_default = o.Has("isDefault") && o.Get("isDefault").ToBoolean().Value();
  if (o.Has("scopes") && o.Get("scopes").IsArray()) {
    auto a = o.Get("scopes").As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      if (a.Get(i).IsString()) r.scopes.push_back(a.Get(i).As<Napi::String>().Utf8Value());
    }
  }
  if (o.Has("metadata") && o.Get("metadata").IsObject()) {
    auto m = o.Get("metadata").As<Napi::Object>();
    Napi::Array keys = m.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); ++i) {
      std::string k = keys.Get(i).ToString().Utf8Value();
      if (m.Get(k).IsString()) r.metadata[k] = m.Get(k).As<Napi::String>().Utf8Value();
    }
  }
  return r;
}

Napi::Object record_to_js(Napi::Env env, const TokenRecord& r, bool with_secrets) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("platform", r.platform);
  o.Set("account", r.account);
  if (with_secrets) {
    o.Set("accessToken", Napi::String::New(env, r.access_token.data(), r.access_token.size()));
    if (!r.refresh_token.empty()) {
      o.Set("refreshToken", Napi::String::New(env, r.refresh_token.data(), r.refresh_token.size()));
    }
  }
  o.Set("hasAccessToken", !r.access_token.empty());
  o.Set("hasRefreshToken", !r.refresh_token.empty());
  o.Set("tokenType", r.token_type);
  Napi::Array scopes = Napi::Array::New(env, r.scopes.size());
  for (std::size_t i = 0; i < r.scopes.size(); ++i) scopes.Set(static_cast<uint32_t>(i), r.scopes[i]);
  o.Set("scopes", scopes);
  o.Set("obtainedAt", static_cast<double>(r.obtained_at));
  o.Set("expiresAt", static_cast<double>(r.expires_at));
  o.Set("refreshExpiresAt", static_cast<double>(r.refresh_expires_at));
  o.Set("isDefault", r.is_default);
  Napi::Object meta = Napi::Object::New(env);
  for (const auto& [k, v] : r.metadata) meta.Set(k, v);
  o.Set("metadata", meta);
  return o;
}

Napi::Object attempts_to_js(Napi::Env env, const std::vector<ProviderAttempt>& skipped) {
  Napi::Array out = Napi::Array::New(env, skipped.size());
  for (std::size_t i = 0; i < skipped.size(); ++i) {
    Napi::Object a = Napi::Object::New(env);
    a.Set("provider", key_provider_name(skipped[i].kind));
    a.Set("code", std::string(skipped[i].reason.name()));
    a.Set("message", skipped[i].reason.message());
    out.Set(static_cast<uint32_t>(i), a);
  }
  return out;
}

// StoreWorker: runs `work` on a worker thread; `done` converts its output on the JS thread.
class StoreWorker : public Napi::AsyncWorker {
 public:
  struct Output {
    std::optional<TokenSet> set;
    std::optional<TokenRecord> record;
    std::optional<StoreInfo> info;
    std::optional<KeyResolution> key;
    bool removed = false;
  };
  using Work = std::function<Status(Output&)>;
  using Done = std::function<Napi::Value(Napi::Env, Output&)>;

  StoreWorker(Napi::Env env, Work work, Done done)
      : Napi::AsyncWorker(env, "keryx:store"),
        deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)),
        done_(std::move(done)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    status_ = work_(output_);
    if (!status_.ok()) SetError(status_.message());
  }
  void OnOK() override { deferred_.Resolve(done_(Env(), output_)); }
  void OnError(const Napi::Error& /*error*/) override { deferred_.Reject(status_to_error(Env(), status_).Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Work work_;
  Done done_;
  Output output_;
  Status status_;
};

Napi::Value queue(Napi::Env env, StoreWorker::Work work, StoreWorker::Done done) {
  auto* worker = new StoreWorker(env, std::move(work), std::move(done));
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

bool check_args(const Napi::CallbackInfo& info, std::size_t strings_after_options) {
  if (info.Length() < 1 + strings_after_options || !info[0].IsObject()) return false;
  for (std::size_t i = 1; i <= strings_after_options; ++i) {
    if (!info[i].IsString()) return false;
  }
  return true;
}

Napi::Value usage(Napi::Env env, const char* text) {
  throw_status(env, Status(Code::kInvalidArgument, text));
  return env.Undefined();
}

Napi::Value store_list(const Napi::CallbackInfo& info) {
  if (!check_args(info, 0)) return usage(info.Env(), "storeList(options)");
  StoreOptions options = options_from_js(info[0].As<Napi::Object>());
  return queue(
      info.Env(),
      [options](StoreWorker::Output& out) -> Status {
        Result<std::unique_ptr<TokenStore>> store = TokenStore::open(options, false);
        if (!store.ok()) return store.status();
        Result<TokenSet> set = store.value()->list();
        if (!set.ok()) return set.status();
        out.set = std::move(set).value();
        return Status::Ok();
      },
      [](Napi::Env env, StoreWorker::Output& out) -> Napi::Value {
        Napi::Array a = Napi::Array::New(env, out.set->records.size());
        for (std::size_t i = 0; i < out.set->records.size(); ++i)
          a.Set(static_cast<uint32_t>(i), record_to_js(env, out.set->records[i], false));
        return a;
      });
}

Napi::Value store_get(const Napi::CallbackInfo& info) {
  if (!check_args(info, 2)) return usage(info.Env(), "storeGet(options, platform, account)");
  StoreOptions options = options_from_js(info[0].As<Napi::Object>());
  std::string platform = info[1].As<Napi::String>().Utf8Value();
  std::string account = info[2].As<Napi::String>().Utf8Value();
  return queue(
      info.Env(),
      [options, platform, account](StoreWorker::Output& out) -> Status {
        Result<std::unique_ptr<TokenStore>> store = TokenStore::open(options, false);
        if (!store.ok()) return store.status();
        Result<TokenRecord> r = store.value()->get(platform, account);
        if (!r.ok()) return r.status();
        out.record = std::move(r).value();
        out.key = store.value()->key();
        return Status::Ok();
      },
      [](Napi::Env env, const StoreWorker::Output& out) -> Napi::Value {
        Napi::Object o = record_to_js(env, *out.record, true);
        o.Set("keyProvider", key_provider_name(out.key->material.provider));
        return o;
      });
}

// storePut(options, record | record[]): one record, or many in one update.
Napi::Value store_put(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsObject())
    return usage(info.Env(), "storePut(options, record)");
  StoreOptions options = options_from_js(info[0].As<Napi::Object>());
  auto records = std::make_shared<std::vector<TokenRecord>>();
  if (info[1].IsArray()) {
    auto a = info[1].As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      if (!a.Get(i).IsObject()) return usage(info.Env(), "storePut(options, records): every record must be an object");
      records->push_back(record_from_js(a.Get(i).As<Napi::Object>()));
    }
  } else {
    records->push_back(record_from_js(info[1].As<Napi::Object>()));
  }
  return queue(
      info.Env(),
      [options, records](StoreWorker::Output& out) -> Status {
        for (const TokenRecord& r : *records) KERYX_RETURN_IF_ERROR(validate_record(r));
        Result<std::unique_ptr<TokenStore>> store = TokenStore::open(options, true);
        if (!store.ok()) return store.status();
        out.key = store.value()->key();
        return store.value()->put_many(std::move(*records));
      },
      [](Napi::Env env, StoreWorker::Output& out) -> Napi::Value {
        Napi::Object o = Napi::Object::New(env);
        o.Set("keyProvider", key_provider_name(out.key->material.provider));
        o.Set("keyCreated", out.key->created);
        o.Set("skipped", attempts_to_js(env, out.key->skipped));
        return o;
      });
}

Napi::Value store_delete(const Napi::CallbackInfo& info) {
  if (!check_args(info, 2)) return usage(info.Env(), "storeDelete(options, platform, account)");
  StoreOptions options = options_from_js(info[0].As<Napi::Object>());
  std::string platform = info[1].As<Napi::String>().Utf8Value();
  std::string account = info[2].As<Napi::String>().Utf8Value();
  return queue(
      info.Env(),
      [options, platform, account](StoreWorker::Output& out) -> Status {
        Result<std::unique_ptr<TokenStore>> store = TokenStore::open(options, false);
        if (!store.ok()) return store.status();
        Result<bool> removed = store.value()->remove(platform, account);
        if (!removed.ok()) return removed.status();
        out.removed = removed.value();
        return Status::Ok();
      },
      [](Napi::Env env, const StoreWorker::Output& out) -> Napi::Value {
        return Napi::Boolean::New(env, out.removed);
      });
}

Napi::Value store_info(const Napi::CallbackInfo& info) {
  if (!check_args(info, 0)) return usage(info.Env(), "storeInfo(options)");
  StoreOptions options = options_from_js(info[0].As<Napi::Object>());
  return queue(
      info.Env(),
      [options](StoreWorker::Output& out) -> Status {
        out.info = TokenStore::info(options);
        return Status::Ok();
      },
      [](Napi::Env env, StoreWorker::Output& out) -> Napi::Value {
        const StoreInfo& i = *out.info;
        Napi::Object o = Napi::Object::New(env);
        o.Set("vaultExists", i.vault_exists);
        o.Set("keyAvailable", i.key_available);
        o.Set("keyProvider", (i.key_available || i.vault_exists)
                                 ? Napi::Value(Napi::String::New(env, key_provider_name(i.provider)))
                                 : env.Null());
        o.Set("skipped", attempts_to_js(env, i.skipped));
        if (!i.key_problem.ok()) {
          Napi::Object p = Napi::Object::New(env);
          p.Set("code", std::string(i.key_problem.name()));
          p.Set("message", i.key_problem.message());
          o.Set("problem", p);
        } else {
          o.Set("problem", env.Null());
        }
        o.Set("generation", static_cast<double>(i.generation));
        o.Set("records", static_cast<double>(i.records));
        Napi::Array list = Napi::Array::New(env, i.set.records.size());
        for (std::size_t n = 0; n < i.set.records.size(); ++n)
          list.Set(static_cast<uint32_t>(n), record_to_js(env, i.set.records[n], false));
        o.Set("list", list);
        return o;
      });
}

}  // namespace

StoreOptions store_options_from_js(const Napi::Object& options) { return options_from_js(options); }
Napi::Object token_record_to_js(Napi::Env env, const TokenRecord& record, bool with_secrets) {
  return record_to_js(env, record, with_secrets);
}

void init_store(Napi::Env env, Napi::Object exports) {
  exports.Set("storeList", Napi::Function::New(env, store_list, "storeList"));
  exports.Set("storeGet", Napi::Function::New(env, store_get, "storeGet"));
  exports.Set("storePut", Napi::Function::New(env, store_put, "storePut"));
  exports.Set("storeDelete", Napi::Function::New(env, store_delete, "storeDelete"));
  exports.Set("storeInfo", Napi::Function::New(env, store_info, "storeInfo"));
}

}  // namespace keryx::bindings
