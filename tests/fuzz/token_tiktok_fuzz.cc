// token_tiktok_fuzz: a token endpoint's answer in the TikTok dialect (flat v2 token with open_id,
// OAuth errors in HTTP 200, the API v2 {"error": {"code": "ok"}} envelope):
// normalise_token_response(ResponseDialect::kTikTok, status, body) and
// find_oauth_error(body, status).
// Input: 2 bytes of HTTP status (100 + big-endian value % 500, so 00 64 is 200 and 01 2c is 400),
// then the body.
// Invariants (trap on violation): success means a non-empty access token and lifetimes within
// [0, kMaxTokenLifetimeSeconds]; a failure's message, and the OAuthError handed out, never contain
// the access token the body carried ("access_token":"<X>", X of 8+ characters) unless the same text
// is there without it (the same body with X replaced comes back with the same text).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "token_response.h"

namespace {

constexpr keryx::ResponseDialect kDialect = keryx::ResponseDialect::kTikTok;
constexpr const char* kName = "token_tiktok_fuzz";

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "%s: invariant violated: %s\n", kName, what);
    __builtin_trap();
  }
}

bool printable(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

// The text a failure can show: the status message and the OAuthError's fields.
std::string shown(long status, std::string_view body) {
  keryx::OAuthError error;
  keryx::Result<keryx::TokenResponse> r = keryx::normalise_token_response(kDialect, status, body, &error);
  std::string out = r.ok() ? std::string() : r.status().message();
  out += '\n' + error.error + '\n' + error.description;
  if (std::optional<keryx::OAuthError> found = keryx::find_oauth_error(body, status)) {
    out += '\n' + found->error + '\n' + found->description;
  }
  return out;
}

// token_at: where X of the first "access_token":"X" starts (no escapes, 8+ characters), and its
// length; {npos, 0} when there is none.
std::pair<std::size_t, std::size_t> token_at(std::string_view body) {
  constexpr std::string_view kKey = "\"access_token\":\"";
  const std::size_t at = body.find(kKey);
  if (at == std::string_view::npos) return {std::string_view::npos, 0};
  const std::size_t start = at + kKey.size();
  const std::size_t end = body.find('"', start);
  if (end == std::string_view::npos) return {std::string_view::npos, 0};
  const std::string_view token = body.substr(start, end - start);
  if (token.size() < 8 || token.find('\\') != std::string_view::npos) return {std::string_view::npos, 0};
  return {start, token.size()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const long status = 100 + static_cast<long>((data[0] << 8 | data[1]) % 500);
  const std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);

  keryx::OAuthError error;
  keryx::Result<keryx::TokenResponse> r = keryx::normalise_token_response(kDialect, status, body, &error);
  std::optional<keryx::OAuthError> found = keryx::find_oauth_error(body, status);
  if (r.ok()) {
    const keryx::TokenResponse& t = r.value();
    check(status >= 200 && status < 300, "success outside 2xx");
    check(!found.has_value(), "success although the body reports an OAuth error");
    check(!t.access_token.empty(), "success with an empty access token");
    check(!t.expires_in || (*t.expires_in >= 0 && *t.expires_in <= keryx::kMaxTokenLifetimeSeconds),
          "expires_in out of range");
    check(!t.refresh_expires_in ||
              (*t.refresh_expires_in >= 0 && *t.refresh_expires_in <= keryx::kMaxTokenLifetimeSeconds),
          "refresh_expires_in out of range");
    check(printable(t.token_type) && !t.token_type.empty(), "token_type is not printable");
    check(printable(t.account_id), "account_id is not printable");
  } else {
    check(r.status().code() != keryx::Code::kOk, "a failure without a code");
    if (r.status().code() == keryx::Code::kPlatformRejected) {
      check(found.has_value() && status < 500, "platform_rejected without an OAuth error below 500");
      check(printable(error.error) && printable(error.description), "OAuthError is not printable");
    }
  }
  if (found) check(printable(found->error) && printable(found->description), "find_oauth_error is not printable");

  // No token in what a failure shows.
  const auto [at, length] = token_at(body);
  if (length > 0) {
    const std::string_view token = body.substr(at, length);
    const std::string text = shown(status, body);
    if (text.find(token) != std::string::npos) {
      // Allowed only when the text comes from elsewhere: the same body without this token shows it too.
      std::string other(body);
      const char filler = token.find('~') == std::string_view::npos ? '~' : '^';
      other.replace(at, length, std::string(length, filler));
      check(shown(status, other).find(token) != std::string::npos, "the access token leaked into an error");
    }
  }
  return 0;
}
