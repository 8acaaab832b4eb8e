// oauth_client.cc: authorize URL, code exchange, refresh and revocation over http_client.
#include "oauth_client.h"

#include <sodium.h>

#include <algorithm>
#include <utility>

#include <cctype>
#include "http_client.h"
#include "url_parts.h"

namespace keryx {
namespace {

using Form = std::vector<std::pair<std::string, std::string>>;

std::string join_scopes(const std::vector<std::string>& scopes, char separator) {
  std::string out;
  for (const std::string& s : scopes) {
    if (!out.empty()) out += separator;
    out += s;
  }
  return out;
}

// WipedForm: form fields (codes, verifiers, secrets) wiped when the request is done.
struct WipedForm {
  Form fields;
  ~WipedForm() {
    for (auto& [name, value] : fields) secure_wipe(value.data(), value.size());
  }
};

// basic_credentials: RFC 6749 §2.3.1: Basic base64(urlencode(id) ":" urlencode(secret)).
std::string basic_credentials(const ClientCredentials& client) {
  auto encode = [](std::string_view v) {
    std::string out;
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char c : v) {
      if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
    return out;
  };
  std::string pair = encode(client.client_id) + ":" + encode(client.client_secret.view());
  std::string encoded(sodium_base64_ENCODED_LEN(pair.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), reinterpret_cast<const unsigned char*>(pair.data()), pair.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  encoded.resize(encoded.size() - 1);  // the terminating NUL
  std::string header = "Basic " + encoded;
  secure_wipe(encoded.data(), encoded.size());
  secure_wipe(pair.data(), pair.size());
  return header;
}

// add_client: the client's id and secret, as the record's client_auth says.
void add_client(const PlatformRecord& record, const ClientCredentials& client, WipedForm& form, HttpRequest& request) {
  if (record.client_auth == ClientAuth::kBasic && !client.client_secret.empty()) {
    request.headers.emplace_back("Authorization", basic_credentials(client));
    return;
  }
  form.fields.emplace_back(record.client_id_param, client.client_id);
  if (record.client_auth != ClientAuth::kNone && !client.client_secret.empty()) {
    form.fields.emplace_back("client_secret", std::string(client.client_secret.view()));
  }
}

struct SentRequest {
  HttpRequest request;
  ~SentRequest() {
    for (auto& [name, value] : request.form) secure_wipe(value.data(), value.size());
    for (auto& [name, value] : request.headers) secure_wipe(value.data(), value.size());
    secure_wipe(request.url.data(), request.url.size());
  }
};

Result<HttpResponse> post_form(const std::string& url, WipedForm& form, SentRequest& sent,
                               const RequestLimits& limits) {
  HttpRequest& req = sent.request;
  req.method = "POST";
  req.url = url;
  req.body_kind = HttpBodyKind::kForm;
  req.form = std::move(form.fields);
  req.headers.emplace_back("Accept", "application/json");
  req.total_timeout = limits.timeout;
  req.connect_timeout = std::min(limits.timeout, std::chrono::milliseconds(10000));
  req.ca_file = limits.ca_file;
  return http_send(req);
}

// status_for_transport: a failed request, named for the endpoint it was sent to.
Status for_endpoint(const Status& s, std::string_view what) {
  return Status(s.code(), std::string(what) + ": " + s.message());
}

}  // namespace

Result<std::string> authorize_url(const PlatformRecord& record, const AuthorizeRequest& request) {
  if (request.client_id.empty()) return Status(Code::kInvalidArgument, "the client id is empty");
  if (request.redirect_uri.empty()) return Status(Code::kInvalidArgument, "the redirect URI is empty");
  if (record.pkce && request.code_challenge.empty()) {
    return Status(Code::kInvalidArgument, record.display_name + " needs a PKCE challenge");
  }
  const std::vector<std::string>& scopes = request.scopes.empty() ? record.scopes : request.scopes;
  Form params = {
      {record.client_id_param, request.client_id}, {"redirect_uri", request.redirect_uri}, {"response_type", "code"}};
  if (!scopes.empty()) params.emplace_back("scope", join_scopes(scopes, record.scope_separator));
  if (!request.state.empty()) params.emplace_back("state", request.state);
  if (record.pkce) {
    params.emplace_back("code_challenge", request.code_challenge);
    params.emplace_back("code_challenge_method", std::string(pkce_method_param(*record.pkce)));
  }
  for (const auto& extra : record.extra_authorize_params) params.push_back(extra);
  return url_append_query(record.endpoints.authorize_url, params);
}

Result<TokenResponse> exchange_code(const PlatformRecord& record, const ClientCredentials& client,
                                    std::string_view code, std::string_view verifier, std::string_view redirect_uri,
                                    const RequestLimits& limits, OAuthError* error_out) {
  if (code.empty()) return Status(Code::kMissingCode, "the authorization code is empty");
  if (record.pkce && verifier.empty()) {
    return Status(Code::kInvalidArgument, record.display_name + " needs the PKCE verifier");
  }
  SentRequest sent;
  WipedForm form;
  form.fields = {
      {"grant_type", "authorization_code"}, {"code", std::string(code)}, {"redirect_uri", std::string(redirect_uri)}};
  if (record.pkce) form.fields.emplace_back("code_verifier", std::string(verifier));
  add_client(record, client, form, sent.request);
  Result<HttpResponse> r = post_form(record.endpoints.token_url, form, sent, limits);
  if (!r.ok()) return for_endpoint(r.status(), "token endpoint");
  return normalise_token_response(record.dialect, r.value().status, r.value().body, error_out);
}

Result<TokenResponse> refresh_access_token(const PlatformRecord& record, const ClientCredentials& client,
                                           std::string_view refresh_token, const RequestLimits& limits,
                                           OAuthError* error_out) {
  if (refresh_token.empty()) return Status(Code::kInvalidArgument, "there is no refresh token");
  SentRequest sent;
  if (!record.endpoints.refresh_url.empty()) {
    // Instagram: GET refresh_access_token?grant_type=ig_refresh_token&access_token=<long-lived>.
    Result<std::string> url =
        url_append_query(record.endpoints.refresh_url,
                         {{"grant_type", "ig_refresh_token"}, {"access_token", std::string(refresh_token)}});
    if (!url.ok()) return url.status();
    sent.request.url = std::move(url).value();
    sent.request.total_timeout = limits.timeout;
    sent.request.ca_file = limits.ca_file;
    Result<HttpResponse> r = http_send(sent.request);
    if (!r.ok()) return for_endpoint(r.status(), "refresh endpoint");
    return normalise_token_response(record.dialect, r.value().status, r.value().body, error_out);
  }
  WipedForm form;
  form.fields = {{"grant_type", "refresh_token"}, {"refresh_token", std::string(refresh_token)}};
  add_client(record, client, form, sent.request);
  Result<HttpResponse> r = post_form(record.endpoints.token_url, form, sent, limits);
  if (!r.ok()) return for_endpoint(r.status(), "token endpoint");
  return normalise_token_response(record.dialect, r.value().status, r.value().body, error_out);
}

Status revoke_token(const PlatformRecord& record, const ClientCredentials& client, std::string_view token,
                    std::string_view hint, const RequestLimits& limits) {
  if (record.endpoints.revoke_url.empty()) {
    return Status(Code::kNotFound, record.display_name + " has no revocation endpoint");
  }
  SentRequest sent;
  WipedForm form;
  form.fields = {{"token", std::string(token)}};
  if (!hint.empty() && record.dialect == ResponseDialect::kStandard) {
    form.fields.emplace_back("token_type_hint", std::string(hint));
  }
  add_client(record, client, form, sent.request);
  Result<HttpResponse> r = post_form(record.endpoints.revoke_url, form, sent, limits);
  if (!r.ok()) return for_endpoint(r.status(), "revocation endpoint");
  const HttpResponse& resp = r.value();
  if (std::optional<OAuthError> e = find_oauth_error(resp.body, resp.status)) {
    std::string message = "revocation: " + e->error;
    if (!e->description.empty()) message += " (" + e->description + ")";
    return Status(Code::kPlatformRejected, message);
  }
  if (resp.status < 200 || resp.status >= 300) {
    return Status(Code::kHttpStatus, "the revocation endpoint answered HTTP " + std::to_string(resp.status));
  }
  return Status::Ok();
}

}  // namespace keryx
