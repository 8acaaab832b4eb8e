// token_refresh_test.cc: the refresh transaction against a loopback token endpoint and a real vault
// in a temp folder: persist-before-return, the in-flight marker and rotation_lost, revocation
// marking, the re-read-and-retry, one holder per rotating token, and the account lock.
#include "token_refresh.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>
#include <string>
#include <thread>

#include "loopback_recorder.h"

namespace keryx {
namespace {

namespace fs = std::filesystem;
using testing::Recorder;

constexpr int64_t kNow = 1'800'000'000;

struct Fixture {
  fs::path dir;
  StoreOptions options;
  Fixture() {
    std::string tmpl = (fs::temp_directory_path() / "keryx-refresh-XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    options.vault_path = (dir / "vault").string();
    options.install_id_path = (dir / "install-id").string();
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    std::string key(sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(key.data(), key.size(), raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    key.resize(key.size() - 1);
    options.keys.env_key = SecretString(key);
    options.keys.key_file_path = (dir / "vault.key").string();
    options.keys.keychain_enabled = false;
  }
  ~Fixture() { fs::remove_all(dir); }

  std::unique_ptr<TokenStore> store() { return std::move(TokenStore::open(options, true)).value(); }
  void put(TokenRecord r) { ASSERT_TRUE(store()->put(std::move(r)).ok()); }
  TokenRecord get(const std::string& platform) { return store()->get(platform, "").value(); }

  RefreshJob job(const std::string& platform, const Recorder& server, LifecyclePurpose purpose) {
    RefreshJob j;
    j.store = options;
    j.platform = builtin_platform(platform).value();
    j.platform.endpoints.token_url = server.url("/token");
    if (!j.platform.endpoints.refresh_url.empty()) j.platform.endpoints.refresh_url = server.url("/refresh");
    j.client.client_id = "client";
    j.client.client_secret = SecretString("secret");
    j.purpose = purpose;
    j.now = kNow;
    j.persist_retry_delay = std::chrono::milliseconds(1);
    return j;
  }
};

TokenRecord tiktok(const char* rt) {
  TokenRecord r;
  r.platform = "tiktok";
  r.account = "open-1";
  r.access_token = SecretString("AT-old");
  r.refresh_token = SecretString(rt);
  r.obtained_at = kNow - 3600;
  r.expires_at = kNow + 20 * 3600;
  r.refresh_expires_at = kNow + 300 * 86400;
  return r;
}

constexpr const char* kRotated =
    R"({"access_token":"AT-new","refresh_token":"RT-2","expires_in":86400,"refresh_expires_in":31536000,)"
    R"("open_id":"open-1","scope":"user.info.basic","token_type":"Bearer"})";
constexpr const char* kInvalidGrant = R"({"error":"invalid_grant","error_description":"Refresh token is invalid"})";

TEST(TokenRefresh, TikTokMintsRotatesAndStoresBeforeReturning) {
  Fixture f;
  f.put(tiktok("RT-1"));
  Recorder server;
  server.with_lock([&] { server.reply = kRotated; });
  Result<RefreshOutcome> r = refresh_stored_token(f.job("tiktok", server, LifecyclePurpose::kUse));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r.value().refreshed);
  EXPECT_TRUE(r.value().rotated);
  EXPECT_EQ(r.value().decision.reason, "mint_on_use");
  EXPECT_NE(server.with_lock([&] { return server.last.body; }).find("refresh_token=RT-1"), std::string::npos);
  TokenRecord stored = f.get("tiktok");
  EXPECT_EQ(stored.refresh_token.view(), "RT-2");
  EXPECT_EQ(stored.access_token.view(), "AT-new");
  EXPECT_EQ(stored.expires_at, kNow + 86400);
  EXPECT_EQ(stored.refresh_expires_at, kNow + 31536000);
  EXPECT_EQ(stored.metadata.count(std::string(kMetaRefreshInFlight)), 0u) << "the marker is cleared";
  EXPECT_EQ(stored.metadata[std::string(kHolderKey)], f.store()->install_id_hex());
}

TEST(TokenRefresh, TheMarkerIsDurableBeforeTheRequest) {
  Fixture f;
  f.put(tiktok("RT-1"));
  Recorder server;
  server.with_lock([&] { server.reply = kRotated; });
  std::string seen;
  server.with_lock([&] {
    server.hook = [&](const httplib::Request&, httplib::Response&) {
      seen = f.get("tiktok").metadata[std::string(kMetaRefreshInFlight)];
    };
  });
  ASSERT_TRUE(refresh_stored_token(f.job("tiktok", server, LifecyclePurpose::kUse)).ok());
  EXPECT_EQ(server.with_lock([&] { return seen; }), std::to_string(kNow));
}

TEST(TokenRefresh, ALostAnswerBecomesRotationLostNotAGenericFailure) {
  Fixture f;
  f.put(tiktok("RT-1"));
  {
    // The platform rotates, but the answer never arrives (the client times out).
    Recorder server;
    server.with_lock([&] { server.reply = kRotated; });
    server.with_lock([&] { server.delay = std::chrono::milliseconds(600); });
    RefreshJob j = f.job("tiktok", server, LifecyclePurpose::kUse);
    j.limits.timeout = std::chrono::milliseconds(150);
    Result<RefreshOutcome> r = refresh_stored_token(j);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kTimeout);
    EXPECT_FALSE(f.get("tiktok").metadata[std::string(kMetaRefreshInFlight)].empty()) << "the marker stays";
  }
  Recorder server;
  server.with_lock([&] { server.status = 400; });
  server.with_lock([&] { server.reply = kInvalidGrant; });
  Result<RefreshOutcome> r = refresh_stored_token(f.job("tiktok", server, LifecyclePurpose::kUse));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kRotationLost);
  EXPECT_NE(r.status().message().find("keryx auth tiktok"), std::string::npos);
  TokenRecord kept = f.get("tiktok");
  EXPECT_EQ(kept.metadata[std::string(kMetaNeedsReauth)], "rotation_lost");
  EXPECT_EQ(kept.refresh_token.view(), "RT-1") << "marked, not deleted";
  // Later calls fail at once, without asking the platform again.
  const int before = server.with_lock([&] { return server.count; });
  EXPECT_EQ(refresh_stored_token(f.job("tiktok", server, LifecyclePurpose::kUse)).status().code(), Code::kRotationLost);
  EXPECT_EQ(server.with_lock([&] { return server.count; }), before);
}

TEST(TokenRefresh, AMarkerFollowedBySuccessIsRecovered) {
  Fixture f;
  TokenRecord r = tiktok("RT-1");
  r.metadata[std::string(kMetaRefreshInFlight)] = "1";
  f.put(r);
  Recorder server;
  server.with_lock([&] { server.reply = kRotated; });
  Result<RefreshOutcome> out = refresh_stored_token(f.job("tiktok", server, LifecyclePurpose::kUse));
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_TRUE(out.value().recovered);
}

TEST(TokenRefresh, InvalidGrantMarksTheAccountRevokedAndKeepsIt) {
  Fixture f;
  TokenRecord r;
  r.platform = "youtube";
  r.account = "UC1";
  r.access_token = SecretString("AT");
  r.refresh_token = SecretString("RT");
  r.obtained_at = kNow - 4000;
  r.expires_at = kNow - 400;
  f.put(r);
  Recorder server;
  server.with_lock([&] { server.status = 400; });
  server.with_lock([&] { server.reply = kInvalidGrant; });
  OAuthError err;
  Result<RefreshOutcome> out = refresh_stored_token(f.job("youtube", server, LifecyclePurpose::kUse), &err);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kTokenRevoked);
  EXPECT_EQ(err.error, "invalid_grant");
  EXPECT_EQ(f.get("youtube").metadata[std::string(kMetaNeedsReauth)], "revoked");
  EXPECT_EQ(f.get("youtube").metadata[std::string(kMetaNeedsReauthAt)], std::to_string(kNow));
}

TEST(TokenRefresh, InvalidGrantRereadsTheVaultAndRetriesWithANewerToken) {
  Fixture f;
  f.put(tiktok("RT-1"));
  Recorder server;
  server.with_lock([&] { server.status = 400; });
  server.with_lock([&] { server.reply = kInvalidGrant; });
  server.with_lock([&] {
    server.hook = [&](const httplib::Request& req, httplib::Response& res) {
      if (req.body.find("refresh_token=RT-1") != std::string::npos) {
        f.put(tiktok("RT-fresh"));  // e.g. `keryx auth tiktok` stored a new grant meanwhile
      } else {
        res.status = 200;
        res.set_content(kRotated, "application/json");
      }
    };
  });
  Result<RefreshOutcome> out = refresh_stored_token(f.job("tiktok", server, LifecyclePurpose::kUse));
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_TRUE(out.value().retried);
  EXPECT_EQ(server.with_lock([&] { return server.count; }), 2);
  EXPECT_EQ(f.get("tiktok").refresh_token.view(), "RT-2");
}

TEST(TokenRefresh, ARotatingTokenHeldByAnotherInstallIsNotRotatedUnlessTakenOver) {
  Fixture f;
  TokenRecord r = tiktok("RT-1");
  r.metadata[std::string(kHolderKey)] = std::string(32, 'f');
  f.put(r);
  Recorder server;
  server.with_lock([&] { server.reply = kRotated; });
  Result<RefreshOutcome> out = refresh_stored_token(f.job("tiktok", server, LifecyclePurpose::kUse));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kHolderMismatch);
  EXPECT_NE(out.status().message().find("--take-over"), std::string::npos);
  EXPECT_EQ(server.with_lock([&] { return server.count; }), 0);
  RefreshJob take = f.job("tiktok", server, LifecyclePurpose::kUse);
  take.take_over = true;
  ASSERT_TRUE(refresh_stored_token(take).ok());
  EXPECT_EQ(f.get("tiktok").metadata[std::string(kHolderKey)], f.store()->install_id_hex());
}

