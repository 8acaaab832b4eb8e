// token_store.h: TokenStore, what the bindings call: one vault opened with the right key, and the
// record operations on it. Opening resolves the key honestly (key_provider.h) and remembers what
// was skipped, for `keryx status`.
//
//   StoreOptions o; o.vault_path = "..."; o.keys.key_file_path = "..."; o.install_id_path = "...";
//   Result<std::unique_ptr<TokenStore>> s = TokenStore::open(o, /*create=*/true);
//   KERYX_RETURN_IF_ERROR(s.value()->put(std::move(record)));
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "key_provider.h"
#include "status.h"
#include "token_record.h"
#include "vault_store.h"

namespace keryx {

// kHolderKey: the metadata key naming the install that holds a record's refresh token.
inline constexpr std::string_view kHolderKey = "keryx.holder";

struct StoreOptions {
  std::string vault_path;       // e.g. ~/.local/share/keryx/vault
  std::string install_id_path;  // e.g. ~/.config/keryx/install-id (created 0600 on first write)
  KeyProviderOptions keys;
  std::chrono::milliseconds lock_timeout{std::chrono::seconds(10)};
};

// StoreInfo: what protects the vault, for status reports. Never holds a secret.
struct StoreInfo {
  bool vault_exists = false;
  bool key_available = false;
  KeyProviderKind provider = KeyProviderKind::kKeyFile;  // valid when key_available or vault_exists
  std::vector<ProviderAttempt> skipped;
  Status key_problem;  // why no key, when !key_available
  uint64_t generation = 0;
  std::size_t records = 0;
  TokenSet set;  // the records, when the key opened the vault (callers must not print the tokens)
};

class TokenStore {
 public:
  // open: resolves the key for the vault at options.vault_path. With create=false a missing vault
  // is fine (an empty store, no key is made); with create=true a key is made if needed.
  static Result<std::unique_ptr<TokenStore>> open(StoreOptions options, bool create);

  // info: the vault's state, never failing: problems are reported inside. Reads the vault header
  // and, when a key resolves, the record count.
  static StoreInfo info(const StoreOptions& options);

  Result<TokenSet> list();
  // get: not_found when there is no such record.
  Result<TokenRecord> get(const std::string& platform, const std::string& account);
  // put: validates and upserts under the vault lock.
  Status put(TokenRecord record);
  // put_many: validates every record first, then upserts them all in one locked update (one new
  // generation); nothing is written if any record is invalid.
  Status put_many(std::vector<TokenRecord> records);
  // remove: whether a record was removed.
  Result<bool> remove(const std::string& platform, const std::string& account);

  const KeyResolution& key() const { return key_; }
  // install_id_hex: this install's id (32 hex chars); records holding a refresh token are stamped
  // with it (metadata "keryx.holder") by put() when they carry no holder yet.
  const std::string& install_id_hex() const { return install_id_hex_; }

 private:
  TokenStore(StoreOptions options, KeyResolution key, std::string install_id);
  StoreOptions options_;
  KeyResolution key_;
  std::string install_id_hex_;
  void stamp_holder(TokenRecord& record) const;
  std::unique_ptr<VaultStore> vault_;
};

// load_or_create_install_id: 16 random bytes kept (hex) at `path`, made on first use.
Result<std::string> load_or_create_install_id(const std::string& path, bool create);

}  // namespace keryx
