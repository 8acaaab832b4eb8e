// socket_sweep.h: ends server-side connections from outside the threads serving them.
// cpp-httplib serves each connection on a pool thread blocked in recv(), with a read timeout that
// restarts at every byte, so a client dribbling bytes (slowloris) could hold a worker forever, and
// hold up the pool's join on stop. Shutting such sockets down wakes their worker at once.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>

namespace keryx {

// shutdown_accepted_sockets: shutdown(SHUT_RDWR) on every connected (accepted) TCP socket of this
// process whose local port is `port`. Listening sockets and client sockets are left alone.
// Returns how many were shut down. Linux reads /proc/self/fd; elsewhere it does nothing.
int shutdown_accepted_sockets(int port);

// kReaperDefaultMaxBytes: the most a connection may send before the reaper ends it (64 KiB: far
// above any callback request; cpp-httplib buffers an unterminated header line without a cap).
inline constexpr unsigned long long kReaperDefaultMaxBytes = 64ULL * 1024;

// ConnectionReaper: enforces a total lifetime, and a total number of bytes received (Linux
// TCP_INFO), on the accepted connections of one port. Each sweep() notes connections it has not
// seen before and shuts down those first seen more than `max_age` ago or that have sent more than
// `max_bytes`. Sweep every ~100 ms; the effective limits are one sweep interval late. Not
// thread-safe (one sweeping thread).
class ConnectionReaper {
 public:
  ConnectionReaper(int port, std::chrono::milliseconds max_age, unsigned long long max_bytes = kReaperDefaultMaxBytes)
      : port_(port), max_age_(max_age), max_bytes_(max_bytes) {}

  // sweep: shuts down connections older than max_age (or `max_age_override` when given, e.g. a
  // shorter limit while connections are queueing); returns how many.
  int sweep(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now(),
            std::chrono::milliseconds max_age_override = std::chrono::milliseconds::zero());

 private:
  int port_;
  std::chrono::milliseconds max_age_;
  unsigned long long max_bytes_;
  std::map<ino_t, std::chrono::steady_clock::time_point> first_seen_;
};

}  // namespace keryx
