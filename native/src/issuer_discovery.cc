// issuer_discovery.cc: fetch and check an issuer's metadata document.
#include "issuer_discovery.h"

#include "http_client.h"
#include "json.h"

namespace keryx {
namespace {

std::string without_trailing_slash(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return std::string(s);
}

Status endpoint(const rapidjson::Value& doc, const char* key, bool required, std::string& out) {
  Result<std::optional<std::string>> v = json_get_optional_string(doc, key);
  if (!v.ok()) return Status(Code::kDiscoveryFailed, v.status().message());
  if (!v.value() || v.value()->empty()) {
    return required ? Status(Code::kDiscoveryFailed, std::string("the issuer metadata has no ") + key) : Status::Ok();
  }
  out = *v.value();
  return Status::Ok();
}

}  // namespace

Result<IssuerMetadata> parse_issuer_metadata(std::string_view issuer, std::string_view body) {
  Result<rapidjson::Document> doc = json_parse(body);
  if (!doc.ok()) return Status(Code::kDiscoveryFailed, "the issuer metadata is not JSON: " + doc.status().message());
  const rapidjson::Value& d = doc.value();
  if (!d.IsObject()) return Status(Code::kDiscoveryFailed, "the issuer metadata is not a JSON object");
  IssuerMetadata m;
  KERYX_RETURN_IF_ERROR(endpoint(d, "issuer", true, m.issuer));
  if (without_trailing_slash(m.issuer) != without_trailing_slash(issuer)) {
    return Status(Code::kDiscoveryFailed, "the metadata names another issuer (mix-up protection, RFC 8414 §3.3)");
  }
  KERYX_RETURN_IF_ERROR(endpoint(d, "authorization_endpoint", true, m.endpoints.authorize_url));
  KERYX_RETURN_IF_ERROR(endpoint(d, "token_endpoint", true, m.endpoints.token_url));
  KERYX_RETURN_IF_ERROR(endpoint(d, "revocation_endpoint", false, m.endpoints.revoke_url));
  KERYX_RETURN_IF_ERROR(endpoint(d, "userinfo_endpoint", false, m.endpoints.userinfo_url));
  Result<std::vector<std::string>> methods = json_get_string_array(d, "code_challenge_methods_supported");
  if (!methods.ok()) return Status(Code::kDiscoveryFailed, methods.status().message());
  m.code_challenge_methods = std::move(methods).value();
  Result<std::vector<std::string>> scopes = json_get_string_array(d, "scopes_supported");
  if (!scopes.ok()) return Status(Code::kDiscoveryFailed, scopes.status().message());
  m.scopes_supported = std::move(scopes).value();
  PlatformRecord probe;
  probe.id = "probe";
  probe.endpoints = m.endpoints;
  Status valid = platform_validate(probe);
  if (!valid.ok()) return Status(Code::kDiscoveryFailed, "issuer metadata: " + valid.message());
  return m;
}

Result<IssuerMetadata> discover_issuer(std::string_view issuer, const RequestLimits& limits) {
  std::string base = without_trailing_slash(issuer);
  Status last(Code::kDiscoveryFailed, "no metadata document");
  for (const char* suffix : {"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"}) {
    HttpRequest req;
    req.url = base + suffix;
    req.headers.emplace_back("Accept", "application/json");
    req.total_timeout = limits.timeout;
    req.ca_file = limits.ca_file;
    Result<HttpResponse> r = http_send(req);
    if (!r.ok()) {
      last = Status(Code::kDiscoveryFailed, http_redact_url(req.url) + ": " + r.status().to_string());
      continue;
    }
    if (r.value().status != 200) {
      last = Status(Code::kDiscoveryFailed,
                    http_redact_url(req.url) + " answered HTTP " + std::to_string(r.value().status));
      continue;
    }
    return parse_issuer_metadata(issuer, r.value().body);
  }
  return last;
}

}  // namespace keryx
