// secure_file_test.cc: owner-only modes, refusal of group/world-readable files (with the chmod hint),
// symlinks, foreign owners and FIFOs, atomic replace and temp cleanup on failure, and flock exclusion
// across processes, including the kernel freeing the lock of a SIGKILLed holder.
#include "secure_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace keryx {
namespace {

namespace fs = std::filesystem;

class SecureFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "keryx-secure-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    for (pid_t pid : children_) {  // never leave a child behind, even after a failed assertion
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    std::error_code ignored;
    fs::permissions(dir_, fs::perms::owner_all, ignored);
    fs::remove_all(dir_, ignored);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  static void write_plain(const std::string& p, const std::string& text, mode_t mode) {
    std::ofstream(p, std::ios::binary) << text;
    ASSERT_EQ(::chmod(p.c_str(), mode), 0);
  }
  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }
  static mode_t mode_of(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string dir_;
  std::vector<pid_t> children_;
};

TEST_F(SecureFile, WriteAtomicCreates0600AndReplacesContent) {
  std::string target = path("vault");
  ASSERT_TRUE(write_file_atomic(target, "first").ok());
  EXPECT_EQ(slurp(target), "first");
  EXPECT_EQ(mode_of(target), 0600u);
  ASSERT_TRUE(write_file_atomic(target, std::string("sec\0nd", 6)).ok());
  EXPECT_EQ(slurp(target), std::string("sec\0nd", 6));
  EXPECT_EQ(entries(), std::vector<std::string>{"vault"});  // no temp file left behind
  ASSERT_TRUE(write_file_atomic(target, "").ok());
  EXPECT_EQ(slurp(target), "");
}

TEST_F(SecureFile, WriteAtomicTurnsAWorldReadableFileInto0600) {
  std::string target = path("cfg");
  write_plain(target, "old", 0644);
  ASSERT_TRUE(write_file_atomic(target, "new").ok());
  EXPECT_EQ(mode_of(target), 0600u);  // a new inode created 0600, not a chmod of the old one
  EXPECT_EQ(slurp(target), "new");
}

TEST_F(SecureFile, FailedRenameRemovesTheTempFile) {
  std::string target = path("is-a-dir");
  ASSERT_EQ(::mkdir(target.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((target + "/child").c_str(), 0700), 0);  // rename(file, non-empty dir) fails
  Status s = write_file_atomic(target, "bytes");
  EXPECT_EQ(s.code(), Code::kIoError) << s.to_string();
  EXPECT_EQ(entries(), std::vector<std::string>{"is-a-dir"});  // the temp was written, then unlinked
  EXPECT_TRUE(fs::is_directory(target));
}

TEST_F(SecureFile, UnwritableDirectoryIsIoErrorAndLeavesNothing) {
  std::string target = path("ro/vault");
  ASSERT_EQ(::mkdir(path("ro").c_str(), 0755), 0);
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  write_plain(target, "old", 0600);
  ASSERT_EQ(::chmod(path("ro").c_str(), 0555), 0);
  // root ignores directory permissions, so run the write as an unprivileged user in a child then.
  int code = -1;
  if (::geteuid() == 0) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
      Status s = write_file_atomic(target, "new");
      ::_exit(s.code() == Code::kIoError ? 0 : 11);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    code = WEXITSTATUS(status);
  } else {
    code = write_file_atomic(target, "new").code() == Code::kIoError ? 0 : 11;
  }
  EXPECT_EQ(code, 0);
  ASSERT_EQ(::chmod(path("ro").c_str(), 0700), 0);
  EXPECT_EQ(slurp(target), "old");
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(path("ro"))) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"vault"});
}

TEST_F(SecureFile, GroupOrWorldAccessibleFilesAreRefusedWithTheChmodHint) {
  std::string target = path("tokens");
  for (mode_t mode : {0644, 0640, 0604, 0620, 0660}) {
    write_plain(target, "secret", mode);
    Status check = check_private_permissions(target);
    EXPECT_EQ(check.code(), Code::kInsecurePermissions) << std::oct << mode;
    EXPECT_NE(check.message().find("chmod 600 " + target), std::string::npos) << check.message();
    Result<SecretString> read = read_private_file(target, 1024);
    EXPECT_EQ(read.status().code(), Code::kInsecurePermissions);
    EXPECT_NE(read.status().message().find("chmod 600 " + target), std::string::npos);
    EXPECT_EQ(read.status().message().find("secret"), std::string::npos);
  }
  ASSERT_EQ(::chmod(target.c_str(), 0600), 0);
  EXPECT_TRUE(check_private_permissions(target).ok());
  Result<SecretString> read = read_private_file(target, 1024);
  ASSERT_TRUE(read.ok()) << read.status().to_string();
  EXPECT_EQ(read.value().view(), "secret");
  ASSERT_EQ(::chmod(target.c_str(), 0400), 0);  // owner read-only is fine
  EXPECT_TRUE(read_private_file(target, 1024).ok());
}

