// socket_sweep_test.cc: the ConnectionReaper against real loopback connections: it leaves young,
// quiet connections alone, and ends those past their age or past their byte budget.
#include "socket_sweep.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

namespace keryx {
namespace {

using namespace std::chrono_literals;

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// Pair: a listening socket, one client connection and its accepted server side.
struct Pair {
  Fd listener{socket(AF_INET, SOCK_STREAM, 0)};
  Fd client{socket(AF_INET, SOCK_STREAM, 0)};
  Fd server{-1};
  int port = 0;
  Pair() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(bind(listener.fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(listen(listener.fd, 4), 0);
    getsockname(listener.fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    EXPECT_EQ(connect(client.fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
    server.fd = accept(listener.fd, nullptr, nullptr);
  }
  // peer_closed: whether the client sees the server's shutdown (EOF) within a second.
  bool peer_closed() const {
    timeval tv{1, 0};
    setsockopt(client.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char c = 0;
    return recv(client.fd, &c, 1, 0) == 0;
  }
};

TEST(ConnectionReaper, LeavesYoungQuietConnectionsAlone) {
  Pair p;
  ConnectionReaper reaper(p.port, 10s);
  EXPECT_EQ(reaper.sweep(), 0);
  EXPECT_EQ(reaper.sweep(), 0);
}

TEST(ConnectionReaper, EndsConnectionsPastTheirAge) {
  Pair p;
  ConnectionReaper reaper(p.port, 50ms);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(reaper.sweep(start), 0);
  EXPECT_EQ(reaper.sweep(start + 100ms), 1);
  EXPECT_TRUE(p.peer_closed());
}

TEST(ConnectionReaper, EndsConnectionsPastTheirByteBudgetWhateverTheirAge) {
  Pair p;
  ConnectionReaper reaper(p.port, 10s, 1024);
  std::string junk(8192, 'A');  // an unterminated header line, never read by the server
  ASSERT_EQ(send(p.client.fd, junk.data(), junk.size(), MSG_NOSIGNAL), static_cast<ssize_t>(junk.size()));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(reaper.sweep(), 1);
  EXPECT_TRUE(p.peer_closed());
}

TEST(ConnectionReaper, ShutdownAcceptedSocketsSparesListeners) {
  Pair p;
  EXPECT_EQ(shutdown_accepted_sockets(p.port), 1);
  EXPECT_TRUE(p.peer_closed());
  int listening = 0;
  socklen_t len = sizeof listening;
  ASSERT_EQ(getsockopt(p.listener.fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len), 0);
  EXPECT_EQ(listening, 1);
}

}  // namespace
}  // namespace keryx
