// http_client.cc: http_send over one curl easy handle per call. Messages name at most the redacted
// URL (scheme://host:port/path) plus fixed text; curl's error buffer is used only for TLS failures,
// whose text names certificates and hosts, never the request.
#include "http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

#include "curl_init.h"
#include "env.h"
#include "secret_string.h"

namespace keryx {
namespace {

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* list) const {  // header lines may carry a bearer token: wipe them
    for (curl_slist* node = list; node != nullptr; node = node->next) {
      secure_wipe(node->data, std::strlen(node->data));
    }
    curl_slist_free_all(list);
  }
};
struct CurlUrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlFreeDeleter {
  void operator()(char* text) const { curl_free(text); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;
using CurlText = std::unique_ptr<char, CurlFreeDeleter>;

constexpr std::size_t kMaxMethodLength = 32;

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// is_token: RFC 9110 §5.6.2 token (method and header names).
bool is_token(std::string_view text) {
  if (text.empty()) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return alnum || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
  });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && std::strchr(" \t\r\n", text.back()) != nullptr) text.remove_suffix(1);
  return text;
}

std::string url_part(CURLU* url, CURLUPart part, unsigned flags) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, flags) != CURLUE_OK) return {};
  CurlText owned(raw);
  return owned ? std::string(owned.get()) : std::string();
}

// Target: the checked scheme and redacted form of a request URL.
struct Target {
  std::string scheme;
  std::string redacted;
};

Result<Target> parse_target(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Status(Code::kInvalidArgument, "url must not contain spaces or control characters");
    }
  }
  CurlUrl url(curl_url());
  if (!url) return Status(Code::kInternal, "curl_url failed");
  std::string copy(text);
  if (curl_url_set(url.get(), CURLUPART_URL, copy.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return Status(Code::kInvalidArgument, "url is not a valid absolute URL");
  }
  Target target;
  target.scheme = to_lower(url_part(url.get(), CURLUPART_SCHEME, 0));
  if (target.scheme != "http" && target.scheme != "https") {
    return Status(Code::kInvalidArgument, "url scheme must be http or https");
  }
  std::string host = to_lower(url_part(url.get(), CURLUPART_HOST, 0));
  if (host.empty()) return Status(Code::kInvalidArgument, "url has no host");
  target.redacted = target.scheme + "://" + host + ":" + url_part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT) +
                    url_part(url.get(), CURLUPART_PATH, 0);
  return target;
}

