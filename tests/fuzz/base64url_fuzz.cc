// base64url_fuzz: base64url_decode, the strict unpadded RFC 4648 §5 decoder (PKCE verifiers and
// challenges, OAuth state values and keychain-held vault keys are base64url text).
// Invariants (trap on violation): failures are invalid_argument; whatever decodes encodes back to
// the exact input (no second spelling of the same bytes); any bytes encode to text that decodes
// back to them; hex_encode is lowercase hex of twice the length.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base64url.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "base64url_fuzz: invariant violated: %s\n", what);
    __builtin_trap();
  }
}

// strict: KERYX_FUZZ_STRICT=1 turns off the known-bug guards below (tests/fuzz/README.md, "Findings").
bool strict() {
  static const bool on = [] {
    const char* v = std::getenv("KERYX_FUZZ_STRICT");
    return v != nullptr && std::string_view(v) == "1";
  }();
  return on;
}

// KNOWN BUG 5: libsodium 1.0.18's sodium_base642bin sign-extends its input characters, so every
// byte from 0x80 to 0xFF decodes as '_' (63) instead of ending the input.
bool known_bug_5(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  keryx::Result<std::string> decoded = keryx::base64url_decode(input);
  if (decoded.ok()) {
    check(keryx::base64url_encode(decoded.value()) == input || (!strict() && known_bug_5(input)),
          "a decodable text with a second spelling");
  } else {
    check(decoded.status().code() == keryx::Code::kInvalidArgument,
          "base64url_decode failed other than invalid_argument");
  }

  const std::string encoded = keryx::base64url_encode(input);
  for (char c : encoded) {
    check((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_',
          "base64url_encode wrote a character outside the alphabet");
  }
  keryx::Result<std::string> back = keryx::base64url_decode(encoded);
  check(back.ok() && back.value() == input, "encoded bytes do not decode back");

  const std::string hex = keryx::hex_encode(input);
  check(hex.size() == 2 * size, "hex_encode length");
  for (char c : hex) check((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'), "hex_encode wrote a non-hex character");
  return 0;
}
