// capture_slot.cc: a mutex, a condition variable and an optional.
#include "capture_slot.h"

namespace keryx {

bool CaptureSlot::fill(Result<CaptureResult> result) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (result_.has_value()) return false;
    result_.emplace(std::move(result));
  }
  if (listener_) listener_(*result_);  // result_ never changes once set
  {
    std::lock_guard<std::mutex> lock(mutex_);
    delivered_ = true;
  }
  changed_.notify_all();
  return true;
}

bool CaptureSlot::filled() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return result_.has_value();
}

bool CaptureSlot::wait_until(std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_until(lock, deadline, [this] { return delivered_; });
}

Result<CaptureResult> CaptureSlot::wait() const {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return delivered_; });
  return *result_;
}

}  // namespace keryx
