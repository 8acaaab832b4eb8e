// keychain_secret_service.cc: the Linux keychain, the Secret Service (gnome-keyring, KeePassXC) over
// D-Bus through libsecret. libsecret is dlopen'ed on first use, so keryx loads where it is missing
// (PITFALLS §8); only its headers are used at build time. Every call runs on a detached helper
// thread and is abandoned after the time box (PITFALLS §5.7, §12.7). The failure cases are
// BUILD-NOTES §4 A-F; F (a wrong-password unlock: lookups silently empty) is why an empty lookup is
// followed by a check of the default collection before it is called not_found.
#if defined(__linux__)

#include <dlfcn.h>
#include <libsecret/secret.h>
#include <sys/stat.h>

#include <array>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "env.h"
#include "keychain.h"
#include "time_boxed.h"

namespace keryx {
namespace {

// Lib: the libsecret / GLib entry points, resolved once and never unloaded, so a helper thread that
// outlives its caller can always use them.
struct Lib {
  decltype(&::secret_password_store_sync) store = nullptr;
  decltype(&::secret_password_lookup_sync) lookup = nullptr;
  decltype(&::secret_password_clear_sync) clear = nullptr;
  decltype(&::secret_password_free) password_free = nullptr;
  decltype(&::secret_service_get_sync) service_get = nullptr;
  decltype(&::secret_collection_for_alias_sync) collection_for_alias = nullptr;
  decltype(&::secret_collection_get_locked) collection_get_locked = nullptr;
  decltype(&::g_dbus_proxy_call_sync) proxy_call = nullptr;
  decltype(&::g_dbus_proxy_get_object_path) proxy_path = nullptr;
  decltype(&::g_dbus_proxy_get_name) proxy_name = nullptr;
  decltype(&::g_dbus_proxy_get_connection) proxy_connection = nullptr;
  decltype(&::g_dbus_connection_call_sync) connection_call = nullptr;
  decltype(&::g_dbus_error_get_remote_error) remote_error = nullptr;
  decltype(&::g_variant_new) variant_new = nullptr;
  decltype(&::g_variant_get) variant_get = nullptr;
  decltype(&::g_variant_unref) variant_unref = nullptr;
  decltype(&::g_quark_to_string) quark_to_string = nullptr;
  decltype(&::g_error_free) error_free = nullptr;
  decltype(&::g_object_unref) object_unref = nullptr;
  decltype(&::g_strfreev) strfreev = nullptr;
  decltype(&::g_free) free = nullptr;
};

template <typename Fn>
bool resolve(void* handle, const char* name, Fn* out) {
  void* symbol = dlsym(handle, name);
  if (symbol == nullptr) return false;
  *out = reinterpret_cast<Fn>(symbol);
  return true;
}

// load_lib: dlopen + dlsym once per process; the Lib is deliberately leaked (see Lib).
Result<const Lib*> load_lib() {
  static std::once_flag once;
  static const Lib* loaded = nullptr;
  static const char* failure = "libsecret is not installed (libsecret-1.so.0 could not be loaded)";
  std::call_once(once, [] {
    void* handle = dlopen("libsecret-1.so.0", RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) return;
    auto* lib = new Lib();
    bool ok =
        resolve(handle, "secret_password_store_sync", &lib->store) &&
        resolve(handle, "secret_password_lookup_sync", &lib->lookup) &&
        resolve(handle, "secret_password_clear_sync", &lib->clear) &&
        resolve(handle, "secret_password_free", &lib->password_free) &&
        resolve(handle, "secret_service_get_sync", &lib->service_get) &&
        resolve(handle, "secret_collection_for_alias_sync", &lib->collection_for_alias) &&
        resolve(handle, "secret_collection_get_locked", &lib->collection_get_locked) &&
        resolve(handle, "g_dbus_proxy_call_sync", &lib->proxy_call) &&
        resolve(handle, "g_dbus_proxy_get_object_path", &lib->proxy_path) &&
        resolve(handle, "g_dbus_proxy_get_name", &lib->proxy_name) &&
        resolve(handle, "g_dbus_proxy_get_connection", &lib->proxy_connection) &&
        resolve(handle, "g_dbus_connection_call_sync", &lib->connection_call) &&
        resolve(handle, "g_dbus_error_get_remote_error", &lib->remote_error) &&
        resolve(handle, "g_variant_new", &lib->variant_new) && resolve(handle, "g_variant_get", &lib->variant_get) &&
        resolve(handle, "g_variant_unref", &lib->variant_unref) &&
        resolve(handle, "g_quark_to_string", &lib->quark_to_string) &&
        resolve(handle, "g_error_free", &lib->error_free) && resolve(handle, "g_object_unref", &lib->object_unref) &&
        resolve(handle, "g_strfreev", &lib->strfreev) && resolve(handle, "g_free", &lib->free);
    if (!ok) {
      failure = "the installed libsecret-1.so.0 lacks a function keryx needs";
      delete lib;
      dlclose(handle);
      return;
    }
    loaded = lib;
  });
  if (loaded == nullptr) return Status(Code::kKeychainUnavailable, failure);
  return loaded;
}

// vault_key_schema: items carry xdg:schema=dev.keryx.VaultKey, service=keryx, account=<account>.
const SecretSchema* vault_key_schema() {
  static const SecretSchema schema = [] {
    SecretSchema s{};
    s.name = "dev.keryx.VaultKey";
    s.flags = SECRET_SCHEMA_NONE;
    s.attributes[0] = {"service", SECRET_SCHEMA_ATTRIBUTE_STRING};
    s.attributes[1] = {"account", SECRET_SCHEMA_ATTRIBUTE_STRING};
    return s;
  }();
  return &schema;
}

constexpr const char* kEnd = nullptr;  // the NULL that ends libsecret's attribute varargs

Status unavailable(const std::string& why) { return Status(Code::kKeychainUnavailable, why); }

// classify: a GError's domain/code (and D-Bus error name) to a keryx code with a fixed message.
Status classify(const std::string& domain, int code, const std::string& remote) {
  if ((domain == "secret-error" && code == SECRET_ERROR_IS_LOCKED) ||
      remote == "org.freedesktop.Secret.Error.IsLocked") {
    return Status(Code::kKeychainLocked, "the keyring is locked");
  }
  if (domain == "secret-error" && code == SECRET_ERROR_NO_SUCH_OBJECT) {
    return Status(Code::kNotFound, "no such keychain item");
  }
  if (domain == "g-dbus-error-quark") {
    switch (code) {
      case G_DBUS_ERROR_SERVICE_UNKNOWN:
      case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
        return unavailable("no Secret Service provider (org.freedesktop.secrets) on the D-Bus session bus");
      case G_DBUS_ERROR_NO_REPLY:
      case G_DBUS_ERROR_TIMEOUT:
      case G_DBUS_ERROR_TIMED_OUT: return Status(Code::kTimeout, "the Secret Service did not reply in time");
      case G_DBUS_ERROR_UNKNOWN_METHOD:
      case G_DBUS_ERROR_UNKNOWN_OBJECT:
        return unavailable("the Secret Service has no default keyring (creating one needs a prompt)");
      case G_DBUS_ERROR_ACCESS_DENIED:
      case G_DBUS_ERROR_AUTH_FAILED: return unavailable("the D-Bus session bus refused the connection");
      default: return unavailable("the Secret Service failed (D-Bus error " + std::to_string(code) + ")");
    }
  }
  if (domain == "g-io-error-quark") {
    if (code == G_IO_ERROR_TIMED_OUT) return Status(Code::kTimeout, "the D-Bus session bus timed out");
    if (code == G_IO_ERROR_NOT_FOUND || code == G_IO_ERROR_CONNECTION_REFUSED) {
      return unavailable("no D-Bus session bus at DBUS_SESSION_BUS_ADDRESS");
    }
    if (code == G_IO_ERROR_FAILED) return unavailable("no D-Bus session bus (and none can be autolaunched)");
    return unavailable("cannot reach the D-Bus session bus (I/O error " + std::to_string(code) + ")");
  }
  if (domain == "g-exec-error-quark" || domain == "g-spawn-exit-error-quark") {  // GSpawn: X11 autolaunch (case C)
    return unavailable("no D-Bus session bus (autolaunching one failed)");
  }
  return unavailable("the Secret Service failed (" + domain + " " + std::to_string(code) + ")");
}

// map_error: classifies and frees `err`. The GError's own text is not copied into the message.
Status map_error(const Lib& lib, GError* err) {
  const char* domain = lib.quark_to_string(err->domain);
  std::string remote;
  if (gchar* name = lib.remote_error(err)) {
    remote = name;
    lib.free(name);
  }
  Status status = classify(domain != nullptr ? domain : "", err->code, remote);
  lib.error_free(err);
  return status;
}

Status locked_needs_prompt() {
  return Status(Code::kKeychainLocked, "the default keyring is locked and unlocking it needs a password prompt");
}

enum class LockState { kUnlocked, kJustUnlocked };

// try_silent_unlock: Service.Unlock([collection]) over D-Bus without ever calling Prompt.Prompt, so
// no dialog can appear: success without a prompt counts (PITFALLS §8: blank-password keyrings are
// locked until the first Unlock), a returned prompt is dismissed and the keyring stays locked.
Result<LockState> try_silent_unlock(const Lib& lib, SecretService* service, SecretCollection* collection) {
  auto* service_proxy = reinterpret_cast<GDBusProxy*>(service);
  std::array<const gchar*, 2> paths = {lib.proxy_path(reinterpret_cast<GDBusProxy*>(collection)), nullptr};
  GError* err = nullptr;
  GVariant* reply = lib.proxy_call(service_proxy, "Unlock", lib.variant_new("(^ao)", paths.data()),
                                   G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, nullptr, &err);
  if (err != nullptr) return map_error(lib, err);
  if (reply == nullptr) return locked_needs_prompt();
  gchar** unlocked = nullptr;
  const gchar* prompt = nullptr;
  lib.variant_get(reply, "(^ao&o)", &unlocked, &prompt);
  bool needs_prompt = prompt != nullptr && std::strcmp(prompt, "/") != 0;
  bool done = unlocked != nullptr && unlocked[0] != nullptr;
  if (needs_prompt) {
    GVariant* dismissed = lib.connection_call(lib.proxy_connection(service_proxy), lib.proxy_name(service_proxy),
                                              prompt, "org.freedesktop.Secret.Prompt", "Dismiss", nullptr, nullptr,
                                              G_DBUS_CALL_FLAGS_NONE, 1000, nullptr, nullptr);
    if (dismissed != nullptr) lib.variant_unref(dismissed);
  }
  lib.strfreev(unlocked);
  lib.variant_unref(reply);
  if (done && !needs_prompt) return LockState::kJustUnlocked;
  return locked_needs_prompt();
}

// default_collection_state: kUnlocked when the default collection is unlocked (or there is none),
// kJustUnlocked after a silent unlock, keychain_locked when it stays locked.
Result<LockState> default_collection_state(const Lib& lib) {
  GError* err = nullptr;
  SecretService* service = lib.service_get(SECRET_SERVICE_NONE, nullptr, &err);
  if (err != nullptr) return map_error(lib, err);
  if (service == nullptr) return unavailable("the Secret Service could not be opened");
  SecretCollection* collection =
      lib.collection_for_alias(service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE, nullptr, &err);
  Result<LockState> state = LockState::kUnlocked;
  if (err != nullptr) {
    state = map_error(lib, err);
  } else if (collection != nullptr && lib.collection_get_locked(collection) != FALSE) {
    state = try_silent_unlock(lib, service, collection);
  }
  if (collection != nullptr) lib.object_unref(collection);
  lib.object_unref(service);
  return state;
}

Result<SecretString> lookup_blocking(const Lib& lib, const std::string& account) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    GError* err = nullptr;
    gchar* found =
        lib.lookup(vault_key_schema(), nullptr, &err, "service", kKeychainService, "account", account.c_str(), kEnd);
    if (err != nullptr) return map_error(lib, err);
    if (found != nullptr) {
      SecretString secret{std::string_view(found)};
      lib.password_free(found);  // wipes
      return secret;
    }
    // NULL without an error: "no item", or a locked collection that hid it (case F).
    Result<LockState> state = default_collection_state(lib);
    if (!state.ok()) return state.status();
    if (state.value() == LockState::kUnlocked) break;  // else: unlocked just now, look again once
  }
  return Status(Code::kNotFound, "the keychain has no item for this account");
}

