// config_file.h: keryx's non-secret settings: one JSON object at $KERYX_CONFIG, else
// $XDG_CONFIG_HOME/keryx/config.json, else ~/.config/keryx/config.json. Keys are dotted paths into
// nested objects ("platforms.tiktok.privacy"); values are JSON. Unknown keys are preserved; writes
// are atomic under a lock; a malformed file is reported with its line and column and never
// overwritten. Secrets are refused as values.
//
//   Result<ConfigFile> c = ConfigFile::load(ConfigFile::default_path());
//   Result<std::optional<std::string>> v = c.value().get("platforms.tiktok.privacy");  // "\"SELF_ONLY\""
//   KERYX_RETURN_IF_ERROR(ConfigFile::update(path, [](ConfigFile& f) { return f.set("a.b", "true"); }));
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "status.h"

namespace keryx {

// kMaxConfigBytes: the largest config file keryx reads.
inline constexpr std::size_t kMaxConfigBytes = std::size_t{1024} * 1024;

class ConfigFile {
 public:
  // default_path: the path per the rules above (from the environment at call time).
  static std::string default_path();
  // load: the file's content (an empty object when it does not exist). config_invalid with
  // "line L, column C" when it is not a JSON object (strings must be UTF-8, escapes included, and
  // numbers finite as doubles); io_error when unreadable. Numbers are kept as the text in the file,
  // so every write gives them back exactly as written.
  static Result<ConfigFile> load(const std::string& path);
  // update: under <path>.lock: load, apply `change`, and write atomically (mode 0600, unknown keys
  // and their order kept). Nothing is written if `change` fails or the file is malformed.
  static Status update(const std::string& path, const std::function<Status(ConfigFile&)>& change);

  ConfigFile();
  ~ConfigFile();
  ConfigFile(ConfigFile&& other) noexcept;
  ConfigFile& operator=(ConfigFile&& other) noexcept;

  // get: the JSON text of the value at `key` (e.g. "\"SELF_ONLY\"", "true", "{...}"), nullopt when absent.
  Result<std::optional<std::string>> get(const std::string& key) const;
  // set: stores `json_value` (JSON text) at `key`, creating intermediate objects. invalid_argument
  // for a malformed key or value (or a path through a non-object); secret_in_config when the key
  // names a secret (…secret, …token…, password, passphrase, vault_key) — the message names the
  // environment variable to use instead.
  Status set(const std::string& key, const std::string& json_value);
  // unset: removes `key` (ok when absent); empty parent objects are kept.
  Status unset(const std::string& key);
  // list: every leaf as (dotted key, JSON text), in file order.
  std::vector<std::pair<std::string, std::string>> list() const;
  // to_json: the whole document, pretty-printed with 2 spaces and a final newline.
  std::string to_json() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keryx
