// pkce.h: Proof Key for Code Exchange (RFC 7636) in the encodings platforms actually use.
//
//   Result<PkcePair> p = pkce_create(PkceMethod::kS256Hex);   // TikTok desktop
//   url += "&code_challenge=" + p.value().challenge + "&code_challenge_method=" +
//          std::string(pkce_method_param(PkceMethod::kS256Hex));
//   exchange(code, p.value().verifier.view());
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "secret_string.h"
#include "status.h"

namespace keryx {

// PkceMethod: how the challenge is derived from the verifier.
enum class PkceMethod {
  kS256,     // RFC 7636 §4.2: BASE64URL(SHA256(ASCII(verifier))), unpadded
  kS256Hex,  // TikTok desktop: lowercase hex of SHA256(verifier), sent as method "S256"
  kPlain,    // RFC 7636 §4.2: challenge = verifier
};

// RFC 7636 §4.1 verifier length bounds, and keryx's default length.
inline constexpr std::size_t kPkceVerifierMin = 43;
inline constexpr std::size_t kPkceVerifierMax = 128;
inline constexpr std::size_t kPkceVerifierDefault = 64;

// PkcePair: a verifier (secret until the exchange; wiped) and its public challenge.
struct PkcePair {
  PkceMethod method = PkceMethod::kS256;
  SecretString verifier;
  std::string challenge;
};

// pkce_method_name: "S256", "S256-hex" or "plain" (keryx's names for the variants).
std::string_view pkce_method_name(PkceMethod method);
// pkce_method_param: the value sent as code_challenge_method ("S256" for both SHA-256 variants).
std::string_view pkce_method_param(PkceMethod method);
// pkce_parse_method: inverse of pkce_method_name; invalid_argument otherwise.
Result<PkceMethod> pkce_parse_method(std::string_view name);

// pkce_validate_verifier: ok iff 43-128 chars, all from the unreserved set [A-Za-z0-9-._~] (§4.1).
Status pkce_validate_verifier(std::string_view verifier);

// pkce_create_verifier: `length` characters drawn uniformly from the 66-character unreserved set
// with the CSPRNG (about 6.04 bits each; 64 chars = 386 bits). invalid_argument outside 43-128.
Result<SecretString> pkce_create_verifier(std::size_t length = kPkceVerifierDefault);

// pkce_challenge: the challenge for `verifier` under `method`; the verifier is validated first.
Result<std::string> pkce_challenge(PkceMethod method, std::string_view verifier);

// pkce_create: a fresh verifier of `length` characters and its challenge.
Result<PkcePair> pkce_create(PkceMethod method, std::size_t length = kPkceVerifierDefault);

}  // namespace keryx
