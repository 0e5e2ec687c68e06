#include "http/connection_gate.hpp"

#include <stdexcept>

namespace analysisd {

connection_gate::connection_gate(std::size_t max_connections, std::size_t acceptors,
                                 std::atomic<std::uint64_t>* open)
  : max_(max_connections), open_(open) {
  waiting_.reserve(acceptors);
}

bool connection_gate::take_slot(acceptor_callback* acceptor, std::size_t index) noexcept {
  std::lock_guard<std::mutex> lock{mutex_};
  if (!free_slot()) {
    // Within the room reserved: each acceptor slot waits at most once.
    waiting_.emplace_back(acceptor, index);
    return false;
  }
  ++accepting_;
  return true;
}

void connection_gate::connection_opened() noexcept {
  std::lock_guard<std::mutex> lock{mutex_};
  --accepting_;
  ++connections_;
  if (open_ != nullptr)
    open_->store(connections_, std::memory_order_relaxed);
}

void connection_gate::connection_closed() noexcept {
  std::pair<acceptor_callback*, std::size_t> woken{nullptr, 0};
  {
    std::lock_guard<std::mutex> lock{mutex_};
    --connections_;
    if (open_ != nullptr)
      open_->store(connections_, std::memory_order_relaxed);
    if (!free_slot() || waiting_.empty())
      return;
    woken = waiting_.front();
    waiting_.erase(waiting_.begin());
  }
  // Posted to the acceptor's own thread, where it asks again.
  woken.first->schedule_next_accept_attempt(woken.second);
}

namespace {
thread_local std::shared_ptr<connection_gate> gate_in_effect;
} // namespace

gate_for_new_servers::gate_for_new_servers(std::shared_ptr<connection_gate> gate) {
  gate_in_effect = std::move(gate);
}

gate_for_new_servers::~gate_for_new_servers() {
  gate_in_effect.reset();
}

std::shared_ptr<connection_gate> gate_for_new_servers::current() {
  if (!gate_in_effect)
    throw std::logic_error("a single-thread RESTinio server made without a connection gate");
  return gate_in_effect;
}

} // namespace analysisd

namespace restinio::connection_count_limits {

connection_count_limiter_t<analysisd::single_thread_executor>::connection_count_limiter_t(
  not_null_pointer_t<impl::acceptor_callback_iface_t> acceptor, max_parallel_connections_t,
  max_active_accepts_t accepts)
  : acceptor_(acceptor), gate_(analysisd::gate_for_new_servers::current()) {
  // One slot: an opened connection then tells which slot's place it takes.
  if (accepts.value() != 1)
    throw std::logic_error("a single-thread RESTinio server accepts on one slot");
}

void connection_count_limiter_t<analysisd::single_thread_executor>::
  increment_parallel_connections() noexcept {
  granted_ = false;
  gate_->connection_opened();
}

void connection_count_limiter_t<analysisd::single_thread_executor>::
  decrement_parallel_connections() noexcept {
  gate_->connection_closed();
}

void connection_count_limiter_t<analysisd::single_thread_executor>::accept_next(
  std::size_t index) noexcept {
  if (!granted_)
    granted_ = gate_->take_slot(acceptor_, index);
  if (granted_)
    acceptor_->call_accept_now(index);
}

} // namespace restinio::connection_count_limits
