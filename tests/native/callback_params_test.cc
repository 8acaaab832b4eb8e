// callback_params_test.cc: judge_callback and judge_paste (RFC 6749 §4.1.2, §4.1.2.1, §10.12),
// table-driven, plus sanitize_text and the rule that no message ever carries a code or a state.
#include "callback_params.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace keryx {
namespace {

constexpr char kState[] = "st8-Xy_Q0a9b";
constexpr char kCode[] = "4/0AbCdEf-ghIJ_kl.mn~op";

using Kind = CallbackVerdict::Kind;

// A message must never carry the code, the expected state or whatever state was sent.
void expect_secret_free(const CallbackVerdict& v, const std::vector<std::string>& secrets) {
  for (const std::string& s : secrets) {
    if (s.empty()) continue;
    EXPECT_EQ(v.status.message().find(s), std::string::npos) << "message leaks \"" << s << "\": " << v.status.message();
    EXPECT_EQ(v.error.find(s), std::string::npos);
    EXPECT_EQ(v.description.find(s), std::string::npos);
  }
}

// ---- judge_callback -------------------------------------------------------------------------

struct CallbackCase {
  const char* name;
  const char* query;     // raw query, run through query_parse
  const char* expected;  // the flow's state
  Kind kind;
  Code code;              // the verdict's status code
  const char* want_code;  // kCode: the authorization code
};

// PrintTo: gtest (and ctest's discovered names) show the case name, not the struct's bytes.
void PrintTo(const CallbackCase& c, std::ostream* os) { *os << c.name; }

class JudgeCallback : public ::testing::TestWithParam<CallbackCase> {};

TEST_P(JudgeCallback, Verdict) {
  const CallbackCase& c = GetParam();
  CallbackVerdict v = judge_callback(query_parse(c.query), c.expected);
  EXPECT_EQ(v.kind, c.kind) << c.query;
  EXPECT_EQ(v.status.code(), c.code) << c.query << " -> " << v.status.to_string();
  if (c.kind == Kind::kCode) {
    EXPECT_EQ(v.code.view(), c.want_code);
  } else {
    EXPECT_TRUE(v.code.empty());
  }
  if (c.kind != Kind::kPlatformError) expect_secret_free(v, {kCode, kState, "WRONG-state", "4/0AbCdEf"});
}

INSTANTIATE_TEST_SUITE_P(
    Table, JudgeCallback,
    ::testing::Values(
        CallbackCase{"right_state_and_code", "code=4%2F0AbCdEf-ghIJ_kl.mn~op&state=st8-Xy_Q0a9b", kState, Kind::kCode,
                     Code::kOk, kCode},
        CallbackCase{"extra_params_ignored", "state=st8-Xy_Q0a9b&scope=a+b&code=abc&authuser=0", kState, Kind::kCode,
                     Code::kOk, "abc"},
        CallbackCase{"no_state_flow", "code=abc", "", Kind::kCode, Code::kOk, "abc"},
        CallbackCase{"no_state_flow_ignores_state", "code=abc&state=anything", "", Kind::kCode, Code::kOk, "abc"},
        CallbackCase{"instagram_suffix", "code=abc%23_&state=st8-Xy_Q0a9b", kState, Kind::kCode, Code::kOk, "abc"},
        CallbackCase{"wrong_state", "code=abc&state=WRONG-state", kState, Kind::kRejected, Code::kStateMismatch, ""},
        CallbackCase{"missing_state", "code=abc", kState, Kind::kRejected, Code::kStateMismatch, ""},
        CallbackCase{"empty_state", "code=abc&state=", kState, Kind::kRejected, Code::kStateMismatch, ""},
        CallbackCase{"state_prefix", "code=abc&state=st8-Xy_Q0a9", kState, Kind::kRejected, Code::kStateMismatch, ""},
        CallbackCase{"state_longer", "code=abc&state=st8-Xy_Q0a9bX", kState, Kind::kRejected, Code::kStateMismatch, ""},
        CallbackCase{"state_case", "code=abc&state=ST8-xY_q0A9B", kState, Kind::kRejected, Code::kStateMismatch, ""},
        CallbackCase{"missing_code", "state=st8-Xy_Q0a9b", kState, Kind::kRejected, Code::kMissingCode, ""},
        CallbackCase{"empty_code", "code=&state=st8-Xy_Q0a9b", kState, Kind::kRejected, Code::kMissingCode, ""},
        CallbackCase{"code_only_instagram_suffix", "code=%23_&state=st8-Xy_Q0a9b", kState, Kind::kRejected,
                     Code::kMissingCode, ""},
        CallbackCase{"no_state_flow_code_only_instagram_suffix", "code=%23_", "", Kind::kRejected, Code::kMissingCode,
                     ""},
        CallbackCase{"nothing", "", kState, Kind::kRejected, Code::kMissingCode, ""},
        CallbackCase{"code_with_space", "code=a+b&state=st8-Xy_Q0a9b", kState, Kind::kRejected, Code::kMissingCode, ""},
        CallbackCase{"code_with_quote", "code=a%22b&state=st8-Xy_Q0a9b", kState, Kind::kRejected, Code::kMissingCode,
                     ""},
        CallbackCase{"code_with_angle", "code=%3Cscript%3E&state=st8-Xy_Q0a9b", kState, Kind::kRejected,
                     Code::kMissingCode, ""},
        CallbackCase{"code_with_nul", "code=a%00b&state=st8-Xy_Q0a9b", kState, Kind::kRejected, Code::kMissingCode, ""},
        CallbackCase{"repeated_code", "code=a&code=b&state=st8-Xy_Q0a9b", kState, Kind::kRejected,
                     Code::kInvalidArgument, ""},
        CallbackCase{"repeated_state", "code=a&state=st8-Xy_Q0a9b&state=st8-Xy_Q0a9b", kState, Kind::kRejected,
                     Code::kInvalidArgument, ""},
        CallbackCase{"repeated_state_one_right", "code=a&state=WRONG-state&state=st8-Xy_Q0a9b", kState, Kind::kRejected,
                     Code::kInvalidArgument, ""},
        CallbackCase{"repeated_error", "error=a&error=b&state=st8-Xy_Q0a9b", kState, Kind::kRejected,
                     Code::kInvalidArgument, ""},
        CallbackCase{"repeated_description", "error=a&error_description=x&error_description=y&state=st8-Xy_Q0a9b",
                     kState, Kind::kRejected, Code::kInvalidArgument, ""},
        CallbackCase{"error_right_state", "error=access_denied&state=st8-Xy_Q0a9b", kState, Kind::kPlatformError,
                     Code::kPlatformRejected, ""},
        CallbackCase{"error_wrong_state", "error=access_denied&state=WRONG-state", kState, Kind::kRejected,
                     Code::kStateMismatch, ""},
        CallbackCase{"error_no_state", "error=access_denied", kState, Kind::kRejected, Code::kStateMismatch, ""},
        CallbackCase{"empty_error", "error=&state=st8-Xy_Q0a9b", kState, Kind::kRejected, Code::kMissingCode, ""}),
    [](const ::testing::TestParamInfo<CallbackCase>& info) { return std::string(info.param.name); });

TEST(JudgeCallbackText, RepeatedParameterMessageNamesTheParameter) {
  CallbackVerdict v = judge_callback(query_parse("code=a&code=b&state=s"), "s");
  EXPECT_EQ(v.status.message(), "parameter repeated: code");
}

TEST(JudgeCallbackText, PlatformErrorKeepsErrorAndDescription) {
  CallbackVerdict v = judge_callback(
      query_parse("error=access_denied&error_description=The+user+denied+access.&state=st8-Xy_Q0a9b"), kState);
  ASSERT_EQ(v.kind, Kind::kPlatformError);
  EXPECT_EQ(v.error, "access_denied");
  EXPECT_EQ(v.description, "The user denied access.");
  EXPECT_EQ(v.status.code(), Code::kPlatformRejected);
  EXPECT_EQ(v.status.name(), "platform_rejected");
  EXPECT_EQ(v.status.message(), "the platform refused the authorization: access_denied (The user denied access.)");
  EXPECT_TRUE(v.code.empty());
}

TEST(JudgeCallbackText, PlatformErrorWithCodeIsStillAnError) {
  CallbackVerdict v = judge_callback(query_parse("error=server_error&code=abc&state=st8-Xy_Q0a9b"), kState);
  EXPECT_EQ(v.kind, Kind::kPlatformError);
  EXPECT_EQ(v.status.message(), "the platform refused the authorization: server_error");
  EXPECT_TRUE(v.code.empty());
}

TEST(JudgeCallbackText, DescriptionControlCharactersAndEscapesAreReplaced) {
  // ESC [ 2 J (clear screen), a bell, a newline, a DEL, and UTF-8 bytes.
  CallbackVerdict v = judge_callback(
      query_parse("error=access%1b]0;x%07denied&error_description=%1B%5B2Jhi%0Athere%07%7F%C3%A9&state=st8-Xy_Q0a9b"),
      kState);
  ASSERT_EQ(v.kind, Kind::kPlatformError);
  EXPECT_EQ(v.error, "access?]0;x?denied");
  EXPECT_EQ(v.description, "?[2Jhi?there????");
  EXPECT_EQ(v.status.message().find('\x1b'), std::string::npos);
  for (char c : v.status.message()) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "unprintable byte " << static_cast<int>(static_cast<unsigned char>(c));
  }
}

