// url_parts_test.cc: url_parse (schemes, hosts, ports, raw parts, userinfo, limits), query_parse,
// percent_decode and host_is_loopback_literal.
#include "url_parts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace keryx {
namespace {

UrlParts must_parse(const std::string& text) {
  Result<UrlParts> r = url_parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().to_string();
  return r.ok() ? r.value() : UrlParts{};
}

TEST(UrlParse, HttpWithEveryPart) {
  UrlParts u = must_parse("http://127.0.0.1:8123/cb?code=a%2Fb&state=s#frag");
  EXPECT_EQ(u.scheme, "http");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 8123);
  EXPECT_TRUE(u.port_explicit);
  EXPECT_EQ(u.path, "/cb");
  EXPECT_EQ(u.query, "code=a%2Fb&state=s");  // raw, not decoded
  EXPECT_EQ(u.fragment, "frag");
  EXPECT_FALSE(u.has_userinfo);
}

TEST(UrlParse, HttpsDefaultPortIs443) {
  UrlParts u = must_parse("https://example.com/callback");
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, 443);
  EXPECT_FALSE(u.port_explicit);
  EXPECT_EQ(u.path, "/callback");
  EXPECT_EQ(u.query, "");
  EXPECT_EQ(u.fragment, "");
}

TEST(UrlParse, HttpDefaultPortIs80) {
  UrlParts u = must_parse("http://localhost");
  EXPECT_EQ(u.port, 80);
  EXPECT_FALSE(u.port_explicit);
  EXPECT_EQ(u.path, "/");  // empty path becomes "/"
}

TEST(UrlParse, ExplicitDefaultPortIsStillExplicit) {
  UrlParts u = must_parse("http://localhost:80/");
  EXPECT_EQ(u.port, 80);
  EXPECT_TRUE(u.port_explicit);
  UrlParts s = must_parse("https://localhost:443/");
  EXPECT_EQ(s.port, 443);
  EXPECT_TRUE(s.port_explicit);
}

TEST(UrlParse, SchemeIsLowercased) {
  UrlParts u = must_parse("HTTPS://example.com:8443/x");
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.port, 8443);
}

TEST(UrlParse, Ipv6BracketsAreStripped) {
  UrlParts u = must_parse("https://[::1]:9000/");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 9000);
  EXPECT_TRUE(u.port_explicit);
  EXPECT_EQ(u.path, "/");

  UrlParts v = must_parse("http://[fe80::1234:5678]/p");
  EXPECT_EQ(v.host, "fe80::1234:5678");
  EXPECT_EQ(v.port, 80);
}

TEST(UrlParse, RawPathQueryAndFragmentAreNotDecoded) {
  UrlParts u = must_parse("http://h/a%20b/c%2Fd?x=1+2&y=%41#f%20g");
  EXPECT_EQ(u.path, "/a%20b/c%2Fd");
  EXPECT_EQ(u.query, "x=1+2&y=%41");
  EXPECT_EQ(u.fragment, "f%20g");
}

TEST(UrlParse, MalformedPercentEscapesAreKeptRaw) {
  UrlParts u = must_parse("http://h/%zz?x=%zz");
  EXPECT_EQ(u.path, "/%zz");
  EXPECT_EQ(u.query, "x=%zz");
}

TEST(UrlParse, UserinfoIsFlagged) {
  EXPECT_TRUE(must_parse("http://user:pw@127.0.0.1/").has_userinfo);
  EXPECT_TRUE(must_parse("http://user@127.0.0.1/").has_userinfo);
  UrlParts u = must_parse("http://user:pw@127.0.0.1:5/x");
  EXPECT_EQ(u.host, "127.0.0.1");  // the userinfo is not part of the host
  EXPECT_EQ(u.port, 5);
  EXPECT_EQ(u.path, "/x");
}

