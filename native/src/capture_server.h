// capture_server.h: the loopback server that receives the OAuth redirect (RFC 8252 §7.3), racing a
// pasted code or URL (offer) for the one result of a flow.
//
//   CaptureOptions o;
//   o.mode = CaptureMode::kHttpsRange;                 // Meta: https on the first free of 3764-3769
//   o.expected_state = state;
//   auto server = CaptureServer::start(o, on_result);  // bound and listening when this returns
//   print(server.value()->redirect_uri());             // "https://localhost:3764/"
//   server.value()->offer(pasted_line);                // from stdin, racing the browser
//   Result<CaptureResult> r = server.value()->wait();
//
// Limits: one request per connection, a per-receive read timeout, a total connection deadline
// (enforced by the watchdog thread; 1 s while connections queue for a worker), max_connections
// handled at once, a listen backlog of 128.
//
// Rules: only GET on the redirect path with this flow's state can end the flow (a code, or the
// platform's error); a wrong state or a missing code gets a 400 page and the flow keeps waiting;
// any other path gets 404; every response closes its connection; the code and state are never
// echoed or logged. The first result (callback, paste, timeout or cancel) wins; the listeners are
// closed (port released) as soon as it is in.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "capture_slot.h"
#include "redirect_uri.h"
#include "self_signed_cert.h"
#include "status.h"

namespace keryx {

// CaptureMode: how the callback is served.
enum class CaptureMode {
  kLoopbackHttp,  // http on loopback, ephemeral port (Google, TikTok, LinkedIn)
  kHttpsRange,    // https on the first free port of a range, in-memory certificate (Meta)
  kPinned,        // exactly the given redirect URI (paste only when its host is not this machine)
};

// Meta's registered callback range.
inline constexpr int kMetaPortFirst = 3764;
inline constexpr int kMetaPortLast = 3769;

struct CaptureOptions {
  CaptureMode mode = CaptureMode::kLoopbackHttp;
  std::string path = "/";                   // kLoopbackHttp, kHttpsRange: the callback path
  std::string loopback_host = "127.0.0.1";  // kLoopbackHttp: "127.0.0.1" or "localhost" (binds v4 and v6)
  int range_first = kMetaPortFirst;         // kHttpsRange
  int range_last = kMetaPortLast;
  bool listen_all = true;      // kHttpsRange: every interface (v4+v6); false: loopback only
  std::string redirect_uri;    // kPinned
  std::string expected_state;  // the flow's state; empty only for flows without state
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds read_timeout{std::chrono::seconds(5)};  // per receive, per connection
  // connection_deadline: the longest one connection may live, however it dribbles bytes; a browser
  // callback takes milliseconds, so slow clients cannot hold the workers (slowloris).
  std::chrono::milliseconds connection_deadline{std::chrono::seconds(4)};
  std::size_t max_connections = 16;  // connections handled at once; more wait in the queue
  CertAlgorithm cert_algorithm = CertAlgorithm::kEcdsaP256;
  std::string app_name = "keryx";  // named on the browser pages
};

class CaptureServer {
 public:
  using Listener = CaptureSlot::Listener;
  struct Listening;  // one bound address: its server and accept thread

  // start: validates `options`, makes the certificate (https), binds, and starts listening. When it
  // returns ok, connections are accepted and redirect_uri() is final. `on_result` (optional) is
  // called exactly once with the outcome, from whichever thread decided it, before wait() returns.
  // Errors: port_range_busy (every range port taken), port_in_use (a pinned port taken),
  // bind_failed, redirect_invalid, invalid_argument, crypto_error, tls_error.
  static Result<std::unique_ptr<CaptureServer>> start(const CaptureOptions& options, Listener on_result = {});

  ~CaptureServer();
  CaptureServer(const CaptureServer&) = delete;
  CaptureServer& operator=(const CaptureServer&) = delete;

  // redirect_uri: the redirect URI to send to the platform ("http://127.0.0.1:43121/callback/").
  const std::string& redirect_uri() const { return redirect_uri_; }
  // port: the bound port (the pinned one for a paste-only redirect).
  int port() const { return port_; }
  // tls: whether the callback is served over https.
  bool tls() const { return tls_; }
  // paste_only: nothing is listening; the code can only arrive through offer().
  bool paste_only() const { return paste_only_; }
  // bound_addresses: what is listening, e.g. {"127.0.0.1", "::1"} or {"::"} (all interfaces).
  const std::vector<std::string>& bound_addresses() const { return bound_addresses_; }
  // skipped_ports: range ports found busy before the one bound (kHttpsRange).
  const std::vector<int>& skipped_ports() const { return skipped_ports_; }
  // certificate_pem: the run's self-signed certificate (public), "" for plain http. A client can
  // pin it to verify the TLS connection instead of skipping verification.
  std::string certificate_pem() const { return identity_ ? cert_to_pem(identity_->cert.get()) : std::string(); }

  // offer: pasted text (a code, a redirected URL, or `code=..&state=..`). Ok when it decided the
  // flow (a code, or the platform's error from a pasted URL); otherwise the reason it was refused
  // (state_mismatch, paste_invalid, missing_code, already_finished) and the flow keeps waiting.
  Status offer(std::string_view text);

  // cancel: ends the flow with `cancelled` unless it already has a result.
  void cancel();

  // wait: blocks until the flow has its result.
  Result<CaptureResult> wait() const { return slot_.wait(); }

  // finished: whether the result is in.
  bool finished() const { return slot_.filled(); }

  // close: cancels the flow if it has no result yet, stops listening, ends lingering connections
  // and joins every thread. Idempotent; the destructor calls it.
  void close();

 private:
  explicit CaptureServer(CaptureOptions options, Listener on_result);

  Status bind_all(const std::vector<std::string>& hosts, int port, bool dual_stack_any);
  Status start_range();
  Status start_loopback();
  Status start_pinned();
  void stop_listening();

  CaptureOptions options_;
  CaptureSlot slot_;
  std::shared_ptr<TlsIdentity> identity_;
  std::vector<std::unique_ptr<Listening>> listening_;
  std::thread watchdog_;
  std::string redirect_uri_;
  std::string path_;
  int port_ = 0;
  bool tls_ = false;
  bool paste_only_ = false;
  std::vector<std::string> bound_addresses_;
  std::vector<int> skipped_ports_;
  std::shared_ptr<std::atomic<int>> in_flight_;
  std::atomic<bool> closed_{false};
  std::mutex stop_mutex_;
};

}  // namespace keryx
