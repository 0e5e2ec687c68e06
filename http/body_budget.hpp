#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace analysisd {

/// The bytes of request bodies held in memory across all connections (upload
/// bytes on their way to disk, JSON bodies being collected), against one
/// limit. Over the limit, readers pause instead of allocating: they ask to be
/// woken once there is room again. Thread-safe.
class body_budget {
public:
  explicit body_budget(std::size_t limit) : limit_(limit) {
  }

  /// Counts `n` more bytes as held (even over the limit: what a reader was
  /// handed is taken; it is the reading that pauses).
  void take(std::size_t n) {
    used_.fetch_add(n, std::memory_order_relaxed);
  }

  /// `n` bytes are held no more; wakes the waiters once under the limit.
  void give_back(std::size_t n);

  /// True while the held bytes are at or over the limit.
  bool exhausted() const {
    return used_.load(std::memory_order_relaxed) >= limit_;
  }

  /// Calls `wake` once the budget is not exhausted: at once (on this thread)
  /// if it is not, otherwise from the thread that gives back enough.
  void when_available(std::function<void()> wake);

  std::size_t used() const {
    return used_.load(std::memory_order_relaxed);
  }

  std::size_t limit() const {
    return limit_;
  }

private:
  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
  std::mutex mutex_;
  std::vector<std::function<void()>> waiters_;
};

/// Bytes held against a budget by one owner, given back when it goes.
class budget_hold {
public:
  explicit budget_hold(body_budget& budget) : budget_(&budget) {
  }
  budget_hold(const budget_hold&) = delete;
  budget_hold& operator=(const budget_hold&) = delete;
  ~budget_hold() {
    budget_->give_back(held_);
  }

  void take(std::size_t n) {
    budget_->take(n);
    held_ += n;
  }

  void give_back(std::size_t n) {
    budget_->give_back(n);
    held_ -= n;
  }

private:
  body_budget* budget_;
  std::size_t held_ = 0;
};

} // namespace analysisd
