#include "http/thread_inbox.hpp"

#include "persistence/log.hpp"

#include <exception>
#include <string>

namespace analysisd {

namespace {
thread_local std::shared_ptr<thread_inbox> inbox_of_this_thread;
} // namespace

thread_inbox::thread_inbox(std::shared_ptr<asio::io_context> io) : io_(std::move(io)) {
}

void thread_inbox::push(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock{mutex_};
    queued_.push_back(std::move(work));
    if (posted_)
      return;
    posted_ = true;
  }
  asio::post(*io_, [self = shared_from_this()] { self->drain(); });
}

void thread_inbox::adopt() {
  asio::post(*io_, [self = shared_from_this()] { inbox_of_this_thread = self; });
}

const std::shared_ptr<thread_inbox>& thread_inbox::current() {
  return inbox_of_this_thread;
}

void thread_inbox::drain() {
  {
    std::lock_guard<std::mutex> lock{mutex_};
    running_.swap(queued_);
    posted_ = false;
  }
  for (auto& work : running_) {
    try {
      work();
    } catch (const std::exception& ex) {
      log_error(std::string{"work handed to an HTTP thread failed: "} + ex.what());
    } catch (...) {
      log_error("work handed to an HTTP thread failed");
    }
  }
  running_.clear();
}

} // namespace analysisd
