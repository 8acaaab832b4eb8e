// vault_store_test.cc: VaultStore on real files: put/get/list/remove, modes, .bak, the rollback
// witness, refusal to overwrite a vault that does not open, failed changes that leave the disk
// byte-identical, SIGKILL at random moments during writes (crash safety) and 8 concurrent writer
// processes (nothing lost, generation exact).
#include "vault_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crypto_init.h"
#include "secure_file.h"

namespace keryx {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

KeyMaterial raw_key(char fill = 'k') {
  KeyMaterial key;
  key.provider = KeyProviderKind::kKeyFile;
  key.secret = SecretString(std::string(kVaultKeyBytes, fill));
  return key;
}

TokenRecord make_record(const std::string& platform, const std::string& account, const std::string& token) {
  TokenRecord r;
  r.platform = platform;
  r.account = account;
  r.access_token = SecretString(token);
  r.refresh_token = SecretString("rt-" + token);
  r.token_type = "Bearer";
  return r;
}

std::function<Status(TokenSet&)> put(const std::string& platform, const std::string& account,
                                     const std::string& token) {
  return [=](TokenSet& set) {
    set.upsert(make_record(platform, account, token));
    return Status::Ok();
  };
}

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

mode_t mode_of(const std::string& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

class VaultStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto_init().ok());
    std::string pattern = base_dir() + "keryx-vaultstore-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/cfg/vault";
  }
  void TearDown() override {
    for (pid_t pid : children_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  virtual std::string base_dir() const { return ::testing::TempDir(); }

  VaultStore store(char key_fill = 'k', char install = 'A') const {
    return VaultStore(path_, raw_key(key_fill), std::string(16, install), milliseconds(60000));
  }

  // snapshot: every file under dir_ and its bytes (the lock file included).
  std::map<std::string, std::string> snapshot() const {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
      if (e.is_regular_file()) files[e.path().string()] = slurp(e.path().string());
    }
    return files;
  }

  uint64_t generation_of(const std::string& p) const {
    Result<SecretString> bytes = read_private_file(p, kMaxVaultBytes);
    if (!bytes.ok()) return 0;
    Result<VaultHeader> h = vault_read_header(bytes.value().view());
    return h.ok() ? h.value().generation : 0;
  }

  void reap(pid_t pid, int* status) {
    ASSERT_EQ(::waitpid(pid, status, 0), pid);
    children_.erase(std::remove(children_.begin(), children_.end(), pid), children_.end());
  }

  std::string dir_;
  std::string path_;
  std::vector<pid_t> children_;
};

TEST_F(VaultStoreTest, PutGetListRemoveThroughUpdateAndLoad) {
  VaultStore s = store();
  EXPECT_FALSE(s.exists());
  Result<TokenSet> empty = s.load();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value().records.empty());
  EXPECT_FALSE(fs::exists(dir_ + "/cfg"));  // load never writes

  ASSERT_TRUE(s.update(put("tiktok", "alice", "t1")).ok());
  ASSERT_TRUE(s.update(put("tiktok", "bob", "t2")).ok());
  ASSERT_TRUE(s.update(put("youtube", "chan", "y1")).ok());
  EXPECT_TRUE(s.exists());
  EXPECT_EQ(s.header().value().generation, 3u);
  EXPECT_EQ(s.header().value().install_id, std::string(16, 'A'));

  VaultStore fresh = store();  // a second instance (another process, in effect) sees it all
  Result<TokenSet> all = fresh.load();
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  EXPECT_EQ(all.value().records.size(), 3u);
  EXPECT_EQ(all.value().find("tiktok")->account, "alice");  // the default: the first one
  EXPECT_EQ(all.value().find("tiktok", "bob")->access_token.view(), "t2");
  EXPECT_EQ(all.value().find("youtube")->refresh_token.view(), "rt-y1");

  ASSERT_TRUE(fresh
                  .update([](TokenSet& set) {
                    return set.remove("tiktok", "alice") ? Status::Ok() : Status(Code::kNotFound, "no such account");
                  })
                  .ok());
  Result<TokenSet> after = s.load();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after.value().records.size(), 2u);
  EXPECT_EQ(after.value().find("tiktok")->account, "bob");
  EXPECT_EQ(s.header().value().generation, 4u);

  EXPECT_EQ(mode_of(dir_ + "/cfg"), 0700u);
  for (const char* suffix : {"", ".bak", ".gen", ".lock"}) EXPECT_EQ(mode_of(path_ + suffix), 0600u) << suffix;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_ + "/cfg")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"vault", "vault.bak", "vault.gen", "vault.lock"}));
}

