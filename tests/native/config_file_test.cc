// config_file_test.cc: ConfigFile against real files in mkdtemp directories: path rules, get/set/
// unset/list, order and unknown keys kept, malformed files reported by line and column and never
// rewritten, secret keys refused with the right environment variable, 0600, concurrent writers.
#include "config_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

namespace keryx {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/keryx-config-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/sub/config.json";
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  Status set(const std::string& key, const std::string& value) {
    return ConfigFile::update(path_, [&](ConfigFile& f) { return f.set(key, value); });
  }
  std::optional<std::string> get(const std::string& key) {
    Result<ConfigFile> f = ConfigFile::load(path_);
    EXPECT_TRUE(f.ok()) << f.status().to_string();
    Result<std::optional<std::string>> v = f.value().get(key);
    EXPECT_TRUE(v.ok()) << v.status().to_string();
    return v.value();
  }

  std::string dir_;
  std::string path_;
};

// An environment variable set for one scope, restored afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = std::getenv(name);
    if (old != nullptr) old_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(ConfigFilePath, FollowsKeryxConfigThenXdgThenHome) {
  ScopedEnv home("HOME", "/home/ada");
  {
    ScopedEnv k("KERYX_CONFIG", "/etc/k.json");
    ScopedEnv x("XDG_CONFIG_HOME", "/xdg");
    EXPECT_EQ(ConfigFile::default_path(), "/etc/k.json");
  }
  {
    ScopedEnv k("KERYX_CONFIG", "");  // empty counts as unset
    ScopedEnv x("XDG_CONFIG_HOME", "/xdg");
    EXPECT_EQ(ConfigFile::default_path(), "/xdg/keryx/config.json");
  }
  {
    ScopedEnv k("KERYX_CONFIG", nullptr);
    ScopedEnv x("XDG_CONFIG_HOME", "relative/dir");  // the XDG spec ignores relative paths
    EXPECT_EQ(ConfigFile::default_path(), "/home/ada/.config/keryx/config.json");
  }
  {
    ScopedEnv k("KERYX_CONFIG", nullptr);
    ScopedEnv x("XDG_CONFIG_HOME", nullptr);
    EXPECT_EQ(ConfigFile::default_path(), "/home/ada/.config/keryx/config.json");
  }
}

TEST_F(ConfigFileTest, MissingFileIsAnEmptyObject) {
  Result<ConfigFile> f = ConfigFile::load(path_);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_TRUE(f.value().list().empty());
  EXPECT_EQ(f.value().to_json(), "{}\n");
  EXPECT_EQ(f.value().get("a.b").value(), std::nullopt);
}

TEST_F(ConfigFileTest, SetGetUnsetListWithNestedCreation) {
  ASSERT_TRUE(set("platforms.tiktok.privacy", "\"SELF_ONLY\"").ok());
  ASSERT_TRUE(set("platforms.tiktok.enabled", "true").ok());
  ASSERT_TRUE(set("platforms.instagram.user_id", "17841400000000001").ok());
  ASSERT_TRUE(set("platforms.youtube.scopes", "[\"a\", \"b\"]").ok());
  EXPECT_EQ(get("platforms.tiktok.privacy"), "\"SELF_ONLY\"");
  EXPECT_EQ(get("platforms.instagram.user_id"), "17841400000000001");  // > 2^53, exact
  EXPECT_EQ(get("platforms.tiktok"), R"({"privacy":"SELF_ONLY","enabled":true})");
  EXPECT_EQ(get("platforms.tiktok.privacy.deeper"), std::nullopt);
  EXPECT_EQ(get("nope"), std::nullopt);

  Result<ConfigFile> f = ConfigFile::load(path_);
  ASSERT_TRUE(f.ok());
  std::vector<std::pair<std::string, std::string>> want = {{"platforms.tiktok.privacy", "\"SELF_ONLY\""},
                                                           {"platforms.tiktok.enabled", "true"},
                                                           {"platforms.instagram.user_id", "17841400000000001"},
                                                           {"platforms.youtube.scopes", R"(["a","b"])"}};
  EXPECT_EQ(f.value().list(), want);

  ASSERT_TRUE(ConfigFile::update(path_, [](ConfigFile& c) { return c.unset("platforms.instagram.user_id"); }).ok());
  ASSERT_TRUE(ConfigFile::update(path_, [](ConfigFile& c) { return c.unset("not.there.at.all"); }).ok());
  EXPECT_EQ(get("platforms.instagram.user_id"), std::nullopt);
  EXPECT_EQ(get("platforms.instagram"), "{}");  // empty parents are kept, and listed as leaves
  f = ConfigFile::load(path_);
  EXPECT_EQ(f.value().list()[2], (std::pair<std::string, std::string>{"platforms.instagram", "{}"}));
}

