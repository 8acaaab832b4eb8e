// redirect_uri.h: what a redirect URI means for the capture server: which scheme, which
// addresses and port to bind, and which path to answer on.
//
//   Result<RedirectTarget> t = redirect_parse("https://localhost:3766/");
//   // t->bind_hosts == {"127.0.0.1", "::1"}, t->port == 3766, t->tls == true, t->path == "/"
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "status.h"

namespace keryx {

// RedirectTarget: a validated redirect URI. When `paste_only` is true the host is not one keryx can
// listen on (a public host registered with the platform): the code can only arrive by paste.
struct RedirectTarget {
  std::string uri;                      // normalised URI, exactly what is sent as redirect_uri
  bool tls = false;                     // https
  std::string host;                     // as written (no brackets)
  int port = 0;                         // explicit or the scheme default
  std::string path = "/";               // raw path the callback must hit
  std::vector<std::string> bind_hosts;  // addresses to bind: localhost -> 127.0.0.1 and ::1
  bool paste_only = false;
};

// redirect_parse: parses and validates a redirect URI (RFC 8252 §7.3 loopback, or any https URI for
// paste-only use). redirect_invalid when: not http(s), userinfo present, a fragment present
// (RFC 6749 §3.1.2), a query present, control characters, port 0, or plain http to a
// non-loopback host (the code would cross the network in the clear).
Result<RedirectTarget> redirect_parse(std::string_view uri);

// redirect_format: "<scheme>://<host>:<port><path>" with IPv6 hosts bracketed.
std::string redirect_format(bool tls, std::string_view host, int port, std::string_view path);

}  // namespace keryx