TEST_F(VaultStoreTest, AFailedChangeLeavesEveryFileByteIdentical) {
  VaultStore s = store();
  ASSERT_TRUE(s.update(put("tiktok", "alice", "t1")).ok());
  ASSERT_TRUE(s.update(put("tiktok", "bob", "t2")).ok());
  auto before = snapshot();
  Status refused = s.update([](TokenSet& set) {
    set.records.clear();  // a change that fails half-way must not leak out
    return Status(Code::kPlatformRejected, "refresh refused");
  });
  EXPECT_EQ(refused.code(), Code::kPlatformRejected);
  EXPECT_EQ(snapshot(), before);
  Status invalid = s.update(put("Not A Platform", "x", "t"));  // sealing refuses an invalid record
  EXPECT_EQ(invalid.code(), Code::kInvalidArgument);
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(s.load().value().records.size(), 2u);
}

TEST_F(VaultStoreTest, BakHoldsThePreviousGeneration) {
  VaultStore s = store();
  ASSERT_TRUE(s.update(put("tiktok", "alice", "old-token")).ok());
  EXPECT_FALSE(fs::exists(path_ + ".bak"));  // nothing to back up on the first write
  ASSERT_TRUE(s.update(put("tiktok", "alice", "new-token")).ok());
  EXPECT_EQ(generation_of(path_ + ".bak"), 1u);
  EXPECT_EQ(generation_of(path_), 2u);
  VaultStore bak(path_ + ".bak", raw_key(), std::string(16, 'A'));
  Result<TokenSet> old = bak.load();
  ASSERT_TRUE(old.ok()) << old.status().to_string();
  EXPECT_EQ(old.value().find("tiktok")->access_token.view(), "old-token");
  EXPECT_EQ(s.load().value().find("tiktok")->access_token.view(), "new-token");
}

TEST_F(VaultStoreTest, RollbackIsReportedAndNeverOverwritten) {
  VaultStore s = store();
  ASSERT_TRUE(s.update(put("tiktok", "alice", "rt-generation-1")).ok());
  std::string old = slurp(path_);
  ASSERT_TRUE(s.update(put("tiktok", "alice", "rt-generation-2")).ok());
  ASSERT_TRUE(s.update(put("tiktok", "alice", "rt-generation-3")).ok());
  ASSERT_TRUE(write_file_atomic(path_, old).ok());  // an old copy put back (backup restore, sync)

  VaultStore reader = store('k', 'B');
  Result<TokenSet> loaded = reader.load();
  EXPECT_EQ(loaded.status().code(), Code::kVaultRollback);
  EXPECT_NE(loaded.status().message().find("generation 1"), std::string::npos) << loaded.status().message();
  EXPECT_NE(loaded.status().message().find("generation 3"), std::string::npos);
  auto before = snapshot();
  EXPECT_EQ(reader.update(put("tiktok", "alice", "x")).code(), Code::kVaultRollback);
  EXPECT_EQ(snapshot(), before);

  // The documented way out, when the restore was deliberate: delete the witness.
  fs::remove(path_ + ".gen");
  EXPECT_TRUE(reader.load().ok());
}