TEST_F(ConfigFileTest, SettingThroughANonObjectIsRefused) {
  ASSERT_TRUE(set("platforms.tiktok", "\"x\"").ok());
  Status s = set("platforms.tiktok.privacy", "1");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("platforms.tiktok.privacy"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("platforms.tiktok holds a string"), std::string::npos) << s.message();
  EXPECT_EQ(set("a", "{nope").code(), Code::kInvalidArgument);
  EXPECT_EQ(set("a", "").code(), Code::kInvalidArgument);
}

TEST_F(ConfigFileTest, UnknownKeysAndOrderAreKeptByteForByte) {
  ::mkdir((dir_ + "/sub").c_str(), 0700);
  const std::string original =
      "{\n"
      "  \"zeta\": {\n"
      "    \"custom\": [\n"
      "      1,\n"
      "      2.5,\n"
      "      \"x\"\n"
      "    ]\n"
      "  },\n"
      "  \"platforms\": {\n"
      "    \"tiktok\": {\n"
      "      \"privacy\": \"PUBLIC\",\n"
      "      \"client_key\": \"aw123\"\n"
      "    },\n"
      "    \"instagram\": {\n"
      "      \"app_id\": \"99\"\n"
      "    }\n"
      "  },\n"
      "  \"alpha\": null\n"
      "}\n";
  write_all(path_, original);
  Result<ConfigFile> loaded = ConfigFile::load(path_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.value().to_json(), original);  // the canonical layout round-trips exactly

  ASSERT_TRUE(set("platforms.tiktok.privacy", "\"SELF_ONLY\"").ok());
  std::string expected = original;
  expected.replace(expected.find("\"PUBLIC\""), 8, "\"SELF_ONLY\"");
  EXPECT_EQ(read_all(path_), expected);

  ASSERT_TRUE(set("platforms.tiktok.enabled", "false").ok());  // a new key goes last in its object
  expected.replace(expected.find("\"aw123\"\n"), 8, "\"aw123\",\n      \"enabled\": false\n");
  EXPECT_EQ(read_all(path_), expected);
}

TEST_F(ConfigFileTest, MalformedFilesAreReportedAndNeverRewritten) {
  ::mkdir((dir_ + "/sub").c_str(), 0700);
  struct Case {
    std::string bytes;
    std::string want;
  };
  const Case cases[] = {
      {"{\n  \"a\": 1,\n    }\n", "line 3, column 5: Missing a name for object member."},  // trailing comma
      {"[1, 2]\n", "line 1, column 1: the top level must be a JSON object, not an array"},
      {"\n  \"just a string\"", "line 2, column 3: the top level must be a JSON object, not a string"},
      {std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "line 1, column 1: Invalid value."},
      {std::string("{\"a\": 1}\0garbage", 16), "line 1, column 9: NUL byte."},
      {"{\"\xc3\xa9\xc3\xa9\": \"\xff\"}", "line 1, column 9: Invalid encoding in string."},  // columns in characters
      {"{\"a\": 1} {}", "line 1, column 10: The document root must not be followed by other values."},
  };
  for (const Case& c : cases) {
    write_all(path_, c.bytes);
    Result<ConfigFile> f = ConfigFile::load(path_);
    ASSERT_FALSE(f.ok());
    EXPECT_EQ(f.status().code(), Code::kConfigInvalid);
    EXPECT_EQ(f.status().message(), path_ + ": " + c.want);
    bool ran = false;
    Status s = ConfigFile::update(path_, [&](ConfigFile& file) {
      ran = true;
      return file.set("a", "2");
    });
    EXPECT_EQ(s.code(), Code::kConfigInvalid);
    EXPECT_FALSE(ran);
    EXPECT_EQ(read_all(path_), c.bytes);
  }
}

