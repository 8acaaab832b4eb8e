// capture_slot.h: CaptureSlot, the single "first result wins" place shared by the callback server,
// the paste path, the timeout and cancellation. Whoever fills it first decides the flow's outcome;
// every later fill is refused. Thread-safe.
//
//   if (slot.fill(std::move(result))) stop_servers();   // only the winner acts
//   Result<CaptureResult> r = slot.wait();
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "secret_string.h"
#include "status.h"

namespace keryx {

// CaptureSource: where the winning result came from.
enum class CaptureSource { kCallback, kPaste };

// CaptureResult: the authorization code (secret), the state it came with ("" when a bare code was
// pasted) and its source.
struct CaptureResult {
  SecretString code;
  std::string state;
  CaptureSource source = CaptureSource::kCallback;
};

class CaptureSlot {
 public:
  using Listener = std::function<void(const Result<CaptureResult>&)>;

  // CaptureSlot: `listener` (optional) is called exactly once, by the thread whose fill won, with
  // the slot's lock released, before wait() and wait_until() see the result.
  explicit CaptureSlot(Listener listener = {}) : listener_(std::move(listener)) {}

  // fill: stores `result` if the slot is empty and returns true; returns false otherwise.
  bool fill(Result<CaptureResult> result);

  // filled: whether a result is in (later fills are refused from this moment).
  bool filled() const;

  // wait_until: blocks until the result is in and its listener has run, or until `deadline`;
  // returns whether the result is in.
  bool wait_until(std::chrono::steady_clock::time_point deadline) const;

  // wait: blocks until the result is in and its listener has run; returns a copy of the result.
  Result<CaptureResult> wait() const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::optional<Result<CaptureResult>> result_;
  bool delivered_ = false;  // the listener has run
  Listener listener_;
};

}  // namespace keryx