TEST(JudgeCallbackText, DescriptionIsCutToMaxChars) {
  std::string query = "error=access_denied&state=st8-Xy_Q0a9b&error_description=" + std::string(1000, 'd');
  CallbackVerdict v = judge_callback(query_parse(query), kState);
  ASSERT_EQ(v.kind, Kind::kPlatformError);
  EXPECT_EQ(v.description.size(), kMaxDescriptionChars);
  EXPECT_EQ(v.description, std::string(kMaxDescriptionChars, 'd'));
  EXPECT_LT(v.status.message().size(), kMaxDescriptionChars + 100);
}

TEST(JudgeCallbackText, ErrorNameIsCutToo) {
  CallbackVerdict v = judge_callback(query_parse("error=" + std::string(500, 'e') + "&state=st8-Xy_Q0a9b"), kState);
  ASSERT_EQ(v.kind, Kind::kPlatformError);
  EXPECT_EQ(v.error, std::string(64, 'e'));
}

TEST(JudgeCallbackText, OnlyTheSuffixHashUnderscoreIsStripped) {
  CallbackVerdict mid = judge_callback(query_parse("code=ab%23_cd&state=st8-Xy_Q0a9b"), kState);
  ASSERT_EQ(mid.kind, Kind::kCode);
  EXPECT_EQ(mid.code.view(), "ab#_cd");
  CallbackVerdict once = judge_callback(query_parse("code=ab%23_%23_&state=st8-Xy_Q0a9b"), kState);
  ASSERT_EQ(once.kind, Kind::kCode);
  EXPECT_EQ(once.code.view(), "ab#_");
}