struct Done {};

Result<Done> store_blocking(const Lib& lib, const std::string& account, const SecretString& secret,
                            const std::string& label) {
  GError* err = nullptr;
  gboolean stored = lib.store(vault_key_schema(), SECRET_COLLECTION_DEFAULT, label.c_str(), secret.data(), nullptr,
                              &err, "service", kKeychainService, "account", account.c_str(), kEnd);
  if (err != nullptr) return map_error(lib, err);
  if (stored == FALSE) return Status(Code::kInternal, "the Secret Service did not store the item");
  Result<SecretString> back = lookup_blocking(lib, account);
  if (!back.ok()) {
    if (back.status().code() != Code::kNotFound) return back.status();
    return Status(Code::kInternal, "the stored keychain item could not be read back");
  }
  if (!back.value().equals(secret.view())) {
    return Status(Code::kInternal, "the keychain returned another value than the one stored");
  }
  return Done{};
}

Result<Done> remove_blocking(const Lib& lib, const std::string& account) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    GError* err = nullptr;
    gboolean removed =
        lib.clear(vault_key_schema(), nullptr, &err, "service", kKeychainService, "account", account.c_str(), kEnd);
    if (err != nullptr) {
      Status status = map_error(lib, err);
      if (status.code() == Code::kNotFound) return Done{};
      return status;
    }
    if (removed != FALSE) break;
    // Nothing deleted: truly absent, or hidden by a locked collection.
    Result<LockState> state = default_collection_state(lib);
    if (!state.ok()) return state.status();
    if (state.value() != LockState::kJustUnlocked) break;  // else: unlocked just now, clear again once
  }
  return Done{};
}

