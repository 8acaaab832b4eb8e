// config_file.cc: ConfigFile on a RapidJSON document (kept out of the header by the pimpl). The
// document is the file's own object tree, so member order and unknown keys survive a rewrite; only
// the layout is normalised (2-space pretty print). Numbers are kept as the text the user wrote
// (JsonNumbers::kText: "1.50", "0e-30" and 20-digit ids are written back unchanged, never through a
// double). Secrets are refused by key name, never by value.
#include "config_file.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <system_error>

#include "env.h"
#include "json.h"
#include "secure_file.h"

namespace keryx {
namespace {

// kMaxKeySegments: keeps key depth + value depth (json_parse: 64) small enough to walk recursively.
constexpr std::size_t kMaxKeySegments = 16;
constexpr std::size_t kMaxKeyBytes = 256;
constexpr auto kLockTimeout = std::chrono::seconds(10);

Status invalid(std::string message) { return Status(Code::kInvalidArgument, std::move(message)); }

// split_key: the segments of a dotted key; invalid_argument unless each is [A-Za-z0-9_-]+.
Result<std::vector<std::string>> split_key(const std::string& key) {
  if (key.empty()) return invalid("config key must not be empty");
  if (key.size() > kMaxKeyBytes) {
    return invalid("config key is longer than " + std::to_string(kMaxKeyBytes) + " bytes");
  }
  std::vector<std::string> segments(1);
  for (char c : key) {
    if (c == '.') {
      segments.emplace_back();
    } else if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-') {
      segments.back() += c;
    } else {
      // Only ASCII reaches this point unescaped in the message: the key is the caller's, not a secret.
      return invalid("config key \"" + key + "\" may only hold letters, digits, '_', '-' and dots");
    }
  }
  for (const std::string& s : segments) {
    if (s.empty()) return invalid("config key \"" + key + "\" has an empty segment");
  }
  if (segments.size() > kMaxKeySegments) {
    return invalid("config key \"" + key + "\" has more than " + std::to_string(kMaxKeySegments) + " segments");
  }
  return segments;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// names_secret: whether a key whose last segment is `segment` would hold a secret. "…_url" keys are
// endpoint URLs (endpoints.token_url), so the "token" rule spares them; "…secret" has no exception.
bool names_secret(const std::string& segment) {
  std::string s = lower(segment);
  if (ends_with(s, "secret")) return true;
  if (s.find("token") != std::string::npos && !ends_with(s, "_url")) return true;
  return s == "password" || s == "passphrase" || s == "vault_key";
}

// env_var_for: where the secret at `segments` goes instead: platforms.<p>.<x…> -> <P>_<X…>,
// anything else -> KERYX_<KEY…>; non-alphanumerics become '_'.
std::string env_var_for(const std::vector<std::string>& segments) {
  std::vector<std::string> parts = segments;
  if (parts.size() >= 3 && parts[0] == "platforms") {
    parts.erase(parts.begin());
  } else if (parts.size() == 1 && lower(parts[0]) == "passphrase") {
    return "KERYX_VAULT_PASSPHRASE";  // the one name keryx actually reads for it
  } else {
    parts.insert(parts.begin(), "keryx");
  }
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += '_';
    for (char c : part) {
      out += std::isalnum(static_cast<unsigned char>(c)) != 0
                 ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                 : '_';
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& segments) {
  std::string out;
  for (const std::string& s : segments) out += (out.empty() ? "" : ".") + s;
  return out;
}

Status secret_refused(const std::vector<std::string>& segments) {
  return Status(Code::kSecretInConfig, join(segments) +
                                           " names a secret, and secrets do not belong in the config file: set "
                                           "the environment variable " +
                                           env_var_for(segments) + " instead");
}

// check_value_names: secret_in_config when any member name inside `value` names a secret (so a
// secret cannot slip in as part of an object set at a parent key).
// NOLINTNEXTLINE(misc-no-recursion): depth is bounded by kJsonMaxDepth, which json_parse enforces on every value.
Status check_value_names(const rapidjson::Value& value, std::vector<std::string>& path) {
  if (value.IsArray()) {
    for (const rapidjson::Value& item : value.GetArray()) KERYX_RETURN_IF_ERROR(check_value_names(item, path));
  } else if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      path.emplace_back(member.name.GetString(), member.name.GetStringLength());
      if (names_secret(path.back())) return secret_refused(path);
      KERYX_RETURN_IF_ERROR(check_value_names(member.value, path));
      path.pop_back();
    }
  }
  return Status::Ok();
}

rapidjson::Value::MemberIterator find_member(rapidjson::Value& object, const std::string& name) {
  auto ref = rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  return object.FindMember(rapidjson::Value(ref));
}

std::string with_article(std::string_view type) {
  if (type == "null") return "null";
  return (type == "array" || type == "object" ? "an " : "a ") + std::string(type);
}

// line_column: the 1-based line and column (in UTF-8 characters) of byte `offset` in `text`.
std::string line_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  std::size_t column = 1;
  for (std::size_t i = line_start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;  // skip continuation bytes
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// read_file: the file's bytes; nullopt when it does not exist.
Result<std::optional<std::string>> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Status(Code::kIoError, "cannot open " + path + ": " + std::generic_category().message(errno));
  }
  std::string bytes;
  struct stat st {};
  Status status;
  if (::fstat(fd, &st) != 0) {
    status = Status(Code::kIoError, "cannot stat " + path + ": " + std::generic_category().message(errno));
  } else if (!S_ISREG(st.st_mode)) {
    status = Status(Code::kIoError, path + " is not a regular file");
  } else {
    std::array<char, 65536> buffer;
    while (status.ok() && bytes.size() <= kMaxConfigBytes) {
      ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) status = Status(Code::kIoError, "cannot read " + path + ": " + std::generic_category().message(errno));
      if (n <= 0) break;
      bytes.append(buffer.data(), static_cast<std::size_t>(n));
    }
    if (status.ok() && bytes.size() > kMaxConfigBytes) {
      status = Status(Code::kConfigInvalid, path + " is larger than " + std::to_string(kMaxConfigBytes) + " bytes");
    }
  }
  ::close(fd);
  if (!status.ok()) return status;
  return std::optional<std::string>(std::move(bytes));
}

