// key_provider_test.cc: resolve_vault_key with real parts only: the real key file on disk, the real
// Secret Service under scripts/with-secret-service.sh (KERYX_TEST_SECRET_SERVICE=1), and a real
// "no D-Bus" environment in a freshly exec'd copy of this binary (gtest "threadsafe" death-test
// style). The keychain item is checked from outside with `secret-tool`.
#include "key_provider.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "base64url.h"
#include "random.h"

#include "secret_service_gate.h"

namespace keryx {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

using ::keryx::testing_support::env_is;

// TempDir: a private scratch directory, removed with its contents.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/keryx-key-provider.XXXXXX";
    path = ::mkdtemp(tmpl) != nullptr ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string unique_account() {
  return "keryx-test-vault-" + std::to_string(::getpid()) + "-" + random_state().substr(0, 10);
}

std::string base64(std::string_view bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    variant);
  out.pop_back();
  return out;
}

std::string secret_tool_lookup(const std::string& account) {
  std::string out;
  FILE* pipe = ::popen(("secret-tool lookup service keryx account '" + account + "' 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[256];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  ::pclose(pipe);
  return out;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0;
}

void write_file(const std::string& path, std::string_view bytes, mode_t mode) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ::chmod(path.c_str(), mode);
}

// Options with the keychain off: the file/env/passphrase cases never touch the OS keychain.
KeyProviderOptions offline_options(const std::string& key_file) {
  KeyProviderOptions options;
  options.keychain_enabled = false;
  options.key_file_path = key_file;
  return options;
}

const ProviderAttempt* find_skipped(const KeyResolution& r, KeyProviderKind kind) {
  for (const ProviderAttempt& a : r.skipped) {
    if (a.kind == kind) return &a;
  }
  return nullptr;
}

// ---- KERYX_VAULT_KEY ----------------------------------------------------------------------------

TEST(KeyProvider, EnvKeyAcceptsStandardAndUrlSafeBase64) {
  const std::string key(32, '\xfb');  // encodes with '+' / '-' and needs padding
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                      sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
    KeyProviderOptions options = offline_options("");
    options.env_key = SecretString(base64(key, variant) + "\n");
    Result<KeyResolution> r = resolve_vault_key(options, std::nullopt, true);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r.value().material.provider, KeyProviderKind::kEnv);
    EXPECT_FALSE(r.value().material.is_passphrase);
    EXPECT_TRUE(r.value().material.secret.equals(key));
    EXPECT_FALSE(r.value().created);
  }
}

TEST(KeyProvider, EnvKeyWinsForAnExistingVaultSealedByAnotherProvider) {
  TempDir dir;
  KeyProviderOptions options = offline_options(dir.path + "/vault.key");
  options.env_key = SecretString(base64(std::string(32, 'k'), sodium_base64_VARIANT_ORIGINAL));
  for (KeyProviderKind sealed : {KeyProviderKind::kKeychain, KeyProviderKind::kKeyFile, KeyProviderKind::kPassphrase}) {
    Result<KeyResolution> r = resolve_vault_key(options, sealed, false);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r.value().material.provider, KeyProviderKind::kEnv);
    EXPECT_TRUE(r.value().material.secret.equals(std::string(32, 'k')));
  }
  EXPECT_FALSE(fs::exists(dir.path + "/vault.key"));
}

TEST(KeyProvider, EnvKeyOfTheWrongLengthIsRejectedWithoutEcho) {
  const std::string value = base64("sixteen byte key", sodium_base64_VARIANT_ORIGINAL);
  KeyProviderOptions options = offline_options("");
  options.env_key = SecretString(value);
  Result<KeyResolution> r = resolve_vault_key(options, std::nullopt, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("KERYX_VAULT_KEY"), std::string::npos);
  EXPECT_NE(r.status().message().find("16 bytes"), std::string::npos);
  EXPECT_EQ(r.status().message().find(value), std::string::npos);
}

TEST(KeyProvider, EnvKeyThatIsNotBase64IsRejectedWithoutEcho) {
  std::string mixed = base64(std::string(32, '\xfb'), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  mixed[mixed.find('+')] = '-';  // one url-safe character in a standard string: neither alphabet
  for (const std::string& value : {std::string("not*base64!!secret-ish"), mixed}) {
    KeyProviderOptions options = offline_options("");
    options.env_key = SecretString(value);
    Result<KeyResolution> r = resolve_vault_key(options, KeyProviderKind::kKeychain, false);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("KERYX_VAULT_KEY"), std::string::npos);
    EXPECT_EQ(r.status().message().find(value), std::string::npos);
    EXPECT_EQ(r.status().message().find("secret-ish"), std::string::npos);
  }
}

