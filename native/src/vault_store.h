// vault_store.h: VaultStore, the vault file plus its companions, read and changed safely.
//   <path>       the current generation
//   <path>.bak   the previous generation (kept on every write)
//   <path>.lock  the flock(2) that serialises writers across processes
//   <path>.gen   the generation witness: the newest generation this install wrote, MAC'd with the
//                vault key, so an older vault swapped in is reported (vault_rollback)
//
//   VaultStore store(path, key_material, install_id);
//   KERYX_RETURN_IF_ERROR(store.update([&](TokenSet& set) { set.upsert(record); return Status::Ok(); }));
//   Result<TokenSet> now = store.load();
//
// One VaultStore is used by one thread at a time (it caches the derived key and the last verified
// file); other threads and processes are serialised by the lock.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "status.h"
#include "token_record.h"
#include "vault_file.h"
#include "vault_key.h"

namespace keryx {

class VaultStore {
 public:
  // VaultStore: `install_id` (16 raw bytes) is recorded in each generation written.
  VaultStore(std::string path, KeyMaterial key, std::string install_id,
             std::chrono::milliseconds lock_timeout = std::chrono::seconds(10));

  // exists: whether <path> exists.
  bool exists() const;

  // header: the current file's header, read without the key (which provider sealed it).
  Result<VaultHeader> header() const;

  // load: the current record set (empty when the file does not exist). Checks permissions
  // (insecure_permissions), the format, the key and the witness (vault_rollback). Never writes.
  Result<TokenSet> load();

  // update: under the lock (lock_timeout): re-read, apply `change`, and write generation+1 durably
  // (the previous file kept as <path>.bak, then the witness). If `change`, the re-read or sealing
  // fails, nothing on disk changes. A vault that fails to open (corrupt, wrong key, rollback,
  // insecure_permissions) is never overwritten. Should only the witness write fail, the new
  // generation is already durable and the error says so.
  Status update(const std::function<Status(TokenSet&)>& change);

  const std::string& path() const { return path_; }

 private:
  struct Current;                  // what is on disk now (vault_store.cc)
  Result<Current> read_current();  // load()'s checks, shared with update()
  Result<SecretString> derive(const VaultHeader& header);

  std::string path_;
  KeyMaterial key_;
  std::string install_id_;
  std::chrono::milliseconds lock_timeout_;
  std::optional<SecretString> derived_key_;  // cached per salt
  std::string derived_for_salt_;
  // The vault file this store last opened or wrote, and its contents: a byte-identical file is not
  // decrypted and parsed again (permissions and the witness are still checked on every read).
  std::string verified_bytes_;
  VaultHeader verified_header_;
  TokenSet verified_set_;
};

}  // namespace keryx