TEST_F(ConfigFileTest, EmptyOrBomFilesLoad) {
  ::mkdir((dir_ + "/sub").c_str(), 0700);
  write_all(path_, " \n");
  EXPECT_TRUE(ConfigFile::load(path_).ok());
  write_all(path_, "\xEF\xBB\xBF{\"a\": 1}");
  Result<ConfigFile> f = ConfigFile::load(path_);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f.value().get("a").value(), "1");
}

TEST_F(ConfigFileTest, OversizedFileIsConfigInvalid) {
  ::mkdir((dir_ + "/sub").c_str(), 0700);
  write_all(path_, "{\"a\": \"" + std::string(kMaxConfigBytes, 'x') + "\"}");
  EXPECT_EQ(ConfigFile::load(path_).status().code(), Code::kConfigInvalid);
}

TEST_F(ConfigFileTest, SecretKeysAreRefusedWithTheirEnvironmentVariable) {
  const std::pair<const char*, const char*> cases[] = {
      {"platforms.instagram.app_secret", "INSTAGRAM_APP_SECRET"},
      {"platforms.youtube.client_secret", "YOUTUBE_CLIENT_SECRET"},
      {"platforms.tiktok.refresh_token", "TIKTOK_REFRESH_TOKEN"},
      {"platforms.linkedin.access_token", "LINKEDIN_ACCESS_TOKEN"},
      {"platforms.my-site.webhook_secret", "MY_SITE_WEBHOOK_SECRET"},
      {"platforms.x.Client_Secret", "X_CLIENT_SECRET"},
      {"vault_key", "KERYX_VAULT_KEY"},
      {"passphrase", "KERYX_VAULT_PASSPHRASE"},
      {"vault.passphrase", "KERYX_VAULT_PASSPHRASE"},
      {"proxy.password", "KERYX_PROXY_PASSWORD"},
      {"tokens", "KERYX_TOKENS"},
      {"clientsecret", "KERYX_CLIENTSECRET"},
  };
  for (const auto& [key, env] : cases) {
    ConfigFile f;
    Status s = f.set(key, "\"value-not-to-be-echoed\"");
    EXPECT_EQ(s.code(), Code::kSecretInConfig) << key;
    EXPECT_NE(s.message().find(std::string("environment variable ") + env + " "), std::string::npos)
        << key << ": " << s.message();
    EXPECT_EQ(s.message().find("value-not-to-be-echoed"), std::string::npos);
  }
  ConfigFile f;  // a secret inside an object value is refused too
  Status nested = f.set("platforms.instagram", R"({"app_id":"1","app_secret":"s"})");
  EXPECT_EQ(nested.code(), Code::kSecretInConfig);
  EXPECT_NE(nested.message().find("INSTAGRAM_APP_SECRET"), std::string::npos) << nested.message();
  EXPECT_TRUE(f.list().empty());
  // Refused through update: nothing is written.
  EXPECT_EQ(set("platforms.youtube.client_secret", "\"s\"").code(), Code::kSecretInConfig);
  EXPECT_EQ(::access(path_.c_str(), F_OK), -1);
}

TEST_F(ConfigFileTest, PublicIdentifiersAndEndpointUrlsAreAccepted) {
  for (const char* key :
       {"platforms.tiktok.client_key", "platforms.instagram.app_id", "platforms.youtube.client_id",
        "platforms.linkedin.redirect_uri", "platforms.tiktok.open_id", "platforms.linkedin.author_urn",
        "platforms.youtube.endpoints.token_url", "platforms.x.secret_santa"}) {
    ConfigFile f;
    EXPECT_TRUE(f.set(key, "\"v\"").ok()) << key;
  }
}

