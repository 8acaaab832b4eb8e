// key_provider.h: choosing and loading the vault key, honestly.
// Order for a NEW vault: KERYX_VAULT_KEY -> OS keychain (a random key created there) ->
// KERYX_VAULT_PASSPHRASE / a typed passphrase -> a 0600 key file (created). An EXISTING vault is
// opened with KERYX_VAULT_KEY when set, else with exactly the provider recorded in its header; a
// missing key there is an error (never a new key, which would orphan the vault). Every provider
// skipped is reported with its reason, for `keryx status`. There is no plaintext mode.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "keychain.h"
#include "secret_string.h"
#include "status.h"
#include "vault_key.h"

namespace keryx {

struct KeyProviderOptions {
  SecretString env_key;          // KERYX_VAULT_KEY as given (base64 of 32 bytes), or empty
  SecretString passphrase;       // KERYX_VAULT_PASSPHRASE or typed, or empty
  std::string key_file_path;     // e.g. ~/.config/keryx/vault.key
  std::string keychain_account;  // identifies this vault in the keychain, e.g. "vault:<path>"
  bool keychain_enabled = true;  // false with KERYX_KEYCHAIN=off
  std::chrono::milliseconds keychain_timeout{3000};
  Keychain* keychain = nullptr;  // the keychain to use (tests); nullptr: make_os_keychain
};

// ProviderAttempt: a provider that was not used, and why (keychain_unavailable, not_found, ...).
struct ProviderAttempt {
  KeyProviderKind kind;
  Status reason;
};

// KeyResolution: the key, plus what was skipped on the way.
struct KeyResolution {
  KeyMaterial material;
  std::vector<ProviderAttempt> skipped;
  bool created = false;  // a new key was made (keychain or key file)
};

// resolve_vault_key: `sealed_by` is the provider in the existing vault's header, or nullopt for a
// new vault; `create` allows making a new key (only for a new vault). Errors: invalid_argument (a
// malformed KERYX_VAULT_KEY), keychain_locked / keychain_unavailable / not_found (existing vault
// whose provider cannot give its key), insecure_permissions (key file), vault_key_missing.
Result<KeyResolution> resolve_vault_key(const KeyProviderOptions& options, std::optional<KeyProviderKind> sealed_by,
                                        bool create);

}  // namespace keryx
