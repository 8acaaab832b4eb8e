// redirect_uri_fuzz: redirect URIs as a user or a platform record gives them (--redirect-uri, the
// config file's platforms.<p>.redirect_uri, a generic provider's registration), and the URL
// redaction every HTTP error message goes through (http_redact_url, which also sees the URLs a
// server redirects to).
// Invariants (trap on violation), when redirect_parse succeeds: port 1-65535; path starts with '/';
// no query or fragment in the URI kept; bind_hosts non-empty unless paste_only, and only loopback
// addresses; paste_only only for https; the URI kept (verbatim unless the port was explicit, so it
// matches the registration) parses again to the same target.
// http_redact_url never returns a query, a fragment or userinfo.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "http_client.h"
#include "redirect_uri.h"
#include "url_parts.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "redirect_uri_fuzz: invariant violated: %s\n", what);
    __builtin_trap();
  }
}

void check_target(const keryx::RedirectTarget& t) {
  check(t.port >= 1 && t.port <= 65535, "port outside 1-65535");
  check(!t.path.empty() && t.path.front() == '/', "path does not start with '/'");
  check(t.paste_only || !t.bind_hosts.empty(), "nothing to bind and not paste_only");
  check(!t.paste_only || t.bind_hosts.empty(), "paste_only with addresses to bind");
  check(!t.paste_only || t.tls, "paste_only over plain http");
  for (const std::string& host : t.bind_hosts) {
    check(keryx::host_is_loopback_literal(host), "a bind address that is not a loopback literal");
  }
  check(t.uri.find('?') == std::string::npos && t.uri.find('#') == std::string::npos,
        "the normalised URI has a query or fragment");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  keryx::Result<keryx::RedirectTarget> target = keryx::redirect_parse(input);
  if (target.ok()) {
    const keryx::RedirectTarget& t = target.value();
    check_target(t);
    // What keryx sends as redirect_uri must be a redirect URI keryx accepts, meaning the same thing.
    keryx::Result<keryx::RedirectTarget> again = keryx::redirect_parse(t.uri);
    check(again.ok(), "the normalised URI does not parse again");
    check_target(again.value());
    check(again.value().port == t.port && again.value().tls == t.tls && again.value().path == t.path &&
              again.value().host == t.host && again.value().paste_only == t.paste_only,
          "the normalised URI means another target");
  } else {
    check(target.status().code() == keryx::Code::kRedirectInvalid, "a failure that is not redirect_invalid");
  }

  // Redaction for messages: scheme://host:port/path only.
  std::string redacted = keryx::http_redact_url(input);
  if (redacted != "<invalid url>") {
    check(redacted.rfind("http://", 0) == 0 || redacted.rfind("https://", 0) == 0, "redacted URL scheme");
    check(redacted.find('?') == std::string::npos, "redacted URL keeps a query");
    check(redacted.find('#') == std::string::npos, "redacted URL keeps a fragment");
    const std::size_t authority = redacted.find("://") + 3;
    const std::string_view host_port =
        std::string_view(redacted).substr(authority, redacted.find('/', authority) - authority);
    check(host_port.find('@') == std::string_view::npos, "redacted URL keeps userinfo");
  }
  return 0;
}