TEST(TokenRefresh, AFreshTokenNeedsNoRequestAndNoLock) {
  Fixture f;
  TokenRecord r = tiktok("RT-1");
  f.put(r);
  Recorder server;
  RefreshJob j = f.job("tiktok", server, LifecyclePurpose::kUse);
  j.policy.mint_on_use = false;
  Result<RefreshOutcome> out = refresh_stored_token(j);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out.value().refreshed);
  EXPECT_EQ(out.value().record.access_token.view(), "AT-old");
  EXPECT_EQ(server.with_lock([&] { return server.count; }), 0);
  EXPECT_FALSE(fs::exists(f.dir / "vault.locks")) << "no lock was needed";
}

TEST(TokenRefresh, ConcurrentUsersShareOneMintWhileTheyWaitForTheLock) {
  Fixture f;
  f.put(tiktok("RT-1"));
  Recorder server;
  server.with_lock([&] { server.reply = kRotated; });
  server.with_lock([&] { server.delay = std::chrono::milliseconds(300); });
  Result<RefreshOutcome> a = Status(Code::kInternal, "");
  Result<RefreshOutcome> b = Status(Code::kInternal, "");
  std::thread t1([&] { a = refresh_stored_token(f.job("tiktok", server, LifecyclePurpose::kUse)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::thread t2([&] { b = refresh_stored_token(f.job("tiktok", server, LifecyclePurpose::kUse)); });
  t1.join();
  t2.join();
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  EXPECT_EQ(server.with_lock([&] { return server.count; }), 1)
      << "the second caller reused the token minted while it waited";
  EXPECT_TRUE(b.value().waited);
  EXPECT_EQ(b.value().record.access_token.view(), "AT-new");
}

TEST(TokenRefresh, InstagramForcedTooEarlyAndLinkedInExpiredNameWhatToDo) {
  Fixture f;
  TokenRecord ig;
  ig.platform = "instagram";
  ig.account = "178";
  ig.access_token = SecretString("IGAAT");
  ig.obtained_at = kNow - 3600;
  ig.expires_at = kNow + 59 * 86400;
  f.put(ig);
  TokenRecord li;
  li.platform = "linkedin";
  li.account = "urn:li:person:x";
  li.access_token = SecretString("LI");
  li.obtained_at = kNow - 61 * 86400;
  li.expires_at = kNow - 86400;
  f.put(li);
  Recorder server;
  Result<RefreshOutcome> young = refresh_stored_token(f.job("instagram", server, LifecyclePurpose::kForce));
  EXPECT_EQ(young.status().code(), Code::kRefreshTooEarly);
  EXPECT_NE(young.status().message().find("2027-01-16T07:00:00Z"), std::string::npos) << young.status().message();
  Result<RefreshOutcome> upkeep = refresh_stored_token(f.job("instagram", server, LifecyclePurpose::kMaintain));
  ASSERT_TRUE(upkeep.ok());
  EXPECT_EQ(upkeep.value().decision.reason, "not_due");
  Result<RefreshOutcome> gone = refresh_stored_token(f.job("linkedin", server, LifecyclePurpose::kUse));
  EXPECT_EQ(gone.status().code(), Code::kTokenExpired);
  EXPECT_NE(gone.status().message().find("keryx auth linkedin"), std::string::npos);
  EXPECT_EQ(server.with_lock([&] { return server.count; }), 0);
}

TEST(TokenRefresh, DeadGrantRecognition) {
  OAuthError e;
  e.error = "invalid_grant";
  EXPECT_TRUE(is_dead_grant(Status(Code::kPlatformRejected, ""), e));
  e.error = "OAuthException 190";
  EXPECT_TRUE(is_dead_grant(Status(Code::kPlatformRejected, ""), e));
  e.error = "OAuthException 1900";
  EXPECT_FALSE(is_dead_grant(Status(Code::kPlatformRejected, ""), e));
  e = OAuthError{};
  e.http_status = 401;
  EXPECT_TRUE(is_dead_grant(Status(Code::kHttpStatus, ""), e));
  e.http_status = 503;
  EXPECT_FALSE(is_dead_grant(Status(Code::kHttpStatus, ""), e));
  EXPECT_FALSE(is_dead_grant(Status(Code::kNetworkError, ""), OAuthError{}));
}

}  // namespace
}  // namespace keryx