bool env_set(const char* name) {
  const char* value = env_get(name);
  return value != nullptr && *value != '\0';
}

// session_bus_possible: false when GLib could only autolaunch a bus through X11 (case A), so we
// fail at once without loading libsecret. $XDG_RUNTIME_DIR/bus is GLib's own fallback address.
bool session_bus_possible() {
  if (env_set("DBUS_SESSION_BUS_ADDRESS") || env_set("DISPLAY")) return true;
  if (!env_set("XDG_RUNTIME_DIR")) return false;
  std::string bus = std::string(env_get("XDG_RUNTIME_DIR")) + "/bus";
  struct stat st {};
  return ::stat(bus.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

class SecretServiceKeychain final : public Keychain {
 public:
  explicit SecretServiceKeychain(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  const char* backend() const override { return "secret-service"; }

  Result<SecretString> lookup(const std::string& account) override {
    Result<const Lib*> lib = ready();
    if (!lib.ok()) return lib.status();
    return run_time_boxed<SecretString>(timeout_,
                                        [lib = lib.value(), account]() { return lookup_blocking(*lib, account); });
  }

  Status store(const std::string& account, const SecretString& secret, const std::string& label) override {
    if (secret.view().find('\0') != std::string_view::npos) {
      return Status(Code::kInvalidArgument, "a keychain secret must be text without NUL bytes");
    }
    Result<const Lib*> lib = ready();
    if (!lib.ok()) return lib.status();
    return run_time_boxed<Done>(timeout_, [lib = lib.value(), account, secret,
                                           label]() { return store_blocking(*lib, account, secret, label); })
        .status();
  }

  Status remove(const std::string& account) override {
    Result<const Lib*> lib = ready();
    if (!lib.ok()) return lib.status();
    return run_time_boxed<Done>(timeout_, [lib = lib.value(), account]() { return remove_blocking(*lib, account); })
        .status();
  }

 private:
  static Result<const Lib*> ready() {
    if (!session_bus_possible()) {
      return unavailable("no D-Bus session (DBUS_SESSION_BUS_ADDRESS and DISPLAY are unset)");
    }
    return load_lib();
  }

  std::chrono::milliseconds timeout_;
};

}  // namespace

std::unique_ptr<Keychain> make_os_keychain(std::chrono::milliseconds timeout) {
  return std::make_unique<SecretServiceKeychain>(timeout);
}

}  // namespace keryx

#endif  // __linux__