TEST_F(VaultStoreTest, AForgedOrForeignWitnessIsIgnored) {
  VaultStore s = store();
  ASSERT_TRUE(s.update(put("tiktok", "alice", "t1")).ok());
  std::string real = slurp(path_ + ".gen");
  ASSERT_EQ(real.size(), 40u);
  std::string forged = real;
  forged[0] = static_cast<char>(0xFF);  // a huge generation without a valid MAC
  ASSERT_TRUE(write_file_atomic(path_ + ".gen", forged).ok());
  EXPECT_TRUE(s.load().ok());
  ASSERT_TRUE(write_file_atomic(path_ + ".gen", "garbage").ok());
  EXPECT_TRUE(s.load().ok());
  ASSERT_TRUE(s.update(put("tiktok", "alice", "t2")).ok());  // and the next write repairs it
  EXPECT_EQ(slurp(path_ + ".gen").size(), 40u);
  EXPECT_NE(slurp(path_ + ".gen"), real);
}

TEST_F(VaultStoreTest, CorruptTruncatedOrWrongKeyVaultsAreNeverOverwritten) {
  VaultStore s = store();
  ASSERT_TRUE(s.update(put("tiktok", "alice", "t1")).ok());
  ASSERT_TRUE(s.update(put("tiktok", "bob", "t2")).ok());
  std::string good = slurp(path_);

  VaultStore wrong = store('w');
  auto before = snapshot();
  EXPECT_EQ(wrong.load().status().code(), Code::kVaultWrongKey);
  EXPECT_EQ(wrong.update(put("tiktok", "eve", "x")).code(), Code::kVaultWrongKey);
  EXPECT_EQ(snapshot(), before);

  struct Damage {
    std::string bytes;
    Code code;
  };
  std::string flipped = good;
  flipped[good.size() - 5] ^= 0x01;
  for (const Damage& d :
       {Damage{flipped, Code::kVaultCorrupt}, Damage{good.substr(0, good.size() - 9), Code::kVaultTruncated},
        Damage{good + "junk", Code::kVaultCorrupt}, Damage{"not a vault", Code::kVaultFormatUnsupported}}) {
    ASSERT_TRUE(write_file_atomic(path_, d.bytes).ok());
    before = snapshot();
    EXPECT_EQ(s.load().status().code(), d.code);  // s has the good file cached: no effect on damage
    VaultStore fresh = store();
    EXPECT_EQ(fresh.load().status().code(), d.code);
    EXPECT_EQ(fresh.update(put("tiktok", "carol", "x")).code(), d.code);
    EXPECT_EQ(snapshot(), before);
  }
}

TEST_F(VaultStoreTest, AGroupReadableVaultIsRefused) {
  VaultStore s = store();
  ASSERT_TRUE(s.update(put("tiktok", "alice", "t1")).ok());
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  Result<TokenSet> loaded = s.load();
  EXPECT_EQ(loaded.status().code(), Code::kInsecurePermissions);
  EXPECT_NE(loaded.status().message().find("chmod 600 " + path_), std::string::npos);
  auto before = snapshot();
  EXPECT_EQ(s.update(put("tiktok", "bob", "t2")).code(), Code::kInsecurePermissions);
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(mode_of(path_), 0644u);
}

TEST_F(VaultStoreTest, AHeldLockTimesOutWithoutTouchingTheVault) {
  VaultStore s = store();
  ASSERT_TRUE(s.update(put("tiktok", "alice", "t1")).ok());
  Result<FileLock> held = FileLock::acquire(path_ + ".lock", milliseconds(0));
  ASSERT_TRUE(held.ok());
  auto before = snapshot();
  VaultStore impatient(path_, raw_key(), std::string(16, 'A'), milliseconds(30));
  EXPECT_EQ(impatient.update(put("tiktok", "bob", "t2")).code(), Code::kLockTimeout);
  EXPECT_EQ(snapshot(), before);
  EXPECT_TRUE(impatient.load().ok());  // readers do not need the lock
}

