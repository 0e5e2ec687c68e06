#pragma once

/// Work handed to one HTTP thread by other threads, a batch at a time: the
/// answers the actors give to that thread's requests (http_detail::ask).

#include <restinio/asio_include.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace analysisd {

/// A queue of work run, in order, by the one thread that runs `io`. Work
/// pushed while the queue waits to run joins it: one asio post, and at most
/// one wake-up of the thread, for all of it. An actor's thread that answers
/// a group commit's requests one after the other thus hands them over in a
/// batch, and the responses are made and written on the connection's own
/// thread (a dispatch there, not another post).
class thread_inbox : public std::enable_shared_from_this<thread_inbox> {
public:
  explicit thread_inbox(std::shared_ptr<asio::io_context> io);

  /// Runs `work` on the inbox's thread after the work pushed before it. A
  /// work that throws is logged. Work still queued when the io_context is
  /// destroyed is destroyed unrun. Any thread.
  void push(std::function<void()> work);

  /// Makes this the inbox of the thread that runs its io_context, once it
  /// runs (thread_inbox::current on that thread).
  void adopt();

  /// The inbox of the calling thread, or null.
  static const std::shared_ptr<thread_inbox>& current();

private:
  void drain();

  const std::shared_ptr<asio::io_context> io_;
  std::mutex mutex_;
  std::vector<std::function<void()>> queued_;
  bool posted_ = false; ///< A drain is posted and has not taken the queue yet.
  std::vector<std::function<void()>> running_; ///< The drain's; keeps its capacity.
};

} // namespace analysisd
