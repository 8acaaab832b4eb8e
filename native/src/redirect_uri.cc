// redirect_uri.cc: redirect URI validation over url_parse.
#include "redirect_uri.h"

#include "url_parts.h"

namespace keryx {

std::string redirect_format(bool tls, std::string_view host, int port, std::string_view path) {
  std::string out = tls ? "https://" : "http://";
  if (host.find(':') != std::string_view::npos) {
    out += "[";
    out += host;
    out += "]";
  } else {
    out += host;
  }
  out += ":" + std::to_string(port);
  out += path.empty() ? std::string_view("/") : path;
  return out;
}

Result<RedirectTarget> redirect_parse(std::string_view uri) {
  Result<UrlParts> parsed = url_parse(uri);
  if (!parsed.ok()) {
    return Status(Code::kRedirectInvalid, "redirect URI is not a valid http(s) URL: " + parsed.status().message());
  }
  const UrlParts& u = parsed.value();
  if (u.has_userinfo) return Status(Code::kRedirectInvalid, "redirect URI must not contain user:password@");
  if (!u.fragment.empty() || uri.find('#') != std::string_view::npos) {
    return Status(Code::kRedirectInvalid, "redirect URI must not contain a fragment (RFC 6749 section 3.1.2)");
  }
  if (!u.query.empty() || uri.find('?') != std::string_view::npos) {
    return Status(Code::kRedirectInvalid, "redirect URI must not contain a query string");
  }
  if (u.port <= 0 || u.port > 65535) return Status(Code::kRedirectInvalid, "redirect URI needs a port from 1 to 65535");

  RedirectTarget t;
  t.tls = u.scheme == "https";
  t.host = u.host;
  t.port = u.port;
  t.path = u.path;
  const bool is_localhost = u.host == "localhost";
  const bool is_loopback = is_localhost || host_is_loopback_literal(u.host);
  if (is_localhost) {
    t.bind_hosts = {"127.0.0.1", "::1"};
  } else if (is_loopback) {
    t.bind_hosts = {u.host};
  } else if (t.tls) {
    t.paste_only = true;  // a public https redirect: the browser lands there, the user pastes
  } else {
    return Status(Code::kRedirectInvalid,
                  "a plain http redirect URI must point at this machine (127.0.0.1, [::1] or localhost)");
  }
  // Keep the URI as the user wrote it when the port was explicit, so it matches the registration.
  t.uri = u.port_explicit ? redirect_format(t.tls, t.host, t.port, t.path) : std::string(uri);
  return t;
}

}  // namespace keryx
