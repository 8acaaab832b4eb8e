// token_response_test.cc: the normalisers against each platform's documented shapes and against
// hostile bodies: errors in HTTP 200, wrapped data[], expires vs expires_in, ids beyond 2^53.
#include "token_response.h"

#include <gtest/gtest.h>

namespace keryx {
namespace {

TEST(TokenResponse, StandardGoogleShape) {
  OAuthError err;
  auto r = normalise_token_response(
      ResponseDialect::kStandard, 200,
      R"({"access_token":"ya29.A","expires_in":3599,"refresh_token":"1//R","scope":"a b","token_type":"Bearer"})",
      &err);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r.value().access_token.view(), "ya29.A");
  EXPECT_EQ(r.value().refresh_token.view(), "1//R");
  EXPECT_EQ(*r.value().expires_in, 3599);
  EXPECT_TRUE(r.value().scopes_reported);
  EXPECT_EQ(r.value().scopes, (std::vector<std::string>{"a", "b"}));
}

TEST(TokenResponse, MissingTokenTypeDefaultsToBearerAndLowercaseIsNormalised) {
  auto r = normalise_token_response(ResponseDialect::kStandard, 200, R"({"access_token":"x"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().token_type, "Bearer");
  EXPECT_FALSE(r.value().expires_in.has_value());
  auto r2 = normalise_token_response(ResponseDialect::kStandard, 200, R"({"access_token":"x","token_type":"bearer"})");
  EXPECT_EQ(r2.value().token_type, "Bearer");
}

TEST(TokenResponse, ExpiresInsteadOfExpiresInAndStringNumbers) {
  auto r = normalise_token_response(ResponseDialect::kStandard, 200, R"({"access_token":"x","expires":"5184000"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r.value().expires_in, 5184000);
  auto bad = normalise_token_response(ResponseDialect::kStandard, 200, R"({"access_token":"x","expires_in":-5})");
  EXPECT_EQ(bad.status().code(), Code::kJsonInvalid);
  auto huge = normalise_token_response(ResponseDialect::kStandard, 200, R"({"access_token":"x","expires_in":1e300})");
  EXPECT_FALSE(huge.ok());
}

TEST(TokenResponse, InstagramFlatWithArrayAndBigUserId) {
  auto r = normalise_token_response(
      ResponseDialect::kInstagram, 200,
      R"({"access_token":"IGAA","user_id":17841405793187218,"permissions":["instagram_business_basic","instagram_business_content_publish"]})");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r.value().account_id, "17841405793187218");  // exact, not 17841405793187220
  EXPECT_EQ(r.value().scopes.size(), 2u);
}

TEST(TokenResponse, InstagramDocumentedDataWrapperWithCsvPermissions) {
  auto r = normalise_token_response(
      ResponseDialect::kInstagram, 200,
      R"({"data":[{"access_token":"IGAA","user_id":"17841405793187218","permissions":"instagram_business_basic,instagram_business_content_publish"}]})");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r.value().access_token.view(), "IGAA");
  EXPECT_EQ(r.value().account_id, "17841405793187218");
  EXPECT_EQ(r.value().scopes,
            (std::vector<std::string>{"instagram_business_basic", "instagram_business_content_publish"}));
  EXPECT_EQ(normalise_token_response(ResponseDialect::kInstagram, 200, R"({"data":[]})").status().code(),
            Code::kJsonInvalid);
}

TEST(TokenResponse, InstagramErrorShapes) {
  OAuthError err;
  auto r = normalise_token_response(
      ResponseDialect::kInstagram, 400,
      R"({"error_type":"OAuthException","code":400,"error_message":"Invalid authorization code"})", &err);
  EXPECT_EQ(r.status().code(), Code::kPlatformRejected);
  EXPECT_EQ(err.error, "OAuthException");
  EXPECT_EQ(err.description, "Invalid authorization code");
  auto graph = normalise_token_response(
      ResponseDialect::kInstagram, 400,
      R"({"error":{"message":"Error validating access token","type":"OAuthException","code":190,"fbtrace_id":"A"}})",
      &err);
  EXPECT_EQ(graph.status().code(), Code::kPlatformRejected);
  EXPECT_EQ(err.error, "OAuthException 190");
}

TEST(TokenResponse, TikTokErrorInsideHttp200) {
  OAuthError err;
  auto r = normalise_token_response(
      ResponseDialect::kTikTok, 200,
      R"({"error":"invalid_grant","error_description":"Authorization code is expired.","log_id":"L"})", &err);
  EXPECT_EQ(r.status().code(), Code::kPlatformRejected);
  EXPECT_EQ(err.error, "invalid_grant");
  EXPECT_EQ(err.http_status, 200);
  EXPECT_NE(r.status().message().find("invalid_grant"), std::string::npos);
}

TEST(TokenResponse, TikTokFlatV2WithOpenIdAndRefreshLifetime) {
  auto r = normalise_token_response(
      ResponseDialect::kTikTok, 200,
      R"({"open_id":"oid","scope":"user.info.basic,video.publish","access_token":"act.1","expires_in":86400,"refresh_token":"rft.1","refresh_expires_in":31536000,"token_type":"Bearer"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().account_id, "oid");
  EXPECT_EQ(*r.value().refresh_expires_in, 31536000);
  EXPECT_EQ(r.value().scopes, (std::vector<std::string>{"user.info.basic", "video.publish"}));
}

TEST(TokenResponse, TikTokOkEnvelopeIsNotAnError) {
  EXPECT_FALSE(find_oauth_error(R"({"data":{},"error":{"code":"ok","message":""}})", 200).has_value());
  auto e = find_oauth_error(R"({"data":{},"error":{"code":"access_token_invalid","message":"bad"}})", 401);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->error, "access_token_invalid");
}

TEST(TokenResponse, LinkedInServiceErrorAndRefreshTokenExpiresIn) {
  auto e = find_oauth_error(
      R"({"serviceErrorCode":65601,"code":"REVOKED_ACCESS_TOKEN","message":"revoked","status":401})", 401);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->error, "REVOKED_ACCESS_TOKEN");
  auto r = normalise_token_response(
      ResponseDialect::kStandard, 200,
      R"({"access_token":"x","expires_in":5184000,"refresh_token":"r","refresh_token_expires_in":31536000,"scope":"openid,profile"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r.value().refresh_expires_in, 31536000);
  EXPECT_EQ(r.value().scopes.size(), 2u);
}

TEST(TokenResponse, ServerErrorsAndGarbage) {
  EXPECT_EQ(normalise_token_response(ResponseDialect::kStandard, 503, "<html>busy</html>").status().code(),
            Code::kHttpStatus);
  OAuthError err;
  auto graph5xx = normalise_token_response(
      ResponseDialect::kInstagram, 500,
      R"({"error":{"message":"An unexpected error has occurred.","type":"OAuthException","code":2}})", &err);
  EXPECT_EQ(graph5xx.status().code(), Code::kHttpStatus);  // server trouble, even with an OAuth body
  EXPECT_NE(graph5xx.status().message().find("OAuthException 2"), std::string::npos);
  EXPECT_EQ(normalise_token_response(ResponseDialect::kStandard, 200, "not json").status().code(), Code::kJsonInvalid);
  EXPECT_EQ(normalise_token_response(ResponseDialect::kStandard, 200, "[]").status().code(), Code::kJsonInvalid);
  EXPECT_EQ(normalise_token_response(ResponseDialect::kStandard, 200, R"({"access_token":5})").status().code(),
            Code::kJsonInvalid);
  EXPECT_EQ(normalise_token_response(ResponseDialect::kStandard, 200, R"({"access_token":""})").status().code(),
            Code::kJsonInvalid);
  EXPECT_EQ(normalise_token_response(ResponseDialect::kStandard, 200, R"({"token":"x"})").status().code(),
            Code::kJsonInvalid);
}

TEST(TokenResponse, MessagesNeverCarryTheTokenAndDescriptionsAreSanitised) {
  auto r = normalise_token_response(ResponseDialect::kStandard, 200,
                                    R"({"access_token":"SECRET-TOKEN","expires_in":"soon"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("SECRET-TOKEN"), std::string::npos);
  OAuthError err;
  auto e = normalise_token_response(ResponseDialect::kStandard, 400,
                                    "{\"error\":\"invalid_grant\",\"error_description\":\"bad\\u001b[31m red\\nline\"}",
                                    &err);
  EXPECT_EQ(e.status().code(), Code::kPlatformRejected);
  EXPECT_EQ(err.description.find('\x1b'), std::string::npos);
  EXPECT_EQ(err.description.find('\n'), std::string::npos);
}

TEST(TokenResponse, ScopeHelpers) {
  EXPECT_EQ(split_scopes(" a,b  c,,"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(missing_scopes({"a", "b", "c"}, {"b"}), (std::vector<std::string>{"a", "c"}));
}

}  // namespace
}  // namespace keryx