TEST(UrlParse, PasswordWithoutUserIsUserinfo) {
  // BUG (native/src/url_parts.cc, url_parse, `out.has_userinfo = !part(url, CURLUPART_USER).empty()`):
  // "http://:pw@host/" has a userinfo (an empty user and a password), but only CURLUPART_USER is
  // looked at, so has_userinfo is false and redirect_parse accepts "http://:pw@127.0.0.1:1/".
  EXPECT_TRUE(must_parse("http://:pw@127.0.0.1/").has_userinfo);
}

TEST(UrlParse, OnlyHttpAndHttpsAreAccepted) {
  for (const char* bad : {"ftp://example.com/", "file:///etc/passwd", "javascript:alert(1)", "ws://127.0.0.1/",
                          "mailto:a@b.c", "data:text/plain,hi"}) {
    Result<UrlParts> r = url_parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(UrlParse, RelativeAndHostlessInputIsRejected) {
  for (const char* bad : {"", "/cb?code=x", "//host/x", "host/x", "code=abc&state=s", "http://", "https://:443/"}) {
    Result<UrlParts> r = url_parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(UrlParse, OutOfRangePortIsRejected) {
  Result<UrlParts> r = url_parse("http://h:65536/");
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  Result<UrlParts> max = url_parse("http://h:65535/");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max.value().port, 65535);
}

TEST(UrlParse, ControlCharactersAreRejected) {
  for (std::string bad : {std::string("http://h/a\tb"), std::string("http://h/a\nb"), std::string("http://h/\r"),
                          std::string("http://h/\x7f"), std::string("http://h/\x1b[31m"),
                          std::string("http://h/a\0b", 11), std::string("\x01http://h/")}) {
    Result<UrlParts> r = url_parse(bad);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "URL contains control characters");
  }
}

TEST(UrlParse, LongerThanMaxIsRejectedNotTruncated) {
  const std::string prefix = "http://h/?x=";
  std::string at_limit = prefix + std::string(kMaxUrlLength - prefix.size(), 'a');
  ASSERT_EQ(at_limit.size(), 8192u);
  Result<UrlParts> ok = url_parse(at_limit);
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_EQ(ok.value().query.size(), kMaxUrlLength - prefix.size() + 2);

  Result<UrlParts> too_long = url_parse(at_limit + "a");
  EXPECT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(too_long.status().message(), "URL is too long");
}

TEST(QueryParse, DecodesPlusAndPercent) {
  QueryParams q = query_parse("code=a%2Fb&state=s+t&msg=%41%42c");
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q["code"], std::vector<std::string>{"a/b"});
  EXPECT_EQ(q["state"], std::vector<std::string>{"s t"});
  EXPECT_EQ(q["msg"], std::vector<std::string>{"ABc"});
}

TEST(QueryParse, EncodedPlusIsALiteralPlus) {
  QueryParams q = query_parse("a=1%2B1&b=%20+");
  EXPECT_EQ(q["a"], std::vector<std::string>{"1+1"});
  EXPECT_EQ(q["b"], std::vector<std::string>{"  "});
}

TEST(QueryParse, NamesAreDecodedToo) {
  QueryParams q = query_parse("error%5Fdescription=x&a+b=y");
  EXPECT_EQ(q["error_description"], std::vector<std::string>{"x"});
  EXPECT_EQ(q["a b"], std::vector<std::string>{"y"});
}

TEST(QueryParse, RepeatedNamesKeepEveryValueInOrder) {
  QueryParams q = query_parse("state=1&code=a&state=2&state=3");
  EXPECT_EQ(q["state"], (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(q["code"], std::vector<std::string>{"a"});
}

TEST(QueryParse, PairsWithoutEqualsGetAnEmptyValue) {
  QueryParams q = query_parse("flag&code=x&empty=");
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q["flag"], std::vector<std::string>{""});
  EXPECT_EQ(q["empty"], std::vector<std::string>{""});
  EXPECT_EQ(q["code"], std::vector<std::string>{"x"});
}

TEST(QueryParse, OnlyTheFirstEqualsSplits) {
  QueryParams q = query_parse("code=a=b==");
  EXPECT_EQ(q["code"], std::vector<std::string>{"a=b=="});
}

TEST(QueryParse, EmptyPairsAreSkipped) {
  QueryParams q = query_parse("&&a=1&&b=2&");
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q["a"], std::vector<std::string>{"1"});
  EXPECT_EQ(q["b"], std::vector<std::string>{"2"});
  EXPECT_TRUE(query_parse("").empty());
  EXPECT_TRUE(query_parse("&").empty());
}

TEST(QueryParse, MalformedPercentIsKeptAsSent) {
  QueryParams q = query_parse("a=%zz&b=%4&c=%&d=100%25&e=%4g");
  EXPECT_EQ(q["a"], std::vector<std::string>{"%zz"});
  EXPECT_EQ(q["b"], std::vector<std::string>{"%4"});
  EXPECT_EQ(q["c"], std::vector<std::string>{"%"});
  EXPECT_EQ(q["d"], std::vector<std::string>{"100%"});
  EXPECT_EQ(q["e"], std::vector<std::string>{"%4g"});
}

TEST(PercentDecode, DecodesEitherCase) {
  EXPECT_EQ(percent_decode("%2f%2F%41%7e"), "//A~");
  EXPECT_EQ(percent_decode("4%2F0AbCdE"), "4/0AbCdE");
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("plain"), "plain");
}