// Fuzz finding 4 (tests/fuzz/regressions/callback_query_fuzz/code-only-instagram-suffix.txt): a
// code that is only Instagram's "#_" suffix passed the emptiness check, was stripped to nothing and
// completed the flow with an empty code. It is missing_code now, like no code at all.
TEST(JudgeCallbackText, CodeThatIsOnlyTheInstagramSuffixIsMissing) {
  CallbackVerdict v = judge_callback(query_parse("code=%23_&state=expected-state"), "expected-state");
  EXPECT_EQ(v.kind, Kind::kRejected);
  EXPECT_EQ(v.status.code(), Code::kMissingCode);
  EXPECT_EQ(v.status.message(), "the redirect carried neither an authorization code nor an error");
  EXPECT_TRUE(v.code.empty());
  // With an error beside it, the error still ends the flow.
  CallbackVerdict error =
      judge_callback(query_parse("code=%23_&error=access_denied&state=expected-state"), "expected-state");
  EXPECT_EQ(error.kind, Kind::kPlatformError);
  EXPECT_EQ(error.status.code(), Code::kPlatformRejected);
}

// ---- judge_paste ----------------------------------------------------------------------------

struct PasteCase {
  const char* name;
  std::string text;
  Kind kind;
  Code code;
  const char* want_code;
};

