// keychain_macos.cc: the macOS keychain backend: one generic-password item per vault
// (kSecClassGenericPassword, service "keryx", account = the vault's account), holding the text the
// caller gives (key_provider stores base64url of the key). Calls run on a detached helper thread,
// abandoned after the time box, like the Secret Service backend.
// NOT BUILT OR TESTED on the Linux build machine: written against Apple's documented SecItem API.
#ifdef __APPLE__

#include <CoreFoundation/CoreFoundation.h>
#include <Security/Security.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "keychain.h"
#include "time_boxed.h"

namespace keryx {
namespace {

// CfRef: releases a Core Foundation object on scope exit.
template <typename T>
struct CfRef {
  T ref = nullptr;
  CfRef() = default;
  explicit CfRef(T r) : ref(r) {}
  CfRef(const CfRef&) = delete;
  CfRef& operator=(const CfRef&) = delete;
  ~CfRef() {
    if (ref != nullptr) CFRelease(ref);
  }
};

CFStringRef make_string(const std::string& text) {
  return CFStringCreateWithBytes(kCFAllocatorDefault, reinterpret_cast<const UInt8*>(text.data()),
                                 static_cast<CFIndex>(text.size()), kCFStringEncodingUTF8, false);
}

// base_query: class + service + account, the attributes that identify keryx's item.
CFMutableDictionaryRef base_query(CFStringRef service, CFStringRef account) {
  CFMutableDictionaryRef query = CFDictionaryCreateMutable(kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks,
                                                           &kCFTypeDictionaryValueCallBacks);
  CFDictionarySetValue(query, kSecClass, kSecClassGenericPassword);
  CFDictionarySetValue(query, kSecAttrService, service);
  CFDictionarySetValue(query, kSecAttrAccount, account);
  return query;
}

Status map_status(OSStatus status) {
  switch (status) {
    case errSecItemNotFound: return Status(Code::kNotFound, "the keychain has no item for this account");
    case errSecInteractionNotAllowed:
    case errSecAuthFailed:
    case errSecUserCanceled:
      return Status(Code::kKeychainLocked, "the macOS keychain is locked or needs a prompt that cannot be shown");
    case errSecNotAvailable:
    case errSecNoSuchKeychain: return Status(Code::kKeychainUnavailable, "no macOS keychain is available");
    default:
      return Status(Code::kKeychainUnavailable, "the macOS keychain failed (OSStatus " + std::to_string(status) + ")");
  }
}

Result<SecretString> lookup_blocking(const std::string& account) {
  CfRef<CFStringRef> service(make_string(kKeychainService));
  CfRef<CFStringRef> acct(make_string(account));
  if (service.ref == nullptr || acct.ref == nullptr) return Status(Code::kInvalidArgument, "account is not UTF-8");
  CfRef<CFMutableDictionaryRef> query(base_query(service.ref, acct.ref));
  CFDictionarySetValue(query.ref, kSecReturnData, kCFBooleanTrue);
  CFDictionarySetValue(query.ref, kSecMatchLimit, kSecMatchLimitOne);
  CFTypeRef result = nullptr;
  OSStatus status = SecItemCopyMatching(query.ref, &result);
  CfRef<CFTypeRef> owned(result);
  if (status != errSecSuccess) return map_status(status);
  if (result == nullptr || CFGetTypeID(result) != CFDataGetTypeID()) {
    return Status(Code::kInternal, "the macOS keychain returned no data for the item");
  }
  auto data = static_cast<CFDataRef>(result);
  return SecretString(std::string_view(reinterpret_cast<const char*>(CFDataGetBytePtr(data)),
                                       static_cast<std::size_t>(CFDataGetLength(data))));
}

struct Done {};

Result<Done> store_blocking(const std::string& account, const SecretString& secret, const std::string& label) {
  CfRef<CFStringRef> service(make_string(kKeychainService));
  CfRef<CFStringRef> acct(make_string(account));
  CfRef<CFStringRef> item_label(make_string(label));
  if (service.ref == nullptr || acct.ref == nullptr || item_label.ref == nullptr) {
    return Status(Code::kInvalidArgument, "account or label is not UTF-8");
  }
  // No copy of the secret: the CFData borrows the SecretString's bytes for the duration of the call.
  CfRef<CFDataRef> data(CFDataCreateWithBytesNoCopy(kCFAllocatorDefault, reinterpret_cast<const UInt8*>(secret.data()),
                                                    static_cast<CFIndex>(secret.size()), kCFAllocatorNull));
  CfRef<CFMutableDictionaryRef> query(base_query(service.ref, acct.ref));
  CfRef<CFMutableDictionaryRef> update(CFDictionaryCreateMutable(kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks,
                                                                 &kCFTypeDictionaryValueCallBacks));
  CFDictionarySetValue(update.ref, kSecValueData, data.ref);
  CFDictionarySetValue(update.ref, kSecAttrLabel, item_label.ref);
  OSStatus status = SecItemUpdate(query.ref, update.ref);
  if (status == errSecItemNotFound) {
    CFDictionarySetValue(query.ref, kSecValueData, data.ref);
    CFDictionarySetValue(query.ref, kSecAttrLabel, item_label.ref);
    status = SecItemAdd(query.ref, nullptr);
  }
  if (status != errSecSuccess) return map_status(status);
  Result<SecretString> back = lookup_blocking(account);
  if (!back.ok()) return back.status();
  if (!back.value().equals(secret.view())) {
    return Status(Code::kInternal, "the keychain returned another value than the one stored");
  }
  return Done{};
}

Result<Done> remove_blocking(const std::string& account) {
  CfRef<CFStringRef> service(make_string(kKeychainService));
  CfRef<CFStringRef> acct(make_string(account));
  if (service.ref == nullptr || acct.ref == nullptr) return Status(Code::kInvalidArgument, "account is not UTF-8");
  CfRef<CFMutableDictionaryRef> query(base_query(service.ref, acct.ref));
  OSStatus status = SecItemDelete(query.ref);
  if (status != errSecSuccess && status != errSecItemNotFound) return map_status(status);
  return Done{};
}

class MacKeychain final : public Keychain {
 public:
  explicit MacKeychain(std::chrono::milliseconds timeout) : timeout_(timeout) {}
  const char* backend() const override { return "macos-keychain"; }

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
  return std::make_unique<MacKeychain>(timeout);
}

}  // namespace keryx

#endif  // __APPLE__
