// config_fuzz: keryx's config file ($KERYX_CONFIG, ~/.config/keryx/config.json), which users edit
// by hand and dotfile managers copy around. ConfigFile only loads from a path, so each input is
// written to one memfd (created once, rewritten per input; no disk I/O) and loaded through
// /proc/self/fd/<n>, exactly as a file would be. On a successful load:
//  - list() every leaf, get() each listed key (up to 32), to_json();
//  - set() a fixed dotted key, set() the input itself and a leaf's value under new keys (as
//    `keryx config set` does with a value typed on the command line), set() a secret-named key,
//    unset() the first leaf;
//  - what update() would write (to_json) loads again to the same document.
// Invariants (trap on violation): load fails only with config_invalid (or io_error); a set of
// "platforms.tiktok.privacy" succeeds unless a parent is not an object, and get() then returns
// it; a secret-named key is always refused with secret_in_config; to_json() always reloads, and
// reloading gives the same to_json().
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config_file.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "config_fuzz: invariant violated: %s\n", what);
    __builtin_trap();
  }
}

// The one in-memory file every input is written to.
const std::string& memfd_path() {
  static const std::string path = [] {
    int fd = memfd_create("keryx-config-fuzz", MFD_CLOEXEC);
    if (fd < 0) {
      std::perror("config_fuzz: memfd_create");
      std::abort();
    }
    return "/proc/self/fd/" + std::to_string(fd);
  }();
  return path;
}

int memfd() { return std::stoi(memfd_path().substr(sizeof "/proc/self/fd/" - 1)); }

keryx::Result<keryx::ConfigFile> load_bytes(std::string_view bytes) {
  int fd = memfd();
  if (ftruncate(fd, 0) != 0) std::abort();
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
  return keryx::ConfigFile::load(memfd_path());
}

void check_reloads(const keryx::ConfigFile& file) {
  const std::string written = file.to_json();
  keryx::Result<keryx::ConfigFile> again = load_bytes(written);
  if (!again.ok()) std::fprintf(stderr, "config_fuzz: reload failed: %s\n", again.status().to_string().c_str());
  check(again.ok(), "the file keryx would write does not load again");
  check(again.value().to_json() == written, "the file keryx would write loads as another document");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  keryx::Result<keryx::ConfigFile> loaded = load_bytes(input);
  if (!loaded.ok()) {
    check(loaded.status().code() == keryx::Code::kConfigInvalid || loaded.status().code() == keryx::Code::kIoError,
          "a load failure that is not config_invalid");
    return 0;
  }
  keryx::ConfigFile& file = loaded.value();

  const std::vector<std::pair<std::string, std::string>> leaves = file.list();
  for (std::size_t i = 0; i < leaves.size() && i < 32; ++i) {
    keryx::Result<std::optional<std::string>> got = file.get(leaves[i].first);
    check(got.ok() || got.status().code() == keryx::Code::kInvalidArgument, "get failed other than invalid_argument");
  }
  check_reloads(file);

  // A fixed key, as `keryx config set platforms.tiktok.privacy SELF_ONLY` does it.
  keryx::Status set = file.set("platforms.tiktok.privacy", "\"SELF_ONLY\"");
  check(set.ok() || set.code() == keryx::Code::kInvalidArgument,
        "set of a plain key failed other than invalid_argument");
  if (set.ok()) {
    keryx::Result<std::optional<std::string>> got = file.get("platforms.tiktok.privacy");
    check(got.ok() && got.value().has_value() && *got.value() == "\"SELF_ONLY\"",
          "get does not return what set stored");
  }
  check(file.set("platforms.tiktok.client_secret", "\"x\"").code() == keryx::Code::kSecretInConfig,
        "a secret-named key was not refused");

  // The input itself as a value, as `keryx config set fuzz.value '<text>'` would store it.
  keryx::Status value = file.set("fuzz.value", std::string(input));
  check(value.ok() || value.code() == keryx::Code::kInvalidArgument || value.code() == keryx::Code::kSecretInConfig,
        "set of an arbitrary value failed other than invalid_argument or secret_in_config");

  if (!leaves.empty()) {
    // An arbitrary value from the file under a new key (objects inside it are checked for secret names).
    keryx::Status copy = file.set("fuzz.copy", leaves.front().second);
    check(copy.ok() || copy.code() == keryx::Code::kInvalidArgument || copy.code() == keryx::Code::kSecretInConfig,
          "set of a copied value failed other than invalid_argument or secret_in_config");
    keryx::Status unset = file.unset(leaves.front().first);
    check(unset.ok() || unset.code() == keryx::Code::kInvalidArgument, "unset failed other than invalid_argument");
  }
  check_reloads(file);
  return 0;
}
