// pkce.cc: RFC 7636 verifiers and challenges. SHA-256 comes from libsodium (crypto_hash_sha256);
// tests cross-check it against Node's OpenSSL-backed crypto.
#include "pkce.h"

#include <sodium.h>

#include "base64url.h"
#include "crypto_init.h"

namespace keryx {
namespace {

constexpr std::string_view kUnreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

bool is_unreserved(char c) { return kUnreserved.find(c) != std::string_view::npos; }

std::string sha256(std::string_view input) {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                     reinterpret_cast<const unsigned char*>(input.data()), input.size());
  return digest;
}

}  // namespace

std::string_view pkce_method_name(PkceMethod method) {
  switch (method) {
    case PkceMethod::kS256: return "S256";
    case PkceMethod::kS256Hex: return "S256-hex";
    case PkceMethod::kPlain: return "plain";
  }
  return "S256";
}

std::string_view pkce_method_param(PkceMethod method) { return method == PkceMethod::kPlain ? "plain" : "S256"; }

Result<PkceMethod> pkce_parse_method(std::string_view name) {
  if (name == "S256") return PkceMethod::kS256;
  if (name == "S256-hex") return PkceMethod::kS256Hex;
  if (name == "plain") return PkceMethod::kPlain;
  return Status(Code::kInvalidArgument, "unknown PKCE method (expected S256, S256-hex or plain)");
}

Status pkce_validate_verifier(std::string_view verifier) {
  if (verifier.size() < kPkceVerifierMin || verifier.size() > kPkceVerifierMax) {
    return Status(Code::kInvalidArgument, "PKCE verifier must be 43 to 128 characters long");
  }
  for (char c : verifier) {
    if (!is_unreserved(c)) {
      return Status(Code::kInvalidArgument,
                    "PKCE verifier may only contain A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.1)");
    }
  }
  return Status::Ok();
}

Result<SecretString> pkce_create_verifier(std::size_t length) {
  if (length < kPkceVerifierMin || length > kPkceVerifierMax) {
    return Status(Code::kInvalidArgument, "PKCE verifier length must be 43 to 128");
  }
  KERYX_RETURN_IF_ERROR(crypto_init());
  SecretString out;
  out.resize(length);
  char* data = out.mutable_data();
  for (std::size_t i = 0; i < length; ++i) {
    // randombytes_uniform rejects samples to avoid modulo bias.
    data[i] = kUnreserved[randombytes_uniform(static_cast<uint32_t>(kUnreserved.size()))];
  }
  return out;
}

Result<std::string> pkce_challenge(PkceMethod method, std::string_view verifier) {
  KERYX_RETURN_IF_ERROR(pkce_validate_verifier(verifier));
  KERYX_RETURN_IF_ERROR(crypto_init());
  switch (method) {
    case PkceMethod::kS256: return base64url_encode(sha256(verifier));
    case PkceMethod::kS256Hex: return hex_encode(sha256(verifier));
    case PkceMethod::kPlain: return std::string(verifier);
  }
  return Status(Code::kInternal, "unhandled PKCE method");
}

Result<PkcePair> pkce_create(PkceMethod method, std::size_t length) {
  Result<SecretString> verifier = pkce_create_verifier(length);
  if (!verifier.ok()) return verifier.status();
  Result<std::string> challenge = pkce_challenge(method, verifier.value().view());
  if (!challenge.ok()) return challenge.status();
  PkcePair pair;
  pair.method = method;
  pair.verifier = std::move(verifier).value();
  pair.challenge = std::move(challenge).value();
  return pair;
}

}  // namespace keryx
