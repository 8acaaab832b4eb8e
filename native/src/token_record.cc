// token_record.cc: record validation and the (platform, account) set with one default per platform.
#include "token_record.h"

#include <algorithm>
#include <string_view>
#include <utility>

namespace keryx {
namespace {

Status invalid(const std::string& what) { return Status(Code::kInvalidArgument, "token record: " + what); }

// valid_utf8: strict RFC 3629 UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), so
// every stored string survives the vault's validating JSON parser.
bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    std::size_t extra = 0;
    unsigned char lo = 0x80;  // allowed range of the first continuation byte: lo..hi
    unsigned char hi = 0xBF;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // sequence cut short
    if (byte(i + 1) < lo || byte(i + 1) > hi) return false;
    for (std::size_t k = 2; k <= extra; ++k) {
      if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return false;
    }
    i += extra + 1;
  }
  return true;
}

// check_field: length, NUL and UTF-8 checks; the message names the field, never its value.
Status check_field(std::string_view value, const std::string& name) {
  if (value.size() > kMaxRecordFieldBytes) {
    return invalid(name + " is longer than " + std::to_string(kMaxRecordFieldBytes) + " bytes");
  }
  if (value.find('\0') != std::string_view::npos) return invalid(name + " contains a NUL byte");
  if (!valid_utf8(value)) return invalid(name + " is not valid UTF-8");
  return Status::Ok();
}

bool same_key(const TokenRecord& r, const std::string& platform, const std::string& account) {
  return r.platform == platform && r.account == account;
}

// locate: the index find() would return, or records.size().
std::size_t locate(const std::vector<TokenRecord>& records, const std::string& platform, const std::string& account) {
  std::size_t only = records.size();
  std::size_t count = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const TokenRecord& r = records[i];
    if (r.platform != platform) continue;
    if (!account.empty()) {
      if (r.account == account) return i;
      continue;
    }
    if (r.is_default) return i;
    ++count;
    only = i;
  }
  return (account.empty() && count == 1) ? only : records.size();
}

}  // namespace

Status validate_record(const TokenRecord& record) {
  const std::string& p = record.platform;
  if (p.empty() || p.size() > 64) return invalid("platform must be 1-64 characters");
  for (char c : p) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return invalid("platform may only hold [a-z0-9_-]");
  }
  const std::string& a = record.account;
  if (a.empty() || a.size() > 256) return invalid("account must be 1-256 characters");
  for (char c : a) {
    if (c < 0x20 || c > 0x7E) return invalid("account must be printable ASCII");
  }
  KERYX_RETURN_IF_ERROR(check_field(record.access_token.view(), "access_token"));
  KERYX_RETURN_IF_ERROR(check_field(record.refresh_token.view(), "refresh_token"));
  KERYX_RETURN_IF_ERROR(check_field(record.token_type, "token_type"));
  for (const std::string& scope : record.scopes) KERYX_RETURN_IF_ERROR(check_field(scope, "a scope"));
  for (const auto& [key, value] : record.metadata) {
    KERYX_RETURN_IF_ERROR(check_field(key, "a metadata key"));
    KERYX_RETURN_IF_ERROR(check_field(value, "a metadata value"));
  }
  return Status::Ok();
}

const TokenRecord* TokenSet::find(const std::string& platform, const std::string& account) const {
  std::size_t i = locate(records, platform, account);
  return i < records.size() ? &records[i] : nullptr;
}

void TokenSet::upsert(TokenRecord record) {
  // After an upsert the platform has exactly one default: the new record when it is marked, else
  // whichever record already was (a replaced default keeps the mark), else the new record.
  auto existing = std::find_if(records.begin(), records.end(),
                               [&](const TokenRecord& r) { return same_key(r, record.platform, record.account); });
  bool replaced_default = existing != records.end() && existing->is_default;
  bool other_default = std::any_of(records.begin(), records.end(), [&](const TokenRecord& r) {
    return r.platform == record.platform && r.account != record.account && r.is_default;
  });
  if (record.is_default) {
    for (TokenRecord& r : records) {
      if (r.platform == record.platform) r.is_default = false;
    }
  } else if (replaced_default || !other_default) {
    record.is_default = true;
  }
  if (existing != records.end()) {
    *existing = std::move(record);
  } else {
    records.push_back(std::move(record));
  }
}

bool TokenSet::remove(const std::string& platform, const std::string& account) {
  std::size_t i = locate(records, platform, account);
  if (i >= records.size()) return false;
  bool was_default = records[i].is_default;
  records.erase(records.begin() + static_cast<std::ptrdiff_t>(i));
  if (was_default) {
    for (TokenRecord& r : records) {
      if (r.platform == platform) {
        r.is_default = true;
        break;
      }
    }
  }
  return true;
}

}  // namespace keryx
