#include "actors/request_deadlines.hpp"

#include <caf/error.hpp>
#include <caf/sec.hpp>

#include <vector>

namespace analysisd {

bool request_deadlines::note(caf::message_id response_id, clock::time_point due) {
  due_[response_id] = due;
  if (ticking_)
    return false;
  ticking_ = true;
  return true;
}

void request_deadlines::answered(caf::message_id response_id) {
  due_.erase(response_id);
}

bool request_deadlines::expire(caf::local_actor* self, clock::time_point now) {
  std::vector<caf::message_id> overdue;
  for (auto& [id, due] : due_)
    if (due <= now)
      overdue.push_back(id);
  for (auto id : overdue) {
    due_.erase(id);
    // What CAF's clock enqueues for a request timeout.
    self->eq_impl(id, nullptr, nullptr,
                  caf::make_error(caf::sec::request_timeout));
  }
  ticking_ = !due_.empty();
  return ticking_;
}

} // namespace analysisd
