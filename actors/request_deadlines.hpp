#pragma once

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/local_actor.hpp>
#include <caf/message_id.hpp>

#include <chrono>
#include <unordered_map>

namespace analysisd {

/// Bounds an actor's requests in time without CAF's per-request timeouts.
///
/// Why: in CAF 0.17 a request with a timeout hands two events (set, and
/// cancel on the answer) to the actor clock's thread, which wakes for each.
/// On a path that forwards every request (cluster_router, peer_link) those
/// wake-ups were a tenth of a node's CPU. Here a request is sent with
/// `caf::infinite`, its answer's id is noted with its due time, and one timer
/// of the actor's own (a tick every `tick`, while any is noted) fails each
/// request past due exactly as CAF's clock would: its response handler gets
/// `sec::request_timeout`, and a later answer is dropped. A request is failed
/// at most one tick late.
///
/// The owning actor calls everything from its own thread; `request_until`
/// and `on_deadline_tick` below do it all for an actor whose interface has
/// `caf::reacts_to<deadline_tick_atom>`.
class request_deadlines {
public:
  using clock = std::chrono::steady_clock;

  /// How often the owner's tick comes while a request is noted.
  static constexpr auto tick = std::chrono::milliseconds(50);

  /// Notes the request whose answer has id `response_id`, due by `due`.
  /// Returns true when no tick is armed: the owner arms one.
  bool note(caf::message_id response_id, clock::time_point due);

  /// Forgets the request (its answer came, or its timeout did).
  void answered(caf::message_id response_id);

  /// Fails every noted request due by `now` with `sec::request_timeout` (an
  /// error enqueued to `self` as its answer). Returns whether requests are
  /// still noted: then the owner arms its next tick (else the next `note`
  /// says to).
  bool expire(caf::local_actor* self, clock::time_point now);

  /// Whether no request is noted (every one answered or timed out).
  bool empty() const {
    return due_.empty();
  }

private:
  std::unordered_map<caf::message_id, clock::time_point> due_;
  bool ticking_ = false;
};

/// The tick of an actor that bounds its requests with request_deadlines.
using deadline_tick_atom = caf::atom_constant<caf::atom("dl_tick")>;

/// Sends `xs...` to `dest` as a request of `self` that fails with
/// `sec::request_timeout` if it has no answer by `due`; the answer goes to
/// `on_ok(R&)` or `on_error(caf::error&)`. Call on `self`'s thread.
template <class R, class Self, class Dest, class OnOk, class OnError, class... Ts>
void request_until(Self* self, request_deadlines& book, request_deadlines::clock::time_point due,
                   const Dest& dest, OnOk on_ok, OnError on_error, Ts&&... xs) {
  auto sent = self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
  auto answer = sent.id();
  if (book.note(answer, due))
    self->delayed_send(self, request_deadlines::tick, deadline_tick_atom::value);
  auto noted = &book; // in self's state: lives as long as the handlers
  sent.then(
    [=](R& x) mutable {
      noted->answered(answer);
      on_ok(x);
    },
    [=](caf::error& err) mutable {
      noted->answered(answer);
      on_error(err);
    });
}

/// `self`'s handler of deadline_tick_atom.
template <class Self>
void on_deadline_tick(Self* self, request_deadlines& book) {
  if (book.expire(self, request_deadlines::clock::now()))
    self->delayed_send(self, request_deadlines::tick, deadline_tick_atom::value);
}

} // namespace analysisd
