// vault_store.cc: VaultStore. Writers serialise on <path>.lock and re-read under it; every file is
// replaced atomically and durably, in an order that keeps the vault openable after a crash at any
// point: .bak (old bytes) -> <path> (generation+1) -> .gen (witness of generation+1).
#include "vault_store.h"

#include <dirent.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string_view>
#include <utility>

#include "secure_file.h"

namespace keryx {
namespace {

constexpr std::string_view kWitnessContext = "keryx vault witness v1";
constexpr std::size_t kMacBytes = 16;
constexpr std::size_t kWitnessBytes = 8 + kVaultIdBytes + kMacBytes;  // generation | vault_id | mac

std::string le64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
  return out;
}

uint64_t read_le64(std::string_view in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return value;
}

// witness_mac: BLAKE2b-128 keyed with the derived key over context || vault_id || generation.
std::string witness_mac(const SecretString& key, std::string_view vault_id, uint64_t generation) {
  std::string message = std::string(kWitnessContext) + std::string(vault_id) + le64(generation);
  std::string mac(kMacBytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(mac.data()), mac.size(),
                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return mac;
}

std::string encode_witness(const SecretString& key, const VaultHeader& header) {
  return le64(header.generation) + header.vault_id + witness_mac(key, header.vault_id, header.generation);
}

// witness_generation: the generation a valid witness for `vault_id` records; 0 when the witness is
// malformed, forged or for another vault (all ignored: only a valid one proves anything).
uint64_t witness_generation(std::string_view w, const SecretString& key, const std::string& vault_id) {
  if (w.size() != kWitnessBytes || w.substr(8, kVaultIdBytes) != vault_id) return 0;
  uint64_t generation = read_le64(w);
  std::string mac = witness_mac(key, vault_id, generation);
  if (sodium_memcmp(mac.data(), w.data() + 8 + kVaultIdBytes, kMacBytes) != 0) return 0;
  return generation;
}

std::string dir_of(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// is_our_temp: ".<base>[.bak|.gen].<16 hex>.tmp", the temp names write_file_atomic uses for our files.
bool is_our_temp(const std::string& entry, const std::string& base) {
  constexpr std::size_t kHex = 16;
  const std::string tail = ".tmp";
  if (entry.size() < 1 + base.size() + 1 + kHex + tail.size()) return false;
  if (entry.compare(entry.size() - tail.size(), tail.size(), tail) != 0) return false;
  std::size_t hex_at = entry.size() - tail.size() - kHex;
  for (std::size_t i = hex_at; i < hex_at + kHex; ++i) {
    char c = entry[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  std::string stem = entry.substr(0, hex_at);  // ".<name>."
  return stem == "." + base + "." || stem == "." + base + ".bak." || stem == "." + base + ".gen.";
}

// sweep_stale_temps: removes temp files a writer killed mid-write left behind. Safe only under the
// lock: every writer of these three names holds it, so no live temp can match.
void sweep_stale_temps(const std::string& path) {
  std::string dir = dir_of(path);
  std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the DIR stream is local to this call; readdir is safe on distinct streams.
  while (struct dirent* entry = ::readdir(d)) {
    std::string name = entry->d_name;
    if (is_our_temp(name, base)) ::unlinkat(::dirfd(d), name.c_str(), 0);
  }
  ::closedir(d);
}

}  // namespace

struct VaultStore::Current {
  bool existed = false;
  SecretString bytes;
  VaultHeader header;
  SecretString key;  // derived
  TokenSet set;
};

Result<SecretString> VaultStore::derive(const VaultHeader& header) {
  // An Argon2id derivation costs ~100 ms and 64 MiB: reuse it while the KDF inputs are unchanged.
  std::string tag = std::to_string(static_cast<int>(header.kdf)) + ":" + std::to_string(header.opslimit) + ":" +
                    std::to_string(header.memlimit) + ":" + header.salt;
  if (derived_key_.has_value() && derived_for_salt_ == tag) return *derived_key_;
  Result<SecretString> derived = vault_derive_key(key_, header);
  if (!derived.ok()) return derived.status();
  derived_key_ = derived.value();
  derived_for_salt_ = std::move(tag);
  return derived;
}

Result<VaultStore::Current> VaultStore::read_current() {
  Current cur;
  // Read the witness BEFORE the vault. A writer replaces the vault before the witness, so any vault
  // read after a witness of generation W is at least W; the reverse order could see a concurrent
  // writer's new witness next to the old vault and report a false rollback.
  Result<SecretString> witness_bytes = read_private_file(path_ + ".gen", 4096);
  Result<SecretString> bytes = read_private_file(path_, kMaxVaultBytes);
  if (!bytes.ok()) {
    if (bytes.status().code() == Code::kNotFound) return cur;  // no vault yet: an empty set
    return bytes.status();
  }
  cur.existed = true;
  cur.bytes = std::move(bytes).value();
  Result<VaultHeader> file_header = vault_read_header(cur.bytes.view());
  if (!file_header.ok()) return file_header.status();
  Result<SecretString> derived = derive(file_header.value());
  if (!derived.ok()) return derived.status();
  cur.key = std::move(derived).value();
  if (!verified_bytes_.empty() && cur.bytes.view() == verified_bytes_) {
    cur.header = verified_header_;  // the very bytes authenticated before: same key, same records
    cur.set = verified_set_;
  } else {
    Result<TokenSet> set = vault_unseal(cur.bytes.view(), cur.key, &cur.header);
    if (!set.ok()) return set.status();
    cur.set = std::move(set).value();
    verified_bytes_ = std::string(cur.bytes.view());
    verified_header_ = cur.header;
    verified_set_ = cur.set;
  }

  uint64_t witnessed =
      witness_bytes.ok() ? witness_generation(witness_bytes.value().view(), cur.key, cur.header.vault_id) : 0;
  if (witnessed > cur.header.generation) {
    std::string found = std::to_string(cur.header.generation);
    return Status(Code::kVaultRollback, path_ + " holds generation " + found + " but generation " +
                                            std::to_string(witnessed) + " was already written here: an older " +
                                            "copy of the vault was put back (if that was deliberate, delete " + path_ +
                                            ".gen)");
  }
  return cur;
}

VaultStore::VaultStore(std::string path, KeyMaterial key, std::string install_id,
                       std::chrono::milliseconds lock_timeout)
    : path_(std::move(path)), key_(std::move(key)), install_id_(std::move(install_id)), lock_timeout_(lock_timeout) {}

bool VaultStore::exists() const {
  struct stat st;
  return ::lstat(path_.c_str(), &st) == 0;
}

Result<VaultHeader> VaultStore::header() const {
  Result<SecretString> bytes = read_private_file(path_, kMaxVaultBytes);
  if (!bytes.ok()) return bytes.status();
  return vault_read_header(bytes.value().view());
}

Result<TokenSet> VaultStore::load() {
  Result<Current> cur = read_current();
  if (!cur.ok()) return cur.status();
  return std::move(cur.value().set);
}

Status VaultStore::update(const std::function<Status(TokenSet&)>& change) {
  KERYX_RETURN_IF_ERROR(ensure_private_dir(dir_of(path_)));
  Result<FileLock> lock = FileLock::acquire(path_ + ".lock", lock_timeout_);
  if (!lock.ok()) return lock.status();

  // Re-read under the lock. Anything that does not open cleanly (corrupt, wrong key, rollback,
  // bad permissions) is returned as is: such a vault is never overwritten.
  Result<Current> read = read_current();
  if (!read.ok()) return read.status();
  Current& cur = read.value();
  KERYX_RETURN_IF_ERROR(change(cur.set));

  VaultHeader next = cur.existed ? cur.header : vault_new_header(key_, install_id_);
  next.generation += 1;
  next.install_id = install_id_;
  Result<SecretString> key = cur.existed ? Result<SecretString>(cur.key) : derive(next);
  if (!key.ok()) return key.status();
  Result<SecretString> sealed = vault_seal(next, key.value(), cur.set);
  if (!sealed.ok()) return sealed.status();
  Result<VaultHeader> sealed_header = vault_read_header(sealed.value().view());  // with key_id filled in
  if (!sealed_header.ok()) return sealed_header.status();

  sweep_stale_temps(path_);
  if (cur.existed) KERYX_RETURN_IF_ERROR(write_file_atomic(path_ + ".bak", cur.bytes.view()));
  KERYX_RETURN_IF_ERROR(write_file_atomic(path_, sealed.value().view()));
  verified_bytes_ = std::string(sealed.value().view());
  verified_header_ = std::move(sealed_header).value();
  verified_set_ = std::move(cur.set);
  // The new generation is durable now. A failure below leaves the witness older, which load accepts;
  // it is still reported so the caller knows rollback protection lags one write.
  Status witness = write_file_atomic(path_ + ".gen", encode_witness(key.value(), next));
  if (!witness.ok()) {
    return Status(witness.code(), "the vault was written but its generation witness was not: " + witness.message());
  }
  return Status::Ok();
}

}  // namespace keryx
