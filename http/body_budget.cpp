#include "http/body_budget.hpp"

namespace analysisd {

void body_budget::give_back(std::size_t n) {
  if (n == 0)
    return;
  used_.fetch_sub(n, std::memory_order_relaxed);
  if (exhausted())
    return;
  // The lock orders this check against when_available's, so that a waiter
  // added after the bytes came back sees them.
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    wake.swap(waiters_);
  }
  for (auto& f : wake)
    f();
}

void body_budget::when_available(std::function<void()> wake) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (exhausted()) {
      waiters_.push_back(std::move(wake));
      return;
    }
  }
  wake();
}

} // namespace analysisd