// PrintTo: gtest (and ctest's discovered names) show the case name, not the struct's bytes.
void PrintTo(const PasteCase& c, std::ostream* os) { *os << c.name; }

class JudgePaste : public ::testing::TestWithParam<PasteCase> {};

TEST_P(JudgePaste, Verdict) {
  const PasteCase& c = GetParam();
  CallbackVerdict v = judge_paste(c.text, kState);
  EXPECT_EQ(v.kind, c.kind) << c.name;
  EXPECT_EQ(v.status.code(), c.code) << c.name << " -> " << v.status.to_string();
  if (c.kind == Kind::kCode) {
    EXPECT_EQ(v.code.view(), c.want_code) << c.name;
  } else {
    EXPECT_TRUE(v.code.empty()) << c.name;
  }
  if (c.kind == Kind::kRejected) expect_secret_free(v, {kCode, kState, "WRONG-state", "4/0AbCdEf", "4%2F0AbCdEf"});
}

INSTANTIATE_TEST_SUITE_P(
    Table, JudgePaste,
    ::testing::Values(
        PasteCase{"bare_code", "4/0AbCdEf-ghIJ_kl.mn~op", Kind::kCode, Code::kOk, kCode},
        PasteCase{"bare_code_whitespace", "  \t4/0AbCdEf-ghIJ_kl.mn~op\r\n", Kind::kCode, Code::kOk, kCode},
        PasteCase{"percent_encoded_code", "4%2F0AbCdEf-ghIJ_kl.mn~op", Kind::kCode, Code::kOk, kCode},
        PasteCase{"instagram_bare", "AQBx9yz#_", Kind::kCode, Code::kOk, "AQBx9yz"},
        PasteCase{"full_url", "http://127.0.0.1:8123/cb?code=4%2F0AbCdEf-ghIJ_kl.mn~op&state=st8-Xy_Q0a9b", Kind::kCode,
                  Code::kOk, kCode},
        PasteCase{"full_url_whitespace", "  https://localhost:3764/?state=st8-Xy_Q0a9b&code=abc \n", Kind::kCode,
                  Code::kOk, "abc"},
        PasteCase{"instagram_url", "https://localhost:3764/?code=AQBx9yz&state=st8-Xy_Q0a9b#_", Kind::kCode, Code::kOk,
                  "AQBx9yz"},
        PasteCase{"fragment_url", "https://example.com/cb#code=abc&state=st8-Xy_Q0a9b", Kind::kCode, Code::kOk, "abc"},
        PasteCase{"url_without_state", "https://example.com/cb?code=abc", Kind::kCode, Code::kOk, "abc"},
        PasteCase{"url_wrong_state", "https://localhost:3764/?code=4%2F0AbCdEf&state=WRONG-state", Kind::kRejected,
                  Code::kStateMismatch, ""},
        PasteCase{"fragment_wrong_state", "https://example.com/cb#code=abc&state=WRONG-state", Kind::kRejected,
                  Code::kStateMismatch, ""},
        PasteCase{"url_state_prefix", "https://localhost:3764/?code=abc&state=st8-Xy_Q0a9", Kind::kRejected,
                  Code::kStateMismatch, ""},
        PasteCase{"url_error_right_state", "https://localhost:3764/?error=access_denied&state=st8-Xy_Q0a9b",
                  Kind::kPlatformError, Code::kPlatformRejected, ""},
        PasteCase{"url_error_wrong_state", "https://localhost:3764/?error=access_denied&state=WRONG-state",
                  Kind::kRejected, Code::kStateMismatch, ""},
        PasteCase{"url_error_no_state", "https://localhost:3764/?error=access_denied", Kind::kRejected,
                  Code::kStateMismatch, ""},
        PasteCase{"url_no_code", "https://localhost:3764/?state=st8-Xy_Q0a9b", Kind::kRejected, Code::kMissingCode, ""},
        PasteCase{"url_code_only_instagram_suffix", "https://localhost:3764/?code=%23_&state=st8-Xy_Q0a9b",
                  Kind::kRejected, Code::kMissingCode, ""},
        PasteCase{"bare_query_code_only_instagram_suffix", "code=%23_&state=st8-Xy_Q0a9b", Kind::kRejected,
                  Code::kMissingCode, ""},
        PasteCase{"url_repeated_code", "https://localhost:3764/?code=a&code=b&state=st8-Xy_Q0a9b", Kind::kRejected,
                  Code::kInvalidArgument, ""},
        PasteCase{"url_bad_scheme", "ftp://localhost/?code=abc&state=st8-Xy_Q0a9b", Kind::kRejected,
                  Code::kPasteInvalid, ""},
        PasteCase{"bare_query", "code=4%2F0AbCdEf-ghIJ_kl.mn~op&state=st8-Xy_Q0a9b", Kind::kCode, Code::kOk, kCode},
        PasteCase{"bare_query_question", "?code=abc&state=st8-Xy_Q0a9b", Kind::kCode, Code::kOk, "abc"},
        PasteCase{"bare_query_state_first", "state=st8-Xy_Q0a9b&code=abc", Kind::kCode, Code::kOk, "abc"},
        PasteCase{"bare_query_wrong_state", "code=abc&state=WRONG-state", Kind::kRejected, Code::kStateMismatch, ""},
        PasteCase{"empty", "", Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"only_whitespace", " \t\r\n ", Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"only_instagram_suffix", "#_", Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"control_char",
                  "abc\x01"
                  "def",
                  Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"escape_sequence", "\x1b[2Jabc", Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"inner_tab", "abc\tdef", Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"inner_newline", "abc\ndef", Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"del", "abc\x7f", Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"nul", std::string("abc\0def", 7), Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"inner_space", "abc def", Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"encoded_space", "abc%20def", Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"encoded_nul", "abc%00def", Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"html", "<b>code</b>", Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"quoted", "\"abc\"", Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"utf8",
                  "c\xC3\xB3"
                  "digo",
                  Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"broken_url", "http://[::1/?code=abc", Kind::kRejected, Code::kPasteInvalid, ""},
        PasteCase{"too_long", std::string(kMaxPasteBytes + 1, 'a'), Kind::kRejected, Code::kPasteInvalid, ""}),
    [](const ::testing::TestParamInfo<PasteCase>& info) { return std::string(info.param.name); });