// Fuzz finding 5 (tests/fuzz/regressions/base64url_fuzz/non-ascii-byte.txt), in the vault key's
// text: libsodium 1.0.18 read every byte 0x80-0xFF as '_' (or '/'), so a key with such a byte in
// place of '_' opened the vault like the real one.
TEST(KeyProvider, EnvKeyWithABytePast0x7fIsRejected) {
  const std::string key(32, '\xff');
  const std::string good = base64(key, sodium_base64_VARIANT_URLSAFE_NO_PADDING);  // "___...__w"
  KeyProviderOptions options = offline_options("");
  options.env_key = SecretString(good);
  Result<KeyResolution> ok = resolve_vault_key(options, std::nullopt, true);
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_EQ(ok.value().material.secret.view(), key);

  for (const char* replacement : {"\xff", "\x80", "\xdf"}) {
    for (std::size_t at : {std::size_t{0}, std::size_t{20}}) {
      std::string bad = good;
      bad[at] = replacement[0];
      KeyProviderOptions bad_options = offline_options("");
      bad_options.env_key = SecretString(bad);
      Result<KeyResolution> r = resolve_vault_key(bad_options, std::nullopt, true);
      ASSERT_FALSE(r.ok()) << at;
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
      EXPECT_EQ(r.status().message(), "KERYX_VAULT_KEY is not valid base64 (standard or url-safe alphabet)");
    }
  }
  std::string standard = base64(key, sodium_base64_VARIANT_ORIGINAL);  // "///...//w==": '/' as a high byte
  standard[5] = '\xaf';
  options.env_key = SecretString(standard);
  EXPECT_EQ(resolve_vault_key(options, std::nullopt, true).status().code(), Code::kInvalidArgument);
}

// A keychain item is decoded the same way (a stand-in keychain hands over the text).
class TextKeychain : public Keychain {
 public:
  explicit TextKeychain(std::string text) : text_(std::move(text)) {}
  const char* backend() const override { return "test"; }
  Result<SecretString> lookup(const std::string& /*account*/) override { return SecretString(text_); }
  Status store(const std::string& /*account*/, const SecretString& /*secret*/, const std::string& /*label*/) override {
    return Status(Code::kInternal, "not expected");
  }
  Status remove(const std::string& /*account*/) override { return Status::Ok(); }

 private:
  std::string text_;
};

TEST(KeyProvider, KeychainItemWithABytePast0x7fIsRejected) {
  const std::string key(32, '\xff');
  std::string text = base64(key, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  for (bool damaged : {false, true}) {
    if (damaged) text[7] = '\xff';
    TextKeychain keychain(text);
    KeyProviderOptions options = offline_options("");
    options.keychain_enabled = true;
    options.keychain = &keychain;
    options.keychain_account = "keryx-test";
    Result<KeyResolution> r = resolve_vault_key(options, KeyProviderKind::kKeychain, false);
    if (!damaged) {
      ASSERT_TRUE(r.ok()) << r.status().to_string();
      EXPECT_EQ(r.value().material.secret.view(), key);
    } else {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
      EXPECT_EQ(r.status().message(), "the keychain item is not valid base64 (standard or url-safe alphabet)");
    }
  }
}

// ---- Passphrase -----------------------------------------------------------------------------------

TEST(KeyProvider, PassphraseIsPassedThroughForTheVaultToStretch) {
  TempDir dir;
  KeyProviderOptions options = offline_options(dir.path + "/vault.key");
  options.passphrase = SecretString("correct horse battery staple");
  Result<KeyResolution> r = resolve_vault_key(options, std::nullopt, true);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r.value().material.provider, KeyProviderKind::kPassphrase);
  EXPECT_TRUE(r.value().material.is_passphrase);
  EXPECT_EQ(r.value().material.secret.view(), "correct horse battery staple");
  EXPECT_FALSE(r.value().created);
  const ProviderAttempt* keychain = find_skipped(r.value(), KeyProviderKind::kKeychain);
  ASSERT_NE(keychain, nullptr);
  EXPECT_EQ(keychain->reason.code(), Code::kKeychainUnavailable);  // turned off
  EXPECT_NE(find_skipped(r.value(), KeyProviderKind::kEnv), nullptr);
  EXPECT_FALSE(fs::exists(dir.path + "/vault.key"));

  Result<KeyResolution> again = resolve_vault_key(options, KeyProviderKind::kPassphrase, false);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.value().material.is_passphrase);
  options.passphrase = SecretString();
  EXPECT_EQ(resolve_vault_key(options, KeyProviderKind::kPassphrase, false).status().code(), Code::kVaultKeyMissing);
}

