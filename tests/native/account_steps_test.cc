// account_steps_test.cc: the per-platform post-steps against a loopback recorder: what each step
// asks for (method, path, parameters, bearer) and how it reads the answer (ids kept exact, channel
// absent, user info wrapped in data.user, errors mapped to stable codes).
#include "account_steps.h"

#include <gtest/gtest.h>

#include "loopback_recorder.h"

namespace keryx {
namespace {

using testing::Recorder;

PlatformRecord at(const char* id, const Recorder& rec) {
  PlatformRecord r = builtin_platform(id).value();
  r.endpoints.token_url = rec.url("/token");
  r.endpoints.userinfo_url = rec.url("/me");
  if (!r.endpoints.long_lived_url.empty()) r.endpoints.long_lived_url = rec.url("/long");
  return r;
}

TokenResponse fresh(const char* access, std::string account = "") {
  TokenResponse t;
  t.access_token = SecretString(access);
  t.account_id = std::move(account);
  return t;
}

TEST(AccountSteps, InstagramTradesForTheLongLivedTokenAndReadsTheUserId) {
  Recorder rec;
  rec.replies["/long"] = R"({"access_token":"LONG","token_type":"bearer","expires_in":5184000})";
  rec.replies["/me"] = R"({"user_id":17841405793187218,"username":"creator"})";
  TokenResponse t = fresh("SHORT", "1");
  t.scopes = {"instagram_business_basic"};
  t.scopes_reported = true;
  auto a = complete_account(at("instagram", rec), {"app", SecretString("sec")}, t, {}, {});
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(t.access_token.view(), "LONG");
  EXPECT_EQ(*t.expires_in, 5184000);
  EXPECT_EQ(t.scopes, std::vector<std::string>{"instagram_business_basic"});  // kept from the exchange
  EXPECT_EQ(a.value().account_id, "17841405793187218");
  EXPECT_EQ(a.value().fields.at("username"), "creator");
  EXPECT_EQ(rec.last.path, "/me");
  EXPECT_EQ(rec.last.get_param_value("fields"), "user_id,username");
  EXPECT_EQ(rec.last.get_header_value("Authorization"), "Bearer LONG");
}

TEST(AccountSteps, InstagramLongLivedExchangeSendsTheSecretAndShortToken) {
  Recorder rec;
  rec.reply = R"({"access_token":"LONG","expires_in":100})";
  auto t = exchange_long_lived(at("instagram", rec), {"app", SecretString("sec")}, "SHORT", {});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(rec.last.method, "GET");
  EXPECT_EQ(rec.last.get_param_value("grant_type"), "ig_exchange_token");
  EXPECT_EQ(rec.last.get_param_value("client_secret"), "sec");
  EXPECT_EQ(rec.last.get_param_value("access_token"), "SHORT");
  PlatformRecord none = builtin_platform("tiktok").value();
  EXPECT_EQ(exchange_long_lived(none, {"a", SecretString()}, "S", {}).status().code(), Code::kInvalidArgument);
}

TEST(AccountSteps, InstagramFailuresStopTheFlow) {
  Recorder rec;
  rec.status = 400;
  rec.reply = R"({"error":{"message":"Invalid OAuth access token","type":"OAuthException","code":190}})";
  TokenResponse t = fresh("SHORT");
  auto a = complete_account(at("instagram", rec), {"app", SecretString("sec")}, t, {}, {});
  EXPECT_EQ(a.status().code(), Code::kPlatformRejected);
  rec.status = 200;
  rec.replies["/long"] = R"({"access_token":"LONG"})";
  rec.replies["/me"] = R"({"username":"no id"})";
  TokenResponse t2 = fresh("SHORT");
  EXPECT_EQ(complete_account(at("instagram", rec), {"app", SecretString("s")}, t2, {}, {}).status().code(),
            Code::kJsonInvalid);
}

TEST(AccountSteps, YouTubeReadsTheChannelOrFilesUnderDefault) {
  Recorder rec;
  rec.reply = R"({"items":[{"id":"UC123","snippet":{"title":"My channel"}}]})";
  TokenResponse t = fresh("AT");
  auto a = complete_account(at("youtube", rec), {"id", SecretString("s")}, t, {}, {});
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(a.value().account_id, "UC123");
  EXPECT_EQ(a.value().fields.at("channel_title"), "My channel");
  EXPECT_EQ(rec.last.get_param_value("mine"), "true");
  rec.reply = R"({"items":[]})";
  TokenResponse t2 = fresh("AT");
  auto none = complete_account(at("youtube", rec), {"id", SecretString("s")}, t2, {}, {});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value().account_id, "default");
  EXPECT_EQ(none.value().fields.count("channel_id"), 0u);
}

TEST(AccountSteps, TikTokReadsTheWrappedUserAndKeepsOpenId) {
  Recorder rec;
  rec.reply = R"({"data":{"user":{"open_id":"oid-1","display_name":"Creator"}},"error":{"code":"ok","message":""}})";
  TokenResponse t = fresh("AT", "oid-1");
  auto a = complete_account(at("tiktok", rec), {"key", SecretString("s")}, t, {}, {});
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(a.value().fields.at("open_id"), "oid-1");
  EXPECT_EQ(a.value().fields.at("display_name"), "Creator");
  rec.status = 401;
  rec.reply = R"({"data":{},"error":{"code":"access_token_invalid","message":"bad"}})";
  TokenResponse t2 = fresh("AT", "oid-1");
  EXPECT_EQ(complete_account(at("tiktok", rec), {"key", SecretString("s")}, t2, {}, {}).status().code(),
            Code::kTokenRevoked);
  rec.status = 500;
  TokenResponse t3 = fresh("AT", "oid-1");
  EXPECT_EQ(complete_account(at("tiktok", rec), {"key", SecretString("s")}, t3, {}, {}).status().code(),
            Code::kHttpStatus);
}

TEST(AccountSteps, GenericProviderReadsSubOrFilesUnderDefault) {
  Recorder rec;
  rec.reply = R"({"sub":"alice","name":"Alice"})";
  PlatformRecord r = at("linkedin", rec);
  r.id = "idp";
  TokenResponse t = fresh("AT");
  auto a = complete_account(r, {"id", SecretString("s")}, t, {}, {});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.value().account_id, "alice");
  EXPECT_EQ(a.value().fields.count("author_urn"), 0u);
  r.endpoints.userinfo_url.clear();
  TokenResponse t2 = fresh("AT");
  EXPECT_EQ(complete_account(r, {"id", SecretString("s")}, t2, {}, {}).value().account_id, "default");
  r.check_granted_scopes = true;
  TokenResponse t3 = fresh("AT");
  t3.scopes_reported = true;
  t3.scopes = {"openid"};
  EXPECT_EQ(complete_account(r, {"id", SecretString("s")}, t3, {"openid", "offline_access"}, {}).status().code(),
            Code::kScopeMissing);
}

}  // namespace
}  // namespace keryx