TEST_F(VaultStoreTest, PassphraseVaultReopensWithTheSamePassphraseOnly) {
  KeyMaterial pass;
  pass.provider = KeyProviderKind::kPassphrase;
  pass.is_passphrase = true;
  pass.secret = SecretString("hunter2 but longer");
  VaultStore s(path_, pass, std::string(16, 'A'));
  ASSERT_TRUE(s.update(put("tiktok", "alice", "t1")).ok());
  ASSERT_TRUE(s.update(put("tiktok", "bob", "t2")).ok());  // derived key cached for the salt
  EXPECT_EQ(s.header().value().kdf, VaultKdf::kArgon2id13);
  EXPECT_EQ(s.header().value().provider, KeyProviderKind::kPassphrase);
  VaultStore again(path_, pass, std::string(16, 'B'));
  Result<TokenSet> loaded = again.load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded.value().records.size(), 2u);
  pass.secret = SecretString("hunter3 but longer");
  EXPECT_EQ(VaultStore(path_, pass, std::string(16, 'B')).load().status().code(), Code::kVaultWrongKey);
}

// The process tests run hundreds of updates, each with six fsyncs; on a busy disk those cost ~10 ms
// apiece and would dominate. What they check (atomic replace, the lock, the write order under SIGKILL)
// does not depend on fsync, since a killed process's page cache survives it, so they use tmpfs when
// it exists. Power-loss durability cannot be tested here anyway.
class VaultStoreProcessTest : public VaultStoreTest {
 protected:
  std::string base_dir() const override {
    return ::access("/dev/shm", W_OK) == 0 ? std::string("/dev/shm/") : ::testing::TempDir();
  }
};

// The counter record: its metadata "n" and token carry the generation that wrote it, so a reader
// can check that the record content and the header agree.
Status bump(TokenSet& set) {
  const TokenRecord* now = set.find("counter", "c");
  long long n = now == nullptr ? 0 : std::stoll(now->metadata.at("n"));
  TokenRecord next = make_record("counter", "c", "at-" + std::to_string(n + 1));
  next.metadata["n"] = std::to_string(n + 1);
  set.upsert(std::move(next));
  return Status::Ok();
}

