#include "http/caller.hpp"

#include "persistence/log.hpp"

#include <caf/actor_companion.hpp>
#include <caf/actor_config.hpp>
#include <caf/make_actor.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/message_id.hpp>

namespace analysisd {

caller::caller(caf::actor_system& sys) {
  caf::actor_config cfg;
  companion_ = caf::make_actor<caf::actor_companion>(sys.next_actor_id(), sys.node(), &sys, cfg);
  auto* companion = static_cast<caf::actor_companion*>(caf::actor_cast<caf::abstract_actor*>(companion_));
  // The state, not `this`: the companion lives on while answers are on
  // their way to it, and ~caller may even run inside one of them.
  companion->on_enqueue([st = state_](caf::mailbox_element_ptr msg) { answer(*st, *msg); });
}

caller::~caller() {
  close();
}

void caller::request(const caf::actor& dest, caf::message request, callback on_answer) {
  if (!dest) {
    auto refused = caf::make_message(caf::make_error(caf::sec::invalid_argument));
    on_answer(refused);
    return;
  }
  std::uint64_t id;
  {
    std::lock_guard<std::mutex> lock{state_->mutex};
    if (state_->closed)
      return; // `on_answer` goes unrun, as close() says
    id = ++state_->last_id & caf::message_id::request_id_mask;
    if (id == 0) // never: 2^60 requests
      id = ++state_->last_id & caf::message_id::request_id_mask;
    state_->pending.emplace(id, std::move(on_answer));
  }
  // Registered first: the answer may come before enqueue returns.
  auto mid = caf::make_message_id(caf::normal_message_priority_constant{}, id);
  dest->enqueue(caf::make_mailbox_element(caf::actor_cast<caf::strong_actor_ptr>(companion_), mid,
                                          {}, std::move(request)),
                nullptr);
}

void caller::close() {
  std::unordered_map<std::uint64_t, callback> dropped;
  {
    std::lock_guard<std::mutex> lock{state_->mutex};
    state_->closed = true;
    dropped.swap(state_->pending);
  }
  // Destroyed here, outside the lock: what they hold may answer (owed_answer).
}

std::size_t caller::pending() const {
  std::lock_guard<std::mutex> lock{state_->mutex};
  return state_->pending.size();
}

void caller::answer(state& st, caf::mailbox_element& msg) {
  if (!msg.mid.is_response())
    return; // not an answer (nothing else is sent to a caller)
  callback f;
  {
    std::lock_guard<std::mutex> lock{st.mutex};
    auto i = st.pending.find(msg.mid.integer_value() & caf::message_id::request_id_mask);
    if (i == st.pending.end())
      return;
    f = std::move(i->second);
    st.pending.erase(i);
  }
  // Never into the answering actor's handler, which it would end.
  try {
    auto answer = msg.move_content_to_message();
    f(answer);
  } catch (const std::exception& ex) {
    log_error(std::string{"answering a request failed: "} + ex.what());
  } catch (...) {
    log_error("answering a request failed");
  }
}

} // namespace analysisd
