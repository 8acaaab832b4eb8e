// token_response.cc: the token-response normalisers (one entry point, a dialect switch for the
// shapes only one platform uses).
#include "token_response.h"

#include <algorithm>
#include <cctype>

#include "callback_params.h"
#include "json.h"

namespace keryx {
namespace {

constexpr std::size_t kMaxErrorChars = 200;

std::string clean(std::string_view text) { return sanitize_text(text, kMaxErrorChars); }

// scalar_text: a string or an integer as text (error codes come both ways); "" otherwise.
std::string scalar_text(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  return "";
}

std::string member_text(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject()) return "";
  auto it = object.FindMember(key);
  return it == object.MemberEnd() ? "" : scalar_text(it->value);
}

std::optional<OAuthError> error_in(const rapidjson::Value& doc, long http_status) {
  if (!doc.IsObject()) return std::nullopt;
  OAuthError e;
  e.http_status = http_status;
  auto err = doc.FindMember("error");
  if (err != doc.MemberEnd()) {
    if (err->value.IsString()) {  // RFC 6749 §5.2, TikTok OAuth
      e.error = clean(scalar_text(err->value));
      e.description = clean(member_text(doc, "error_description"));
      if (e.description.empty()) e.description = clean(member_text(doc, "message"));
      if (!e.error.empty()) return e;
    } else if (err->value.IsObject()) {
      // TikTok API v2 envelope: {"error": {"code": "ok"}} on success.
      std::string code = member_text(err->value, "code");
      if (code == "ok") return std::nullopt;
      std::string type = member_text(err->value, "type");  // Graph: OAuthException
      e.error = clean(!type.empty() && !code.empty() ? type + " " + code : !code.empty() ? code : type);
      e.description = clean(member_text(err->value, "message"));
      if (e.error.empty() && e.description.empty()) e.error = "error";
      return e;
    }
  }
  // Instagram's token endpoint: {"error_type": "OAuthException", "code": 400, "error_message": ...}
  std::string error_type = member_text(doc, "error_type");
  if (!error_type.empty()) {
    e.error = clean(error_type);
    e.description = clean(member_text(doc, "error_message"));
    return e;
  }
  // LinkedIn's API: {"serviceErrorCode": 65600, "message": ..., "status": 401}
  std::string service = member_text(doc, "serviceErrorCode");
  if (!service.empty()) {
    e.error = clean(member_text(doc, "code").empty() ? "serviceErrorCode " + service : member_text(doc, "code"));
    e.description = clean(member_text(doc, "message"));
    return e;
  }
  return std::nullopt;
}

Status rejected(const OAuthError& e, OAuthError* out) {
  if (out != nullptr) *out = e;
  std::string message = e.error;
  if (!e.description.empty()) message += " (" + e.description + ")";
  return Status(Code::kPlatformRejected, message);
}

Result<std::optional<std::int64_t>> lifetime(const rapidjson::Value& object, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    Result<std::optional<std::int64_t>> v = json_get_optional_int64(object, key);
    if (!v.ok()) return v.status();
    if (!v.value()) continue;
    std::int64_t seconds = *v.value();
    if (seconds < 0 || seconds > kMaxTokenLifetimeSeconds) {
      return Status(Code::kJsonInvalid, "field \"" + std::string(key) + "\" is out of range");
    }
    return v;
  }
  return std::optional<std::int64_t>();
}

Result<std::vector<std::string>> scopes_of(const rapidjson::Value& object, const char* key, bool* reported) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || it->value.IsNull()) return std::vector<std::string>();
  *reported = true;
  if (it->value.IsString()) {
    return split_scopes(std::string_view(it->value.GetString(), it->value.GetStringLength()));
  }
  return json_get_string_array(object, key);
}

Result<SecretString> secret_field(const rapidjson::Value& object, const char* key, bool required) {
  Result<std::optional<std::string>> v = json_get_optional_string(object, key);
  if (!v.ok()) return v.status();
  if (!v.value()) {
    if (required) return Status(Code::kJsonInvalid, "the response has no \"" + std::string(key) + "\"");
    return SecretString();
  }
  std::string& text = *v.value();
  if (text.size() > 16384) {
    return Status(Code::kJsonInvalid, "field \"" + std::string(key) + "\" is too long");
  }
  SecretString out(text);
  secure_wipe(text.data(), text.size());
  return out;
}

