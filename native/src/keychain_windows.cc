// keychain_windows.cc: the Windows Credential Manager backend: one CRED_TYPE_GENERIC credential
// per vault, target "keryx:<account>", holding the text the caller gives (key_provider stores the
// 43-character base64url key, far below the 2560-byte blob cap, PITFALLS §6 row 13). Calls run on a
// detached helper thread, abandoned after the time box, like the Secret Service backend.
// NOT BUILT OR TESTED on the Linux build machine: written against the documented wincred.h API.
#ifdef _WIN32

#ifndef NOMINMAX
#define NOMINMAX
#endif
// windows.h first: wincred.h uses its types and does not include it.
#include <windows.h>

#include <wincred.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "keychain.h"
#include "time_boxed.h"

#ifdef _MSC_VER
#pragma comment(lib, "advapi32.lib")
#endif

namespace keryx {
namespace {

// to_wide: UTF-8 to UTF-16; nullopt when `text` is not valid UTF-8.
std::optional<std::wstring> to_wide(const std::string& text) {
  if (text.empty()) return std::wstring();
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), static_cast<int>(text.size()), nullptr, 0);
  if (n <= 0) return std::nullopt;
  std::wstring out(static_cast<std::size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), static_cast<int>(text.size()), out.data(), n);
  return out;
}

std::optional<std::wstring> target_for(const std::string& account) {
  return to_wide(std::string(kKeychainService) + ":" + account);
}

Status map_error(DWORD error) {
  switch (error) {
    case ERROR_NOT_FOUND: return Status(Code::kNotFound, "the keychain has no item for this account");
    case ERROR_NO_SUCH_LOGON_SESSION:
      return Status(Code::kKeychainUnavailable,
                    "no Credential Manager for this logon session (network logons such as SSH have none)");
    default:
      return Status(Code::kKeychainUnavailable,
                    "the Windows Credential Manager failed (error " + std::to_string(error) + ")");
  }
}

Result<SecretString> lookup_blocking(const std::string& account) {
  std::optional<std::wstring> target = target_for(account);
  if (!target) return Status(Code::kInvalidArgument, "account is not UTF-8");
  PCREDENTIALW cred = nullptr;
  if (!CredReadW(target->c_str(), CRED_TYPE_GENERIC, 0, &cred)) return map_error(GetLastError());
  SecretString secret(std::string_view(reinterpret_cast<const char*>(cred->CredentialBlob), cred->CredentialBlobSize));
  if (cred->CredentialBlob != nullptr) SecureZeroMemory(cred->CredentialBlob, cred->CredentialBlobSize);
  CredFree(cred);
  return secret;
}

struct Done {};

Result<Done> store_blocking(const std::string& account, const SecretString& secret, const std::string& label) {
  std::optional<std::wstring> target = target_for(account);
  std::optional<std::wstring> comment = to_wide(label);
  if (!target || !comment) return Status(Code::kInvalidArgument, "account or label is not UTF-8");
  if (secret.size() > CRED_MAX_CREDENTIAL_BLOB_SIZE) {
    return Status(Code::kInvalidArgument, "the secret is larger than Credential Manager allows (2560 bytes)");
  }
  std::wstring user = L"keryx";
  CREDENTIALW cred{};
  cred.Type = CRED_TYPE_GENERIC;
  cred.TargetName = target->data();
  cred.Comment = comment->data();
  cred.CredentialBlobSize = static_cast<DWORD>(secret.size());
  cred.CredentialBlob = reinterpret_cast<LPBYTE>(const_cast<char*>(secret.data()));
  cred.Persist = CRED_PERSIST_LOCAL_MACHINE;
  cred.UserName = user.data();
  if (!CredWriteW(&cred, 0)) return map_error(GetLastError());
  Result<SecretString> back = lookup_blocking(account);
  if (!back.ok()) return back.status();
  if (!back.value().equals(secret.view())) {
    return Status(Code::kInternal, "the keychain returned another value than the one stored");
  }
  return Done{};
}

Result<Done> remove_blocking(const std::string& account) {
  std::optional<std::wstring> target = target_for(account);
  if (!target) return Status(Code::kInvalidArgument, "account is not UTF-8");
  if (!CredDeleteW(target->c_str(), CRED_TYPE_GENERIC, 0)) {
    DWORD error = GetLastError();
    if (error != ERROR_NOT_FOUND) return map_error(error);
  }
  return Done{};
}

class WindowsCredentialKeychain final : public Keychain {
 public:
  explicit WindowsCredentialKeychain(std::chrono::milliseconds timeout) : timeout_(timeout) {}
  const char* backend() const override { return "windows-credential-manager"; }

  Result<SecretString> lookup(const std::string& account) override {
    return run_time_boxed<SecretString>(timeout_, [account]() { return lookup_blocking(account); });
  }

  Status store(const std::string& account, const SecretString& secret, const std::string& label) override {
    return run_time_boxed<Done>(timeout_, [account, secret, label]() { return store_blocking(account, secret, label); })
        .status();
  }

  Status remove(const std::string& account) override {
    return run_time_boxed<Done>(timeout_, [account]() { return remove_blocking(account); }).status();
  }

 private:
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::unique_ptr<Keychain> make_os_keychain(std::chrono::milliseconds timeout) {
  return std::make_unique<WindowsCredentialKeychain>(timeout);
}

}  // namespace keryx

#endif  // _WIN32
