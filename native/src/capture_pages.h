// capture_pages.h: the small HTML pages the capture server answers with. They never contain the
// code or the state; text from the platform is HTML-escaped.
#pragma once

#include <string>
#include <string_view>

namespace keryx {

// page_success: "keryx has the authorization; you can close this tab". Its script removes the
// query (the code) from the address bar and history.
std::string page_success(std::string_view app_name);

// page_failure: the flow ended with the platform's error `error_code` (e.g. access_denied) and
// `description` (already sanitised; escaped here).
std::string page_failure(std::string_view app_name, std::string_view error_code, std::string_view description);

// page_rejected: a request that is not this flow's callback (wrong state, no code); the flow goes on.
std::string page_rejected(std::string_view reason_code);

// page_not_found: any other path.
std::string page_not_found();

// html_escape: & < > " ' escaped.
std::string html_escape(std::string_view text);

// kPageSecurityHeaders: Content-Security-Policy for the pages (inline style and script only).
inline constexpr const char* kPageCsp =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

}  // namespace keryx