// token_object: where the token fields live: the document, or Instagram's data[0].
Result<const rapidjson::Value*> token_object(ResponseDialect dialect, const rapidjson::Value& doc) {
  if (!doc.IsObject()) return Status(Code::kJsonInvalid, "the token response is not a JSON object");
  if (dialect == ResponseDialect::kInstagram && !doc.HasMember("access_token")) {
    auto data = doc.FindMember("data");
    if (data != doc.MemberEnd() && data->value.IsArray()) {
      if (data->value.Empty() || !data->value[0].IsObject()) {
        return Status(Code::kJsonInvalid, "the token response's \"data\" holds no token object");
      }
      return &data->value[0];
    }
  }
  return &doc;
}

}  // namespace

std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ' ' || text[i] == ',') {
      if (i > start) out.emplace_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::vector<std::string> missing_scopes(const std::vector<std::string>& requested,
                                        const std::vector<std::string>& granted) {
  std::vector<std::string> out;
  for (const std::string& s : requested) {
    if (std::find(granted.begin(), granted.end(), s) == granted.end()) out.push_back(s);
  }
  return out;
}

std::optional<OAuthError> find_oauth_error(std::string_view body, long http_status) {
  Result<rapidjson::Document> doc = json_parse(body);
  if (!doc.ok()) return std::nullopt;
  return error_in(doc.value(), http_status);
}

Result<TokenResponse> normalise_token_response(ResponseDialect dialect, long http_status, std::string_view body,
                                               OAuthError* error_out) {
  Result<rapidjson::Document> parsed = json_parse(body);
  if (parsed.ok()) {
    if (std::optional<OAuthError> e = error_in(parsed.value(), http_status)) {
      // A 5xx is the server's trouble (retry later), whatever its body says.
      if (http_status < 500) return rejected(*e, error_out);
      if (error_out != nullptr) *error_out = *e;
      return Status(Code::kHttpStatus, "the token endpoint answered HTTP " + std::to_string(http_status) + " (" +
                                           e->error + (e->description.empty() ? "" : ": " + e->description) + ")");
    }
  }
  if (http_status < 200 || http_status >= 300) {
    return Status(Code::kHttpStatus, "the token endpoint answered HTTP " + std::to_string(http_status));
  }
  if (!parsed.ok()) return Status(Code::kJsonInvalid, "the token response is not JSON: " + parsed.status().message());

  Result<const rapidjson::Value*> where = token_object(dialect, parsed.value());
  if (!where.ok()) return where.status();
  const rapidjson::Value& t = *where.value();

  TokenResponse out;
  Result<SecretString> access = secret_field(t, "access_token", true);
  if (!access.ok()) return access.status();
  out.access_token = std::move(access).value();
  if (out.access_token.empty()) return Status(Code::kJsonInvalid, "the response's access token is empty");
  Result<SecretString> refresh = secret_field(t, "refresh_token", false);
  if (!refresh.ok()) return refresh.status();
  out.refresh_token = std::move(refresh).value();
  Result<SecretString> id_token = secret_field(t, "id_token", false);
  if (!id_token.ok()) return id_token.status();
  out.id_token = std::move(id_token).value();

  Result<std::optional<std::string>> type = json_get_optional_string(t, "token_type");
  if (!type.ok()) return type.status();
  if (type.value() && !type.value()->empty()) {
    // Platforms write "bearer" or "Bearer"; RFC 6749 §7.1 makes the type case-insensitive.
    std::string lower = clean(*type.value());
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    out.token_type = lower == "bearer" ? "Bearer" : clean(*type.value());
  }

  Result<std::optional<std::int64_t>> expires = lifetime(t, {"expires_in", "expires"});
  if (!expires.ok()) return expires.status();
  out.expires_in = expires.value();
  Result<std::optional<std::int64_t>> refresh_expires = lifetime(t, {"refresh_expires_in", "refresh_token_expires_in"});
  if (!refresh_expires.ok()) return refresh_expires.status();
  out.refresh_expires_in = refresh_expires.value();

  Result<std::vector<std::string>> scopes =
      scopes_of(t, dialect == ResponseDialect::kInstagram ? "permissions" : "scope", &out.scopes_reported);
  if (!scopes.ok()) return scopes.status();
  out.scopes = std::move(scopes).value();

  const char* id_key = dialect == ResponseDialect::kInstagram ? "user_id"
                       : dialect == ResponseDialect::kTikTok  ? "open_id"
                                                              : nullptr;
  if (id_key != nullptr) {
    Result<std::optional<std::string>> id = json_get_optional_id(t, id_key);
    if (!id.ok()) return id.status();
    if (id.value()) out.account_id = clean(*id.value());
  }
  return out;
}

}  // namespace keryx
