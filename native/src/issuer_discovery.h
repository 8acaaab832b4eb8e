// issuer_discovery.h: an OAuth 2.0 / OIDC issuer's endpoints from its metadata document
// (OpenID Connect Discovery 1.0 §4, RFC 8414 §3), for the generic provider.
//
//   Result<IssuerMetadata> m = discover_issuer("https://auth.example.com", limits);
//   record.endpoints.authorize_url = m.value().endpoints.authorize_url;
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "oauth_client.h"
#include "platform.h"
#include "status.h"

namespace keryx {

struct IssuerMetadata {
  std::string issuer;
  PlatformEndpoints endpoints;  // authorize, token, revoke, userinfo (others empty)
  std::vector<std::string> code_challenge_methods;
  std::vector<std::string> scopes_supported;
};

// discover_issuer: fetches <issuer>/.well-known/openid-configuration, then (RFC 8414)
// /.well-known/oauth-authorization-server. The document's `issuer` must equal `issuer` (trailing
// slash aside) and every endpoint must be https (http only on loopback). discovery_failed otherwise,
// with what was wrong.
Result<IssuerMetadata> discover_issuer(std::string_view issuer, const RequestLimits& limits);

// parse_issuer_metadata: the checks above on a fetched document (exposed for tests and fuzzing).
Result<IssuerMetadata> parse_issuer_metadata(std::string_view issuer, std::string_view body);

}  // namespace keryx