TEST(PercentDecode, PlusIsNotASpace) { EXPECT_EQ(percent_decode("a+b%20c"), "a+b c"); }

TEST(PercentDecode, DecodesNulAndHighBytes) {
  EXPECT_EQ(percent_decode("a%00b"), std::string("a\0b", 3));
  EXPECT_EQ(percent_decode("%C3%A9"), "\xC3\xA9");
}

TEST(PercentDecode, IncompleteOrInvalidEscapesAreKept) {
  EXPECT_EQ(percent_decode("%"), "%");
  EXPECT_EQ(percent_decode("%4"), "%4");
  EXPECT_EQ(percent_decode("ab%"), "ab%");
  EXPECT_EQ(percent_decode("%G1%1G"), "%G1%1G");
  EXPECT_EQ(percent_decode("%%41"), "%A");
  EXPECT_EQ(percent_decode("%41%"), "A%");
}

TEST(HostIsLoopbackLiteral, LoopbackAddresses) {
  EXPECT_TRUE(host_is_loopback_literal("127.0.0.1"));
  EXPECT_TRUE(host_is_loopback_literal("127.5.6.7"));
  EXPECT_TRUE(host_is_loopback_literal("127.255.255.255"));
  EXPECT_TRUE(host_is_loopback_literal("::1"));
  EXPECT_TRUE(host_is_loopback_literal("0:0:0:0:0:0:0:1"));
}

TEST(HostIsLoopbackLiteral, EverythingElse) {
  EXPECT_FALSE(host_is_loopback_literal("10.0.0.1"));
  EXPECT_FALSE(host_is_loopback_literal("128.0.0.1"));
  EXPECT_FALSE(host_is_loopback_literal("0.0.0.0"));
  EXPECT_FALSE(host_is_loopback_literal("localhost"));  // a name, not a literal
  EXPECT_FALSE(host_is_loopback_literal("::"));
  EXPECT_FALSE(host_is_loopback_literal("::2"));
  EXPECT_FALSE(host_is_loopback_literal("[::1]"));  // brackets are url_parse's business
  EXPECT_FALSE(host_is_loopback_literal("127.1"));  // not a dotted-quad literal
  EXPECT_FALSE(host_is_loopback_literal(""));
  EXPECT_FALSE(host_is_loopback_literal("127.0.0.1.example.com"));
}

}  // namespace
}  // namespace keryx
