// keychain.h: the OS keychain, holding only the vault's 32-byte key (never tokens: no size limits,
// one prompt at most). Linux: the Secret Service over D-Bus through libsecret, loaded with dlopen
// so keryx loads where libsecret or D-Bus is missing. macOS Keychain and Windows Credential
// Manager backends exist behind build checks (not built on Linux).
//
//   std::unique_ptr<Keychain> kc = make_os_keychain(std::chrono::seconds(3));
//   Result<SecretString> key = kc->lookup("vault:/home/me/.local/share/keryx/vault");
//   // not_found: no item (the keychain is reachable and unlocked)
//   // keychain_locked / keychain_unavailable: say so; never treat them as "no key yet"
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "secret_string.h"
#include "status.h"

namespace keryx {

// kKeychainService: the service attribute/name keryx items are stored under.
inline constexpr const char* kKeychainService = "keryx";

class Keychain {
 public:
  virtual ~Keychain() = default;
  // backend: "secret-service", "macos-keychain", "windows-credential-manager".
  virtual const char* backend() const = 0;
  // lookup: the secret stored for `account`. not_found only when the keychain is reachable,
  // unlocked, and has no such item; keychain_locked when it is locked (including the case where a
  // wrong-password unlock leaves lookups silently empty); keychain_unavailable when it cannot be
  // reached (no D-Bus session, no provider, no libsecret); timeout after the time box.
  virtual Result<SecretString> lookup(const std::string& account) = 0;
  // store: creates or replaces the item for `account`, then reads it back to confirm. `secret` is
  // text without NUL bytes (invalid_argument otherwise): the Secret Service stores NUL-terminated
  // strings, so key_provider stores the key as unpadded base64url (43 characters).
  virtual Status store(const std::string& account, const SecretString& secret, const std::string& label) = 0;
  // remove: deletes the item (ok when there was none).
  virtual Status remove(const std::string& account) = 0;
};

// make_os_keychain: this platform's keychain; every call is time-boxed to `timeout` (run on a
// helper thread; a hung D-Bus call is abandoned, not waited for).
std::unique_ptr<Keychain> make_os_keychain(std::chrono::milliseconds timeout);

}  // namespace keryx
