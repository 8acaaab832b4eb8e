// secure_file.h: files that hold secrets: owner-only permissions, atomic and durable replacement,
// and a cross-process lock the kernel frees when its holder dies.
//
//   KERYX_RETURN_IF_ERROR(ensure_private_dir(dir));
//   Result<FileLock> lock = FileLock::acquire(path + ".lock", std::chrono::seconds(10));
//   KERYX_RETURN_IF_ERROR(write_file_atomic(path, bytes));   // temp 0600 + fsync + rename + fsync(dir)
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "secret_string.h"
#include "status.h"

namespace keryx {

// ensure_private_dir: creates `dir` and missing parents with mode 0700 (existing ones are left as
// they are). io_error on failure.
Status ensure_private_dir(const std::string& dir);

// check_private_permissions: ok when `path` is a regular file (not a symlink, checked with lstat)
// owned by this user and not readable or writable by group or others. insecure_permissions
// otherwise; for group/other access the message holds the exact `chmod 600 <path>` to run (the path
// shell-quoted when needed), for a symlink, another owner or a non-file it says which. not_found
// when it does not exist.
Status check_private_permissions(const std::string& path);

// read_private_file: the whole file (at most `max_bytes`, else invalid_argument) after the
// check_private_permissions rules, applied with fstat to the descriptor opened with O_NOFOLLOW (so
// the file checked is the file read). not_found when it does not exist.
Result<SecretString> read_private_file(const std::string& path, std::size_t max_bytes);

// write_file_atomic: replaces `path` with `bytes` so that a crash at any moment leaves either the
// old or the new content: a uniquely named temp file in the same directory created 0600 (O_EXCL),
// written, fsync'd, renamed over `path`, then the directory fsync'd. The temp file is removed on
// failure. io_error on failure (the old file is untouched).
Status write_file_atomic(const std::string& path, std::string_view bytes);

// FileLock: an exclusive flock(2) on a sidecar lock file (created 0600 if missing, never deleted),
// released when the FileLock is destroyed or its process dies. Move-only.
class FileLock {
 public:
  // acquire: waits up to `timeout` (polling) for the lock; lock_timeout when it cannot get it.
  static Result<FileLock> acquire(const std::string& lock_path, std::chrono::milliseconds timeout);
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace keryx
