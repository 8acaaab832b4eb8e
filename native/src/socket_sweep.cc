// socket_sweep.cc: /proc/self/fd walk with getsockname/getpeername/SO_ACCEPTCONN.
#include "socket_sweep.h"

#include <dirent.h>
#ifdef __linux__
#include <linux/tcp.h>  // struct tcp_info with tcpi_bytes_received (not in glibc's netinet/tcp.h)
#endif
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstddef>
#include <cstdlib>
#include <functional>
#include <memory>
#include <set>

namespace keryx {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};

// bytes_received: what the peer has sent on `fd` so far (0 when the kernel cannot say).
unsigned long long bytes_received(int fd) {
#ifdef __linux__
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return 0;
  if (len < offsetof(tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received) return 0;
  return info.tcpi_bytes_received;
#else
  (void)fd;
  return 0;
#endif
}

int local_port_of(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return -1;
}

// for_each_accepted: calls fn(fd, inode) for each connected, non-listening socket on local `port`.
void for_each_accepted(int port, const std::function<void(int, ino_t)>& fn) {
#ifdef __linux__
  std::unique_ptr<DIR, DirCloser> dir(opendir("/proc/self/fd"));
  if (!dir) return;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the DIR stream is local to this call; readdir is safe on distinct streams.
  while (dirent* entry = readdir(dir.get())) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir.get())) continue;
    const int sock = static_cast<int>(fd);
    struct stat st {};
    if (fstat(sock, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    int listening = 0;
    socklen_t optlen = sizeof listening;
    if (getsockopt(sock, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen) != 0 || listening != 0) continue;
    if (local_port_of(sock) != port) continue;
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    if (getpeername(sock, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    fn(sock, st.st_ino);
  }
#else
  (void)port;
  (void)fn;
#endif
}

}  // namespace

int shutdown_accepted_sockets(int port) {
  int count = 0;
  for_each_accepted(port, [&](int fd, ino_t) {
    if (shutdown(fd, SHUT_RDWR) == 0) ++count;
  });
  return count;
}

int ConnectionReaper::sweep(std::chrono::steady_clock::time_point now, std::chrono::milliseconds max_age_override) {
  const std::chrono::milliseconds limit = max_age_override.count() > 0 ? max_age_override : max_age_;
  int count = 0;
  std::set<ino_t> alive;
  for_each_accepted(port_, [&](int fd, ino_t inode) {
    alive.insert(inode);
    auto [it, inserted] = first_seen_.emplace(inode, now);
    const bool too_old = !inserted && now - it->second > limit;
    const bool too_big = bytes_received(fd) > max_bytes_;
    if ((too_old || too_big) && shutdown(fd, SHUT_RDWR) == 0) ++count;
  });
  for (auto it = first_seen_.begin(); it != first_seen_.end();) {
    it = alive.count(it->first) != 0 ? std::next(it) : first_seen_.erase(it);
  }
  return count;
}

}  // namespace keryx
