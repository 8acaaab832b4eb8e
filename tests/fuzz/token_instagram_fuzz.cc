// token_instagram_fuzz: a token endpoint's answer in the Instagram dialect (Instagram Login, Threads,
// Facebook: data[]-wrapped or flat tokens, user_id, {error_type, code, error_message} and Graph
// errors): normalise_token_response(ResponseDialect::kInstagram, status, body) and
// find_oauth_error(body, status).
// (Input format and invariants: token_fuzz_body.inc.)
#include "token_response.h"

namespace {
constexpr keryx::ResponseDialect kDialect = keryx::ResponseDialect::kInstagram;
constexpr const char* kName = "token_instagram_fuzz";
}  // namespace

#include "token_fuzz_body.inc"  // NOLINT(bugprone-suspicious-include): the shared target body
