// secure_file.cc: owner-only files, atomic durable replace (PITFALLS §10) and flock(2) sidecar
// locks the kernel releases when the holder dies (PITFALLS §11).
#include "secure_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <system_error>
#include <thread>
#include <utility>

#include "base64url.h"
#include "random.h"

namespace keryx {
namespace {

// Fd: closes its descriptor on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

Status sys_error(Code code, const std::string& what, int err) {
  return Status(code, what + ": " + std::generic_category().message(err));
}

// shell_quote: `path` as one shell word, so the printed chmod command can be pasted as is.
std::string shell_quote(const std::string& path) {
  bool plain = !path.empty() &&
               path.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./@%+=:,-~") ==
                   std::string::npos;
  if (plain) return path;
  std::string out = "'";
  for (char c : path) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// check_stat: the ownership / type / mode rules shared by lstat (check_private_permissions) and fstat
// on an opened descriptor (read_private_file).
Status check_stat(const struct stat& st, const std::string& path) {
  if (S_ISLNK(st.st_mode)) {
    return Status(Code::kInsecurePermissions, path + " is a symbolic link; keryx only reads a regular file it owns");
  }
  if (!S_ISREG(st.st_mode)) return Status(Code::kInsecurePermissions, path + " is not a regular file");
  if (st.st_uid != ::geteuid()) {
    return Status(Code::kInsecurePermissions, path + " is owned by uid " + std::to_string(st.st_uid) +
                                                  ", not by this user (uid " + std::to_string(::geteuid()) + ")");
  }
  if ((st.st_mode & 077) != 0) {
    const auto bits = static_cast<unsigned>(st.st_mode & 07777);
    std::string mode(4, '0');  // "%04o"
    for (std::size_t i = 0; i < mode.size(); ++i)
      mode[mode.size() - 1 - i] = static_cast<char>('0' + ((bits >> (3 * i)) & 7U));
    return Status(Code::kInsecurePermissions, path + " is accessible by group or others (mode " + mode +
                                                  "); fix it with: chmod 600 " + shell_quote(path));
  }
  return Status::Ok();
}

// PathParts: a path split for an atomic write beside it.
struct PathParts {
  std::string dir;     // the directory to fsync
  std::string prefix;  // what goes before the temp file's name
  std::string name;    // the file name
};

PathParts split_path(const std::string& path) {
  PathParts parts;
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    parts.dir = ".";
    parts.name = path;
    return parts;
  }
  parts.dir = slash == 0 ? "/" : path.substr(0, slash);
  parts.prefix = path.substr(0, slash + 1);
  parts.name = path.substr(slash + 1);
  return parts;
}

Status write_all(int fd, std::string_view bytes, const std::string& what) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error(Code::kIoError, "cannot write " + what, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

// fill_and_sync: writes, fsyncs and closes the temp file (close can report a deferred write error).
Status fill_and_sync(Fd& file, std::string_view bytes, const std::string& temp) {
  KERYX_RETURN_IF_ERROR(write_all(file.fd, bytes, temp));
  while (::fsync(file.fd) != 0) {
    if (errno != EINTR) return sys_error(Code::kIoError, "cannot fsync " + temp, errno);
  }
  if (::close(file.release()) != 0 && errno != EINTR) {
    return sys_error(Code::kIoError, "cannot close " + temp, errno);
  }
  return Status::Ok();
}

Status fsync_dir(const std::string& dir) {
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.fd < 0) return sys_error(Code::kIoError, "cannot open directory " + dir + " to fsync it", errno);
  while (::fsync(d.fd) != 0) {
    if (errno == EINTR) continue;
    if (errno == EINVAL) break;  // the filesystem does not sync directories; nothing more to do
    return sys_error(Code::kIoError, "cannot fsync directory " + dir, errno);
  }
  return Status::Ok();
}

}  // namespace

Status ensure_private_dir(const std::string& dir) {
  if (dir.empty()) return Status::Ok();
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    std::string prefix = dir.substr(0, pos);
    if (prefix.empty() || prefix.back() == '/') continue;  // "//" or a trailing slash
    if (::mkdir(prefix.c_str(), 0700) == 0) continue;
    int err = errno;
    struct stat st;
    if (err == EEXIST && ::stat(prefix.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
    if (err == EEXIST) return Status(Code::kIoError, "cannot create directory " + prefix + ": not a directory");
    return sys_error(Code::kIoError, "cannot create directory " + prefix, err);
  }
  return Status::Ok();
}

Status check_private_permissions(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status(Code::kNotFound, path + " does not exist");
    return sys_error(Code::kIoError, "cannot stat " + path, errno);
  }
  return check_stat(st, path);
}

Result<SecretString> read_private_file(const std::string& path, std::size_t max_bytes) {
  // O_NOFOLLOW refuses a symlink; O_NONBLOCK keeps a FIFO planted here from blocking the open (the
  // fstat check then rejects it). All checks run on the opened descriptor, so there is no race.
  Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (file.fd < 0) {
    if (errno == ENOENT) return Status(Code::kNotFound, path + " does not exist");
    if (errno == ELOOP) return check_private_permissions(path);  // reports the symlink
    return sys_error(Code::kIoError, "cannot open " + path, errno);
  }
  struct stat st;
  if (::fstat(file.fd, &st) != 0) return sys_error(Code::kIoError, "cannot stat " + path, errno);
  KERYX_RETURN_IF_ERROR(check_stat(st, path));
  auto too_big = [&] {
    return Status(Code::kInvalidArgument, path + " is larger than " + std::to_string(max_bytes) + " bytes");
  };
  if (static_cast<std::size_t>(st.st_size) > max_bytes) return too_big();

  SecretString out;
  out.resize(static_cast<std::size_t>(st.st_size) + 1);  // +1 notices a file that grew meanwhile
  std::size_t total = 0;
  for (;;) {
    if (total == out.size()) {
      if (out.size() > max_bytes) return too_big();
      out.resize(std::min(out.size() * 2, max_bytes + 1));
    }
    ssize_t n = ::read(file.fd, out.mutable_data() + total, out.size() - total);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error(Code::kIoError, "cannot read " + path, errno);
    }
    if (n == 0) break;
    total += static_cast<std::size_t>(n);
  }
  if (total > max_bytes) return too_big();
  out.resize(total);
  return out;
}