// parse_config: `text` as the config object. A leading UTF-8 BOM is skipped, and a file of only
// whitespace is an empty object (a `touch`ed file holds nothing to lose).
Status parse_config(const std::string& path, std::string_view text, rapidjson::Document& doc) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    doc.SetObject();
    return Status::Ok();
  }
  // RapidJSON reads '\0' as the end of input, so parse up to the first NUL and report the NUL
  // itself when everything before it was fine.
  std::size_t nul = text.find('\0');
  std::optional<JsonParseError> error = json_parse_into(text.substr(0, nul), JsonNumbers::kText, doc);
  if (error && (nul == std::string_view::npos || error->offset < nul)) {
    return Status(Code::kConfigInvalid, path + ": " + line_column(text, error->offset) + ": " + error->message);
  }
  if (nul != std::string_view::npos) {
    return Status(Code::kConfigInvalid, path + ": " + line_column(text, nul) + ": NUL byte.");
  }
  if (!doc.IsObject()) {
    return Status(Code::kConfigInvalid, path + ": " + line_column(text, text.find_first_not_of(" \t\r\n")) +
                                            ": the top level must be a JSON object, not " +
                                            with_article(json_type_name(doc)));
  }
  if (json_depth(doc) > kJsonMaxDepth) {
    return Status(Code::kConfigInvalid, path + ": JSON nests deeper than " + std::to_string(kJsonMaxDepth) + " levels");
  }
  return Status::Ok();
}

// NOLINTNEXTLINE(misc-no-recursion): depth is bounded by kJsonMaxDepth, checked when the file is parsed.
void collect_leaves(const rapidjson::Value& object, const std::string& prefix,
                    std::vector<std::pair<std::string, std::string>>& out) {
  for (const auto& member : object.GetObject()) {
    std::string key = prefix + std::string(member.name.GetString(), member.name.GetStringLength());
    if (member.value.IsObject() && member.value.MemberCount() > 0) {
      collect_leaves(member.value, key + ".", out);
    } else {
      out.emplace_back(std::move(key), json_serialize(member.value));  // empty objects are leaves too
    }
  }
}

// write_target: the file to replace: a symlinked config (dotfile managers) is written through.
Result<std::string> write_target(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
  std::array<char, PATH_MAX> resolved{};
  if (::realpath(path.c_str(), resolved.data()) == nullptr) {
    return Status(Code::kIoError, "cannot resolve the symlink " + path + ": " + std::generic_category().message(errno));
  }
  return std::string(resolved.data());
}

