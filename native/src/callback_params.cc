// callback_params.cc: the callback/paste rules (RFC 6749 §4.1.2 and §4.1.2.1, RFC 6749 §10.12 state).
#include "callback_params.h"

#include <sodium.h>

namespace keryx {
namespace {

CallbackVerdict rejected(Code code, std::string message) {
  CallbackVerdict v;
  v.kind = CallbackVerdict::Kind::kRejected;
  v.status = Status(code, std::move(message));
  return v;
}

bool states_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::string_view strip_instagram_suffix(std::string_view s) {
  if (s.size() >= 2 && s.substr(s.size() - 2) == "#_") s.remove_suffix(2);
  return s;
}

bool is_code_char(unsigned char c) { return c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\'; }

}  // namespace

std::string sanitize_text(std::string_view text, std::size_t max_chars) {
  std::string out;
  for (unsigned char c : text) {
    if (out.size() >= max_chars) break;
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  return out;
}

CallbackVerdict judge_callback(const QueryParams& params, std::string_view expected_state) {
  auto count = [&](const char* name) {
    auto it = params.find(name);
    return it == params.end() ? std::size_t{0} : it->second.size();
  };
  auto first = [&](const char* name) -> std::string_view {
    auto it = params.find(name);
    return it == params.end() || it->second.empty() ? std::string_view() : it->second.front();
  };
  for (const char* name : {"code", "state", "error", "error_description"}) {
    if (count(name) > 1) return rejected(Code::kInvalidArgument, std::string("parameter repeated: ") + name);
  }
  // A code that is only Instagram's "#_" suffix is no code: it would be stripped to nothing below.
  const bool has_code = count("code") == 1 && !strip_instagram_suffix(first("code")).empty();
  const bool has_error = count("error") == 1 && !first("error").empty();
  if (!has_code && !has_error) {
    return rejected(Code::kMissingCode, "the redirect carried neither an authorization code nor an error");
  }
  if (!expected_state.empty()) {
    if (count("state") == 0) return rejected(Code::kStateMismatch, "the redirect carried no state");
    if (!states_equal(first("state"), expected_state)) {
      return rejected(Code::kStateMismatch, "the redirect's state belongs to another authorization");
    }
  }
  CallbackVerdict v;
  v.state = std::string(first("state"));
  if (has_error) {
    v.kind = CallbackVerdict::Kind::kPlatformError;
    v.error = sanitize_text(first("error"), 64);
    v.description = sanitize_text(first("error_description"), kMaxDescriptionChars);
    std::string message = "the platform refused the authorization: " + v.error;
    if (!v.description.empty()) message += " (" + v.description + ")";
    v.status = Status(Code::kPlatformRejected, message);
    return v;
  }
  std::string_view code = strip_instagram_suffix(first("code"));
  for (unsigned char c : code) {
    if (!is_code_char(c)) return rejected(Code::kMissingCode, "the authorization code has characters no code has");
  }
  v.kind = CallbackVerdict::Kind::kCode;
  v.code = SecretString(code);
  return v;
}

// NOLINTNEXTLINE(misc-no-recursion): recurses once at most: a pasted query is re-judged as a URL, which never recurses.
CallbackVerdict judge_paste(std::string_view text, std::string_view expected_state) {
  if (text.size() > kMaxPasteBytes)
    return rejected(Code::kPasteInvalid, "the pasted text is too long to be a code or redirect URL");
  std::string_view s = strip_instagram_suffix(trim(text));
  if (s.empty()) return rejected(Code::kPasteInvalid, "nothing was pasted");
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return rejected(Code::kPasteInvalid, "the pasted text contains control characters");
  }
  if (s.find("://") != std::string_view::npos) {
    Result<UrlParts> url = url_parse(s);
    if (!url.ok()) return rejected(Code::kPasteInvalid, "the pasted URL could not be parsed");
    std::string_view fragment_params = url.value().fragment == "_" ? std::string_view() : url.value().fragment;
    QueryParams params = query_parse(url.value().query);
    if (params.empty() && !fragment_params.empty()) params = query_parse(fragment_params);
    CallbackVerdict v = judge_callback(params, std::string_view());
    if (v.kind == CallbackVerdict::Kind::kRejected) return v;
    auto state = params.find("state");
    if (state != params.end() && !expected_state.empty() && !states_equal(state->second.front(), expected_state)) {
      return rejected(Code::kStateMismatch, "the pasted URL belongs to another authorization");
    }
    if (state == params.end() && v.kind == CallbackVerdict::Kind::kPlatformError) {
      return rejected(Code::kStateMismatch, "the pasted error URL carries no state");
    }
    return v;
  }
  if (s.find('=') != std::string_view::npos) {
    // A query string ("code=..&state=..", "?error=access_denied&state=.."), judged like a URL's.
    std::string_view query = s.front() == '?' ? s.substr(1) : s;
    QueryParams params = query_parse(query);
    if (params.count("code") != 0 || params.count("error") != 0 || params.count("state") != 0) {
      return judge_paste("http://paste.invalid/?" + std::string(query), expected_state);
    }
    if (s.find('&') != std::string_view::npos || s.front() == '?') {
      return rejected(Code::kPasteInvalid, "the pasted query has neither a code nor an error");
    }
    // Otherwise a bare code that happens to contain '=' (base64 padding): fall through.
  }
  // A bare code, possibly still percent-encoded from the address bar.
  SecretString decoded(percent_decode(s));
  for (unsigned char c : decoded.view()) {
    if (!is_code_char(c)) return rejected(Code::kPasteInvalid, "the pasted text is neither a code nor a redirect URL");
  }
  CallbackVerdict v;
  v.kind = CallbackVerdict::Kind::kCode;
  v.code = std::move(decoded);
  return v;
}

}  // namespace keryx
