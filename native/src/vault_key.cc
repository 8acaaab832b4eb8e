// vault_key.cc: provider names, as `keryx status` and the vault errors print them.
#include "vault_key.h"

namespace keryx {

const char* key_provider_name(KeyProviderKind kind) {
  switch (kind) {
    case KeyProviderKind::kEnv: return "env";
    case KeyProviderKind::kKeychain: return "keychain";
    case KeyProviderKind::kPassphrase: return "passphrase";
    case KeyProviderKind::kKeyFile: return "key_file";
  }
  return "unknown";
}

}  // namespace keryx