// Fuzz finding 4 (tests/fuzz/regressions/paste_fuzz/code-only-instagram-suffix.txt), pasted.
TEST(JudgePasteText, UrlWhoseCodeIsOnlyTheInstagramSuffixIsMissingCode) {
  CallbackVerdict v = judge_paste("http://127.0.0.1:8123/callback?code=%23_&state=expected-state", "expected-state");
  EXPECT_EQ(v.kind, Kind::kRejected);
  EXPECT_EQ(v.status.code(), Code::kMissingCode);
  EXPECT_TRUE(v.code.empty());
  EXPECT_EQ(judge_paste("http://127.0.0.1:8123/callback?code=%23_&state=expected-state", "").status.code(),
            Code::kMissingCode);
}

TEST(JudgePasteText, AtLimitCodeIsWhole) {
  CallbackVerdict v = judge_paste(std::string(kMaxPasteBytes, 'a'), kState);
  ASSERT_EQ(v.kind, Kind::kCode);
  EXPECT_EQ(v.code.size(), kMaxPasteBytes);
}

TEST(JudgePasteText, TooLongCountsSurroundingWhitespace) {
  // The limit applies to the text as pasted, before trimming.
  CallbackVerdict v = judge_paste(std::string(kMaxPasteBytes, ' ') + "abc", kState);
  EXPECT_EQ(v.status.code(), Code::kPasteInvalid);
}

