// token_record.h: what keryx stores about one authorized account, and the set of them the vault
// holds. Plain data; the secrets are SecretStrings (wiped on free).
//
//   TokenRecord r;
//   r.platform = "tiktok"; r.account = "open_id_123";
//   r.access_token = SecretString(at); r.refresh_token = SecretString(rt);
//   r.expires_at = now + expires_in;
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "secret_string.h"
#include "status.h"

namespace keryx {

// TokenRecord: one account's tokens. Times are Unix seconds; 0 means unknown / not applicable.
struct TokenRecord {
  std::string platform;  // "instagram", "youtube", "tiktok", "linkedin", or a generic provider name
  std::string account;   // the platform's account id (user_id, open_id, sub, channel id)
  SecretString access_token;
  SecretString refresh_token;                   // empty when the platform issues none
  std::string token_type;                       // usually "Bearer"
  std::vector<std::string> scopes;              // as granted
  int64_t obtained_at = 0;                      // when keryx received the access token
  int64_t expires_at = 0;                       // access token expiry
  int64_t refresh_expires_at = 0;               // refresh token expiry, when the platform says
  bool is_default = false;                      // the platform's default account
  std::map<std::string, std::string> metadata;  // non-secret extras (username, author URN, ...)
};

// kMaxRecordFieldBytes: the longest token or field keryx accepts (a guard against garbage input).
inline constexpr std::size_t kMaxRecordFieldBytes = 16384;

// validate_record: platform is 1-64 of [a-z0-9_-]; account is 1-256 printable ASCII; tokens and
// fields within kMaxRecordFieldBytes; no NUL anywhere. invalid_argument otherwise.
Status validate_record(const TokenRecord& record);

// TokenSet: every record of a vault, at most one per (platform, account).
struct TokenSet {
  std::vector<TokenRecord> records;

  // find: the record for (platform, account); with an empty account, the platform's default (or
  // its only record). nullptr when none.
  const TokenRecord* find(const std::string& platform, const std::string& account = "") const;
  // upsert: replaces the record with the same (platform, account) or adds it. A record marked
  // is_default clears the mark on the platform's other records; the first record of a platform
  // becomes its default.
  void upsert(TokenRecord record);
  // remove: deletes (platform, account) (the default when account is empty); returns whether one
  // was removed. If the default goes, the platform's first remaining record becomes default.
  bool remove(const std::string& platform, const std::string& account = "");
};

}  // namespace keryx