// ---- Key file -----------------------------------------------------------------------------------

TEST(KeyProvider, NewVaultCreatesAPrivateKeyFileAndReopensIt) {
  TempDir dir;
  const std::string path = dir.path + "/config/keryx/vault.key";  // parents do not exist yet
  KeyProviderOptions options = offline_options(path);
  Result<KeyResolution> r = resolve_vault_key(options, std::nullopt, true);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r.value().material.provider, KeyProviderKind::kKeyFile);
  EXPECT_TRUE(r.value().created);
  EXPECT_EQ(r.value().material.secret.size(), kVaultKeyBytes);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(dir.path + "/config/keryx"), 0700u);
  EXPECT_EQ(fs::file_size(path), kVaultKeyBytes);

  Result<KeyResolution> reopened = resolve_vault_key(options, KeyProviderKind::kKeyFile, false);
  ASSERT_TRUE(reopened.ok()) << reopened.status().to_string();
  EXPECT_FALSE(reopened.value().created);
  EXPECT_TRUE(reopened.value().material.secret.equals(r.value().material.secret.view()));
}

TEST(KeyProvider, MissingKeyFileOfAnExistingVaultIsNotFoundAndNotRecreated) {
  TempDir dir;
  const std::string path = dir.path + "/vault.key";
  Result<KeyResolution> r = resolve_vault_key(offline_options(path), KeyProviderKind::kKeyFile, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_NE(r.status().message().find(path), std::string::npos);
  EXPECT_FALSE(fs::exists(path));
}

TEST(KeyProvider, GroupReadableKeyFileIsInsecure) {
  TempDir dir;
  const std::string path = dir.path + "/vault.key";
  write_file(path, std::string(32, 'x'), 0644);
  for (std::optional<KeyProviderKind> sealed :
       {std::optional<KeyProviderKind>(KeyProviderKind::kKeyFile), std::optional<KeyProviderKind>()}) {
    Result<KeyResolution> r = resolve_vault_key(offline_options(path), sealed, true);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInsecurePermissions) << r.status().to_string();
  }
  EXPECT_EQ(mode_of(path), 0644u) << "must not be silently fixed";
}

