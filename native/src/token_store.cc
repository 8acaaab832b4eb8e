// token_store.cc: key resolution + VaultStore, wired together.
#include "token_store.h"

#include <sodium.h>
#include <sys/stat.h>

#include "base64url.h"
#include "keychain.h"
#include "random.h"
#include "secure_file.h"

namespace keryx {
namespace {

constexpr std::size_t kInstallIdBytes = 16;

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string parent_dir(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash == 0 ? 1 : slash);
}

}  // namespace

Result<std::string> load_or_create_install_id(const std::string& path, bool create) {
  Result<SecretString> existing = read_private_file(path, 256);
  if (existing.ok()) {
    std::string hex(existing.value().view());
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' ')) hex.pop_back();
    std::string raw(kInstallIdBytes, '\0');
    size_t len = 0;
    if (hex.size() == kInstallIdBytes * 2 &&
        sodium_hex2bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), hex.data(), hex.size(), nullptr, &len,
                       nullptr) == 0 &&
        len == kInstallIdBytes) {
      return raw;
    }
    return Status(Code::kConfigInvalid, "the install id file " + path + " is malformed; delete it to make a new one");
  }
  if (existing.status().code() != Code::kNotFound) return existing.status();
  std::string raw(random_bytes(kInstallIdBytes).view());
  if (!create) return raw;  // not persisted: a read-only run does not need a stable id
  KERYX_RETURN_IF_ERROR(ensure_private_dir(parent_dir(path)));
  KERYX_RETURN_IF_ERROR(write_file_atomic(path, hex_encode(raw) + "\n"));
  return raw;
}

TokenStore::TokenStore(StoreOptions options, KeyResolution key, std::string install_id)
    : options_(std::move(options)), key_(std::move(key)), install_id_hex_(hex_encode(install_id)) {
  vault_ =
      std::make_unique<VaultStore>(options_.vault_path, key_.material, std::move(install_id), options_.lock_timeout);
}

Result<std::unique_ptr<TokenStore>> TokenStore::open(StoreOptions options, bool create) {
  std::optional<KeyProviderKind> sealed_by;
  if (file_exists(options.vault_path)) {
    KERYX_RETURN_IF_ERROR(check_private_permissions(options.vault_path));
    Result<SecretString> bytes = read_private_file(options.vault_path, kMaxVaultBytes);
    if (!bytes.ok()) return bytes.status();
    Result<VaultHeader> header = vault_read_header(bytes.value().view());
    if (!header.ok()) return header.status();
    sealed_by = header.value().provider;
  }
  const bool new_vault = !sealed_by.has_value();
  Result<KeyResolution> resolution = resolve_vault_key(options.keys, sealed_by, create && new_vault);
  if (!resolution.ok()) {
    // No vault and nothing to write: reading an empty store needs no key.
    if (!(new_vault && !create)) return resolution.status();
    KeyResolution none;
    none.skipped.push_back({KeyProviderKind::kKeyFile, resolution.status()});
    resolution = std::move(none);
  }
  Result<std::string> install_id = load_or_create_install_id(options.install_id_path, create);
  if (!install_id.ok()) return install_id.status();
  return std::unique_ptr<TokenStore>(
      new TokenStore(std::move(options), std::move(resolution).value(), std::move(install_id).value()));
}

StoreInfo TokenStore::info(const StoreOptions& options) {
  StoreInfo out;
  out.vault_exists = file_exists(options.vault_path);
  if (!out.vault_exists) return out;  // no key until the first token is stored
  Result<std::unique_ptr<TokenStore>> store = open(options, /*create=*/false);
  if (!store.ok()) {
    out.key_problem = store.status();
    if (out.vault_exists) {
      Result<SecretString> bytes = read_private_file(options.vault_path, kMaxVaultBytes);
      if (bytes.ok()) {
        Result<VaultHeader> header = vault_read_header(bytes.value().view());
        if (header.ok()) {
          out.provider = header.value().provider;
          out.generation = header.value().generation;
        }
      }
    }
    return out;
  }
  out.key_available = true;
  out.provider = store.value()->key_.material.provider;
  out.skipped = store.value()->key_.skipped;
  // A vault on a weaker provider: say why the keychain is not protecting it (no D-Bus, locked...).
  if ((out.provider == KeyProviderKind::kKeyFile || out.provider == KeyProviderKind::kPassphrase) &&
      options.keys.keychain_enabled) {
    std::unique_ptr<Keychain> own;
    Keychain* keychain = options.keys.keychain;
    if (keychain == nullptr) {
      own = make_os_keychain(options.keys.keychain_timeout);
      keychain = own.get();
    }
    Result<SecretString> probe = keychain->lookup(options.keys.keychain_account);
    const Code c = probe.status().code();
    if (c == Code::kKeychainUnavailable || c == Code::kKeychainLocked || c == Code::kTimeout) {
      out.skipped.push_back({KeyProviderKind::kKeychain, probe.status()});
    }
  }
  if (!out.vault_exists) return out;
  Result<VaultHeader> header = store.value()->vault_->header();
  if (header.ok()) out.generation = header.value().generation;
  Result<TokenSet> set = store.value()->list();
  if (set.ok()) {
    out.records = set.value().records.size();
    out.set = std::move(set).value();
  } else {
    out.key_problem = set.status();
  }
  return out;
}

Result<TokenSet> TokenStore::list() { return vault_->load(); }

Result<TokenRecord> TokenStore::get(const std::string& platform, const std::string& account) {
  Result<TokenSet> set = vault_->load();
  if (!set.ok()) return set.status();
  const TokenRecord* found = set.value().find(platform, account);
  if (found == nullptr) {
    return Status(Code::kNotFound, "no stored token for " + platform + (account.empty() ? "" : " account " + account));
  }
  return *found;
}

void TokenStore::stamp_holder(TokenRecord& record) const {
  if (record.refresh_token.empty()) return;
  std::string& holder = record.metadata[std::string(kHolderKey)];
  if (holder.empty()) holder = install_id_hex_;
}

Status TokenStore::put(TokenRecord record) {
  KERYX_RETURN_IF_ERROR(validate_record(record));
  stamp_holder(record);
  return vault_->update([&record](TokenSet& set) {
    set.upsert(std::move(record));
    return Status::Ok();
  });
}

Status TokenStore::put_many(std::vector<TokenRecord> records) {
  for (TokenRecord& r : records) {
    KERYX_RETURN_IF_ERROR(validate_record(r));
    stamp_holder(r);
  }
  return vault_->update([&records](TokenSet& set) {
    for (TokenRecord& r : records) set.upsert(std::move(r));
    return Status::Ok();
  });
}

Result<bool> TokenStore::remove(const std::string& platform, const std::string& account) {
  bool removed = false;
  Status s = vault_->update([&](TokenSet& set) {
    removed = set.remove(platform, account);
    return removed ? Status::Ok() : Status(Code::kNotFound, "nothing stored for " + platform);
  });
  if (s.code() == Code::kNotFound) return false;
  if (!s.ok()) return s;
  return removed;
}

}  // namespace keryx
