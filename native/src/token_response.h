// token_response.h: turning a token endpoint's answer into one shape, whatever the platform sent.
// Platforms bend RFC 6749 §5.1/§5.2 in known ways, all handled here as untrusted input:
//  - errors inside HTTP 200 bodies (TikTok), or in non-standard shapes (Instagram's
//    {error_type, code, error_message}, Graph's {"error": {message, type, code}});
//  - success wrapped in `data: [ {...} ]` (Instagram's documented shape) or flat;
//  - `expires` instead of `expires_in`, numbers sent as strings, no `token_type`;
//  - granted scopes as a space- or comma-separated string, or an array; ids beyond 2^53.
//
//   Result<TokenResponse> t = normalise_token_response(ResponseDialect::kTikTok, 200, body);
//   if (!t.ok() && t.status().code() == Code::kPlatformRejected) ...   // an OAuth error
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform.h"
#include "secret_string.h"
#include "status.h"

namespace keryx {

// TokenResponse: one successful token response, normalised. Lifetimes are as sent (seconds);
// nullopt when the platform did not say.
struct TokenResponse {
  SecretString access_token;
  SecretString refresh_token;  // empty when none was issued (or, on refresh, none rotated in)
  SecretString id_token;       // OIDC, when sent
  std::string token_type = "Bearer";
  std::vector<std::string> scopes;  // granted, when reported
  bool scopes_reported = false;
  std::optional<std::int64_t> expires_in;
  std::optional<std::int64_t> refresh_expires_in;
  std::string account_id;  // user_id (Instagram) or open_id (TikTok), exact decimal text for numbers
};

// OAuthError: the error a platform reported, sanitised (printable ASCII, cut short).
struct OAuthError {
  std::string error;        // "invalid_grant", "OAuthException", "190", ...
  std::string description;  // the platform's text, never a token
  long http_status = 0;
};

// kMaxTokenLifetimeSeconds: larger lifetimes are treated as absurd (json_invalid); ten years.
inline constexpr std::int64_t kMaxTokenLifetimeSeconds = 10LL * 366 * 24 * 3600;

// normalise_token_response: the body of a token endpoint's answer with HTTP status `http_status`.
//  - An OAuth error anywhere (any status) -> platform_rejected "<error>: <description>", and
//    `error_out` (when given) receives it.
//  - A 5xx, or another non-2xx without a recognisable error -> http_status.
//  - A 2xx without an access token, or with fields of the wrong type -> json_invalid.
// Never puts a token in a message.
Result<TokenResponse> normalise_token_response(ResponseDialect dialect, long http_status, std::string_view body,
                                               OAuthError* error_out = nullptr);

// find_oauth_error: the error a JSON body reports in any of the shapes above, if it does.
// TikTok's API envelope `"error": {"code": "ok"}` is not an error.
std::optional<OAuthError> find_oauth_error(std::string_view body, long http_status);

// split_scopes: a scope string split on spaces and commas, empties dropped.
std::vector<std::string> split_scopes(std::string_view text);

// missing_scopes: those of `requested` not in `granted`.
std::vector<std::string> missing_scopes(const std::vector<std::string>& requested,
                                        const std::vector<std::string>& granted);

}  // namespace keryx