TEST_F(VaultStoreProcessTest, SigkillDuringWritesNeverLeavesAnUnopenableOrInconsistentVault) {
  constexpr int kIterations = 500;
  ASSERT_TRUE(store().update(bump).ok());
  // Kills fall uniformly within about three writes of this machine (fsync latency and sanitizers
  // make one write take from under a millisecond to tens of them), at least 5 ms.
  std::vector<int64_t> took;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(store().update(bump).ok());
    took.push_back(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(took.begin(), took.end());
  const int64_t max_delay_us = std::max<int64_t>(5000, 3 * took[2]);
  unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  uint64_t last = 6;
  int advanced = 0, mid_write = 0;
  for (int i = 0; i < kIterations; ++i) {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(ready[0]);
      VaultStore writer(path_, raw_key(), std::string(16, 'C'), milliseconds(60000));
      // One write elsewhere first: a forked child's first write pays for copy-on-write of the parent's
      // memory (under AddressSanitizer its shadow too), which would otherwise eat the kill window.
      VaultStore warm(dir_ + "/warm/vault", raw_key(), std::string(16, 'C'), milliseconds(60000));
      if (!warm.update(bump).ok()) ::_exit(4);
      if (::write(ready[1], "r", 1) != 1) ::_exit(2);
      for (;;) {
        if (!writer.update(bump).ok()) ::_exit(3);
      }
    }
    children_.push_back(pid);
    ::close(ready[1]);
    char byte = 0;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1);  // the delay counts from the first update, not from fork
    ::close(ready[0]);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % (max_delay_us + 1)));
    ::kill(pid, SIGKILL);
    int status = 0;
    reap(pid, &status);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "writer failed, iteration " << i;
    for (const auto& e : fs::directory_iterator(dir_ + "/cfg")) {
      if (e.path().extension() == ".tmp") {
        ++mid_write;  // killed between creating a temp file and renaming it
        break;
      }
    }

    VaultStore reader = store();
    Result<TokenSet> set = reader.load();  // opens, and the witness never claims a newer generation
    ASSERT_TRUE(set.ok()) << "iteration " << i << ": " << set.status().to_string();
    Result<SecretString> bytes = read_private_file(path_, kMaxVaultBytes);
    ASSERT_TRUE(bytes.ok());
    VaultHeader header;
    Result<TokenSet> same = vault_unseal(bytes.value().view(), raw_key().secret, &header);
    ASSERT_TRUE(same.ok());
    const TokenRecord* counter = set.value().find("counter", "c");
    ASSERT_NE(counter, nullptr);
    EXPECT_EQ(counter->metadata.at("n"), std::to_string(header.generation)) << "iteration " << i;
    EXPECT_EQ(counter->access_token.view(), "at-" + std::to_string(header.generation));
    ASSERT_GE(header.generation, last) << "generation went backwards at iteration " << i;
    if (header.generation > last) ++advanced;
    last = header.generation;
    uint64_t bak = generation_of(path_ + ".bak");  // the backup is always a whole, older vault
    EXPECT_TRUE(bak == header.generation - 1 || bak == header.generation) << bak << " vs " << header.generation;
  }
  std::printf(
      "[          ] %d SIGKILLs within %lld us: %d after new generations, %d with a temp file "
      "mid-write; final generation %llu\n",
      kIterations, static_cast<long long>(max_delay_us), advanced, mid_write, static_cast<unsigned long long>(last));
  EXPECT_GT(advanced, 0);   // kills landed after completed writes...
  EXPECT_GT(mid_write, 0);  // ...and in the middle of writes

  ASSERT_TRUE(store().update(bump).ok());  // the next writer sweeps the killed writers' temp files
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_ + "/cfg")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"vault", "vault.bak", "vault.gen", "vault.lock"}));
}

TEST_F(VaultStoreProcessTest, EightConcurrentWriterProcessesLoseNothing) {
  constexpr int kWriters = 8;
  constexpr int kAccountsEach = 100;
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(go[1]);
      char byte;
      if (::read(go[0], &byte, 1) != 0) ::_exit(4);  // start together when the parent closes the pipe
      VaultStore writer(path_, raw_key(), std::string(16, static_cast<char>('a' + w)), milliseconds(60000));
      for (int i = 0; i < kAccountsEach; ++i) {
        std::string account = "w" + std::to_string(w) + "-" + std::to_string(i);
        if (!writer.update(put("tiktok", account, "token-" + account)).ok()) ::_exit(5);
      }
      ::_exit(0);
    }
    children_.push_back(pid);
  }
  ::close(go[0]);
  ::close(go[1]);
  for (pid_t pid : std::vector<pid_t>(children_)) {
    int status = 0;
    reap(pid, &status);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer status " << status;
  }
  VaultStore reader = store();
  Result<TokenSet> set = reader.load();
  ASSERT_TRUE(set.ok()) << set.status().to_string();
  EXPECT_EQ(set.value().records.size(), static_cast<std::size_t>(kWriters * kAccountsEach));
  EXPECT_EQ(reader.header().value().generation, static_cast<uint64_t>(kWriters * kAccountsEach));
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kAccountsEach; ++i) {
      std::string account = "w" + std::to_string(w) + "-" + std::to_string(i);
      const TokenRecord* r = set.value().find("tiktok", account);
      ASSERT_NE(r, nullptr) << account;
      EXPECT_EQ(r->access_token.view(), "token-" + account);
    }
  }
  int defaults = 0;
  for (const TokenRecord& r : set.value().records) defaults += r.is_default ? 1 : 0;
  EXPECT_EQ(defaults, 1);
}

}  // namespace
}  // namespace keryx