TEST_F(SecureFile, ChmodHintQuotesPathsTheShellWouldSplit) {
  std::string target = path("my tokens");
  write_plain(target, "x", 0644);
  EXPECT_NE(check_private_permissions(target).message().find("chmod 600 '" + target + "'"), std::string::npos);
}

TEST_F(SecureFile, SymlinksAreRefusedEvenToAPrivateFile) {
  std::string real = path("real");
  std::string link = path("link");
  write_plain(real, "secret", 0600);
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  EXPECT_EQ(check_private_permissions(link).code(), Code::kInsecurePermissions);
  Result<SecretString> read = read_private_file(link, 1024);
  EXPECT_EQ(read.status().code(), Code::kInsecurePermissions);
  EXPECT_NE(read.status().message().find("symbolic link"), std::string::npos);
}

TEST_F(SecureFile, ForeignOwnersFifosMissingAndOversizedFiles) {
  std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(read_private_file(fifo, 1024).status().code(), Code::kInsecurePermissions);  // and no hang

  EXPECT_EQ(check_private_permissions(path("nope")).code(), Code::kNotFound);
  EXPECT_EQ(read_private_file(path("nope"), 1024).status().code(), Code::kNotFound);

  std::string big = path("big");
  write_plain(big, std::string(2000, 'x'), 0600);
  EXPECT_EQ(read_private_file(big, 1999).status().code(), Code::kInvalidArgument);
  ASSERT_TRUE(read_private_file(big, 2000).ok());
  EXPECT_EQ(read_private_file(big, 2000).value().size(), 2000u);

  if (::geteuid() == 0) {
    std::string foreign = path("foreign");
    write_plain(foreign, "x", 0600);
    ASSERT_EQ(::chown(foreign.c_str(), 65534, 65534), 0);
    Status s = check_private_permissions(foreign);
    EXPECT_EQ(s.code(), Code::kInsecurePermissions);
    EXPECT_NE(s.message().find("owned by uid 65534"), std::string::npos) << s.message();
    EXPECT_EQ(read_private_file(foreign, 1024).status().code(), Code::kInsecurePermissions);
  }
}

TEST_F(SecureFile, EnsurePrivateDirCreatesMissingParents0700) {
  std::string deep = path("a/b/c");
  ASSERT_TRUE(ensure_private_dir(deep).ok());
  EXPECT_EQ(mode_of(path("a")), 0700u);
  EXPECT_EQ(mode_of(path("a/b")), 0700u);
  EXPECT_EQ(mode_of(deep), 0700u);
  ASSERT_EQ(::chmod(path("a").c_str(), 0755), 0);
  ASSERT_TRUE(ensure_private_dir(deep + "/").ok());  // existing directories are left as they are
  EXPECT_EQ(mode_of(path("a")), 0755u);
  write_plain(path("file"), "x", 0600);
  EXPECT_EQ(ensure_private_dir(path("file/sub")).code(), Code::kIoError);
}

TEST_F(SecureFile, LockIsExclusiveInProcessAndReleasedOnDestroy) {
  std::string lock_path = path("vault.lock");
  {
    Result<FileLock> held = FileLock::acquire(lock_path, std::chrono::milliseconds(0));
    ASSERT_TRUE(held.ok()) << held.status().to_string();
    EXPECT_EQ(mode_of(lock_path), 0600u);
    Result<FileLock> second = FileLock::acquire(lock_path, std::chrono::milliseconds(20));
    EXPECT_EQ(second.status().code(), Code::kLockTimeout);
    FileLock moved = std::move(held).value();  // the moved-to lock keeps holding it
    EXPECT_EQ(FileLock::acquire(lock_path, std::chrono::milliseconds(0)).status().code(), Code::kLockTimeout);
  }
  EXPECT_TRUE(FileLock::acquire(lock_path, std::chrono::milliseconds(0)).ok());
  EXPECT_TRUE(fs::exists(lock_path));  // never deleted
}

TEST_F(SecureFile, LockExcludesOtherProcessesAndTheKernelFreesItOnSigkill) {
  std::string lock_path = path("vault.lock");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(ready[0]);
    Result<FileLock> held = FileLock::acquire(lock_path, std::chrono::seconds(5));
    char byte = held.ok() ? 'y' : 'n';
    if (::write(ready[1], &byte, 1) != 1) ::_exit(2);
    for (;;) ::pause();  // hold the lock until killed
  }
  children_.push_back(pid);
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(byte, 'y');

  auto start = std::chrono::steady_clock::now();
  Result<FileLock> blocked = FileLock::acquire(lock_path, std::chrono::milliseconds(60));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(blocked.status().code(), Code::kLockTimeout);
  EXPECT_NE(blocked.status().message().find(lock_path), std::string::npos);
  EXPECT_GE(waited, std::chrono::milliseconds(60));
  EXPECT_LT(waited, std::chrono::milliseconds(1000));

  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  children_.clear();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  Result<FileLock> got = FileLock::acquire(lock_path, std::chrono::milliseconds(1000));
  EXPECT_TRUE(got.ok()) << got.status().to_string();
}

}  // namespace
}  // namespace keryx
