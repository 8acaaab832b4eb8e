// key_provider.cc: resolve_vault_key. A new vault takes the first provider that works and reports
// every one it skipped; an existing vault uses KERYX_VAULT_KEY or exactly the provider that sealed
// it, and a failure there is returned as is: making a new key would orphan the vault.
//
// The keychain item holds the key as text: base64url without padding (RFC 4648 §5), 43 ASCII
// characters, because the Secret Service stores NUL-terminated text (and so `secret-tool lookup
// service keryx account <account>` prints it). The key file holds the 32 raw bytes.
#include "key_provider.h"

#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string_view>
#include <utility>

#include "random.h"
#include "secure_file.h"

namespace keryx {
namespace {

// kMaxKeyFileBytes: read cap for the key file (a valid one holds exactly kVaultKeyBytes).
constexpr std::size_t kMaxKeyFileBytes = 4096;

KeyMaterial raw_key(KeyProviderKind kind, SecretString key) {
  KeyMaterial material;
  material.provider = kind;
  material.is_passphrase = false;
  material.secret = std::move(key);
  return material;
}

std::string_view trim(std::string_view text) {
  const char* space = " \t\r\n";
  std::size_t first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

// base64_alphabet_only: every byte of `text` is in the standard or url-safe base64 alphabet or '='.
// libsodium 1.0.18's sodium_base642bin sign-extends each character and so reads every byte
// 0x80-0xFF as '_' or '/' (value 63): nothing else may reach it.
bool base64_alphabet_only(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
           c == '-' || c == '_' || c == '=';
  });
}

// decode_base64_key: `text` in one of `variants` (libsodium base64 variants) decoding to exactly
// kVaultKeyBytes, into a wiped buffer. The text itself never reaches a message.
Result<SecretString> decode_base64_key(std::string_view text, std::initializer_list<int> variants,
                                       const std::string& what) {
  if (!base64_alphabet_only(text)) {
    return Status(Code::kInvalidArgument, what + " is not valid base64 (standard or url-safe alphabet)");
  }
  for (int variant : variants) {
    SecretString out;
    out.resize(text.size() + 1);
    std::size_t written = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.mutable_data()), out.size(), text.data(), text.size(),
                          nullptr, &written, &end, variant) != 0 ||
        end != text.data() + text.size()) {
      continue;
    }
    if (written != kVaultKeyBytes) {
      return Status(Code::kInvalidArgument, what + " must be the base64 of exactly 32 bytes (it decodes to " +
                                                std::to_string(written) + " bytes)");
    }
    out.resize(written);
    return out;
  }
  return Status(Code::kInvalidArgument, what + " is not valid base64 (standard or url-safe alphabet)");
}

// decode_env_key: KERYX_VAULT_KEY, standard or url-safe alphabet, padded or not.
Result<SecretString> decode_env_key(const SecretString& env_key) {
  return decode_base64_key(trim(env_key.view()),
                           {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                            sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING},
                           "KERYX_VAULT_KEY");
}

SecretString encode_keychain_text(const SecretString& key) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  SecretString text;
  text.resize(sodium_base64_encoded_len(key.size(), variant));
  sodium_bin2base64(text.mutable_data(), text.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                    variant);
  text.resize(text.size() - 1);  // the NUL sodium counts in
  return text;
}

Result<KeyMaterial> keychain_key(const KeyProviderOptions& options, bool may_create, bool* created) {
  if (!options.keychain_enabled) {
    return Status(Code::kKeychainUnavailable, "the OS keychain is turned off (KERYX_KEYCHAIN=off)");
  }
  if (options.keychain_account.empty()) {
    return Status(Code::kInvalidArgument, "no keychain account name was given for this vault");
  }
  std::unique_ptr<Keychain> owned;
  Keychain* keychain = options.keychain;
  if (keychain == nullptr) {
    owned = make_os_keychain(options.keychain_timeout);
    keychain = owned.get();
  }
  Result<SecretString> found = keychain->lookup(options.keychain_account);
  if (found.ok()) {
    Result<SecretString> key =
        decode_base64_key(trim(found.value().view()), {sodium_base64_VARIANT_URLSAFE_NO_PADDING}, "the keychain item");
    if (!key.ok()) return key.status();
    return raw_key(KeyProviderKind::kKeychain, std::move(key).value());
  }
  if (found.status().code() != Code::kNotFound || !may_create) return found.status();
  SecretString key = random_bytes(kVaultKeyBytes);
  KERYX_RETURN_IF_ERROR(keychain->store(options.keychain_account, encode_keychain_text(key),
                                        "keryx vault key (" + options.keychain_account + ")"));
  *created = true;
  return raw_key(KeyProviderKind::kKeychain, std::move(key));
}

