// http_client.h: one blocking HTTP(S) request over libcurl, with the limits an OAuth client needs:
// TLS verification always on, http/https only, no redirects unless asked, a response size cap,
// connect and total deadlines, and error messages that never carry a query string, header or body.
//
//   HttpRequest req;
//   req.method = "POST";
//   req.url = "https://oauth2.googleapis.com/token";
//   req.body_kind = HttpBodyKind::kForm;
//   req.form = {{"grant_type", "authorization_code"}, {"code", code}};
//   Result<HttpResponse> r = http_send(req);          // blocks: call it off the JS thread
//   if (!r.ok()) return r.status();                   // timeout, tls_error, network_error, ...
//   if (r.value().status != 200) ...
//
// Proxies come from the environment as in curl: https_proxy/HTTPS_PROXY, http_proxy (and
// HTTP_PROXY, which keryx adds unless REQUEST_METHOD is set, i.e. outside CGI), ALL_PROXY and
// NO_PROXY/no_proxy, read at each call.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "status.h"

namespace keryx {

// kHttpDefaultMaxResponseBytes: the default cap on a response body (1 MiB).
inline constexpr std::size_t kHttpDefaultMaxResponseBytes = std::size_t{1024} * 1024;
// kHttpMaxHeaderBytes: the cap on all response header lines together (64 KiB).
inline constexpr std::size_t kHttpMaxHeaderBytes = std::size_t{64} * 1024;
// kHttpMaxRedirectsLimit: the most redirects a request may ask to follow.
inline constexpr int kHttpMaxRedirectsLimit = 20;

// HttpHeaders: header name/value pairs in order; repeated names stay separate entries.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// HttpBodyKind: what HttpRequest carries as its body.
enum class HttpBodyKind {
  kNone,  // no body
  kForm,  // HttpRequest::form, application/x-www-form-urlencoded (RFC 6749 §4.1.3 token requests)
  kJson,  // HttpRequest::body sent as application/json (the caller serialises it)
  kRaw,   // HttpRequest::body sent as is; Content-Type from headers, else application/octet-stream
};

// HttpRequest: everything one request needs, as plain data (safe to build on one thread and send
// from another). Form values and body may hold secrets: http_send wipes its own encoded copy, and
// the caller owns (and should wipe) these fields.
struct HttpRequest {
  // method: an HTTP method token ("GET", "POST", ...), sent as given.
  std::string method = "GET";
  // url: an absolute http:// or https:// URL.
  std::string url;
  // headers: extra request headers. A header given here replaces keryx's default of that name
  // (User-Agent, Content-Type); a name with an empty value removes the default.
  HttpHeaders headers;
  // body_kind: which of `form` / `body` is sent.
  HttpBodyKind body_kind = HttpBodyKind::kNone;
  // form: name/value pairs for kForm, each percent-encoded (curl_easy_escape) and joined with '&'.
  std::vector<std::pair<std::string, std::string>> form;
  // body: the bytes for kJson and kRaw.
  std::string body;
  // connect_timeout: deadline for DNS + TCP + TLS handshake (> 0).
  std::chrono::milliseconds connect_timeout{10000};
  // total_timeout: deadline for the whole request, connect included (> 0).
  std::chrono::milliseconds total_timeout{30000};
  // max_response_bytes: the largest body accepted, enforced while streaming (> 0).
  std::size_t max_response_bytes = kHttpDefaultMaxResponseBytes;
  // max_redirects: 0 (default) returns 3xx responses as they are; N > 0 follows up to N redirects
  // (http/https only; never from https down to http).
  int max_redirects = 0;
  // ca_file: for tests, a PEM file of trust anchors used instead of the system store. Peer and
  // host verification stay on either way; there is no switch to turn them off.
  std::string ca_file;
};

// HttpResponse: the final response (after any followed redirects).
struct HttpResponse {
  // status: the HTTP status code (200, 400, ...).
  long status = 0;
  // headers: the final response's headers, names lowercased, values trimmed, in order.
  HttpHeaders headers;
  // body: the response body, at most HttpRequest::max_response_bytes bytes.
  std::string body;

  // header: the first value of the header `lowercase_name`, if present.
  std::optional<std::string> header(std::string_view lowercase_name) const;
};

// http_send: performs `request` and waits for the whole response. Blocking; thread-safe (one curl
// handle per call). Any HTTP status is a success here: callers decide what a 4xx means.
// Errors: invalid_argument (bad URL, scheme, method, header or limit), timeout, tls_error,
// network_error (DNS, connect, reset, proxy, too many redirects), response_too_large, internal.
Result<HttpResponse> http_send(const HttpRequest& request);

// http_redact_url: "scheme://host:port/path" for `url` (no userinfo, query or fragment), for use in
// messages; "<invalid url>" when it cannot be parsed.
std::string http_redact_url(std::string_view url);

}  // namespace keryx