TEST_F(ConfigFileTest, InvalidKeysAreRefused) {
  ConfigFile f;
  for (const char* key : {"", ".", "a.", ".a", "a..b", "a b", "a/b", "ä", "a.b=c", "a.*"}) {
    Status s = f.set(key, "1");
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << key;
    EXPECT_EQ(f.get(key).status().code(), Code::kInvalidArgument) << key;
    EXPECT_EQ(f.unset(key).code(), Code::kInvalidArgument) << key;
  }
  EXPECT_EQ(f.set(std::string(300, 'a'), "1").code(), Code::kInvalidArgument);
  EXPECT_TRUE(f.set("Az09_-.x", "1").ok());
}

TEST_F(ConfigFileTest, WrittenFileIsOwnerOnly) {
  ASSERT_TRUE(set("a", "1").ok());
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ + "/sub").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(ConfigFileTest, ASymlinkedConfigIsWrittenThrough) {
  ::mkdir((dir_ + "/sub").c_str(), 0700);
  std::string real = dir_ + "/dotfiles-config.json";
  write_all(real, "{\"keep\": 1}");
  ASSERT_EQ(::symlink(real.c_str(), path_.c_str()), 0);
  ASSERT_TRUE(set("a", "2").ok());
  struct stat st {};
  ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));  // the link stays a link
  EXPECT_EQ(read_all(real), "{\n  \"keep\": 1,\n  \"a\": 2\n}\n");
}

TEST_F(ConfigFileTest, NoOpUpdateDoesNotCreateTheFile) {
  ASSERT_TRUE(ConfigFile::update(path_, [](ConfigFile& f) { return f.unset("a"); }).ok());
  EXPECT_EQ(::access(path_.c_str(), F_OK), -1);
}

TEST_F(ConfigFileTest, ConcurrentUpdatesFromFourProcessesKeepEveryKey) {
  constexpr int kProcs = 4;
  constexpr int kKeys = 25;
  pid_t pids[kProcs];
  for (int p = 0; p < kProcs; ++p) {
    pids[p] = ::fork();
    ASSERT_GE(pids[p], 0);
    if (pids[p] == 0) {
      for (int k = 0; k < kKeys; ++k) {
        std::string key = "p" + std::to_string(p) + ".k" + std::to_string(k);
        Status s = ConfigFile::update(path_, [&](ConfigFile& f) { return f.set(key, std::to_string(k)); });
        if (!s.ok()) ::_exit(1);
      }
      ::_exit(0);
    }
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  Result<ConfigFile> f = ConfigFile::load(path_);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f.value().list().size(), static_cast<std::size_t>(kProcs * kKeys));
  for (int p = 0; p < kProcs; ++p) {
    for (int k = 0; k < kKeys; ++k) {
      EXPECT_EQ(f.value().get("p" + std::to_string(p) + ".k" + std::to_string(k)).value(), std::to_string(k));
    }
  }
}

// Fuzz finding 1 (tests/fuzz/regressions/config_fuzz/lone-low-surrogate.json): a lone low-surrogate
// escape loaded as bytes that are not UTF-8, and the next write made a file no command could load.
// It is config_invalid at the escape now, and refused as a value to set.
TEST_F(ConfigFileTest, LoneSurrogateEscapeIsConfigInvalidAndNeverWritten) {
  ::mkdir((dir_ + "/sub").c_str(), 0700);
  const std::string bytes = "{\"platforms\":{\"tiktok\":{\"privacy\":\"\\udc00\"}}}\n";
  write_all(path_, bytes);
  Result<ConfigFile> f = ConfigFile::load(path_);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), Code::kConfigInvalid);
  EXPECT_EQ(f.status().message(), path_ + ": line 1, column 36: The surrogate pair in string is invalid.");

  ::unlink(path_.c_str());
  for (const char* value : {R"("\udc00")", R"("\ud800")", R"({"x":"a\uDFFFb"})"}) {
    Status s = set("a.b", value);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << value;
    EXPECT_NE(s.message().find("The surrogate pair in string is invalid."), std::string::npos) << s.message();
  }
  EXPECT_EQ(::access(path_.c_str(), F_OK), -1);       // nothing was written
  ASSERT_TRUE(set("a.b", R"("\ud83d\ude00")").ok());  // a real pair is fine
  EXPECT_EQ(get("a.b"), "\"\xF0\x9F\x98\x80\"");
}

