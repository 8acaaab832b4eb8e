// callback_params.h: judging what arrived at a redirect — a callback's query or a pasted code/URL —
// against the flow's expected state. The same rules serve the server and the paste path.
//
//   CallbackVerdict v = judge_callback(query_parse(q), expected_state);
//   if (v.kind == CallbackVerdict::Kind::kCode) deliver(v.code);
#pragma once

#include <string>
#include <string_view>

#include "secret_string.h"
#include "status.h"
#include "url_parts.h"

namespace keryx {

// kMaxPasteBytes: the longest paste keryx looks at.
inline constexpr std::size_t kMaxPasteBytes = 8192;
// kMaxDescriptionChars: provider error descriptions are cut to this many characters.
inline constexpr std::size_t kMaxDescriptionChars = 300;

// CallbackVerdict: what to do with one callback or paste.
//  - kCode: the flow is complete; `code` holds the authorization code (secret).
//  - kPlatformError: the platform reported an error for this flow (state matched); the flow ends
//    with platform_rejected; `error` and `description` are sanitised printable ASCII.
//  - kRejected: not for this flow or malformed (`status` says why: state_mismatch, missing_code,
//    paste_invalid); the flow keeps waiting.
struct CallbackVerdict {
  enum class Kind { kCode, kPlatformError, kRejected };
  Kind kind = Kind::kRejected;
  SecretString code;
  std::string state;  // the state that came with it ("" when none did)
  std::string error;
  std::string description;
  Status status;
};

// judge_callback: a redirect's query parameters against `expected_state`. A code or an error ends
// the flow only with exactly one `state` equal (constant-time) to the expected one; duplicated
// parameters are rejected. Empty `expected_state` means the flow has no state (then none is checked).
// A trailing "#_" (Instagram) is stripped from the code; a code that is empty, or only "#_", is
// missing_code.
CallbackVerdict judge_callback(const QueryParams& params, std::string_view expected_state);

// judge_paste: pasted text: a full redirected URL, a bare query string (`code=...&state=...`), or a
// bare code. Surrounding whitespace and a trailing "#_" (Instagram) are ignored; a URL's state is
// checked when present; a bare code must be printable ASCII without spaces.
CallbackVerdict judge_paste(std::string_view text, std::string_view expected_state);

// sanitize_text: keeps printable ASCII, replaces anything else with '?', cuts to `max_chars`.
std::string sanitize_text(std::string_view text, std::size_t max_chars);

}  // namespace keryx
