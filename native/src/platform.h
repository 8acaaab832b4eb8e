// platform.h: what keryx knows about one OAuth platform, as data: endpoints, parameter names, the
// PKCE variant, the redirect kind, scopes, how the client authenticates, the token shape and which
// response dialect its servers speak. The flow code (oauth_client.h, account_steps.h) reads these
// records; per-platform differences are data here, or a small hook keyed by `dialect`.
//
//   Result<PlatformRecord> tiktok = builtin_platform("tiktok");
//   tiktok.value().endpoints.token_url = from_config;     // endpoints are overridable
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pkce.h"
#include "status.h"

namespace keryx {

// ResponseDialect: how a platform's token endpoint and account API answer (see token_response.h).
enum class ResponseDialect {
  kStandard,   // RFC 6749 §5.1/§5.2 (Google, LinkedIn, generic providers)
  kInstagram,  // flat or data[]-wrapped token, {error_type, code, error_message}, Graph errors
  kTikTok,     // flat v2 token with open_id; {error, error_description, log_id} possibly in HTTP 200
};

// ClientAuth: how the client proves itself at the token endpoint (RFC 6749 §2.3.1).
enum class ClientAuth {
  kPost,   // client_id (or client_key) and client_secret in the form body
  kBasic,  // HTTP Basic with the urlencoded id and secret
  kNone,   // a public client: only the id, PKCE protects the code
};

// RedirectKind: which callback `keryx auth` sets up when no --redirect is given.
enum class RedirectKind {
  kHttpsRange,    // https://localhost:<first free of 3764-3769>/ with the in-memory certificate (Meta)
  kLoopbackHttp,  // http://127.0.0.1:<ephemeral><redirect_path> (RFC 8252 §7.3)
  kPinned,        // exactly default_redirect (a platform that needs one registered URI)
};

// TokenShape: how a platform's tokens stay alive (drives refresh policy in the lifecycle layer).
enum class TokenShape {
  kLongLivedRefreshable,  // Instagram: a ~60-day access token that refreshes itself
  kNonRotatingRefresh,    // Google: a durable refresh token minting short access tokens
  kRotatingRefresh,       // TikTok: each refresh returns a new refresh token, the old one dies
  kNoRefresh,             // LinkedIn (most apps): re-authorize before the access token expires
};

// PlatformEndpoints: absolute URLs; an empty one means the platform has no such endpoint.
struct PlatformEndpoints {
  std::string authorize_url;
  std::string token_url;
  std::string revoke_url;
  std::string userinfo_url;    // account lookup (Google: YouTube channels; TikTok: user info)
  std::string long_lived_url;  // Instagram: short -> long-lived token exchange
  std::string refresh_url;     // Instagram: ig_refresh_token (others refresh at token_url)
};

// PlatformRecord: one platform, as data.
struct PlatformRecord {
  std::string id;            // "instagram", "youtube", "tiktok", "linkedin", or a generic name
  std::string display_name;  // "Instagram"
  PlatformEndpoints endpoints;
  std::string client_id_param = "client_id";  // TikTok: "client_key"
  std::optional<PkceMethod> pkce;             // nullopt: the platform does not use PKCE
  RedirectKind redirect_kind = RedirectKind::kLoopbackHttp;
  std::string redirect_path = "/";
  std::string default_redirect;     // kPinned only
  std::vector<std::string> scopes;  // requested by default
  char scope_separator = ' ';
  std::vector<std::pair<std::string, std::string>> extra_authorize_params;
  ClientAuth client_auth = ClientAuth::kPost;
  TokenShape shape = TokenShape::kNoRefresh;
  ResponseDialect dialect = ResponseDialect::kStandard;
  bool check_granted_scopes = false;  // fail with scope_missing when fewer are granted
  // Prerequisites, named for messages: the config key holding the client id and the env var with
  // the client secret ("" for a public client).
  std::string client_id_key;      // "platforms.tiktok.client_key"
  std::string client_secret_env;  // "TIKTOK_CLIENT_SECRET"
};

// builtin_platform_ids: the platforms keryx knows without configuration.
const std::vector<std::string>& builtin_platform_ids();

// builtin_platform: the record for `id`; not_found for an unknown id.
Result<PlatformRecord> builtin_platform(std::string_view id);

// platform_validate: every endpoint present is an absolute http(s) URL (http only for loopback
// hosts), authorize and token URLs present, ids well formed. invalid_argument naming the field.
Status platform_validate(const PlatformRecord& record);

// Names for the enums, as used in config files and the bindings.
std::string_view client_auth_name(ClientAuth auth);
Result<ClientAuth> client_auth_parse(std::string_view name);
std::string_view token_shape_name(TokenShape shape);
std::string_view redirect_kind_name(RedirectKind kind);
Result<RedirectKind> redirect_kind_parse(std::string_view name);
std::string_view response_dialect_name(ResponseDialect dialect);
Result<ResponseDialect> response_dialect_parse(std::string_view name);
Result<TokenShape> token_shape_parse(std::string_view name);

}  // namespace keryx
