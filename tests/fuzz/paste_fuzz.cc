// paste_fuzz: what a user pastes at the "paste the code or the URL" prompt: a full redirected URL,
// a bare query string, or a bare (possibly percent-encoded) code; and sanitize_text, which every
// piece of platform text goes through before it is shown.
//  - judge_paste(bytes, "expected-state") and judge_paste(bytes, "") (a flow without state);
//  - sanitize_text(bytes, max) for a max taken from the input's length.
// Invariants (trap on violation): a code verdict carries a non-empty code of code characters; a
// URL or query whose state is present and differs is never accepted; a platform error comes only
// with the expected state; sanitize_text returns printable ASCII only, at most max characters,
// and keeps printable input as is.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "callback_params.h"

namespace {

constexpr std::string_view kExpectedState = "expected-state";

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "paste_fuzz: invariant violated: %s\n", what);
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
      // A state that came with the paste must be the expected one (absent is allowed for pastes).
      check(expected_state.empty() || v.state.empty() || v.state == expected_state,
            "a pasted code accepted with another flow's state");
      break;
    case Kind::kPlatformError:
      check(v.status.code() == keryx::Code::kPlatformRejected, "a platform error is not platform_rejected");
      check(!v.error.empty() && v.error.size() <= 64 && printable(v.error), "error is not 1-64 printable chars");
      check(v.description.size() <= keryx::kMaxDescriptionChars && printable(v.description),
            "description is not printable or too long");
      check(expected_state.empty() || v.state == expected_state, "a pasted error accepted with another state");
      break;
    case Kind::kRejected:
      check(!v.status.ok(), "a rejection without a status");
      check(v.code.empty(), "a rejection carries a code");
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  check_verdict(keryx::judge_paste(input, kExpectedState), kExpectedState);
  check_verdict(keryx::judge_paste(input, ""), "");

  const std::size_t max = size == 0 ? 0 : (data[0] % 2 == 0 ? size : data[0] % 64);
  std::string clean = keryx::sanitize_text(input, max);
  check(clean.size() <= max, "sanitize_text is longer than max");
  check(clean.size() == std::min(max, size), "sanitize_text dropped or added characters");
  check(printable(clean), "sanitize_text kept a non-printable byte");
  if (printable(input)) check(clean == input.substr(0, max), "sanitize_text changed printable text");
  return 0;
}
