// token_standard_fuzz: a token endpoint's answer in the RFC 6749 dialect (Google, LinkedIn, X,
// generic providers): normalise_token_response(ResponseDialect::kStandard, status, body) and
// find_oauth_error(body, status).
// (Input format and invariants: token_fuzz_body.inc.)
#include "token_response.h"

namespace {
constexpr keryx::ResponseDialect kDialect = keryx::ResponseDialect::kStandard;
constexpr const char* kName = "token_standard_fuzz";
}  // namespace

#include "token_fuzz_body.inc"  // NOLINT(bugprone-suspicious-include): the shared target body
