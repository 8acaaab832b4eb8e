// url_parts.h: URL and query-string parsing for untrusted text (callbacks, pastes, redirect URIs),
// built on libcurl's URL API (CURLU) and curl_easy_unescape.
//
//   Result<UrlParts> u = url_parse("http://127.0.0.1:8123/cb?code=a%2Fb&state=s");
//   QueryParams q = query_parse(u.value().query);     // {"code": ["a/b"], "state": ["s"]}
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "status.h"

namespace keryx {

// kMaxUrlLength: the longest URL or query keryx parses (longer input is rejected, not truncated).
inline constexpr std::size_t kMaxUrlLength = 8192;

// UrlParts: the pieces of an absolute http(s) URL. `host` has no brackets for IPv6; `port` is the
// explicit port or the scheme's default; `path` is raw (not decoded), "/" when empty; `query` and
// `fragment` are raw, without '?' / '#'.
struct UrlParts {
  std::string scheme;
  std::string host;
  int port = 0;
  bool port_explicit = false;
  std::string path;
  std::string query;
  std::string fragment;
  bool has_userinfo = false;
};

// url_parse: parses an absolute http or https URL. invalid_argument for anything else (another
// scheme, no host, control characters, longer than kMaxUrlLength).
Result<UrlParts> url_parse(std::string_view text);

// QueryParams: decoded name -> every decoded value, in order of appearance.
using QueryParams = std::map<std::string, std::vector<std::string>>;

// query_parse: splits an application/x-www-form-urlencoded string ('+' is a space, %XX decoded).
// Pairs without '=' get an empty value. Never fails: undecodable bytes are kept as sent.
QueryParams query_parse(std::string_view query);

// percent_decode: %XX decoding (no '+' handling).
std::string percent_decode(std::string_view text);

// url_append_query: the URL `text` with each (name, value) appended to its query, percent-encoded
// (application/x-www-form-urlencoded style, via CURLU). invalid_argument for a bad URL.
// The result may carry secrets when a value does: the caller decides where it goes.
Result<std::string> url_append_query(std::string_view text,
                                     const std::vector<std::pair<std::string, std::string>>& params);

// host_is_loopback_literal: true for 127.0.0.0/8 literals and ::1.
bool host_is_loopback_literal(std::string_view host);

}  // namespace keryx
