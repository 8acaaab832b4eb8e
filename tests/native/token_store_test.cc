// token_store_test.cc: TokenStore, what the bindings call: open (with and without creating),
// put/get/list/remove, put_many's all-or-nothing rule, info without the key, and the install id.
#include "token_store.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace keryx {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "keryx-store-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string env_key() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  std::string out(sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

StoreOptions options_in(const TempDir& dir, const std::string& key) {
  StoreOptions o;
  o.vault_path = (dir.path / "vault").string();
  o.install_id_path = (dir.path / "install-id").string();
  o.keys.env_key = SecretString(key);
  o.keys.key_file_path = (dir.path / "vault.key").string();
  o.keys.keychain_enabled = false;
  return o;
}

TokenRecord record(const char* platform, const char* account, const char* token) {
  TokenRecord r;
  r.platform = platform;
  r.account = account;
  r.access_token = SecretString(token);
  r.expires_at = 2000000000;
  return r;
}

TEST(TokenStore, PutGetListRemoveRoundTrip) {
  TempDir dir;
  StoreOptions o = options_in(dir, env_key());
  auto store = TokenStore::open(o, true);
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  ASSERT_TRUE(store.value()->put(record("tiktok", "a", "AT-1")).ok());
  ASSERT_TRUE(store.value()->put(record("tiktok", "b", "AT-2")).ok());
  auto got = store.value()->get("tiktok", "b");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got.value().access_token.view(), "AT-2");
  auto first = store.value()->get("tiktok", "");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value().account, "a");  // the platform's first record is its default
  EXPECT_EQ(store.value()->list().value().records.size(), 2u);
  EXPECT_TRUE(store.value()->remove("tiktok", "a").value());
  EXPECT_FALSE(store.value()->remove("tiktok", "a").value());
  EXPECT_EQ(store.value()->get("tiktok", "a").status().code(), Code::kNotFound);
  struct stat st {};
  ASSERT_EQ(stat(o.vault_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(TokenStore, PutManyWritesNothingWhenOneRecordIsInvalid) {
  TempDir dir;
  StoreOptions o = options_in(dir, env_key());
  auto store = TokenStore::open(o, true);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(store.value()->put(record("youtube", "x", "AT")).ok());
  std::vector<TokenRecord> batch;
  batch.push_back(record("youtube", "y", "AT-y"));
  batch.push_back(record("BAD PLATFORM", "z", "AT-z"));
  EXPECT_EQ(store.value()->put_many(std::move(batch)).code(), Code::kInvalidArgument);
  EXPECT_EQ(store.value()->list().value().records.size(), 1u);
}

TEST(TokenStore, OpeningWithoutCreateOnAMissingVaultIsEmptyAndWritesNothing) {
  TempDir dir;
  StoreOptions o = options_in(dir, env_key());
  auto store = TokenStore::open(o, false);
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  EXPECT_TRUE(store.value()->list().value().records.empty());
  EXPECT_FALSE(fs::exists(o.vault_path));
}

TEST(TokenStore, InfoReportsWithoutTheKeyAndAWrongKeyIsRefused) {
  TempDir dir;
  StoreOptions o = options_in(dir, env_key());
  {
    auto store = TokenStore::open(o, true);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(store.value()->put(record("linkedin", "m", "AT")).ok());
  }
  StoreInfo ok = TokenStore::info(o);
  EXPECT_TRUE(ok.vault_exists);
  EXPECT_TRUE(ok.key_available);
  EXPECT_EQ(ok.records, 1u);
  StoreOptions wrong = options_in(dir, env_key());
  StoreInfo bad = TokenStore::info(wrong);
  EXPECT_TRUE(bad.vault_exists);
  EXPECT_FALSE(bad.key_problem.ok());
  auto opened = TokenStore::open(wrong, true);
  if (opened.ok()) {
    EXPECT_EQ(opened.value()->list().status().code(), Code::kVaultWrongKey);
    EXPECT_FALSE(opened.value()->put(record("linkedin", "n", "AT2")).ok());  // never overwritten
  }
  StoreInfo after = TokenStore::info(o);
  EXPECT_EQ(after.records, 1u);
}

TEST(TokenStore, InstallIdIsMadeOnceAndKept) {
  TempDir dir;
  std::string path = (dir.path / "install-id").string();
  ASSERT_TRUE(load_or_create_install_id(path, false).ok());  // a read-only run gets a throwaway id
  EXPECT_FALSE(fs::exists(path));
  auto a = load_or_create_install_id(path, true);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.value().size(), 16u);
  EXPECT_EQ(load_or_create_install_id(path, true).value(), a.value());
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("not hex\n", f);
  std::fclose(f);
  chmod(path.c_str(), 0600);
  EXPECT_EQ(load_or_create_install_id(path, true).status().code(), Code::kConfigInvalid);
}

}  // namespace
}  // namespace keryx