TEST(JudgePasteText, PastedPlatformErrorIsSanitised) {
  CallbackVerdict v = judge_paste(
      "https://localhost:3764/?error=access_denied&error_description=no%1B%5B31m+thanks&state=st8-Xy_Q0a9b", kState);
  ASSERT_EQ(v.kind, Kind::kPlatformError);
  EXPECT_EQ(v.error, "access_denied");
  EXPECT_EQ(v.description, "no?[31m thanks");
}

TEST(JudgePasteText, FlowWithoutStateAcceptsAnyUrlState) {
  CallbackVerdict v = judge_paste("https://localhost:3764/?code=abc&state=whatever", "");
  ASSERT_EQ(v.kind, Kind::kCode);
  EXPECT_EQ(v.code.view(), "abc");
}

TEST(JudgePasteText, RejectionMessagesAreFixedText) {
  EXPECT_EQ(judge_paste("", kState).status.message(), "nothing was pasted");
  EXPECT_EQ(judge_paste("a\x01", kState).status.message(), "the pasted text contains control characters");
  EXPECT_EQ(judge_paste("https://localhost/?code=abc&state=WRONG-state", kState).status.message(),
            "the pasted URL belongs to another authorization");
  EXPECT_EQ(judge_paste("a b", kState).status.message(), "the pasted text is neither a code nor a redirect URL");
}

TEST(JudgePasteText, BareErrorQueryStringIsNotACode) {
  // BUG (native/src/callback_params.cc, judge_paste): a bare query string is only recognised when it
  // contains "code=" at the start or "&code=". A pasted error query such as
  // "error=access_denied&state=<state>" (or any "a=b&c=d" text) falls through to the bare-code
  // branch and is returned as kCode with the whole text as the "authorization code", instead of a
  // platform error / state check. Repro: judge_paste("error=access_denied&state=s", "s").kind == kCode.
  CallbackVerdict v = judge_paste("error=access_denied&state=st8-Xy_Q0a9b", kState);
  EXPECT_EQ(v.kind, Kind::kPlatformError);
  CallbackVerdict w = judge_paste("error=access_denied&state=WRONG-state", kState);
  EXPECT_EQ(w.kind, Kind::kRejected);
  EXPECT_EQ(w.status.code(), Code::kStateMismatch);
}

// ---- sanitize_text --------------------------------------------------------------------------

TEST(SanitizeText, KeepsPrintableAsciiReplacesTheRest) {
  EXPECT_EQ(sanitize_text("Hello, World! ~", 100), "Hello, World! ~");
  EXPECT_EQ(sanitize_text("a\tb\nc\rd\x1b[0m\x7f\x80\xff", 100), "a?b?c?d?[0m???");
  EXPECT_EQ(sanitize_text(std::string("a\0b", 3), 100), "a?b");
}

TEST(SanitizeText, CutsToMaxChars) {
  EXPECT_EQ(sanitize_text("abcdef", 3), "abc");
  EXPECT_EQ(sanitize_text("abc", 3), "abc");
  EXPECT_EQ(sanitize_text("abc", 0), "");
  EXPECT_EQ(sanitize_text("\x01\x02\x03\x04", 2), "??");
}

}  // namespace
}  // namespace keryx
