// base64url_fuzz: base64url_decode, the strict unpadded RFC 4648 §5 decoder (PKCE verifiers and
// challenges, OAuth state values and keychain-held vault keys are base64url text), and the
// KERYX_VAULT_KEY decoder (standard or url-safe base64, padded or not: resolve_vault_key with the
// input as the variable, which touches no file and no keychain).
// Invariants (trap on violation): failures are invalid_argument; whatever decodes encodes back to
// the exact input (no second spelling of the same bytes); any bytes encode to text that decodes
// back to them; hex_encode is lowercase hex of twice the length; a KERYX_VAULT_KEY that resolves
// is, once trimmed, only base64 characters and gives a 32-byte key.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "base64url.h"
#include "key_provider.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "base64url_fuzz: invariant violated: %s\n", what);
    __builtin_trap();
  }
}

bool base64_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
         c == '-' || c == '_' || c == '=';
}

bool space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The input as KERYX_VAULT_KEY.
void check_env_key(std::string_view input) {
  if (input.empty()) return;  // an empty variable is no key: other providers would be tried
  keryx::KeyProviderOptions options;
  options.keychain_enabled = false;
  options.env_key = keryx::SecretString(input);
  keryx::Result<keryx::KeyResolution> r = keryx::resolve_vault_key(options, std::nullopt, false);
  if (!r.ok()) {
    check(r.status().code() == keryx::Code::kInvalidArgument, "a KERYX_VAULT_KEY failure other than invalid_argument");
    return;
  }
  check(r.value().material.secret.size() == keryx::kVaultKeyBytes, "a KERYX_VAULT_KEY that is not 32 bytes");
  std::string_view text = input;
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  for (unsigned char c : text) check(base64_char(c), "a KERYX_VAULT_KEY with a character outside base64 resolved");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  keryx::Result<std::string> decoded = keryx::base64url_decode(input);
  if (decoded.ok()) {
    check(keryx::base64url_encode(decoded.value()) == input, "a decodable text with a second spelling");
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

  check_env_key(input);

  const std::string hex = keryx::hex_encode(input);
  check(hex.size() == 2 * size, "hex_encode length");
  for (char c : hex) check((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'), "hex_encode wrote a non-hex character");
  return 0;
}
