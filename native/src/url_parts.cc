// url_parts.cc: CURLU does the URL grammar; keryx only adds its own limits and query splitting.
#include "url_parts.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "curl_init.h"
#include "secret_string.h"

namespace keryx {
namespace {

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlFreeDeleter {
  void operator()(char* p) const { curl_free(p); }
};
using CurlString = std::unique_ptr<char, CurlFreeDeleter>;

// part: one component of `url`, or "" when absent.
std::string part(CURLU* url, CURLUPart which, unsigned flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(url, which, &raw, flags) != CURLUE_OK || raw == nullptr) return {};
  CurlString owned(raw);
  return std::string(owned.get());
}

bool has_control_chars(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7f;
  });
}

}  // namespace

Result<std::string> url_append_query(std::string_view text,
                                     const std::vector<std::pair<std::string, std::string>>& params) {
  if (has_control_chars(text)) return Status(Code::kInvalidArgument, "URL contains control characters");
  (void)curl_init();
  std::unique_ptr<CURLU, CurlUrlDeleter> url(curl_url());
  if (!url) return Status(Code::kInternal, "out of memory");
  std::string input(text);
  if (curl_url_set(url.get(), CURLUPART_URL, input.c_str(), 0) != CURLUE_OK) {
    return Status(Code::kInvalidArgument, "not a valid absolute URL");
  }
  for (const auto& [name, value] : params) {
    // CURLU_URLENCODE encodes the part after the first '=' (and the name has none of ours).
    std::string pair;
    pair.reserve(name.size() + 1 + value.size());  // one buffer: no partial copy of the value is left behind
    pair.append(name).append("=").append(value);
    CURLUcode rc = curl_url_set(url.get(), CURLUPART_QUERY, pair.c_str(), CURLU_APPENDQUERY | CURLU_URLENCODE);
    secure_wipe(pair.data(), pair.size());
    if (rc != CURLUE_OK) return Status(Code::kInvalidArgument, "query parameter " + name + " cannot be encoded");
  }
  std::string out = part(url.get(), CURLUPART_URL);
  if (out.empty()) return Status(Code::kInternal, "URL could not be assembled");
  return out;
}

Result<UrlParts> url_parse(std::string_view text) {
  if (text.size() > kMaxUrlLength) return Status(Code::kInvalidArgument, "URL is too long");
  if (has_control_chars(text)) return Status(Code::kInvalidArgument, "URL contains control characters");
  (void)curl_init();
  std::unique_ptr<CURLU, CurlUrlDeleter> url(curl_url());
  if (!url) return Status(Code::kInternal, "out of memory");
  std::string input(text);
  if (curl_url_set(url.get(), CURLUPART_URL, input.c_str(), 0) != CURLUE_OK) {
    return Status(Code::kInvalidArgument, "not a valid absolute URL");
  }
  UrlParts out;
  out.scheme = part(url.get(), CURLUPART_SCHEME);
  if (out.scheme != "http" && out.scheme != "https") {
    return Status(Code::kInvalidArgument, "URL scheme must be http or https");
  }
  out.host = part(url.get(), CURLUPART_HOST);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host.empty()) return Status(Code::kInvalidArgument, "URL has no host");
  for (char& c : out.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));  // RFC 3986 §3.2.2
  std::string explicit_port = part(url.get(), CURLUPART_PORT);
  out.port_explicit = !explicit_port.empty();
  std::string port = part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  out.port = port.empty() ? 0 : std::stoi(port);
  out.path = part(url.get(), CURLUPART_PATH);
  if (out.path.empty()) out.path = "/";
  out.query = part(url.get(), CURLUPART_QUERY);
  out.fragment = part(url.get(), CURLUPART_FRAGMENT);
  // "http://:pw@host/" has an empty user but still a userinfo.
  const std::size_t authority_start = input.find("//") == std::string::npos ? 0 : input.find("//") + 2;
  const std::string_view authority =
      std::string_view(input).substr(authority_start, input.find_first_of("/?#", authority_start) - authority_start);
  out.has_userinfo = !part(url.get(), CURLUPART_USER).empty() || !part(url.get(), CURLUPART_PASSWORD).empty() ||
                     authority.find('@') != std::string_view::npos;
  return out;
}

std::string percent_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int hi = hex(text[i + 1]);
      int lo = hex(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

QueryParams query_parse(std::string_view query) {
  QueryParams out;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string name(pair.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    for (char& c : name)
      if (c == '+') c = ' ';
    for (char& c : value)
      if (c == '+') c = ' ';
    out[percent_decode(name)].push_back(percent_decode(value));
  }
  return out;
}

bool host_is_loopback_literal(std::string_view host) {
  std::string h(host);
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

}  // namespace keryx
