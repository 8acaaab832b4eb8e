// platform.cc: the built-in platform records. Facts are from each platform's OAuth documentation as
// summarised in the project's platforms reference (endpoints, parameter names, PKCE variants,
// scope separators, token shapes).
#include "platform.h"

#include <algorithm>
#include <array>

#include "url_parts.h"

namespace keryx {
namespace {

PlatformRecord instagram() {
  PlatformRecord r;
  r.id = "instagram";
  r.display_name = "Instagram";
  r.endpoints.authorize_url = "https://www.instagram.com/oauth/authorize";
  r.endpoints.token_url = "https://api.instagram.com/oauth/access_token";
  r.endpoints.long_lived_url = "https://graph.instagram.com/access_token";
  r.endpoints.refresh_url = "https://graph.instagram.com/refresh_access_token";
  r.endpoints.userinfo_url = "https://graph.instagram.com/v25.0/me";
  r.redirect_kind = RedirectKind::kHttpsRange;
  r.scopes = {"instagram_business_basic", "instagram_business_content_publish"};
  r.scope_separator = ',';
  r.extra_authorize_params = {{"enable_fb_login", "0"}};
  r.shape = TokenShape::kLongLivedRefreshable;
  r.dialect = ResponseDialect::kInstagram;
  r.client_id_key = "platforms.instagram.app_id";
  r.client_secret_env = "INSTAGRAM_APP_SECRET";
  return r;
}

PlatformRecord youtube() {
  PlatformRecord r;
  r.id = "youtube";
  r.display_name = "YouTube";
  r.endpoints.authorize_url = "https://accounts.google.com/o/oauth2/v2/auth";
  r.endpoints.token_url = "https://oauth2.googleapis.com/token";
  r.endpoints.revoke_url = "https://oauth2.googleapis.com/revoke";
  r.endpoints.userinfo_url = "https://www.googleapis.com/youtube/v3/channels";
  r.pkce = PkceMethod::kS256;
  r.redirect_kind = RedirectKind::kLoopbackHttp;
  r.scopes = {"https://www.googleapis.com/auth/youtube.upload", "https://www.googleapis.com/auth/youtube.readonly"};
  r.extra_authorize_params = {{"access_type", "offline"}, {"prompt", "consent"}};
  r.shape = TokenShape::kNonRotatingRefresh;
  r.check_granted_scopes = true;
  r.client_id_key = "platforms.youtube.client_id";
  r.client_secret_env = "YOUTUBE_CLIENT_SECRET";
  return r;
}

PlatformRecord tiktok() {
  PlatformRecord r;
  r.id = "tiktok";
  r.display_name = "TikTok";
  r.endpoints.authorize_url = "https://www.tiktok.com/v2/auth/authorize/";
  r.endpoints.token_url = "https://open.tiktokapis.com/v2/oauth/token/";
  r.endpoints.revoke_url = "https://open.tiktokapis.com/v2/oauth/revoke/";
  r.endpoints.userinfo_url = "https://open.tiktokapis.com/v2/user/info/";
  r.client_id_param = "client_key";
  r.pkce = PkceMethod::kS256Hex;
  r.redirect_kind = RedirectKind::kLoopbackHttp;
  r.redirect_path = "/callback/";
  r.scopes = {"user.info.basic", "video.publish", "video.upload"};
  r.scope_separator = ',';
  r.shape = TokenShape::kRotatingRefresh;
  r.dialect = ResponseDialect::kTikTok;
  r.check_granted_scopes = true;  // toggleable scopes: a person can untick video.publish
  r.client_id_key = "platforms.tiktok.client_key";
  r.client_secret_env = "TIKTOK_CLIENT_SECRET";
  return r;
}

PlatformRecord linkedin() {
  PlatformRecord r;
  r.id = "linkedin";
  r.display_name = "LinkedIn";
  r.endpoints.authorize_url = "https://www.linkedin.com/oauth/v2/authorization";
  r.endpoints.token_url = "https://www.linkedin.com/oauth/v2/accessToken";
  r.endpoints.revoke_url = "https://www.linkedin.com/oauth/v2/revoke";
  r.endpoints.userinfo_url = "https://api.linkedin.com/v2/userinfo";
  r.redirect_kind = RedirectKind::kPinned;  // LinkedIn matches one registered URI exactly
  r.default_redirect = "http://127.0.0.1:3770/";
  r.scopes = {"openid", "profile", "w_member_social"};
  r.shape = TokenShape::kNoRefresh;
  r.client_id_key = "platforms.linkedin.client_id";
  r.client_secret_env = "LINKEDIN_CLIENT_SECRET";
  return r;
}

template <typename E>
struct Named {
  E value;
  std::string_view name;
};

constexpr std::array<Named<ClientAuth>, 3> kClientAuthNames = {
    {{ClientAuth::kPost, "post"}, {ClientAuth::kBasic, "basic"}, {ClientAuth::kNone, "none"}}};
constexpr std::array<Named<RedirectKind>, 3> kRedirectKindNames = {{{RedirectKind::kHttpsRange, "https-range"},
                                                                    {RedirectKind::kLoopbackHttp, "loopback"},
                                                                    {RedirectKind::kPinned, "pinned"}}};
constexpr std::array<Named<TokenShape>, 4> kTokenShapeNames = {
    {{TokenShape::kLongLivedRefreshable, "long_lived_refreshable"},
     {TokenShape::kNonRotatingRefresh, "non_rotating_refresh"},
     {TokenShape::kRotatingRefresh, "rotating_refresh"},
     {TokenShape::kNoRefresh, "no_refresh"}}};
constexpr std::array<Named<ResponseDialect>, 3> kDialectNames = {{{ResponseDialect::kStandard, "standard"},
                                                                  {ResponseDialect::kInstagram, "instagram"},
                                                                  {ResponseDialect::kTikTok, "tiktok"}}};

template <typename E, std::size_t N>
std::string_view name_of(const std::array<Named<E>, N>& table, E value) {
  for (const auto& n : table) {
    if (n.value == value) return n.name;
  }
  return "unknown";
}

template <typename E, std::size_t N>
Result<E> parse_name(const std::array<Named<E>, N>& table, std::string_view name, std::string_view what) {
  for (const auto& n : table) {
    if (n.name == name) return n.value;
  }
  std::string allowed;
  for (const auto& n : table) allowed += (allowed.empty() ? "" : ", ") + std::string(n.name);
  return Status(Code::kInvalidArgument, std::string(what) + " must be one of " + allowed);
}

Status check_url(const std::string& url, std::string_view field, bool required) {
  if (url.empty()) {
    return required ? Status(Code::kInvalidArgument, std::string(field) + " is required") : Status::Ok();
  }
  Result<UrlParts> parts = url_parse(url);
  if (!parts.ok()) return Status(Code::kInvalidArgument, std::string(field) + " is not a valid URL");
  const UrlParts& u = parts.value();
  if (u.scheme == "https") return Status::Ok();
  if (u.scheme == "http" && (host_is_loopback_literal(u.host) || u.host == "localhost")) {
    return Status::Ok();
  }
  return Status(Code::kInvalidArgument, std::string(field) + " must be https (plain http only to a loopback address)");
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; });
}

}  // namespace

