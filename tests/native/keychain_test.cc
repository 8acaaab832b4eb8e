// keychain_test.cc: the real Secret Service keychain (no fakes). Cases that need a Secret Service
// run under scripts/with-secret-service.sh (KERYX_TEST_SECRET_SERVICE=1) and are checked from
// outside with `secret-tool`; the no-bus, missing-bus and silent-bus cases run in a freshly exec'd
// copy of this binary (gtest's "threadsafe" death-test style), so their environment and GLib's
// per-process bus connection cannot leak into other cases.
#include "keychain.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "random.h"

#include "secret_service_gate.h"

namespace keryx {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

using ::keryx::testing_support::env_is;

std::string unique_account(const char* what) {
  return std::string("keryx-test-") + what + "-" + std::to_string(::getpid()) + "-" + random_state().substr(0, 10);
}

struct Shell {
  int exit_code;
  std::string out;
};

// run_shell: stdout and exit code of `command` (accounts and values in tests are shell-safe).
Shell run_shell(const std::string& command) {
  Shell result{-1, ""};
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[512];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.out.append(buf, n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  while (!result.out.empty() && result.out.back() == '\n') result.out.pop_back();
  return result;
}

Shell secret_tool_lookup(const std::string& account) {
  return run_shell("secret-tool lookup service keryx account '" + account + "' 2>/dev/null");
}

// ---- Cases that run in a fresh process --------------------------------------------------------

// finish_child: ends the fresh process; the parent matches "RESULT ok" on its stderr.
[[noreturn]] void finish_child(const std::string& failure) {
  std::fprintf(stderr, "RESULT %s\n", failure.empty() ? "ok" : failure.c_str());
  std::_Exit(failure.empty() ? 0 : 1);  // no exit handlers: a helper thread may still be stuck
}

#define EXPECT_OK_IN_FRESH_PROCESS(check)                                          \
  do {                                                                             \
    GTEST_FLAG_SET(death_test_style, "threadsafe");                                \
    EXPECT_EXIT(finish_child(check()), ::testing::ExitedWithCode(0), "RESULT ok"); \
  } while (0)

// expect_code: "" when `status` has `code`, else a description (never the secret).
std::string expect_code(const char* what, const Status& status, Code code) {
  if (status.code() == code) return "";
  return std::string(what) + ": got " + status.to_string() + ", want " + std::string(code_name(code));
}

std::string check_no_bus_is_unavailable_at_once() {
  ::unsetenv("DBUS_SESSION_BUS_ADDRESS");
  ::unsetenv("DISPLAY");
  ::setenv("XDG_RUNTIME_DIR", "/nonexistent-keryx-runtime", 1);  // no $XDG_RUNTIME_DIR/bus either
  auto keychain = make_os_keychain(milliseconds(3000));
  auto start = steady_clock::now();
  std::string failure = expect_code("lookup", keychain->lookup("acct").status(), Code::kKeychainUnavailable);
  if (failure.empty())
    failure = expect_code("store", keychain->store("acct", SecretString("v"), "l"), Code::kKeychainUnavailable);
  if (failure.empty()) failure = expect_code("remove", keychain->remove("acct"), Code::kKeychainUnavailable);
  if (failure.empty() && steady_clock::now() - start > milliseconds(100)) failure = "took over 100 ms";
  if (failure.empty() && keychain->lookup("acct").status().message().find("D-Bus") == std::string::npos) {
    failure = "message does not name D-Bus";
  }
  return failure;
}

TEST(Keychain, NoSessionBusIsUnavailableAtOnce) {  // BUILD-NOTES §4 case A, without touching D-Bus
  EXPECT_OK_IN_FRESH_PROCESS(check_no_bus_is_unavailable_at_once);
}

std::string check_missing_bus_socket_is_unavailable() {
  ::setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent-keryx-dir/bus", 1);
  auto keychain = make_os_keychain(milliseconds(3000));
  std::string failure = expect_code("lookup", keychain->lookup("acct").status(), Code::kKeychainUnavailable);
  if (failure.empty())
    failure = expect_code("store", keychain->store("acct", SecretString("v"), "l"), Code::kKeychainUnavailable);
  return failure;
}

TEST(Keychain, MissingBusSocketIsUnavailable) {  // case B
  EXPECT_OK_IN_FRESH_PROCESS(check_missing_bus_socket_is_unavailable);
}

std::string check_display_without_bus_is_unavailable() {
  ::unsetenv("DBUS_SESSION_BUS_ADDRESS");
  ::setenv("DISPLAY", ":97", 1);  // no X server there: autolaunch fails (case C)
  auto keychain = make_os_keychain(milliseconds(3000));
  return expect_code("lookup", keychain->lookup("acct").status(), Code::kKeychainUnavailable);
}

TEST(Keychain, DisplayWithoutBusIsUnavailable) {  // case C
  EXPECT_OK_IN_FRESH_PROCESS(check_display_without_bus_is_unavailable);
}

// check_silent_bus_is_time_boxed: a "bus" socket that accepts connections (into its backlog) and
// never answers, so GDBus's handshake hangs; every call must come back within the 300 ms box.
std::string check_silent_bus_is_time_boxed() {
  char dir_template[] = "/tmp/keryx-silent-bus.XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) return "mkdtemp failed";
  std::string path = std::string(dir_template) + "/bus";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
    return "could not listen on " + path;
  }
  ::setenv("DBUS_SESSION_BUS_ADDRESS", ("unix:path=" + path).c_str(), 1);
  auto keychain = make_os_keychain(milliseconds(300));
  std::string failure;
  for (int i = 0; i < 3 && failure.empty(); ++i) {
    auto start = steady_clock::now();
    Status status = i == 0   ? keychain->lookup("acct").status()
                    : i == 1 ? keychain->store("acct", SecretString("v"), "l")
                             : keychain->remove("acct");
    auto took = steady_clock::now() - start;
    if (status.code() != Code::kTimeout && status.code() != Code::kKeychainUnavailable) {
      failure = "call " + std::to_string(i) + ": got " + status.to_string();
    } else if (took > milliseconds(1000)) {
      failure = "call " + std::to_string(i) + " took " +
                std::to_string(std::chrono::duration_cast<milliseconds>(took).count()) + " ms";
    }
  }
  ::unlink(path.c_str());
  ::rmdir(dir_template);
  return failure;
}

TEST(Keychain, SilentBusIsTimeBoxed) { EXPECT_OK_IN_FRESH_PROCESS(check_silent_bus_is_time_boxed); }

TEST(Keychain, BackendIsSecretService) {
  EXPECT_STREQ(make_os_keychain(milliseconds(3000))->backend(), "secret-service");
}

// ---- Cases against the wrapper's gnome-keyring (unlocked phase) -------------------------------

TEST(KeychainSecretService, RoundTripCheckedWithSecretTool) {
  SKIP_WITHOUT_SECRET_SERVICE(false);
  auto keychain = make_os_keychain(milliseconds(5000));
  std::string account = unique_account("roundtrip");
  SecretString value(random_state());  // text, as key_provider stores it (base64url)
  ASSERT_TRUE(keychain->store(account, value, "keryx test").ok());

  Shell outside = secret_tool_lookup(account);
  EXPECT_EQ(outside.exit_code, 0);
  EXPECT_EQ(outside.out, value.view());
  Shell search = run_shell("secret-tool search --all service keryx account '" + account + "' 2>&1");
  EXPECT_NE(search.out.find("schema = dev.keryx.VaultKey"), std::string::npos) << "schema not recorded";
  EXPECT_NE(search.out.find("label = keryx test"), std::string::npos);

  Result<SecretString> back = keychain->lookup(account);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_TRUE(back.value().equals(value.view()));

  ASSERT_TRUE(keychain->remove(account).ok());
  EXPECT_EQ(secret_tool_lookup(account).exit_code, 1);
  EXPECT_EQ(keychain->lookup(account).status().code(), Code::kNotFound);
}

TEST(KeychainSecretService, StoreReplacesTheItem) {
  SKIP_WITHOUT_SECRET_SERVICE(false);
  auto keychain = make_os_keychain(milliseconds(5000));
  std::string account = unique_account("replace");
  ASSERT_TRUE(keychain->store(account, SecretString("first-value"), "keryx test").ok());
  ASSERT_TRUE(keychain->store(account, SecretString("second-value"), "keryx test").ok());
  EXPECT_EQ(secret_tool_lookup(account).out, "second-value");
  Shell count =
      run_shell("secret-tool search --all service keryx account '" + account + "' 2>/dev/null | grep -c '^secret = '");
  EXPECT_EQ(count.out, "1") << "store left a duplicate item";
  EXPECT_TRUE(keychain->remove(account).ok());
}

TEST(KeychainSecretService, ReadsAnItemStoredFromOutside) {
  SKIP_WITHOUT_SECRET_SERVICE(false);
  std::string account = unique_account("outside");
  Shell stored = run_shell(
      "printf %s outside-value | secret-tool store --label='keryx test' xdg:schema "
      "dev.keryx.VaultKey service keryx account '" +
      account + "'");
  ASSERT_EQ(stored.exit_code, 0);
  auto keychain = make_os_keychain(milliseconds(5000));
  Result<SecretString> found = keychain->lookup(account);
  ASSERT_TRUE(found.ok()) << found.status().to_string();
  EXPECT_EQ(found.value().view(), "outside-value");
  EXPECT_TRUE(keychain->remove(account).ok());
}

TEST(KeychainSecretService, MissingItemIsNotFoundAndRemovingItIsOk) {
  SKIP_WITHOUT_SECRET_SERVICE(false);
  auto keychain = make_os_keychain(milliseconds(5000));
  std::string account = unique_account("missing");
  EXPECT_EQ(keychain->lookup(account).status().code(), Code::kNotFound);
  EXPECT_TRUE(keychain->remove(account).ok());
}

TEST(KeychainSecretService, RejectsNulInSecret) {
  SKIP_WITHOUT_SECRET_SERVICE(false);
  auto keychain = make_os_keychain(milliseconds(5000));
  EXPECT_EQ(keychain->store(unique_account("nul"), SecretString(std::string_view("a\0b", 3)), "l").code(),
            Code::kInvalidArgument);
}

// ---- Case F: the keyring was unlocked with a wrong password (--wrong-password phase) ----------

TEST(KeychainSecretService, WrongPasswordUnlockIsLockedNotNotFound) {
  SKIP_WITHOUT_SECRET_SERVICE(true);
  auto keychain = make_os_keychain(milliseconds(5000));
  const char* sentinel = std::getenv("KERYX_TEST_SECRET_SERVICE_SENTINEL");
  ASSERT_NE(sentinel, nullptr);
  EXPECT_EQ(secret_tool_lookup(sentinel).exit_code, 1) << "precondition: the item is hidden (case F)";
  Result<SecretString> hidden = keychain->lookup(sentinel);  // exists, but the collection is locked
  EXPECT_EQ(hidden.status().code(), Code::kKeychainLocked) << hidden.status().to_string();
  std::string account = unique_account("locked");
  EXPECT_EQ(keychain->lookup(account).status().code(), Code::kKeychainLocked);
  EXPECT_EQ(keychain->store(account, SecretString("v"), "keryx test").code(), Code::kKeychainLocked);
  EXPECT_EQ(keychain->remove(account).code(), Code::kKeychainLocked);
}

}  // namespace
}  // namespace keryx
