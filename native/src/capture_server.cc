// capture_server.cc: CaptureServer on cpp-httplib (Debian's libcpp-httplib, built with OpenSSL).
// Every request is answered from the pre-routing handler, so cpp-httplib's router, file serving
// and error pages never run.
#include "capture_server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "callback_params.h"
#include "capture_pages.h"
#include "socket_sweep.h"
#include "url_parts.h"

namespace keryx {
namespace {

constexpr std::size_t kMaxBodyBytes = 4096;
constexpr auto kDrainGrace = std::chrono::milliseconds(300);
constexpr auto kReaperInterval = std::chrono::milliseconds(100);
// kBusyConnectionAge: while connections queue for a worker, any connection older than this ends.
constexpr auto kBusyConnectionAge = std::chrono::milliseconds(1000);
// cpp-httplib listens with a backlog of 5; bursts (preconnects, floods) would drop SYNs and stall
// the real callback for a second. The socket's backlog is raised right after bind.
constexpr int kListenBacklog = 128;

// CountingQueue: cpp-httplib's thread pool, counting the connections being handled so close()
// can let a success page finish before it ends what is left.
class CountingQueue : public httplib::TaskQueue {
 public:
  CountingQueue(std::size_t threads, std::shared_ptr<std::atomic<int>> in_flight)
      : pool_(threads), in_flight_(std::move(in_flight)) {}
  void enqueue(std::function<void()> fn) override {
    in_flight_->fetch_add(1);
    auto counter = in_flight_;
    pool_.enqueue([fn = std::move(fn), counter] {
      fn();
      counter->fetch_sub(1);
    });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  httplib::ThreadPool pool_;
  std::shared_ptr<std::atomic<int>> in_flight_;
};

void set_page(httplib::Response& res, int status, const std::string& html) {
  res.status = status;
  res.set_content(html, "text/html; charset=utf-8");
}

}  // namespace

struct CaptureServer::Listening {
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  std::string host;
};

namespace {

// release_unstarted: closes listeners that were bound but never started. cpp-httplib closes its
// listening socket only when a running accept loop is stopped, so each is started and stopped.
void release_unstarted(std::vector<std::unique_ptr<CaptureServer::Listening>>& made) {
  for (const auto& l : made) {
    httplib::Server* srv = l->server.get();
    std::thread loop([srv] { srv->listen_after_bind(); });
    while (!srv->is_running()) std::this_thread::yield();
    srv->stop();
    loop.join();
  }
  made.clear();
}

}  // namespace

CaptureServer::CaptureServer(CaptureOptions options, Listener on_result)
    : options_(std::move(options)),
      slot_([this, on_result = std::move(on_result)](const Result<CaptureResult>& result) {
        stop_listening();  // release the port before anyone hears of the result
        if (on_result) on_result(result);
      }),
      in_flight_(std::make_shared<std::atomic<int>>(0)) {}

CaptureServer::~CaptureServer() {
  cancel();
  close();
}

Result<std::unique_ptr<CaptureServer>> CaptureServer::start(const CaptureOptions& options, Listener on_result) {
  if (options.timeout.count() <= 0) return Status(Code::kInvalidArgument, "timeout must be positive");
  if (options.max_connections == 0 || options.max_connections > 256) {
    return Status(Code::kInvalidArgument, "max_connections must be 1 to 256");
  }
  if (options.mode != CaptureMode::kPinned && (options.path.empty() || options.path.front() != '/')) {
    return Status(Code::kInvalidArgument, "the callback path must start with '/'");
  }
  std::unique_ptr<CaptureServer> server(new CaptureServer(options, std::move(on_result)));
  Status started = options.mode == CaptureMode::kHttpsRange ? server->start_range()
                   : options.mode == CaptureMode::kPinned   ? server->start_pinned()
                                                            : server->start_loopback();
  if (!started.ok()) {
    server->cancel();
    server->close();
    return started;
  }
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  CaptureServer* self = server.get();
  server->watchdog_ = std::thread([self, deadline] {
    // Ends the flow at its timeout and, meanwhile, connections older than the deadline.
    ConnectionReaper reaper(self->port_, self->options_.connection_deadline);
    const bool listening = !self->paste_only_ && self->port_ > 0;
    for (;;) {
      const auto tick = std::min(deadline, std::chrono::steady_clock::now() + kReaperInterval);
      if (self->slot_.wait_until(tick)) return;
      if (std::chrono::steady_clock::now() >= deadline) break;
      if (!listening) continue;
      // Connections waiting for a worker: the pool is held by slow clients, so tighten the limit.
      const bool queueing = self->in_flight_->load() > static_cast<int>(self->options_.max_connections);
      reaper.sweep(std::chrono::steady_clock::now(), queueing ? kBusyConnectionAge : std::chrono::milliseconds::zero());
    }
    self->slot_.fill(Status(Code::kCaptureTimeout, "no callback or pasted code arrived before the timeout"));
  });
  return server;
}

Status CaptureServer::start_range() {
  if (options_.range_first < 1 || options_.range_last > 65535 || options_.range_first > options_.range_last) {
    return Status(Code::kInvalidArgument, "the port range must lie within 1-65535, first <= last");
  }
  tls_ = true;
  path_ = options_.path;
  Result<TlsIdentity> identity = make_self_signed_cert(options_.cert_algorithm);
  if (!identity.ok()) return identity.status();
  identity_ = std::make_shared<TlsIdentity>(std::move(identity).value());
  const std::vector<std::string> hosts =
      options_.listen_all ? std::vector<std::string>{"::"} : std::vector<std::string>{"127.0.0.1", "::1"};
  for (int candidate = options_.range_first; candidate <= options_.range_last; ++candidate) {
    Status bound = bind_all(hosts, candidate, options_.listen_all);
    if (bound.ok()) {
      port_ = candidate;
      redirect_uri_ = redirect_format(true, "localhost", candidate, path_);
      return Status::Ok();
    }
    if (bound.code() != Code::kPortInUse) return bound;
    skipped_ports_.push_back(candidate);
  }
  return Status(Code::kPortRangeBusy, "every port of " + std::to_string(options_.range_first) + "-" +
                                          std::to_string(options_.range_last) +
                                          " is in use; stop whatever holds them (ss -ltnp 'sport >= :" +
                                          std::to_string(options_.range_first) + "') and retry");
}

Status CaptureServer::start_loopback() {
  path_ = options_.path;
  const bool both = options_.loopback_host == "localhost";
  if (!both && !host_is_loopback_literal(options_.loopback_host)) {
    return Status(Code::kInvalidArgument, "loopback_host must be a loopback address or localhost");
  }
  for (int attempt = 0; attempt < 8; ++attempt) {
    Status bound =
        bind_all(both ? std::vector<std::string>{"127.0.0.1", "::1"} : std::vector<std::string>{options_.loopback_host},
                 0, false);
    if (bound.ok()) {
      redirect_uri_ = redirect_format(false, options_.loopback_host, port_, path_);
      return Status::Ok();
    }
    if (bound.code() != Code::kPortInUse) return bound;  // only the v6 twin can collide; retry
  }
  return Status(Code::kBindFailed, "could not bind one port on both 127.0.0.1 and ::1");
}

Status CaptureServer::start_pinned() {
  Result<RedirectTarget> target = redirect_parse(options_.redirect_uri);
  if (!target.ok()) return target.status();
  const RedirectTarget& t = target.value();
  redirect_uri_ = t.uri;
  port_ = t.port;
  tls_ = t.tls;
  path_ = t.path;
  if (t.paste_only) {
    paste_only_ = true;
    return Status::Ok();
  }
  if (t.tls) {
    Result<TlsIdentity> identity = make_self_signed_cert(options_.cert_algorithm, t.host);
    if (!identity.ok()) return identity.status();
    identity_ = std::make_shared<TlsIdentity>(std::move(identity).value());
  }
  Status bound = bind_all(t.bind_hosts, t.port, false);
  if (bound.code() == Code::kPortInUse) {
    return Status(Code::kPortInUse, "port " + std::to_string(t.port) +
                                        " of the pinned redirect URI is in use; free it (ss -ltnp 'sport = :" +
                                        std::to_string(t.port) + "') or pin another registered redirect");
  }
  return bound;
}

// NOLINTNEXTLINE(misc-no-recursion): at most one level: the retry binds a single IPv4 host, which never recurses.
Status CaptureServer::bind_all(const std::vector<std::string>& hosts, int port, bool dual_stack_any) {
  std::vector<std::unique_ptr<Listening>> made;
  int chosen = port;
  for (const std::string& host : hosts) {
    auto l = std::make_unique<Listening>();
    l->host = host;
    if (tls_) {
      l->server = std::make_unique<httplib::SSLServer>(identity_->cert.get(), identity_->key.get());
    } else {
      l->server = std::make_unique<httplib::Server>();
    }
    if (!l->server->is_valid()) {
      release_unstarted(made);
      return Status(Code::kTlsError, "could not set up TLS for the callback server");
    }
    httplib::Server& s = *l->server;
    auto in_flight = in_flight_;
    const std::size_t threads = options_.max_connections;
    s.new_task_queue = [threads, in_flight] { return new CountingQueue(threads, in_flight); };
    const bool is_v6 = host.find(':') != std::string::npos;
    auto listen_fd = std::make_shared<socket_t>(INVALID_SOCKET);
    s.set_socket_options([is_v6, dual_stack_any, listen_fd](socket_t sock) {
      *listen_fd = sock;
      int yes = 1;
      int no = 0;
      // SO_REUSEADDR (not cpp-httplib's default SO_REUSEPORT, which would let two servers share a
      // port): rebinding right after a previous run's TIME_WAIT works, a live listener still blocks.
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      if (is_v6) setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, dual_stack_any ? &no : &yes, sizeof yes);
    });
    s.set_keep_alive_max_count(1);  // one request per connection: "Connection: close"
    s.set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(options_.read_timeout));
    s.set_write_timeout(std::chrono::seconds(5));
    s.set_payload_max_length(kMaxBodyBytes);
    s.set_default_headers({{"Cache-Control", "no-store"},
                           {"Referrer-Policy", "no-referrer"},
                           {"X-Content-Type-Options", "nosniff"},
                           {"X-Frame-Options", "DENY"},
                           {"Content-Security-Policy", kPageCsp}});
    s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      const std::string& target = req.target;
      const std::size_t q = target.find('?');
      const std::string raw_path = target.substr(0, q);
      if (raw_path != path_) {
        set_page(res, 404, page_not_found());
        return httplib::Server::HandlerResponse::Handled;
      }
      if (req.method != "GET") {
        res.set_header("Allow", "GET");
        set_page(res, 405, page_not_found());
        return httplib::Server::HandlerResponse::Handled;
      }
      CallbackVerdict v = judge_callback(
          query_parse(q == std::string::npos ? std::string_view() : std::string_view(target).substr(q + 1)),
          options_.expected_state);
      if (v.kind == CallbackVerdict::Kind::kRejected) {
        set_page(res, 400, page_rejected(v.status.name()));
      } else if (v.kind == CallbackVerdict::Kind::kPlatformError) {
        const bool won = slot_.fill(v.status);
        set_page(res, won ? 200 : 409,
                 won ? page_failure(options_.app_name, v.error, v.description) : page_rejected("already_finished"));
      } else {
        CaptureResult result;
        result.code = std::move(v.code);
        result.state = options_.expected_state;
        result.source = CaptureSource::kCallback;
        const bool won = slot_.fill(std::move(result));
        set_page(res, won ? 200 : 409, won ? page_success(options_.app_name) : page_rejected("already_finished"));
      }
      return httplib::Server::HandlerResponse::Handled;
    });

    errno = 0;
    bool ok = false;
    if (chosen == 0) {
      int got = s.bind_to_any_port(host);
      ok = got > 0;
      if (ok) chosen = got;
    } else {
      ok = s.bind_to_port(host, chosen);
    }
    if (!ok) {
      const int err = errno;
      release_unstarted(made);  // a half-bound set (127.0.0.1 but not ::1) must not keep its port
      if (err == EADDRINUSE) return Status(Code::kPortInUse, "port " + std::to_string(chosen) + " is in use");
      if (is_v6 && !dual_stack_any && hosts.size() > 1 && (err == EADDRNOTAVAIL || err == EAFNOSUPPORT)) {
        return bind_all({hosts.front()}, chosen, false);  // no IPv6 loopback here: 127.0.0.1 alone serves
      }
      if (is_v6 && dual_stack_any && (err == EADDRNOTAVAIL || err == EAFNOSUPPORT)) {
        return bind_all({"0.0.0.0"}, port, false);  // IPv6 disabled: all IPv4 interfaces
      }
      return Status(Code::kBindFailed,
                    "could not listen on " + host + " port " + std::to_string(chosen) +
                        (err != 0 ? std::string(" (") + std::generic_category().message(err) + ")" : std::string()));
    }
    if (*listen_fd != INVALID_SOCKET) ::listen(*listen_fd, kListenBacklog);  // Linux: updates the backlog
    made.push_back(std::move(l));
  }
  if (made.empty()) return Status(Code::kBindFailed, "no address could be bound");
  // Bound everywhere: start listening, and wait until each loop runs so stop() always takes effect.
  for (auto& l : made) {
    httplib::Server* srv = l->server.get();
    l->thread = std::thread([srv] { srv->listen_after_bind(); });
    while (!srv->is_running()) std::this_thread::yield();
    bound_addresses_.push_back(l->host);
  }
  port_ = chosen;
  std::lock_guard<std::mutex> lock(stop_mutex_);
  for (auto& l : made) listening_.push_back(std::move(l));
  if (slot_.filled()) {  // a paste or cancel won while we were binding
    for (const auto& l : listening_) l->server->stop();
  }
  return Status::Ok();
}