const std::vector<std::string>& builtin_platform_ids() {
  static const std::vector<std::string> ids = {"instagram", "youtube", "tiktok", "linkedin"};
  return ids;
}

Result<PlatformRecord> builtin_platform(std::string_view id) {
  if (id == "instagram") return instagram();
  if (id == "youtube") return youtube();
  if (id == "tiktok") return tiktok();
  if (id == "linkedin") return linkedin();
  return Status(Code::kNotFound, "unknown platform (built in: instagram, youtube, tiktok, linkedin)");
}

Status platform_validate(const PlatformRecord& r) {
  if (!valid_id(r.id)) return Status(Code::kInvalidArgument, "platform id must be 1-64 of [a-z0-9_-]");
  KERYX_RETURN_IF_ERROR(check_url(r.endpoints.authorize_url, "authorize_url", true));
  KERYX_RETURN_IF_ERROR(check_url(r.endpoints.token_url, "token_url", true));
  KERYX_RETURN_IF_ERROR(check_url(r.endpoints.revoke_url, "revoke_url", false));
  KERYX_RETURN_IF_ERROR(check_url(r.endpoints.userinfo_url, "userinfo_url", false));
  KERYX_RETURN_IF_ERROR(check_url(r.endpoints.long_lived_url, "long_lived_url", false));
  KERYX_RETURN_IF_ERROR(check_url(r.endpoints.refresh_url, "refresh_url", false));
  if (r.client_id_param.empty()) return Status(Code::kInvalidArgument, "client_id_param is empty");
  if (r.redirect_path.empty() || r.redirect_path.front() != '/') {
    return Status(Code::kInvalidArgument, "redirect_path must start with '/'");
  }
  if (r.redirect_kind == RedirectKind::kPinned && r.default_redirect.empty()) {
    return Status(Code::kInvalidArgument, "a pinned redirect kind needs default_redirect");
  }
  if (r.client_auth == ClientAuth::kNone && !r.pkce) {
    return Status(Code::kInvalidArgument, "a public client (client_auth none) needs PKCE");
  }
  return Status::Ok();
}

std::string_view client_auth_name(ClientAuth auth) { return name_of(kClientAuthNames, auth); }
Result<ClientAuth> client_auth_parse(std::string_view name) {
  return parse_name(kClientAuthNames, name, "client_auth");
}
std::string_view token_shape_name(TokenShape shape) { return name_of(kTokenShapeNames, shape); }
Result<TokenShape> token_shape_parse(std::string_view name) {
  return parse_name(kTokenShapeNames, name, "token_shape");
}
std::string_view redirect_kind_name(RedirectKind kind) { return name_of(kRedirectKindNames, kind); }
Result<RedirectKind> redirect_kind_parse(std::string_view name) {
  return parse_name(kRedirectKindNames, name, "redirect_kind");
}
std::string_view response_dialect_name(ResponseDialect dialect) { return name_of(kDialectNames, dialect); }
Result<ResponseDialect> response_dialect_parse(std::string_view name) {
  return parse_name(kDialectNames, name, "dialect");
}

}  // namespace keryx
