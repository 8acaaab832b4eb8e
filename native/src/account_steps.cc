// account_steps.cc: the per-platform post-steps (the quirk hooks of the flow).
#include "account_steps.h"

#include <chrono>
#include <thread>
#include <utility>

#include "callback_params.h"
#include "http_client.h"
#include "json.h"
#include "url_parts.h"

namespace keryx {
namespace {

constexpr std::size_t kMaxFieldChars = 256;

struct BearerGet {
  HttpRequest request;
  ~BearerGet() {
    for (auto& [name, value] : request.headers) secure_wipe(value.data(), value.size());
    secure_wipe(request.url.data(), request.url.size());
  }
};

// get_json: GET `url` (with `bearer` as the access token when not empty) and parse the answer.
Result<rapidjson::Document> get_json(const std::string& url, std::string_view bearer, const RequestLimits& limits,
                                     std::string_view what) {
  BearerGet get;
  get.request.url = url;
  get.request.headers.emplace_back("Accept", "application/json");
  if (!bearer.empty()) get.request.headers.emplace_back("Authorization", "Bearer " + std::string(bearer));
  get.request.total_timeout = limits.timeout;
  get.request.ca_file = limits.ca_file;
  Result<HttpResponse> r = http_send(get.request);
  if (!r.ok()) return Status(r.status().code(), std::string(what) + ": " + r.status().message());
  const HttpResponse& resp = r.value();
  if (resp.status >= 500) {
    return Status(Code::kHttpStatus, std::string(what) + " answered HTTP " + std::to_string(resp.status));
  }
  if (std::optional<OAuthError> e = find_oauth_error(resp.body, resp.status)) {
    std::string message = std::string(what) + ": " + e->error;
    if (!e->description.empty()) message += " (" + e->description + ")";
    return Status(resp.status == 401 ? Code::kTokenRevoked : Code::kPlatformRejected, message);
  }
  if (resp.status < 200 || resp.status >= 300) {
    return Status(Code::kHttpStatus, std::string(what) + " answered HTTP " + std::to_string(resp.status));
  }
  Result<rapidjson::Document> doc = json_parse(resp.body);
  if (!doc.ok()) return Status(Code::kJsonInvalid, std::string(what) + ": " + doc.status().message());
  return doc;
}

std::string field_text(const std::string& text) { return sanitize_text(text, kMaxFieldChars); }

Status set_optional(AccountInfo& info, const char* name, const rapidjson::Value& object, const char* key) {
  Result<std::optional<std::string>> v = json_get_optional_id(object, key);
  if (!v.ok()) {
    Result<std::optional<std::string>> s = json_get_optional_string(object, key);
    if (!s.ok()) return s.status();
    v = s;
  }
  if (v.value() && !v.value()->empty()) info.fields[name] = field_text(*v.value());
  return Status::Ok();
}

Result<AccountInfo> instagram(const PlatformRecord& record, const ClientCredentials& client, TokenResponse& token,
                              const RequestLimits& limits) {
  AccountInfo info;
  std::string user_id = token.account_id;
  Result<TokenResponse> long_lived = exchange_long_lived(record, client, token.access_token.view(), limits);
  if (!long_lived.ok()) return long_lived.status();
  std::vector<std::string> scopes = std::move(token.scopes);
  bool reported = token.scopes_reported;
  token = std::move(long_lived).value();
  token.scopes = std::move(scopes);
  token.scopes_reported = reported;
  if (!record.endpoints.userinfo_url.empty()) {
    Result<std::string> url = url_append_query(record.endpoints.userinfo_url, {{"fields", "user_id,username"}});
    if (!url.ok()) return url.status();
    Result<rapidjson::Document> me = get_json(url.value(), token.access_token.view(), limits, "Instagram /me");
    if (!me.ok()) return me.status();
    Result<std::optional<std::string>> id = json_get_optional_id(me.value(), "user_id");
    if (!id.ok()) return id.status();
    if (id.value()) user_id = field_text(*id.value());
    KERYX_RETURN_IF_ERROR(set_optional(info, "username", me.value(), "username"));
  }
  if (user_id.empty()) return Status(Code::kJsonInvalid, "Instagram did not say which account the token is for");
  info.account_id = user_id;
  info.fields["user_id"] = user_id;
  token.account_id = user_id;
  return info;
}

Result<AccountInfo> youtube(const PlatformRecord& record, TokenResponse& token, const RequestLimits& limits) {
  AccountInfo info;
  if (!record.endpoints.userinfo_url.empty()) {
    Result<std::string> url =
        url_append_query(record.endpoints.userinfo_url, {{"part", "id,snippet"}, {"mine", "true"}});
    if (!url.ok()) return url.status();
    Result<rapidjson::Document> channels = get_json(url.value(), token.access_token.view(), limits, "YouTube channels");
    if (!channels.ok()) return channels.status();
    const rapidjson::Value& doc = channels.value();
    auto items = doc.IsObject() ? doc.FindMember("items") : doc.MemberEnd();
    if (doc.IsObject() && items != doc.MemberEnd() && items->value.IsArray() && !items->value.Empty() &&
        items->value[0].IsObject()) {
      const rapidjson::Value& first = items->value[0];
      KERYX_RETURN_IF_ERROR(set_optional(info, "channel_id", first, "id"));
      auto snippet = first.FindMember("snippet");
      if (snippet != first.MemberEnd() && snippet->value.IsObject()) {
        KERYX_RETURN_IF_ERROR(set_optional(info, "channel_title", snippet->value, "title"));
      }
    }
  }
  // A Google account without a channel still has a token; it is filed under the channel id when
  // there is one, else under "default".
  info.account_id = info.fields.count("channel_id") != 0 ? info.fields["channel_id"] : "default";
  return info;
}

Result<AccountInfo> tiktok(const PlatformRecord& record, TokenResponse& token, const RequestLimits& limits) {
  AccountInfo info;
  std::string open_id = token.account_id;
  if (!record.endpoints.userinfo_url.empty()) {
    Result<std::string> url =
        url_append_query(record.endpoints.userinfo_url, {{"fields", "open_id,union_id,display_name"}});
    if (!url.ok()) return url.status();
    Result<rapidjson::Document> doc = get_json(url.value(), token.access_token.view(), limits, "TikTok user info");
    if (!doc.ok()) return doc.status();
    Result<const rapidjson::Value*> data = json_get_object(doc.value(), "data");
    if (!data.ok()) return data.status();
    Result<const rapidjson::Value*> user = json_get_object(*data.value(), "user");
    if (!user.ok()) return user.status();
    Result<std::optional<std::string>> id = json_get_optional_string(*user.value(), "open_id");
    if (!id.ok()) return id.status();
    if (id.value() && !id.value()->empty()) open_id = field_text(*id.value());
    KERYX_RETURN_IF_ERROR(set_optional(info, "display_name", *user.value(), "display_name"));
  }
  if (open_id.empty()) return Status(Code::kJsonInvalid, "TikTok did not say which account the token is for");
  info.account_id = open_id;
  info.fields["open_id"] = open_id;
  token.account_id = open_id;
  return info;
}

Result<AccountInfo> by_userinfo_sub(const PlatformRecord& record, TokenResponse& token, const RequestLimits& limits,
                                    bool linkedin) {
  AccountInfo info;
  if (record.endpoints.userinfo_url.empty()) {
    info.account_id = "default";
    return info;
  }
  Result<rapidjson::Document> doc =
      get_json(record.endpoints.userinfo_url, token.access_token.view(), limits, record.display_name + " userinfo");
  // LinkedIn: a freshly minted token can be answered 401 (65601) for a few seconds while it
  // propagates; a brand-new token is not revoked, so wait and ask again (about 7 s in all).
  for (int attempt = 1; linkedin && !doc.ok() && doc.status().code() == Code::kTokenRevoked && attempt <= 3;
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000 * attempt));
    doc = get_json(record.endpoints.userinfo_url, token.access_token.view(), limits, record.display_name + " userinfo");
  }
  if (!doc.ok()) return doc.status();
  Result<std::string> sub = json_get_id(doc.value(), "sub");
  if (!sub.ok()) return sub.status();
  if (sub.value().empty()) return Status(Code::kJsonInvalid, "userinfo \"sub\" is empty");
  info.account_id = field_text(sub.value());
  info.fields["sub"] = info.account_id;
  KERYX_RETURN_IF_ERROR(set_optional(info, "name", doc.value(), "name"));
  if (linkedin) info.fields["author_urn"] = "urn:li:person:" + info.account_id;
  token.account_id = info.account_id;
  return info;
}

}  // namespace