void CaptureServer::stop_listening() {
  std::lock_guard<std::mutex> lock(stop_mutex_);
  for (const auto& l : listening_) l->server->stop();
}

Status CaptureServer::offer(std::string_view text) {
  CallbackVerdict v = judge_paste(text, options_.expected_state);
  if (v.kind == CallbackVerdict::Kind::kRejected) return v.status;
  if (slot_.filled()) return Status(Code::kAlreadyFinished, "the authorization already has its result");
  bool won = false;
  if (v.kind == CallbackVerdict::Kind::kPlatformError) {
    won = slot_.fill(v.status);
  } else {
    CaptureResult result;
    result.code = std::move(v.code);
    result.state = std::move(v.state);
    result.source = CaptureSource::kPaste;
    won = slot_.fill(std::move(result));
  }
  if (!won) return Status(Code::kAlreadyFinished, "the authorization already has its result");
  return Status::Ok();
}

void CaptureServer::cancel() { slot_.fill(Status(Code::kCancelled, "the authorization was cancelled")); }

void CaptureServer::close() {
  if (closed_.exchange(true)) return;
  cancel();  // wakes the watchdog; no effect when the flow already has its result
  stop_listening();
  // Let a page being written finish, then end whatever is left (idle preconnects, slow clients).
  const auto grace_end = std::chrono::steady_clock::now() + kDrainGrace;
  while (in_flight_->load() > 0 && std::chrono::steady_clock::now() < grace_end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (port_ > 0 && !paste_only_) {
    // Repeat until the pools drain: a queued connection may start after one sweep.
    while (in_flight_->load() > 0) {
      shutdown_accepted_sockets(port_);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  for (const auto& l : listening_) {
    if (l->thread.joinable()) l->thread.join();
  }
  if (watchdog_.joinable()) watchdog_.join();
}

}  // namespace keryx