Result<KeyMaterial> key_file_key(const KeyProviderOptions& options, bool may_create, bool* created) {
  const std::string& path = options.key_file_path;
  if (path.empty()) return Status(Code::kNotFound, "no key file path is configured");
  Result<SecretString> bytes = read_private_file(path, kMaxKeyFileBytes);
  if (bytes.ok()) {
    if (bytes.value().size() != kVaultKeyBytes) {
      return Status(Code::kInvalidArgument, "the key file " + path + " must hold exactly 32 bytes");
    }
    return raw_key(KeyProviderKind::kKeyFile, std::move(bytes).value());
  }
  if (bytes.status().code() != Code::kNotFound || !may_create) return bytes.status();
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (!dir.empty()) KERYX_RETURN_IF_ERROR(ensure_private_dir(dir));
  SecretString key = random_bytes(kVaultKeyBytes);
  KERYX_RETURN_IF_ERROR(write_file_atomic(path, key.view()));
  *created = true;
  return raw_key(KeyProviderKind::kKeyFile, std::move(key));
}

KeyMaterial passphrase_key(const KeyProviderOptions& options) {
  KeyMaterial material;
  material.provider = KeyProviderKind::kPassphrase;
  material.is_passphrase = true;
  material.secret = options.passphrase;
  return material;
}

Status missing(const std::string& why) {
  return Status(Code::kVaultKeyMissing,
                why +
                    "; set KERYX_VAULT_KEY (base64 of 32 bytes) or KERYX_VAULT_PASSPHRASE, or make the OS "
                    "keychain available");
}

Result<KeyResolution> resolved(KeyMaterial material, std::vector<ProviderAttempt> skipped, bool created) {
  KeyResolution resolution;
  resolution.material = std::move(material);
  resolution.skipped = std::move(skipped);
  resolution.created = created;
  return resolution;
}

Result<KeyResolution> resolve_new(const KeyProviderOptions& options, bool create) {
  std::vector<ProviderAttempt> skipped;
  skipped.push_back({KeyProviderKind::kEnv, Status(Code::kNotFound, "KERYX_VAULT_KEY is not set")});
  bool created = false;
  Result<KeyMaterial> keychain = keychain_key(options, create, &created);
  if (keychain.ok()) return resolved(std::move(keychain).value(), std::move(skipped), created);
  skipped.push_back({KeyProviderKind::kKeychain, keychain.status()});
  if (!options.passphrase.empty()) return resolved(passphrase_key(options), std::move(skipped), false);
  skipped.push_back({KeyProviderKind::kPassphrase, Status(Code::kNotFound, "KERYX_VAULT_PASSPHRASE is not set")});
  Result<KeyMaterial> file = key_file_key(options, create, &created);
  if (file.ok()) return resolved(std::move(file).value(), std::move(skipped), created);
  // A key file that exists but is unusable (permissions, size, I/O) is the user's to fix.
  if (file.status().code() != Code::kNotFound) return file.status();
  skipped.push_back({KeyProviderKind::kKeyFile, file.status()});
  std::string why = "no vault key (";
  for (std::size_t i = 0; i < skipped.size(); ++i) {
    why += (i != 0 ? ", " : "") + std::string(key_provider_name(skipped[i].kind)) + ": " +
           std::string(skipped[i].reason.name());
  }
  return missing(why + ")");
}

Result<KeyResolution> resolve_existing(const KeyProviderOptions& options, KeyProviderKind sealed_by) {
  bool created = false;
  switch (sealed_by) {
    case KeyProviderKind::kEnv: return missing("this vault was sealed with KERYX_VAULT_KEY, which is not set");
    case KeyProviderKind::kPassphrase:
      if (options.passphrase.empty()) return missing("this vault was sealed with a passphrase, and none was given");
      return resolved(passphrase_key(options), {}, false);
    case KeyProviderKind::kKeychain: {
      Result<KeyMaterial> key = keychain_key(options, false, &created);
      if (key.ok()) return resolved(std::move(key).value(), {}, false);
      if (key.status().code() == Code::kNotFound) {
        return Status(Code::kNotFound, "the OS keychain has no key for this vault (account " +
                                           options.keychain_account + "); restore the item or set KERYX_VAULT_KEY");
      }
      return key.status();
    }
    case KeyProviderKind::kKeyFile: {
      Result<KeyMaterial> key = key_file_key(options, false, &created);
      if (key.ok()) return resolved(std::move(key).value(), {}, false);
      if (key.status().code() == Code::kNotFound) {
        return Status(Code::kNotFound, "the key file that sealed this vault is missing (" + options.key_file_path +
                                           "); restore it or set KERYX_VAULT_KEY");
      }
      return key.status();
    }
  }
  return Status(Code::kInvalidArgument, "unknown key provider in the vault header");
}

}  // namespace

Result<KeyResolution> resolve_vault_key(const KeyProviderOptions& options, std::optional<KeyProviderKind> sealed_by,
                                        bool create) {
  if (!options.env_key.empty()) {
    Result<SecretString> key = decode_env_key(options.env_key);
    if (!key.ok()) return key.status();
    return resolved(raw_key(KeyProviderKind::kEnv, std::move(key).value()), {}, false);
  }
  if (sealed_by.has_value()) return resolve_existing(options, *sealed_by);
  return resolve_new(options, create);
}

}  // namespace keryx
