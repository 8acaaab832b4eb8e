// issuer_metadata_fuzz: an OAuth 2.0 / OIDC issuer's metadata document as fetched from
// <issuer>/.well-known/openid-configuration or /.well-known/oauth-authorization-server:
// parse_issuer_metadata("https://issuer.example", body), and the same body for a loopback issuer
// written with a trailing slash ("http://127.0.0.1:9000/", as an emulator is configured).
// Invariants (trap on violation): failures are discovery_failed; on success the document's issuer
// is the expected one (trailing slashes aside), authorize and token endpoints are present, and
// every endpoint is an https URL, or http to a loopback host.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "issuer_discovery.h"
#include "url_parts.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "issuer_metadata_fuzz: invariant violated: %s\n", what);
    __builtin_trap();
  }
}

std::string_view without_trailing_slash(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

void check_endpoint(const std::string& url, bool required) {
  if (url.empty()) {
    check(!required, "a required endpoint is missing");
    return;
  }
  keryx::Result<keryx::UrlParts> parts = keryx::url_parse(url);
  check(parts.ok(), "an endpoint that is not a URL");
  const keryx::UrlParts& u = parts.value();
  check(
      u.scheme == "https" || (u.scheme == "http" && (u.host == "localhost" || keryx::host_is_loopback_literal(u.host))),
      "an endpoint over plain http to a non-loopback host");
}

void run(std::string_view issuer, std::string_view body) {
  keryx::Result<keryx::IssuerMetadata> m = keryx::parse_issuer_metadata(issuer, body);
  if (!m.ok()) {
    check(m.status().code() == keryx::Code::kDiscoveryFailed, "a failure that is not discovery_failed");
    return;
  }
  const keryx::IssuerMetadata& md = m.value();
  check(without_trailing_slash(md.issuer) == without_trailing_slash(issuer), "metadata of another issuer accepted");
  check_endpoint(md.endpoints.authorize_url, true);
  check_endpoint(md.endpoints.token_url, true);
  check_endpoint(md.endpoints.revoke_url, false);
  check_endpoint(md.endpoints.userinfo_url, false);
  check(md.endpoints.long_lived_url.empty() && md.endpoints.refresh_url.empty(), "endpoints nobody asked for");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  run("https://issuer.example", body);
  run("http://127.0.0.1:9000/", body);
  return 0;
}
