// callback_query_fuzz: what reaches the capture server. The bytes are a request target as
// cpp-httplib hands it over ("/callback?code=...&state=...") or a bare query string.
//  - judge_callback(query_parse(bytes), "expected-state"), as for a bare query;
//  - for a target starting with '/', the server's own split (path, then the query after the first
//    '?') and url_parse("http://127.0.0.1:1" + target), as the browser's absolute URL;
//  - a platform error is rendered with page_failure() as the server would answer it.
// Invariants (trap on violation): a verdict is exactly one of code / platform error / rejected; a
// code verdict carries a non-empty code made of code characters and only with the expected state;
// error text is printable ASCII within its limits; the HTML page never carries the raw description.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "callback_params.h"
#include "capture_pages.h"
#include "url_parts.h"

namespace {

constexpr std::string_view kExpectedState = "expected-state";

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "callback_query_fuzz: invariant violated: %s\n", what);
    __builtin_trap();
  }
}

bool printable(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

void check_verdict(const keryx::CallbackVerdict& v, std::string_view expected_state) {
  using Kind = keryx::CallbackVerdict::Kind;
  switch (v.kind) {
    case Kind::kCode:
      check(v.status.ok(), "a code verdict carries an error status");
      check(!v.code.empty(), "a code verdict with an empty code");
      for (unsigned char c : v.code.view()) {
        check(c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\',
              "a code verdict carries a character no code has");
      }
      check(expected_state.empty() || v.state == expected_state, "a code verdict with another state");
      break;
    case Kind::kPlatformError: {
      check(v.status.code() == keryx::Code::kPlatformRejected, "a platform error is not platform_rejected");
      check(!v.error.empty() && v.error.size() <= 64 && printable(v.error), "error is not 1-64 printable chars");
      check(v.description.size() <= keryx::kMaxDescriptionChars && printable(v.description),
            "description is not printable or too long");
      check(expected_state.empty() || v.state == expected_state, "a platform error with another state");
      // The page the browser gets: error and description only ever appear escaped, in their slots.
      std::string page = keryx::page_failure("keryx fuzz", v.error, v.description);
      const std::string error_html = keryx::html_escape(v.error);
      const std::string description_html = keryx::html_escape(v.description);
      for (char c : error_html + description_html) {
        check(c != '<' && c != '>' && c != '"' && c != '\'', "html_escape left markup characters");
      }
      check(page.find("<code>" + error_html + "</code>") != std::string::npos, "the page lost the escaped error");
      check(v.description.empty() || page.find("<p>" + description_html + "</p>") != std::string::npos,
            "the page lost the escaped description");
      break;
    }
    case Kind::kRejected:
      check(!v.status.ok(), "a rejection without a status");
      check(v.code.empty(), "a rejection carries a code");
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // A bare query string, judged with and without an expected state.
  keryx::QueryParams params = keryx::query_parse(input);
  check_verdict(keryx::judge_callback(params, kExpectedState), kExpectedState);
  check_verdict(keryx::judge_callback(params, ""), "");

  if (!input.empty() && input.front() == '/') {
    // The capture server's split (capture_server.cc): the path is matched, the rest is the query.
    const std::size_t q = input.find('?');
    const std::string_view query = q == std::string_view::npos ? std::string_view() : input.substr(q + 1);
    check_verdict(keryx::judge_callback(keryx::query_parse(query), kExpectedState), kExpectedState);

    // The same target as the absolute URL the browser was sent to.
    std::string url = "http://127.0.0.1:1" + std::string(input);
    keryx::Result<keryx::UrlParts> parts = keryx::url_parse(url);
    if (parts.ok()) {
      const keryx::UrlParts& u = parts.value();
      check(u.scheme == "http", "url_parse changed the scheme");
      check(u.port >= 0 && u.port <= 65535, "url_parse port out of range");
      check(!u.path.empty() && u.path.front() == '/', "url_parse path does not start with '/'");
      check_verdict(keryx::judge_callback(keryx::query_parse(u.query), kExpectedState), kExpectedState);
    }
  }
  return 0;
}
