// account_steps.h: what happens after a code exchange, per platform, before the token is stored:
// Instagram trades its 1-hour token for a ~60-day one and reads the professional account's user_id;
// YouTube checks the granted scopes and reads the channel id; TikTok reads the user's open_id and
// name; LinkedIn reads the member's `sub` for the author URN; a generic OIDC provider reads `sub`.
//
//   Result<AccountInfo> a = complete_account(record, client, token, requested, limits);
//   store(a.value().account_id, token);  config(a.value().fields);
#pragma once

#include <map>
#include <string>
#include <vector>

#include "oauth_client.h"
#include "platform.h"
#include "status.h"
#include "token_response.h"

namespace keryx {

// AccountInfo: who the token belongs to. `fields` are non-secret facts for the config file and
// the vault record's metadata (user_id, username, channel_id, open_id, display_name, author_urn,
// sub); `account_id` is the id the token is filed under.
struct AccountInfo {
  std::string account_id;
  std::map<std::string, std::string> fields;
};

// complete_account: runs the record's post-steps on a fresh `token` (which the Instagram step
// replaces by the long-lived one). `requested` are the scopes asked for (the record's defaults when
// empty). Errors: scope_missing (a checked platform granted fewer scopes), platform_rejected,
// http_status, json_invalid, timeout, network_error.
Result<AccountInfo> complete_account(const PlatformRecord& record, const ClientCredentials& client,
                                     TokenResponse& token, const std::vector<std::string>& requested,
                                     const RequestLimits& limits);

// exchange_long_lived: Instagram's short -> long-lived exchange (ig_exchange_token).
Result<TokenResponse> exchange_long_lived(const PlatformRecord& record, const ClientCredentials& client,
                                          std::string_view short_lived_token, const RequestLimits& limits);

}  // namespace keryx