// Sink: where the callbacks write, and why they stopped.
struct Sink {
  HttpResponse* response = nullptr;
  std::size_t max_body = 0;
  std::size_t header_bytes = 0;
  bool body_too_large = false;
  bool headers_too_large = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::size_t n = size * count;
  if (n > sink->max_body - sink->response->body.size()) {
    sink->body_too_large = true;
    return 0;  // any short count aborts the transfer with CURLE_WRITE_ERROR
  }
  sink->response->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::size_t n = size * count;
  sink->header_bytes += n;
  if (sink->header_bytes > kHttpMaxHeaderBytes) {
    sink->headers_too_large = true;
    return 0;
  }
  std::string_view line(data, n);
  HttpHeaders& headers = sink->response->headers;
  if (line.rfind("HTTP/", 0) == 0) {  // a new response (1xx, a followed redirect): start over
    headers.clear();
    sink->response->body.clear();
    return n;
  }
  if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {  // obsolete line folding
    if (!headers.empty() && !trim(line).empty()) {
      headers.back().second.append(" ").append(trim(line));
    }
    return n;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return n;  // blank line or junk
  headers.emplace_back(to_lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  return n;
}

Status check_request(const HttpRequest& request) {
  if (!is_token(request.method) || request.method.size() > kMaxMethodLength) {
    return Status(Code::kInvalidArgument, "method must be an HTTP token such as GET or POST");
  }
  if (request.method == "HEAD" && request.body_kind != HttpBodyKind::kNone) {
    return Status(Code::kInvalidArgument, "a HEAD request cannot carry a body");
  }
  for (std::size_t i = 0; i < request.headers.size(); ++i) {
    const auto& [name, value] = request.headers[i];
    if (!is_token(name)) {
      return Status(Code::kInvalidArgument, "header #" + std::to_string(i + 1) + " has an invalid name");
    }
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return Status(Code::kInvalidArgument, "header '" + name + "' has a value with CR, LF or NUL characters");
    }
  }
  if (request.connect_timeout.count() <= 0 || request.total_timeout.count() <= 0) {
    return Status(Code::kInvalidArgument, "timeouts must be positive");
  }
  if (request.max_response_bytes == 0) {
    return Status(Code::kInvalidArgument, "max_response_bytes must be positive");
  }
  if (request.max_redirects < 0 || request.max_redirects > kHttpMaxRedirectsLimit) {
    return Status(Code::kInvalidArgument, "max_redirects must be 0.." + std::to_string(kHttpMaxRedirectsLimit));
  }
  return Status::Ok();
}

// encode_form: name=value&... with every byte outside ALPHA / DIGIT / "-._~" percent-encoded.
Status encode_form(CURL* handle, const HttpRequest& request, SecretString& out) {
  for (const auto& [name, value] : request.form) {
    if (!out.empty()) out.append("&");
    for (const std::string* part : {&name, &value}) {
      if (part == &value) out.append("=");
      if (part->empty()) continue;
      CurlText escaped(curl_easy_escape(handle, part->data(), static_cast<int>(part->size())));
      if (!escaped) return Status(Code::kInternal, "curl_easy_escape failed");
      std::size_t length = std::strlen(escaped.get());
      out.append(std::string_view(escaped.get(), length));
      secure_wipe(escaped.get(), length);
    }
  }
  return Status::Ok();
}

bool has_header(const HttpRequest& request, std::string_view name) {
  return std::any_of(request.headers.begin(), request.headers.end(),
                     [name](const auto& header) { return iequals(header.first, name); });
}

// build_headers: the caller's headers plus keryx's defaults, as a curl list.
Result<CurlSlist> build_headers(const HttpRequest& request) {
  std::vector<std::string> lines;
  for (const auto& [name, value] : request.headers) {
    std::string line;
    line.reserve(name.size() + 2 + value.size());
    line.append(name).append(value.empty() ? ":" : ": ").append(value);  // "Name:" removes it
    lines.push_back(std::move(line));
  }
  if (!has_header(request, "Content-Type")) {
    switch (request.body_kind) {
      case HttpBodyKind::kNone: lines.emplace_back("Content-Type:"); break;
      case HttpBodyKind::kForm: lines.emplace_back("Content-Type: application/x-www-form-urlencoded"); break;
      case HttpBodyKind::kJson: lines.emplace_back("Content-Type: application/json"); break;
      case HttpBodyKind::kRaw: lines.emplace_back("Content-Type: application/octet-stream"); break;
    }
  }
  if (!has_header(request, "Expect")) lines.emplace_back("Expect:");  // no 100-continue round trip
  CurlSlist list;
  Status status = Status::Ok();
  for (std::string& line : lines) {
    curl_slist* head = status.ok() ? curl_slist_append(list.get(), line.c_str()) : nullptr;
    if (head == nullptr) status = Status(Code::kInternal, "curl_slist_append failed");
    if (!list) list.reset(head);  // append returns the head, which is new only the first time
    secure_wipe(line.data(), line.size());
  }
  if (!status.ok()) return status;
  return Result<CurlSlist>(std::move(list));
}

// http_proxy_fallback: curl reads only lowercase http_proxy for http:// (the CGI "httpoxy" guard);
// keryx also honours HTTP_PROXY, as Go does, unless it runs under CGI (REQUEST_METHOD set).
const char* http_proxy_fallback(const std::string& scheme) {
  if (scheme != "http" || env_get("http_proxy") != nullptr) return nullptr;
  if (env_get("REQUEST_METHOD") != nullptr) return nullptr;
  const char* upper = env_get("HTTP_PROXY");
  return (upper != nullptr && *upper != '\0') ? upper : nullptr;
}

// proxy_configured: whether the environment names a proxy that may apply to `url` (a hint for
// messages only; NO_PROXY is not evaluated).
bool proxy_configured(const std::string& url) {
  bool https = url.size() >= 6 && iequals(std::string_view(url).substr(0, 6), "https:");
  const std::array<const char*, 4> names = {https ? "https_proxy" : "http_proxy", https ? "HTTPS_PROXY" : "HTTP_PROXY",
                                            "all_proxy", "ALL_PROXY"};
  return std::any_of(names.begin(), names.end(), [](const char* name) {
    const char* value = env_get(name);
    return value != nullptr && *value != '\0';
  });
}

bool is_tls_error(CURLcode rc) {
  switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED: return true;
    default: return false;
  }
}

