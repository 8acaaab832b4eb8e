// vault_key.h: the material that unlocks the vault, and where it came from.
#pragma once

#include <cstdint>
#include <string>

#include "secret_string.h"

namespace keryx {

// KeyProviderKind: where the vault key comes from. The value is recorded in the vault header, so
// an existing vault is always opened with the provider that sealed it (KERYX_VAULT_KEY excepted).
enum class KeyProviderKind : uint8_t {
  kEnv = 1,         // KERYX_VAULT_KEY: base64 of 32 bytes (CI, containers)
  kKeychain = 2,    // the OS keychain holds a random 32-byte key (desktop default)
  kPassphrase = 3,  // KERYX_VAULT_PASSPHRASE or typed: Argon2id (crypto_pwhash) with the vault's salt
  kKeyFile = 4,     // a 0600 key file beside the config: protects only against copying the vault alone
};

// key_provider_name: "env", "keychain", "passphrase", "key_file".
const char* key_provider_name(KeyProviderKind kind);

// kVaultKeyBytes: the raw key size (XChaCha20-Poly1305).
inline constexpr std::size_t kVaultKeyBytes = 32;

// KeyMaterial: a raw 32-byte key, or a passphrase the vault stretches with its own salt.
struct KeyMaterial {
  KeyProviderKind provider = KeyProviderKind::kKeyFile;
  bool is_passphrase = false;
  SecretString secret;  // 32 raw bytes, or the passphrase's UTF-8
};

}  // namespace keryx