// Fuzz findings 2 and 3 (tests/fuzz/regressions/config_fuzz/overflow-*.json): numbers past DBL_MAX
// loaded as infinity, NaN or garbage (a "keryx config set" then wrote a truncated file). They are
// config_invalid now, and refused as values.
TEST_F(ConfigFileTest, NumbersPastDblMaxAreConfigInvalidAndNeverWritten) {
  ::mkdir((dir_ + "/sub").c_str(), 0700);
  const std::pair<std::string, std::string> cases[] = {
      {"{\"platforms\":{\"tiktok\":{\"privacy\":\"SELF_ONLY\"}},\"a\":10e308}\n", "line 1, column 53"},
      {"{\"n\":-922337203688623157e308}\n", "line 1, column 6"},
      {"{\"nan\":1.8e308}\n", "line 1, column 8"},
      {"{\n  \"x\": [1e400]\n}\n", "line 2, column 9"},
  };
  for (const auto& [bytes, where] : cases) {
    write_all(path_, bytes);
    Result<ConfigFile> f = ConfigFile::load(path_);
    ASSERT_FALSE(f.ok()) << bytes;
    EXPECT_EQ(f.status().code(), Code::kConfigInvalid);
    EXPECT_EQ(f.status().message(), path_ + ": " + where + ": Number too big to be stored in double.");
    EXPECT_EQ(set("b", "1").code(), Code::kConfigInvalid);
    EXPECT_EQ(read_all(path_), bytes);  // never rewritten
  }
  ::unlink(path_.c_str());
  for (const char* value : {"10e308", "-10e308", "1784140000000000.5e300", "[1, 1.8e308]"}) {
    Status s = set("a.b", value);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << value;
    EXPECT_NE(s.message().find("Number too big to be stored in double."), std::string::npos) << s.message();
  }
  EXPECT_EQ(::access(path_.c_str(), F_OK), -1);
}

// Fuzz finding 3 (tests/fuzz/regressions/config_fuzz/zero-with-exponent.json and
// big-integer-full-precision.json): the loader's full-precision number parsing (RapidJSON 1.1.0)
// had undefined behaviour on "0e-30" and loaded it, and 184467440737095516155, as other numbers.
// Numbers are now kept as the text in the file: every write gives them back as the user wrote them.
TEST_F(ConfigFileTest, NumbersAreWrittenBackExactlyAsWritten) {
  ::mkdir((dir_ + "/sub").c_str(), 0700);
  const std::string original =
      "{\n"
      "  \"n\": 0e-30,\n"
      "  \"big\": 184467440737095516155,\n"
      "  \"list\": [\n"
      "    1.50,\n"
      "    -0,\n"
      "    1E+2,\n"
      "    1e-400,\n"
      "    17841400000000000001\n"
      "  ]\n"
      "}\n";
  write_all(path_, original);
  Result<ConfigFile> loaded = ConfigFile::load(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded.value().to_json(), original);
  EXPECT_EQ(loaded.value().get("n").value(), "0e-30");
  EXPECT_EQ(loaded.value().get("big").value(), "184467440737095516155");
  EXPECT_EQ(loaded.value().get("list").value(), "[1.50,-0,1E+2,1e-400,17841400000000000001]");

  ASSERT_TRUE(set("price", "2.50").ok());  // a value is stored as typed too
  std::string expected = original;
  expected.replace(expected.rfind("\n}\n"), 3, ",\n  \"price\": 2.50\n}\n");
  EXPECT_EQ(read_all(path_), expected);
  EXPECT_EQ(get("price"), "2.50");

  // Numbers keep their type in messages.
  Status through = set("n.deeper", "1");
  EXPECT_NE(through.message().find("n holds a number, not an object"), std::string::npos) << through.message();
  write_all(path_, "  1.0e5 ");
  EXPECT_EQ(ConfigFile::load(path_).status().message(),
            path_ + ": line 1, column 3: the top level must be a JSON object, not a number");
}

}  // namespace
}  // namespace keryx
