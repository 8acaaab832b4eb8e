// lifecycle_policy_test.cc: the per-shape rules, at chosen moments of a token's life.
#include "lifecycle_policy.h"

#include <gtest/gtest.h>

namespace keryx {
namespace {

constexpr int64_t kDay = 24 * 3600;
constexpr int64_t kT0 = 1'800'000'000;  // when the token was obtained

TokenRecord token(int64_t lifetime, bool with_refresh, int64_t refresh_lifetime = 0) {
  TokenRecord r;
  r.platform = "p";
  r.account = "a";
  r.access_token = SecretString("AT");
  if (with_refresh) r.refresh_token = SecretString("RT");
  r.obtained_at = kT0;
  r.expires_at = kT0 + lifetime;
  if (refresh_lifetime > 0) r.refresh_expires_at = kT0 + refresh_lifetime;
  return r;
}

LifecycleDecision at(const TokenRecord& r, TokenShape shape, int64_t now, LifecyclePurpose purpose,
                     LifecyclePolicy policy = {}) {
  return lifecycle_decide(r, shape, /*has_refresh_endpoint=*/true, policy, now, purpose);
}

TEST(LifecyclePolicy, InstagramLongLivedRefreshesInTheSecondHalfOfItsLifeOnlyAfter24h) {
  const TokenRecord r = token(60 * kDay, false);
  auto s = TokenShape::kLongLivedRefreshable;
  EXPECT_EQ(at(r, s, kT0 + 3600, LifecyclePurpose::kMaintain).action, LifecycleAction::kUse);
  EXPECT_EQ(at(r, s, kT0 + 3600, LifecyclePurpose::kMaintain).reason, "not_due");
  auto forced_young = at(r, s, kT0 + 3600, LifecyclePurpose::kForce);
  EXPECT_EQ(forced_young.action, LifecycleAction::kTooEarly);
  EXPECT_EQ(forced_young.not_before, kT0 + kDay);
  EXPECT_EQ(at(r, s, kT0 + kDay, LifecyclePurpose::kForce).action, LifecycleAction::kRefresh);
  EXPECT_EQ(at(r, s, kT0 + 29 * kDay, LifecyclePurpose::kMaintain).action, LifecycleAction::kUse);
  auto due = at(r, s, kT0 + 31 * kDay, LifecyclePurpose::kMaintain);
  EXPECT_EQ(due.action, LifecycleAction::kRefresh);
  EXPECT_EQ(due.reason, "due");
  EXPECT_EQ(at(r, s, kT0 + 31 * kDay, LifecyclePurpose::kUse).action, LifecycleAction::kRefresh);
  EXPECT_EQ(at(r, s, kT0 + 3 * kDay, LifecyclePurpose::kUse).refresh_at, kT0 + 30 * kDay);
  auto gone = at(r, s, kT0 + 61 * kDay, LifecyclePurpose::kMaintain);
  EXPECT_EQ(gone.action, LifecycleAction::kExpired) << "Instagram cannot refresh an expired token";
}

TEST(LifecyclePolicy, ShortLongLivedTokenYoungerThan24hIsUsedButNotRefreshed) {
  const TokenRecord r = token(2 * 3600, false);  // a sandbox token living 2 h
  auto s = TokenShape::kLongLivedRefreshable;
  EXPECT_EQ(at(r, s, kT0 + 3600 + 60, LifecyclePurpose::kMaintain).action, LifecycleAction::kTooEarly);
  auto use = at(r, s, kT0 + 3600 + 60, LifecyclePurpose::kUse);
  EXPECT_EQ(use.action, LifecycleAction::kUse);
  EXPECT_EQ(use.reason, "too_young");
}

TEST(LifecyclePolicy, GoogleMintsOnlyWhenTheAccessTokenExpiresAndAlertsOnAnExpiringRefreshToken) {
  const TokenRecord r = token(3600, true);
  auto s = TokenShape::kNonRotatingRefresh;
  EXPECT_EQ(at(r, s, kT0 + 60, LifecyclePurpose::kUse).action, LifecycleAction::kUse);
  auto skew = at(r, s, kT0 + 3600 - 100, LifecyclePurpose::kUse);
  EXPECT_EQ(skew.action, LifecycleAction::kRefresh);
  EXPECT_EQ(skew.reason, "expiring");
  EXPECT_EQ(at(r, s, kT0 + 7200, LifecyclePurpose::kMaintain).reason, "expired");
  // Testing-mode app: the refresh token dies after 7 days; no refresh extends it.
  const TokenRecord testing = token(3600, true, 7 * kDay);
  auto alert = at(testing, s, kT0 + 60, LifecyclePurpose::kMaintain);
  EXPECT_EQ(alert.action, LifecycleAction::kUse);
  EXPECT_TRUE(alert.expiring);
  EXPECT_EQ(alert.expiring_at, kT0 + 7 * kDay);
  EXPECT_EQ(at(testing, s, kT0 + 8 * kDay, LifecyclePurpose::kUse).action, LifecycleAction::kExpired);
}

TEST(LifecyclePolicy, TikTokMintsOnEveryUseUnlessToldOtherwise) {
  const TokenRecord r = token(kDay, true, 365 * kDay);
  auto s = TokenShape::kRotatingRefresh;
  auto use = at(r, s, kT0 + 10, LifecyclePurpose::kUse);
  EXPECT_EQ(use.action, LifecycleAction::kRefresh);
  EXPECT_EQ(use.reason, "mint_on_use");
  LifecyclePolicy reuse;
  reuse.mint_on_use = false;
  EXPECT_EQ(at(r, s, kT0 + 10, LifecyclePurpose::kUse, reuse).action, LifecycleAction::kUse);
  EXPECT_EQ(at(r, s, kT0 + 10, LifecyclePurpose::kMaintain).action, LifecycleAction::kUse);
  EXPECT_EQ(at(r, s, kT0 + kDay, LifecyclePurpose::kMaintain).action, LifecycleAction::kRefresh);
  auto renew = at(r, s, kT0 + 360 * kDay, LifecyclePurpose::kMaintain);
  EXPECT_EQ(renew.action, LifecycleAction::kRefresh) << "a rotation renews a refresh token near its end";
  EXPECT_EQ(renew.reason, "refresh_token_expiring");
  EXPECT_EQ(at(r, s, kT0 + 366 * kDay, LifecyclePurpose::kUse).action, LifecycleAction::kExpired);
}

TEST(LifecyclePolicy, LinkedInAlertsSevenDaysAheadThenExpires) {
  const TokenRecord r = token(60 * kDay, false);
  auto s = TokenShape::kNoRefresh;
  auto early = at(r, s, kT0 + 52 * kDay, LifecyclePurpose::kMaintain);
  EXPECT_EQ(early.action, LifecycleAction::kUse);
  EXPECT_FALSE(early.expiring);
  auto alert = at(r, s, kT0 + 53 * kDay + 1, LifecyclePurpose::kMaintain);
  EXPECT_TRUE(alert.expiring);
  EXPECT_EQ(alert.reason, "expiring");
  LifecyclePolicy two_weeks;
  two_weeks.alert_before_seconds = 14 * kDay;
  EXPECT_TRUE(at(r, s, kT0 + 47 * kDay, LifecyclePurpose::kMaintain, two_weeks).expiring);
  EXPECT_EQ(at(r, s, kT0 + 60 * kDay, LifecyclePurpose::kUse).action, LifecycleAction::kExpired);
}

TEST(LifecyclePolicy, LinkedInWithAnUnexpectedRefreshTokenRefreshesLikeGoogle) {
  const TokenRecord r = token(60 * kDay, true, 365 * kDay);
  auto d = at(r, TokenShape::kNoRefresh, kT0 + 60 * kDay - 10, LifecyclePurpose::kUse);
  EXPECT_EQ(d.shape, TokenShape::kNonRotatingRefresh);
  EXPECT_EQ(d.action, LifecycleAction::kRefresh);
}

TEST(LifecyclePolicy, MarkedRecordsNeedReauthAndShapesWithoutTheirCredentialCannotRefresh) {
  TokenRecord r = token(kDay, true);
  r.metadata[std::string(kMetaNeedsReauth)] = "rotation_lost";
  auto d = at(r, TokenShape::kRotatingRefresh, kT0 + 10, LifecyclePurpose::kUse);
  EXPECT_EQ(d.action, LifecycleAction::kNeedsReauth);
  EXPECT_EQ(d.reason, "rotation_lost");
  const TokenRecord no_rt = token(3600, false);
  EXPECT_EQ(at(no_rt, TokenShape::kNonRotatingRefresh, kT0 + 7200, LifecyclePurpose::kUse).action,
            LifecycleAction::kExpired);
  EXPECT_EQ(lifecycle_decide(token(60 * kDay, false), TokenShape::kLongLivedRefreshable, false, {}, kT0 + 40 * kDay,
                             LifecyclePurpose::kMaintain)
                .shape,
            TokenShape::kNoRefresh);
}

TEST(LifecyclePolicy, UnknownExpiryIsUsedAndNeverRefreshedByUpkeep) {
  TokenRecord r = token(0, true);
  r.expires_at = 0;
  EXPECT_EQ(at(r, TokenShape::kNonRotatingRefresh, kT0 + 99 * kDay, LifecyclePurpose::kMaintain).action,
            LifecycleAction::kUse);
  EXPECT_EQ(at(r, TokenShape::kNonRotatingRefresh, kT0, LifecyclePurpose::kForce).action, LifecycleAction::kRefresh);
}

}  // namespace
}  // namespace keryx