Status write_file_atomic(const std::string& path, std::string_view bytes) {
  const PathParts parts = split_path(path);
  const std::string& prefix = parts.prefix;
  const std::string& name = parts.name;
  if (name.empty()) return Status(Code::kInvalidArgument, "cannot write " + path + ": no file name");

  std::string temp;
  int fd = -1;
  for (int attempt = 0; attempt < 8 && fd < 0; ++attempt) {
    temp.assign(prefix).append(".").append(name).append(".").append(hex_encode(random_bytes(8).view())).append(".tmp");
    fd = ::open(temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno != EEXIST) {
      return sys_error(Code::kIoError, "cannot create a temp file beside " + path, errno);
    }
  }
  if (fd < 0) return Status(Code::kIoError, "cannot create a unique temp file beside " + path);
  Fd file(fd);

  Status written = fill_and_sync(file, bytes, temp);
  if (written.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    written = sys_error(Code::kIoError, "cannot rename the temp file over " + path, errno);
  }
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  // The rename is atomic but not yet durable until the directory entry is on disk.
  return fsync_dir(parts.dir);
}

Result<FileLock> FileLock::acquire(const std::string& lock_path, std::chrono::milliseconds timeout) {
  Fd file(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (file.fd < 0) return sys_error(Code::kIoError, "cannot open lock file " + lock_path, errno);
  // flock(LOCK_EX) blocks without a deadline, so poll LOCK_NB with a jittered 5-10 ms pause (the
  // jitter keeps waiters from retrying in lockstep).
  thread_local std::minstd_rand jitter(static_cast<unsigned>(::getpid()) ^
                                       static_cast<unsigned>(std::random_device{}()));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (::flock(file.fd, LOCK_EX | LOCK_NB) == 0) return FileLock(file.release());
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return sys_error(Code::kIoError, "cannot lock " + lock_path, errno);
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return Status(Code::kLockTimeout,
                    "another process held " + lock_path + " for more than " + std::to_string(timeout.count()) + " ms");
    }
    auto pause = std::chrono::milliseconds(5 + static_cast<int>(jitter() % 6));
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
  }
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor of the open file drops the flock
}

}  // namespace keryx
