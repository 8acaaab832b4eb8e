// time_boxed.h: run_time_boxed(timeout, work): runs `work` on a detached thread and waits at most
// `timeout` for its Result. Used for OS keychain calls, which can hang on a stuck D-Bus or a prompt:
// keryx gives up on time instead of hanging. `work` must own (capture by value) everything it
// touches; on a timeout the thread runs on and its late result is dropped.
//
//   Result<SecretString> r = run_time_boxed<SecretString>(std::chrono::seconds(3), [account] { return lookup(account);
//   });
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "status.h"

namespace keryx {

// TimeBoxed: the rendezvous between a caller and its helper thread, owned by both.
template <typename T>
struct TimeBoxed {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Result<T>> result;
};

template <typename T, typename Fn>
Result<T> run_time_boxed(std::chrono::milliseconds timeout, Fn work) {
  auto pending = std::make_shared<TimeBoxed<T>>();
  try {
    std::thread([pending, work = std::move(work)]() mutable {
      Result<T> result = work();
      std::lock_guard<std::mutex> lock(pending->mu);
      pending->result.emplace(std::move(result));
      pending->cv.notify_all();
    }).detach();
  } catch (const std::system_error&) {
    return Status(Code::kInternal, "could not start a keychain helper thread");
  }
  std::unique_lock<std::mutex> lock(pending->mu);
  if (!pending->cv.wait_for(lock, timeout, [&] { return pending->result.has_value(); })) {
    return Status(Code::kTimeout, "the OS keychain did not answer within " + std::to_string(timeout.count()) + " ms");
  }
  return std::move(*pending->result);
}

}  // namespace keryx
