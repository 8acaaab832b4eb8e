// capture_slot_test.cc: CaptureSlot's "first fill wins" under contention, the listener's exactly-once
// call, and wait / wait_until.
#include "capture_slot.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace keryx {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

CaptureResult make_result(const std::string& code, CaptureSource source = CaptureSource::kCallback,
                          const std::string& state = "st") {
  CaptureResult r;
  r.code = SecretString(code);
  r.state = state;
  r.source = source;
  return r;
}

TEST(CaptureSlot, StartsEmpty) {
  CaptureSlot slot;
  EXPECT_FALSE(slot.filled());
}

TEST(CaptureSlot, FirstFillWinsLaterFillsAreRefused) {
  CaptureSlot slot;
  EXPECT_TRUE(slot.fill(make_result("first", CaptureSource::kPaste, "")));
  EXPECT_TRUE(slot.filled());
  EXPECT_FALSE(slot.fill(make_result("second")));
  EXPECT_FALSE(slot.fill(Status(Code::kCancelled, "late cancel")));
  Result<CaptureResult> r = slot.wait();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().code.view(), "first");
  EXPECT_EQ(r.value().state, "");
  EXPECT_EQ(r.value().source, CaptureSource::kPaste);
}

TEST(CaptureSlot, AnErrorCanWinToo) {
  int calls = 0;
  Code seen = Code::kOk;
  CaptureSlot slot([&](const Result<CaptureResult>& r) {
    ++calls;
    seen = r.status().code();
  });
  EXPECT_TRUE(slot.fill(Status(Code::kCaptureTimeout, "too slow")));
  EXPECT_FALSE(slot.fill(make_result("late")));
  Result<CaptureResult> r = slot.wait();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCaptureTimeout);
  EXPECT_EQ(r.status().message(), "too slow");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, Code::kCaptureTimeout);
}

TEST(CaptureSlot, ListenerSeesTheStoredResultAfterTheLockIsReleased) {
  CaptureSlot* self = nullptr;
  bool filled_inside = false;
  bool second_fill_inside = true;
  std::string code_inside;
  CaptureSlot slot([&](const Result<CaptureResult>& r) {
    // Calling back into the slot would deadlock if the lock were still held.
    filled_inside = self->filled();
    second_fill_inside = self->fill(make_result("reentrant"));
    code_inside = std::string(r.value().code.view());
  });
  self = &slot;
  EXPECT_TRUE(slot.fill(make_result("abc")));
  EXPECT_TRUE(filled_inside);
  EXPECT_FALSE(second_fill_inside);
  EXPECT_EQ(code_inside, "abc");
}

TEST(CaptureSlot, SixteenRacingFillsOneWinnerOneListenerCall) {
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> listener_calls{0};
    std::string listener_code;
    std::thread::id listener_thread;
    CaptureSlot slot([&](const Result<CaptureResult>& r) {
      listener_calls.fetch_add(1);
      listener_code = std::string(r.value().code.view());
      listener_thread = std::this_thread::get_id();
    });
    constexpr int kThreads = 16;
    std::atomic<bool> go{false};
    std::atomic<int> ready{0};
    std::vector<char> won(kThreads, 0);
    std::vector<std::thread::id> ids(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        ids[i] = std::this_thread::get_id();
        ready.fetch_add(1);
        while (!go.load()) std::this_thread::yield();
        won[i] = slot.fill(make_result("code-" + std::to_string(i))) ? 1 : 0;
      });
    }
    while (ready.load() < kThreads) std::this_thread::yield();
    go.store(true);
    for (auto& t : threads) t.join();

    int winners = 0, winner = -1;
    for (int i = 0; i < kThreads; ++i) {
      if (won[i]) {
        ++winners;
        winner = i;
      }
    }
    ASSERT_EQ(winners, 1) << "round " << round;
    EXPECT_EQ(listener_calls.load(), 1) << "round " << round;
    EXPECT_EQ(listener_code, "code-" + std::to_string(winner));
    EXPECT_EQ(listener_thread, ids[winner]);  // called by the thread whose fill won
    Result<CaptureResult> r = slot.wait();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().code.view(), "code-" + std::to_string(winner));
  }
}

TEST(CaptureSlot, WaitUntilTimesOutWhenEmpty) {
  CaptureSlot slot;
  const auto start = steady_clock::now();
  EXPECT_FALSE(slot.wait_until(start + milliseconds(60)));
  const auto elapsed = steady_clock::now() - start;
  EXPECT_GE(elapsed, milliseconds(60));
  EXPECT_LT(elapsed, milliseconds(2000));
  EXPECT_FALSE(slot.filled());
}

TEST(CaptureSlot, WaitUntilInThePastReturnsAtOnce) {
  CaptureSlot slot;
  EXPECT_FALSE(slot.wait_until(steady_clock::now() - milliseconds(1)));
  ASSERT_TRUE(slot.fill(make_result("x")));
  EXPECT_TRUE(slot.wait_until(steady_clock::now() - milliseconds(1)));
}

TEST(CaptureSlot, WaitUntilWakesOnFill) {
  CaptureSlot slot;
  std::thread filler([&] {
    std::this_thread::sleep_for(milliseconds(30));
    slot.fill(make_result("late-but-in-time"));
  });
  const auto start = steady_clock::now();
  EXPECT_TRUE(slot.wait_until(start + std::chrono::seconds(10)));
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5));
  filler.join();
}

TEST(CaptureSlot, WaitReturnsTheWinnerToEveryWaiter) {
  CaptureSlot slot;
  constexpr int kWaiters = 4;
  std::vector<std::string> got(kWaiters);
  std::vector<std::thread> waiters;
  for (int i = 0; i < kWaiters; ++i) {
    waiters.emplace_back([&, i] {
      Result<CaptureResult> r = slot.wait();
      got[i] = r.ok() ? std::string(r.value().code.view()) : "error";
    });
  }
  std::this_thread::sleep_for(milliseconds(20));
  std::thread a([&] { slot.fill(make_result("winner")); });
  a.join();
  std::thread b([&] { slot.fill(make_result("loser")); });
  b.join();
  for (auto& t : waiters) t.join();
  for (const std::string& g : got) EXPECT_EQ(g, "winner");
}

TEST(CaptureSlot, WaitReturnsACopy) {
  CaptureSlot slot;
  ASSERT_TRUE(slot.fill(make_result("keep")));
  {
    Result<CaptureResult> first = slot.wait();
    ASSERT_TRUE(first.ok());
    first.value().code.wipe();
  }
  Result<CaptureResult> second = slot.wait();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.value().code.view(), "keep");
}

}  // namespace
}  // namespace keryx
