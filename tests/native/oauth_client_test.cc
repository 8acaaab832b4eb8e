// oauth_client_test.cc: what keryx puts on the wire for each platform record: the authorize URL
// (pure) and the exact form, headers and method of exchange, refresh and revocation, recorded by
// a loopback cpp-httplib server. Platform behaviour itself is tested end to end against the
// sandbox emulator (tests/e2e); these tests pin the request shapes and the error mapping.
#include "oauth_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <thread>

#include "account_steps.h"
#include "issuer_discovery.h"
#include "loopback_recorder.h"
#include "pkce.h"
#include "url_parts.h"

namespace keryx {
namespace {

using namespace std::chrono_literals;

QueryParams query_of(const std::string& url) { return query_parse(url_parse(url).value().query); }

TEST(AuthorizeUrl, TikTokUsesClientKeyHexChallengeAndCommaScopes) {
  PlatformRecord r = builtin_platform("tiktok").value();
  auto pair = pkce_create(PkceMethod::kS256Hex).value();
  AuthorizeRequest req{"ck", "http://127.0.0.1:5000/callback/", "st", pair.challenge, {}};
  auto url = authorize_url(r, req);
  ASSERT_TRUE(url.ok()) << url.status().to_string();
  EXPECT_EQ(url.value().rfind("https://www.tiktok.com/v2/auth/authorize/?", 0), 0u);
  QueryParams q = query_of(url.value());
  EXPECT_EQ(q["client_key"][0], "ck");
  EXPECT_EQ(q.count("client_id"), 0u);
  EXPECT_EQ(q["code_challenge"][0].size(), 64u);
  EXPECT_EQ(q["code_challenge_method"][0], "S256");
  EXPECT_EQ(q["scope"][0], "user.info.basic,video.publish,video.upload");
  EXPECT_EQ(q["redirect_uri"][0], "http://127.0.0.1:5000/callback/");
  EXPECT_EQ(url.value().find("redirect_uri=http://"), std::string::npos);  // encoded
}

TEST(AuthorizeUrl, YouTubeAsksForOfflineConsentAndSpaceScopes) {
  PlatformRecord r = builtin_platform("youtube").value();
  auto url = authorize_url(r, {"cid", "http://127.0.0.1:1/", "s", "chal", {}});
  QueryParams q = query_of(url.value());
  EXPECT_EQ(q["access_type"][0], "offline");
  EXPECT_EQ(q["prompt"][0], "consent");
  EXPECT_EQ(q["scope"][0],
            "https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly");
  EXPECT_EQ(authorize_url(r, {"cid", "http://127.0.0.1:1/", "s", "", {}}).status().code(), Code::kInvalidArgument);
}

TEST(AuthorizeUrl, InstagramAndLinkedInHaveNoPkce) {
  for (const char* id : {"instagram", "linkedin"}) {
    PlatformRecord r = builtin_platform(id).value();
    auto url = authorize_url(r, {"cid", "https://localhost:3764/", "s", "", {"x y"}});
    ASSERT_TRUE(url.ok());
    QueryParams q = query_of(url.value());
    EXPECT_EQ(q.count("code_challenge"), 0u);
    EXPECT_EQ(q["scope"][0], "x y");
  }
}

TEST(Platform, BuiltinsValidateAndOverridesAreChecked) {
  for (const auto& id : builtin_platform_ids()) EXPECT_TRUE(platform_validate(builtin_platform(id).value()).ok()) << id;
  EXPECT_EQ(builtin_platform("myspace").status().code(), Code::kNotFound);
  PlatformRecord r = builtin_platform("tiktok").value();
  r.endpoints.token_url = "http://example.com/token";
  EXPECT_EQ(platform_validate(r).code(), Code::kInvalidArgument);
  r.endpoints.token_url = "http://127.0.0.1:9/token";
  EXPECT_TRUE(platform_validate(r).ok());
  r.client_auth = ClientAuth::kNone;
  r.pkce.reset();
  EXPECT_FALSE(platform_validate(r).ok());
  EXPECT_EQ(client_auth_parse("basic").value(), ClientAuth::kBasic);
  EXPECT_FALSE(client_auth_parse("jwt").ok());
}

using testing::Recorder;

PlatformRecord pointed_at(const char* id, const Recorder& rec) {
  PlatformRecord r = builtin_platform(id).value();
  r.endpoints.token_url = rec.url("/token");
  r.endpoints.revoke_url = rec.url("/revoke");
  if (!r.endpoints.refresh_url.empty()) r.endpoints.refresh_url = rec.url("/refresh");
  if (!r.endpoints.long_lived_url.empty()) r.endpoints.long_lived_url = rec.url("/long");
  r.endpoints.userinfo_url = rec.url("/me");
  return r;
}

TEST(Exchange, TikTokSendsClientKeySecretAndVerifierInTheBody) {
  Recorder rec;
  rec.reply = R"({"open_id":"o","access_token":"AT","refresh_token":"RT","expires_in":10,"scope":"a,b"})";
  ClientCredentials c{"ck", SecretString("sec")};
  auto t = exchange_code(pointed_at("tiktok", rec), c, "co de*!", "verifier", "http://127.0.0.1:1/callback/", {});
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t.value().account_id, "o");
  EXPECT_EQ(rec.last.method, "POST");
  EXPECT_EQ(rec.last.get_param_value("client_key"), "ck");
  EXPECT_EQ(rec.last.get_param_value("client_secret"), "sec");
  EXPECT_EQ(rec.last.get_param_value("code"), "co de*!");
  EXPECT_EQ(rec.last.get_param_value("code_verifier"), "verifier");
  EXPECT_EQ(rec.last.get_param_value("grant_type"), "authorization_code");
  EXPECT_FALSE(rec.last.has_header("Authorization"));
}

TEST(Exchange, BasicClientAuthUsesTheHeaderAndNoSecretInTheBody) {
  Recorder rec;
  PlatformRecord r = pointed_at("youtube", rec);
  r.client_auth = ClientAuth::kBasic;
  ClientCredentials c{"id:1", SecretString("s e")};
  ASSERT_TRUE(exchange_code(r, c, "code", "v", "http://127.0.0.1:1/", {}).ok());
  // base64("id%3A1:s%20e")
  EXPECT_EQ(rec.last.get_header_value("Authorization"), "Basic aWQlM0ExOnMlMjBl");
  EXPECT_FALSE(rec.last.has_param("client_secret"));
}

TEST(Exchange, PublicClientSendsOnlyItsId) {
  Recorder rec;
  PlatformRecord r = pointed_at("youtube", rec);
  r.client_auth = ClientAuth::kNone;
  ASSERT_TRUE(exchange_code(r, {"pub", SecretString()}, "code", "v", "http://127.0.0.1:1/", {}).ok());
  EXPECT_EQ(rec.last.get_param_value("client_id"), "pub");
  EXPECT_FALSE(rec.last.has_param("client_secret"));
}

TEST(Exchange, ErrorsMapToStableCodesWithoutSecrets) {
  Recorder rec;
  ClientCredentials c{"id", SecretString("TOPSECRET")};
  PlatformRecord r = pointed_at("linkedin", rec);
  rec.status = 400;
  rec.reply = R"({"error":"invalid_request","error_description":"Unable to retrieve access token"})";
  auto t = exchange_code(r, c, "THECODE", "", "http://127.0.0.1:3770/", {});
  EXPECT_EQ(t.status().code(), Code::kPlatformRejected);
  rec.status = 503;
  rec.reply = "down";
  t = exchange_code(r, c, "THECODE", "", "http://127.0.0.1:3770/", {});
  EXPECT_EQ(t.status().code(), Code::kHttpStatus);
  rec.status = 200;
  rec.delay = 1500ms;
  RequestLimits quick;
  quick.timeout = 300ms;
  t = exchange_code(r, c, "THECODE", "", "http://127.0.0.1:3770/", quick);
  EXPECT_EQ(t.status().code(), Code::kTimeout);
  for (const std::string& m : {t.status().message()}) {
    EXPECT_EQ(m.find("TOPSECRET"), std::string::npos);
    EXPECT_EQ(m.find("THECODE"), std::string::npos);
  }
}

TEST(Refresh, InstagramRefreshesWithAGetAndOthersWithTheRefreshGrant) {
  Recorder rec;
  ClientCredentials c{"id", SecretString("sec")};
  ASSERT_TRUE(refresh_access_token(pointed_at("instagram", rec), c, "LONG", {}).ok());
  EXPECT_EQ(rec.last.method, "GET");
  EXPECT_EQ(rec.last.path, "/refresh");
  EXPECT_EQ(rec.last.get_param_value("grant_type"), "ig_refresh_token");
  EXPECT_EQ(rec.last.get_param_value("access_token"), "LONG");
  ASSERT_TRUE(refresh_access_token(pointed_at("tiktok", rec), c, "RT", {}).ok());
  EXPECT_EQ(rec.last.method, "POST");
  EXPECT_EQ(rec.last.get_param_value("grant_type"), "refresh_token");
  EXPECT_EQ(rec.last.get_param_value("refresh_token"), "RT");
  EXPECT_EQ(rec.last.get_param_value("client_key"), "id");
}

TEST(Revoke, SendsTheTokenAndReportsMissingEndpoints) {
  Recorder rec;
  ClientCredentials c{"id", SecretString("sec")};
  rec.reply = "{}";
  EXPECT_TRUE(revoke_token(pointed_at("youtube", rec), c, "TOK", "refresh_token", {}).ok());
  EXPECT_EQ(rec.last.get_param_value("token"), "TOK");
  EXPECT_EQ(rec.last.get_param_value("token_type_hint"), "refresh_token");
  PlatformRecord ig = builtin_platform("instagram").value();
  EXPECT_EQ(revoke_token(ig, c, "TOK", "", {}).code(), Code::kNotFound);
  rec.status = 400;
  rec.reply = R"({"error":"invalid_token"})";
  EXPECT_EQ(revoke_token(pointed_at("youtube", rec), c, "TOK", "", {}).code(), Code::kPlatformRejected);
}

TEST(AccountSteps, LinkedInAuthorUrnFromUserinfoSub) {
  Recorder rec;
  rec.reply = R"({"sub":"abc123","name":"A Member"})";
  TokenResponse t;
  t.access_token = SecretString("AT");
  auto a = complete_account(pointed_at("linkedin", rec), {"id", SecretString("s")}, t, {}, {});
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(a.value().account_id, "abc123");
  EXPECT_EQ(a.value().fields.at("author_urn"), "urn:li:person:abc123");
  EXPECT_EQ(rec.last.get_header_value("Authorization"), "Bearer AT");
}

TEST(AccountSteps, YouTubeMissingScopeIsScopeMissing) {
  Recorder rec;
  TokenResponse t;
  t.access_token = SecretString("AT");
  t.scopes = {"https://www.googleapis.com/auth/youtube.readonly"};
  t.scopes_reported = true;
  auto a = complete_account(pointed_at("youtube", rec), {"id", SecretString("s")}, t, {}, {});
  EXPECT_EQ(a.status().code(), Code::kScopeMissing);
  EXPECT_NE(a.status().message().find("youtube.upload"), std::string::npos);
}

TEST(Discovery, MetadataIsCheckedForIssuerAndEndpoints) {
  auto ok = parse_issuer_metadata(
      "http://127.0.0.1:9",
      R"({"issuer":"http://127.0.0.1:9","authorization_endpoint":"http://127.0.0.1:9/auth","token_endpoint":"http://127.0.0.1:9/token","revocation_endpoint":"http://127.0.0.1:9/revoke","code_challenge_methods_supported":["S256"]})");
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_EQ(ok.value().endpoints.revoke_url, "http://127.0.0.1:9/revoke");
  EXPECT_EQ(
      parse_issuer_metadata(
          "http://127.0.0.1:9",
          R"({"issuer":"https://evil.example","authorization_endpoint":"https://a/","token_endpoint":"https://b/"})")
          .status()
          .code(),
      Code::kDiscoveryFailed);
  EXPECT_EQ(
      parse_issuer_metadata(
          "https://a.example",
          R"({"issuer":"https://a.example","authorization_endpoint":"http://a.example/auth","token_endpoint":"https://a.example/t"})")
          .status()
          .code(),
      Code::kDiscoveryFailed);
  EXPECT_EQ(parse_issuer_metadata("https://a.example", "[1]").status().code(), Code::kDiscoveryFailed);
}

}  // namespace
}  // namespace keryx