Status map_error(CURLcode rc, CURL* handle, const Sink& sink, const HttpRequest& request, const char* error_buffer) {
  char* effective = nullptr;
  curl_easy_getinfo(handle, CURLINFO_EFFECTIVE_URL, &effective);
  std::string where = http_redact_url(effective != nullptr ? effective : request.url);
  if (sink.body_too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    return Status(Code::kResponseTooLarge,
                  "response body from " + where + " exceeds " + std::to_string(request.max_response_bytes) + " bytes");
  }
  if (sink.headers_too_large) {
    return Status(Code::kResponseTooLarge,
                  "response headers from " + where + " exceed " + std::to_string(kHttpMaxHeaderBytes) + " bytes");
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    curl_off_t pretransfer = 0;
    curl_easy_getinfo(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    if (pretransfer == 0) {
      return Status(Code::kTimeout, "connecting to " + where + " timed out");
    }
    return Status(Code::kTimeout,
                  "request to " + where + " timed out after " + std::to_string(request.total_timeout.count()) + " ms");
  }
  if (is_tls_error(rc)) {
    std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
    return Status(Code::kTlsError, "TLS with " + where + " failed: " + detail.substr(0, 200));
  }
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST: return Status(Code::kNetworkError, "could not resolve the host of " + where);
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Status(Code::kNetworkError, "could not resolve the proxy host for " + where);
    case CURLE_COULDNT_CONNECT:
      return Status(Code::kNetworkError,
                    "could not connect to " + where + (proxy_configured(request.url) ? " or its proxy" : ""));
    case CURLE_TOO_MANY_REDIRECTS:
      return Status(Code::kNetworkError,
                    "more than " + std::to_string(request.max_redirects) + " redirects, last to " + where);
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status(Code::kNetworkError,
                    "a redirect from " + http_redact_url(request.url) + " went to a scheme keryx does not follow");
    case CURLE_URL_MALFORMAT: return Status(Code::kInvalidArgument, "url is not a valid absolute URL");
    case CURLE_OUT_OF_MEMORY: return Status(Code::kInternal, "out of memory during a request to " + where);
    default:
      return Status(Code::kNetworkError, std::string("request to ") + where + " failed: " + curl_easy_strerror(rc));
  }
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lowercase_name) return value;
  }
  return std::nullopt;
}

std::string http_redact_url(std::string_view url) {
  Result<Target> target = parse_target(url);
  return target.ok() ? target.value().redacted : "<invalid url>";
}

Result<HttpResponse> http_send(const HttpRequest& request) {
  KERYX_RETURN_IF_ERROR(curl_init());
  Result<Target> target = parse_target(request.url);
  if (!target.ok()) return target.status();
  KERYX_RETURN_IF_ERROR(check_request(request));

  CurlEasy handle(curl_easy_init());
  if (!handle) return Status(Code::kInternal, "curl_easy_init failed");
  CURL* h = handle.get();
  Result<CurlSlist> headers = build_headers(request);
  if (!headers.ok()) return headers.status();

  SecretString form_body;  // wiped when this call returns, whatever happens
  std::string_view payload;
  if (request.body_kind == HttpBodyKind::kForm) {
    KERYX_RETURN_IF_ERROR(encode_form(h, request, form_body));
    payload = form_body.view();
  } else if (request.body_kind != HttpBodyKind::kNone) {
    payload = request.body;
  }

  HttpResponse response;
  Sink sink{&response, request.max_response_bytes};
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  const std::string user_agent = "keryx/" KERYX_VERSION;
  const char* redirect_protocols = target.value().scheme == "https" ? "https" : "http,https";

  CURLcode rc = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(h, option, value);
  };
  set(CURLOPT_URL, request.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, redirect_protocols);
  set(CURLOPT_FOLLOWLOCATION, request.max_redirects > 0 ? 1L : 0L);
  set(CURLOPT_MAXREDIRS, static_cast<long>(request.max_redirects));
  set(CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: required in a threaded process
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.count()));
  set(CURLOPT_SSL_VERIFYPEER, 1L);
  set(CURLOPT_SSL_VERIFYHOST, 2L);
  set(CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
  set(CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
  if (!request.ca_file.empty()) set(CURLOPT_CAINFO, request.ca_file.c_str());
  if (const char* proxy = http_proxy_fallback(target.value().scheme)) set(CURLOPT_PROXY, proxy);
  set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  set(CURLOPT_USERAGENT, user_agent.c_str());
  set(CURLOPT_HTTPHEADER, headers.value().get());
  set(CURLOPT_ERRORBUFFER, error_buffer.data());
  set(CURLOPT_WRITEFUNCTION, &on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&sink));
  set(CURLOPT_HEADERFUNCTION, &on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&sink));
  set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_response_bytes));
  if (request.method == "HEAD") {
    set(CURLOPT_NOBODY, 1L);
  } else if (request.body_kind != HttpBodyKind::kNone || request.method == "POST") {
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    // Not copied: `payload` outlives the transfer. Never NULL, or curl would read stdin instead.
    set(CURLOPT_POSTFIELDS, payload.empty() ? "" : payload.data());
    if (request.method != "POST") set(CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method == "GET") {
    set(CURLOPT_HTTPGET, 1L);
  } else {
    set(CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (rc != CURLE_OK) {
    return Status(Code::kInternal, std::string("curl_easy_setopt failed: ") + curl_easy_strerror(rc));
  }

  rc = curl_easy_perform(h);
  if (rc != CURLE_OK) return map_error(rc, h, sink, request, error_buffer.data());
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace keryx
