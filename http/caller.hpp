#pragma once

/// Requests to actors from threads that are not actors (the asio threads),
/// answered by a callback on the thread that sends the answer.

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/message.hpp>

#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace analysisd {

/// Sends requests on behalf of non-actor threads. Each answer (a result,
/// or the error: the receiver's, or request_receiver_down if it is gone
/// before handling the request) runs the request's callback as it is
/// enqueued, on the thread that answers, inside that actor's handler: the
/// caller is a CAF actor_companion, which has no mailbox to schedule. A
/// bridge actor costs two more message handlings per request (the request
/// to it, and the answer), a quarter of those a finalize took (bench/).
///
/// A callback must not block; one that throws is logged, and ends nothing.
/// One whose answer never comes is destroyed with the caller, unrun.
class caller {
public:
  using callback = std::function<void(caf::message& answer)>;

  explicit caller(caf::actor_system& sys);
  ~caller();
  caller(const caller&) = delete;
  caller& operator=(const caller&) = delete;

  /// Sends `request` to `dest` as a request; `on_answer` gets the answer.
  /// Any thread.
  void request(const caf::actor& dest, caf::message request, callback on_answer);

  /// Requests sent and not answered yet.
  std::size_t pending() const;

private:
  void answer(caf::mailbox_element& msg);

  caf::actor companion_;
  mutable std::mutex mutex_;
  std::uint64_t last_id_ = 0;
  std::unordered_map<std::uint64_t, callback> pending_;
};

} // namespace analysisd
