#include "http/caller.hpp"

#include "persistence/log.hpp"

#include <caf/actor_companion.hpp>
#include <caf/actor_config.hpp>
#include <caf/make_actor.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/message_id.hpp>

namespace analysisd {

namespace {

caf::actor_companion* companion_of(const caf::actor& handle) {
  return static_cast<caf::actor_companion*>(caf::actor_cast<caf::abstract_actor*>(handle));
}

} // namespace

caller::caller(caf::actor_system& sys) {
  caf::actor_config cfg;
  companion_ = caf::make_actor<caf::actor_companion>(sys.next_actor_id(), sys.node(), &sys, cfg);
  companion_of(companion_)->on_enqueue([this](caf::mailbox_element_ptr msg) { answer(*msg); });
}

caller::~caller() {
  // Under the companion's lock: no answer runs now or later with `this`.
  companion_of(companion_)->on_enqueue([](caf::mailbox_element_ptr) {});
}

void caller::request(const caf::actor& dest, caf::message request, callback on_answer) {
  std::uint64_t id;
  {
    std::lock_guard<std::mutex> lock{mutex_};
    id = ++last_id_ & caf::message_id::request_id_mask;
    if (id == 0) // never: 2^60 requests
      id = ++last_id_ & caf::message_id::request_id_mask;
    pending_.emplace(id, std::move(on_answer));
  }
  // Registered first: the answer may come before enqueue returns.
  auto mid = caf::make_message_id(caf::normal_message_priority_constant{}, id);
  dest->enqueue(caf::make_mailbox_element(caf::actor_cast<caf::strong_actor_ptr>(companion_), mid,
                                          {}, std::move(request)),
                nullptr);
}

std::size_t caller::pending() const {
  std::lock_guard<std::mutex> lock{mutex_};
  return pending_.size();
}

void caller::answer(caf::mailbox_element& msg) {
  if (!msg.mid.is_response())
    return; // not an answer (nothing else is sent to a caller)
  callback f;
  {
    std::lock_guard<std::mutex> lock{mutex_};
    auto i = pending_.find(msg.mid.integer_value() & caf::message_id::request_id_mask);
    if (i == pending_.end())
      return;
    f = std::move(i->second);
    pending_.erase(i);
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
