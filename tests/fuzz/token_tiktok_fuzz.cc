// token_tiktok_fuzz: a token endpoint's answer in the TikTok dialect (flat v2 token with open_id,
// OAuth errors in HTTP 200, the API v2 {"error": {"code": "ok"}} envelope):
// normalise_token_response(ResponseDialect::kTikTok, status, body) and
// find_oauth_error(body, status).
// (Input format and invariants: token_fuzz_body.inc.)
#include "token_response.h"

namespace {
constexpr keryx::ResponseDialect kDialect = keryx::ResponseDialect::kTikTok;
constexpr const char* kName = "token_tiktok_fuzz";
}  // namespace

#include "token_fuzz_body.inc"  // NOLINT(bugprone-suspicious-include): the shared target body
