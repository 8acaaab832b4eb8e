// loopback_recorder.h: a cpp-httplib server on 127.0.0.1 that keeps the last request it got and
// answers every GET/POST with `status` and `reply` (after `delay`; `hook` may change the answer). Tests use it to pin
// what keryx puts on the wire; platform behaviour itself is tested against the sandbox emulator (tests/e2e).
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace keryx::testing {

struct Recorder {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::mutex mu;
  httplib::Request last;
  int status = 200;
  std::string reply = R"({"access_token":"AT","token_type":"Bearer","expires_in":60})";
  std::map<std::string, std::string> replies;  // path -> body, overriding `reply` for that path
  std::chrono::milliseconds delay{0};
  int count = 0;  // requests answered
  // hook: when set, runs (under the lock) after the reply is chosen and may change it.
  std::function<void(const httplib::Request&, httplib::Response&)> hook;

  Recorder() {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      std::chrono::milliseconds wait{0};
      {
        std::lock_guard<std::mutex> lock(mu);
        wait = delay;
      }
      std::this_thread::sleep_for(wait);
      std::lock_guard<std::mutex> lock(mu);
      last = req;
      res.status = status;
      auto it = replies.find(req.path);
      res.set_content(it == replies.end() ? reply : it->second, "application/json");
      ++count;
      if (hook) hook(req, res);
    };
    server.Get(".*", handler);
    server.Post(".*", handler);
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Recorder() {
    server.stop();
    thread.join();
  }
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // with_lock: runs `f` holding the recorder's mutex; tests that run under ThreadSanitizer set the
  // reply and read what was recorded through it once the server is running.
  template <typename F>
  auto with_lock(F f) {
    std::lock_guard<std::mutex> lock(mu);
    return f();
  }

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }
};

}  // namespace keryx::testing
