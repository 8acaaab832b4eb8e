// oauth_client.h: the authorization-code flow's requests for one platform record: the authorize
// URL (RFC 6749 §4.1.1 + RFC 7636 §4.3), the code exchange (§4.1.3), refresh (§6) and
// revocation (RFC 7009). Each request is one blocking http_send: call it off the JS thread.
//
//   ClientCredentials c{"client-id", SecretString(secret)};
//   std::string url = authorize_url(record, c.client_id, redirect, state, challenge);
//   Result<TokenResponse> t = exchange_code(record, c, code, verifier, redirect, {});
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "platform.h"
#include "secret_string.h"
#include "status.h"
#include "token_response.h"

namespace keryx {

// ClientCredentials: the app's id and (for confidential clients) secret.
struct ClientCredentials {
  std::string client_id;
  SecretString client_secret;  // empty for a public client
};

// RequestLimits: per-request deadlines, and a CA file for tests against a local https server.
struct RequestLimits {
  std::chrono::milliseconds timeout{30000};
  std::string ca_file;
};

// AuthorizeRequest: what goes into the authorize URL besides the record's own parameters.
struct AuthorizeRequest {
  std::string client_id;
  std::string redirect_uri;
  std::string state;
  std::string code_challenge;       // empty when the record has no PKCE
  std::vector<std::string> scopes;  // empty: the record's defaults
};

// authorize_url: the URL the person opens. invalid_argument when the record needs PKCE and no
// challenge is given, or when a field is empty.
Result<std::string> authorize_url(const PlatformRecord& record, const AuthorizeRequest& request);

// exchange_code: trades `code` for tokens at the token endpoint. `verifier` empty when the record
// has no PKCE. Errors: platform_rejected (the platform's OAuth error, in the message), http_status
// (5xx), timeout, network_error, json_invalid.
Result<TokenResponse> exchange_code(const PlatformRecord& record, const ClientCredentials& client,
                                    std::string_view code, std::string_view verifier, std::string_view redirect_uri,
                                    const RequestLimits& limits, OAuthError* error_out = nullptr);

// refresh_access_token: a refresh_token grant (Instagram: ig_refresh_token with the long-lived
// token). The result's refresh_token is empty when the platform did not rotate it.
Result<TokenResponse> refresh_access_token(const PlatformRecord& record, const ClientCredentials& client,
                                           std::string_view refresh_token, const RequestLimits& limits,
                                           OAuthError* error_out = nullptr);

// revoke_token: RFC 7009 revocation of `token` (`hint` "access_token" or "refresh_token").
// not_found when the record has no revocation endpoint; platform_rejected / http_status otherwise.
Status revoke_token(const PlatformRecord& record, const ClientCredentials& client, std::string_view token,
                    std::string_view hint, const RequestLimits& limits);

}  // namespace keryx