std::string parent_dir(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

struct ConfigFile::Impl {
  rapidjson::Document doc;
  Impl() { doc.SetObject(); }
};

ConfigFile::ConfigFile() : impl_(std::make_unique<Impl>()) {}
ConfigFile::~ConfigFile() = default;
ConfigFile::ConfigFile(ConfigFile&&) noexcept = default;
ConfigFile& ConfigFile::operator=(ConfigFile&&) noexcept = default;

std::string ConfigFile::default_path() {
  const char* explicit_path = env_get("KERYX_CONFIG");
  if (explicit_path != nullptr && *explicit_path != '\0') return explicit_path;
  const char* xdg = env_get("XDG_CONFIG_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/keryx/config.json";  // XDG: absolute only
  const char* home = env_get("HOME");
  std::string home_dir = home != nullptr ? home : "";
  if (home_dir.empty()) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    std::array<char, 4096> buffer;
    if (::getpwuid_r(::getuid(), &pw, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
        found->pw_dir != nullptr) {
      home_dir = found->pw_dir;
    }
  }
  if (home_dir.empty()) return "";
  return home_dir + "/.config/keryx/config.json";
}

Result<ConfigFile> ConfigFile::load(const std::string& path) {
  if (path.empty()) return invalid("no config path: set KERYX_CONFIG or HOME");
  Result<std::optional<std::string>> bytes = read_file(path);
  if (!bytes.ok()) return bytes.status();
  ConfigFile file;
  if (bytes.value().has_value()) KERYX_RETURN_IF_ERROR(parse_config(path, *bytes.value(), file.impl_->doc));
  return file;
}

Status ConfigFile::update(const std::string& path, const std::function<Status(ConfigFile&)>& change) {
  if (path.empty()) return invalid("no config path: set KERYX_CONFIG or HOME");
  Result<std::string> target = write_target(path);
  if (!target.ok()) return target.status();
  KERYX_RETURN_IF_ERROR(ensure_private_dir(parent_dir(target.value())));
  Result<FileLock> lock = FileLock::acquire(target.value() + ".lock", kLockTimeout);
  if (!lock.ok()) return lock.status();
  Result<ConfigFile> file = load(target.value());
  if (!file.ok()) return file.status();
  std::string before = file.value().to_json();
  KERYX_RETURN_IF_ERROR(change(file.value()));
  std::string after = file.value().to_json();
  if (after == before) return Status::Ok();  // a no-op never reformats or creates the file
  return write_file_atomic(target.value(), after);
}

Result<std::optional<std::string>> ConfigFile::get(const std::string& key) const {
  Result<std::vector<std::string>> segments = split_key(key);
  if (!segments.ok()) return segments.status();
  rapidjson::Value* node = &impl_->doc;
  for (const std::string& segment : segments.value()) {
    if (!node->IsObject()) return std::optional<std::string>();
    auto it = find_member(*node, segment);
    if (it == node->MemberEnd()) return std::optional<std::string>();
    node = &it->value;
  }
  return std::optional<std::string>(json_serialize(*node));
}

Status ConfigFile::set(const std::string& key, const std::string& json_value) {
  Result<std::vector<std::string>> split = split_key(key);
  if (!split.ok()) return split.status();
  const std::vector<std::string>& segments = split.value();
  if (names_secret(segments.back())) return secret_refused(segments);
  Result<rapidjson::Document> parsed = json_parse(json_value, JsonNumbers::kText);  // numbers kept as typed
  if (!parsed.ok()) return invalid("the value for " + key + " is not JSON: " + parsed.status().message());
  std::vector<std::string> path = segments;
  KERYX_RETURN_IF_ERROR(check_value_names(parsed.value(), path));
  if (segments.size() + json_depth(parsed.value()) > kJsonMaxDepth) {  // else the file would not load again
    return invalid("the value for " + key + " nests deeper than " + std::to_string(kJsonMaxDepth) +
                   " levels in the config");
  }

  rapidjson::Document& doc = impl_->doc;
  auto& alloc = doc.GetAllocator();
  rapidjson::Value* node = &doc;
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    auto it = find_member(*node, segments[i]);
    if (it == node->MemberEnd()) {
      rapidjson::Value name(segments[i].c_str(), static_cast<rapidjson::SizeType>(segments[i].size()), alloc);
      node->AddMember(name, rapidjson::Value(rapidjson::kObjectType), alloc);
      node = &(node->MemberEnd() - 1)->value;
    } else if (!it->value.IsObject()) {
      std::vector<std::string> prefix(segments.begin(), segments.begin() + static_cast<std::ptrdiff_t>(i) + 1);
      return invalid("cannot set " + key + ": " + join(prefix) + " holds " + with_article(json_type_name(it->value)) +
                     ", not an object");
    } else {
      node = &it->value;
    }
  }
  rapidjson::Value value(parsed.value(), alloc);  // deep copy into the config's allocator
  auto it = find_member(*node, segments.back());
  if (it != node->MemberEnd()) {
    it->value = value;  // in place: the member keeps its position
  } else {
    const std::string& last = segments.back();
    rapidjson::Value name(last.c_str(), static_cast<rapidjson::SizeType>(last.size()), alloc);
    node->AddMember(name, value, alloc);
  }
  return Status::Ok();
}

Status ConfigFile::unset(const std::string& key) {
  Result<std::vector<std::string>> segments = split_key(key);
  if (!segments.ok()) return segments.status();
  rapidjson::Value* node = &impl_->doc;
  const std::vector<std::string>& parts = segments.value();
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    auto it = find_member(*node, parts[i]);
    if (it == node->MemberEnd() || !it->value.IsObject()) return Status::Ok();
    node = &it->value;
  }
  auto it = find_member(*node, parts.back());
  if (it != node->MemberEnd()) node->EraseMember(it);  // EraseMember keeps order; RemoveMember does not
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> ConfigFile::list() const {
  std::vector<std::pair<std::string, std::string>> out;
  collect_leaves(impl_->doc, "", out);
  return out;
}

std::string ConfigFile::to_json() const { return json_serialize(impl_->doc, JsonLayout::kPretty) + "\n"; }

}  // namespace keryx