Result<TokenResponse> exchange_long_lived(const PlatformRecord& record, const ClientCredentials& client,
                                          std::string_view short_lived_token, const RequestLimits& limits) {
  if (record.endpoints.long_lived_url.empty()) {
    return Status(Code::kInvalidArgument, record.display_name + " has no long-lived token exchange");
  }
  Result<std::string> url =
      url_append_query(record.endpoints.long_lived_url, {{"grant_type", "ig_exchange_token"},
                                                         {"client_secret", std::string(client.client_secret.view())},
                                                         {"access_token", std::string(short_lived_token)}});
  if (!url.ok()) return url.status();
  BearerGet get;
  get.request.url = std::move(url).value();
  get.request.total_timeout = limits.timeout;
  get.request.ca_file = limits.ca_file;
  Result<HttpResponse> r = http_send(get.request);
  if (!r.ok()) return Status(r.status().code(), "long-lived token exchange: " + r.status().message());
  Result<TokenResponse> t = normalise_token_response(record.dialect, r.value().status, r.value().body);
  if (!t.ok() && t.status().code() == Code::kHttpStatus) {
    return Status(Code::kHttpStatus, "long-lived token exchange: HTTP " + std::to_string(r.value().status));
  }
  return t;
}

Result<AccountInfo> complete_account(const PlatformRecord& record, const ClientCredentials& client,
                                     TokenResponse& token, const std::vector<std::string>& requested,
                                     const RequestLimits& limits) {
  // A platform where the person can untick a permission (Google, TikTok) must have granted every
  // scope asked for: a token that cannot post is refused before anything is stored.
  const std::vector<std::string>& asked = requested.empty() ? record.scopes : requested;
  if (record.check_granted_scopes && token.scopes_reported) {
    std::vector<std::string> missing = missing_scopes(asked, token.scopes);
    if (!missing.empty()) {
      std::string names;
      for (const std::string& s : missing) names += (names.empty() ? "" : ", ") + s;
      return Status(Code::kScopeMissing, "not granted: " + names);
    }
  }
  if (record.id == "instagram" && !record.endpoints.long_lived_url.empty()) {
    return instagram(record, client, token, limits);
  }
  if (record.id == "youtube") return youtube(record, token, limits);
  if (record.dialect == ResponseDialect::kTikTok) return tiktok(record, token, limits);
  return by_userinfo_sub(record, token, limits, record.id == "linkedin");
}

}  // namespace keryx
