#pragma once

/// Requests to actors from threads that are not actors (the asio threads),
/// answered by a callback on the thread that sends the answer.

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/message.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace analysisd {

/// Sends requests on behalf of non-actor threads. Each answer (a result,
/// or the error: the receiver's, or request_receiver_down if it is gone
/// before handling the request) runs the request's callback as it is
/// enqueued, on the thread that answers, inside that actor's handler: the
/// caller is a CAF actor_companion, which has no mailbox to schedule. A
/// bridge actor costs two more message handlings per request (the request
/// to it, and the answer), a sixth of those a finalize took (bench/).
///
/// A callback must not block; one that throws is logged, and ends nothing.
/// Callbacks whose answers have not come are destroyed unrun by close()
/// (a callback may hold what holds the caller: close() breaks that cycle).
class caller {
public:
  using callback = std::function<void(caf::message& answer)>;

  explicit caller(caf::actor_system& sys);
  ~caller(); ///< close()s; may run inside an answer (a callback held the last reference).
  caller(const caller&) = delete;
  caller& operator=(const caller&) = delete;

  /// Sends `request` to `dest` as a request; `on_answer` gets the answer.
  /// An invalid `dest` is answered sec::invalid_argument at once, on this
  /// thread. After close(), `on_answer` is destroyed unrun. Any thread.
  void request(const caf::actor& dest, caf::message request, callback on_answer);

  /// Destroys the callbacks still waiting, unrun; answers that come later
  /// run nothing. Any thread, any number of times.
  void close();

  /// Requests sent and not answered yet.
  std::size_t pending() const;

private:
  /// Shared with the companion's handler, which may outlive the caller.
  struct state {
    std::mutex mutex;
    std::uint64_t last_id = 0;
    bool closed = false;
    std::unordered_map<std::uint64_t, callback> pending;
  };
  static void answer(state& st, caf::mailbox_element& msg);

  std::shared_ptr<state> state_ = std::make_shared<state>();
  caf::actor companion_;
};

} // namespace analysisd