TEST(KeyProvider, KeyFileOfTheWrongSizeIsRejected) {
  TempDir dir;
  const std::string path = dir.path + "/vault.key";
  write_file(path, "too short", 0600);
  Result<KeyResolution> r = resolve_vault_key(offline_options(path), KeyProviderKind::kKeyFile, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

TEST(KeyProvider, NothingAvailableIsVaultKeyMissing) {
  TempDir dir;
  Result<KeyResolution> r = resolve_vault_key(offline_options(dir.path + "/vault.key"), std::nullopt, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kVaultKeyMissing);
  EXPECT_NE(r.status().message().find("KERYX_VAULT_KEY"), std::string::npos);
  EXPECT_NE(r.status().message().find("KERYX_VAULT_PASSPHRASE"), std::string::npos);
  EXPECT_EQ(resolve_vault_key(offline_options(""), KeyProviderKind::kEnv, false).status().code(),
            Code::kVaultKeyMissing);
}

// ---- Keychain without a D-Bus session (fresh process) ----------------------------------------------

[[noreturn]] void finish_child(const std::string& failure) {
  std::fprintf(stderr, "RESULT %s\n", failure.empty() ? "ok" : failure.c_str());
  std::_Exit(failure.empty() ? 0 : 1);
}

#define EXPECT_OK_IN_FRESH_PROCESS(check)                                          \
  do {                                                                             \
    GTEST_FLAG_SET(death_test_style, "threadsafe");                                \
    EXPECT_EXIT(finish_child(check()), ::testing::ExitedWithCode(0), "RESULT ok"); \
  } while (0)

void drop_session_bus() {
  ::unsetenv("DBUS_SESSION_BUS_ADDRESS");
  ::unsetenv("DISPLAY");
  ::setenv("XDG_RUNTIME_DIR", "/nonexistent-keryx-runtime", 1);
}

std::string check_no_bus_new_vault_uses_key_file() {
  drop_session_bus();
  TempDir dir;
  KeyProviderOptions options;
  options.key_file_path = dir.path + "/vault.key";
  options.keychain_account = unique_account();
  Result<KeyResolution> r = resolve_vault_key(options, std::nullopt, true);
  if (!r.ok()) return "resolve: " + r.status().to_string();
  const ProviderAttempt* keychain = find_skipped(r.value(), KeyProviderKind::kKeychain);
  if (keychain == nullptr) return "keychain not reported as skipped";
  if (keychain->reason.code() != Code::kKeychainUnavailable) return "skip reason " + keychain->reason.to_string();
  if (r.value().material.provider != KeyProviderKind::kKeyFile) return "provider is not key_file";
  if (!r.value().created) return "created is false";
  if (mode_of(options.key_file_path) != 0600) return "key file is not 0600";
  return "";
}

TEST(KeyProvider, WithoutDbusANewVaultSkipsTheKeychainForAKeyFile) {
  EXPECT_OK_IN_FRESH_PROCESS(check_no_bus_new_vault_uses_key_file);
}

std::string check_no_bus_existing_keychain_vault_fails() {
  drop_session_bus();
  TempDir dir;
  KeyProviderOptions options;
  options.key_file_path = dir.path + "/vault.key";
  options.keychain_account = unique_account();
  Result<KeyResolution> r = resolve_vault_key(options, KeyProviderKind::kKeychain, true);
  if (r.ok()) return "resolved a key for a keychain vault without a keychain";
  if (r.status().code() != Code::kKeychainUnavailable) return "got " + r.status().to_string();
  if (fs::exists(options.key_file_path)) return "a key file was created";
  return "";
}

TEST(KeyProvider, WithoutDbusAKeychainVaultIsUnavailableNeverANewKey) {
  EXPECT_OK_IN_FRESH_PROCESS(check_no_bus_existing_keychain_vault_fails);
}

// ---- Keychain against the wrapper's gnome-keyring --------------------------------------------------

TEST(KeyProviderSecretService, NewVaultCreatesTheKeyInTheKeychainAndReopensIt) {
  SKIP_WITHOUT_SECRET_SERVICE(false);
  TempDir dir;
  KeyProviderOptions options;
  options.key_file_path = dir.path + "/vault.key";
  options.keychain_account = unique_account();
  Result<KeyResolution> r = resolve_vault_key(options, std::nullopt, true);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r.value().material.provider, KeyProviderKind::kKeychain);
  EXPECT_TRUE(r.value().created);
  ASSERT_EQ(r.value().material.secret.size(), kVaultKeyBytes);
  EXPECT_EQ(find_skipped(r.value(), KeyProviderKind::kKeychain), nullptr);
  EXPECT_FALSE(fs::exists(options.key_file_path));
  // Stored as unpadded base64url text, readable from outside.
  EXPECT_EQ(secret_tool_lookup(options.keychain_account), base64url_encode(r.value().material.secret.view()));

  Result<KeyResolution> reopened = resolve_vault_key(options, KeyProviderKind::kKeychain, false);
  ASSERT_TRUE(reopened.ok()) << reopened.status().to_string();
  EXPECT_FALSE(reopened.value().created);
  EXPECT_TRUE(reopened.value().material.secret.equals(r.value().material.secret.view()));

  std::unique_ptr<Keychain> keychain = make_os_keychain(milliseconds(5000));
  EXPECT_TRUE(keychain->remove(options.keychain_account).ok());
  Result<KeyResolution> gone = resolve_vault_key(options, KeyProviderKind::kKeychain, true);
  EXPECT_EQ(gone.status().code(), Code::kNotFound) << "an existing vault must never get a new key";
  EXPECT_EQ(secret_tool_lookup(options.keychain_account), "");
}

TEST(KeyProviderSecretService, LockedKeychainIsAnErrorForAnExistingVault) {
  SKIP_WITHOUT_SECRET_SERVICE(true);
  TempDir dir;
  KeyProviderOptions options;
  options.key_file_path = dir.path + "/vault.key";
  options.keychain_account = std::getenv("KERYX_TEST_SECRET_SERVICE_SENTINEL");  // exists, hidden
  Result<KeyResolution> r = resolve_vault_key(options, KeyProviderKind::kKeychain, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kKeychainLocked) << r.status().to_string();
  EXPECT_FALSE(fs::exists(options.key_file_path));
}

TEST(KeyProviderSecretService, LockedKeychainIsSkippedForANewVault) {
  SKIP_WITHOUT_SECRET_SERVICE(true);
  TempDir dir;
  KeyProviderOptions options;
  options.key_file_path = dir.path + "/vault.key";
  options.keychain_account = unique_account();
  Result<KeyResolution> r = resolve_vault_key(options, std::nullopt, true);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const ProviderAttempt* keychain = find_skipped(r.value(), KeyProviderKind::kKeychain);
  ASSERT_NE(keychain, nullptr);
  EXPECT_EQ(keychain->reason.code(), Code::kKeychainLocked);
  EXPECT_EQ(r.value().material.provider, KeyProviderKind::kKeyFile);
  EXPECT_EQ(mode_of(options.key_file_path), 0600u);
}

}  // namespace
}  // namespace keryx
