// One limit on connections for the servers of all HTTP threads
// (http/connection_gate.hpp), driven as RESTinio's acceptors drive their
// limiter. Over HTTP: e2e_hardening_limits.

#include "http/connection_gate.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <vector>

using analysisd::connection_gate;
using analysisd::gate_for_new_servers;
using limiter = restinio::connection_count_limits::connection_count_limiter_t<
  analysisd::single_thread_executor>;

namespace {

// An acceptor that notes what its limiter tells it.
struct fake_acceptor : analysisd::acceptor_callback {
  int accepts = 0; ///< call_accept_now
  int wakes = 0;   ///< schedule_next_accept_attempt
  void call_accept_now(std::size_t) noexcept override {
    ++accepts;
  }
  void schedule_next_accept_attempt(std::size_t) noexcept override {
    ++wakes;
  }
};

struct two_servers {
  explicit two_servers(std::size_t max)
    : gate(std::make_shared<connection_gate>(max, 2, &open)) {
    gate_for_new_servers in_effect{gate};
    a = std::make_unique<limiter>(&acceptor_a, max_parallel(max), one_slot());
    b = std::make_unique<limiter>(&acceptor_b, max_parallel(max), one_slot());
  }
  static restinio::connection_count_limits::max_parallel_connections_t max_parallel(std::size_t n) {
    return restinio::connection_count_limits::max_parallel_connections_t{n};
  }
  static restinio::connection_count_limits::max_active_accepts_t one_slot() {
    return restinio::connection_count_limits::max_active_accepts_t{1};
  }
  std::atomic<std::uint64_t> open{0}; ///< The gauge the gate keeps.
  std::shared_ptr<connection_gate> gate;
  fake_acceptor acceptor_a, acceptor_b;
  std::unique_ptr<limiter> a, b;
};

} // namespace

TEST(connection_gate, the_servers_share_one_limit_and_wait_in_turn_for_a_free_slot) {
  two_servers s{2};
  s.a->accept_next(0);
  EXPECT_EQ(s.acceptor_a.accepts, 1);
  s.a->increment_parallel_connections();
  s.b->accept_next(0);
  EXPECT_EQ(s.acceptor_b.accepts, 1);
  s.b->increment_parallel_connections();
  EXPECT_EQ(s.open.load(), 2u);

  // Both full: each waits, neither accepts.
  s.b->accept_next(0);
  s.a->accept_next(0);
  EXPECT_EQ(s.acceptor_a.accepts, 1);
  EXPECT_EQ(s.acceptor_b.accepts, 1);

  // A connection of A's ends: the first to wait, B, is woken, and only B.
  s.a->decrement_parallel_connections();
  EXPECT_EQ(s.acceptor_b.wakes, 1);
  EXPECT_EQ(s.acceptor_a.wakes, 0);
  s.b->accept_next(0);
  EXPECT_EQ(s.acceptor_b.accepts, 2);
  s.b->increment_parallel_connections();
  // Then A, at the next end.
  s.b->decrement_parallel_connections();
  EXPECT_EQ(s.acceptor_a.wakes, 1);
  EXPECT_EQ(s.open.load(), 1u);
}

TEST(connection_gate, an_accept_that_opens_no_connection_keeps_its_slot) {
  // A connection reset while queued fails at remote_endpoint, and RESTinio's
  // acceptor asks again without opening it. RESTinio's own limiter lost the
  // slot each time; one reset then stopped a server with a limit of one.
  two_servers s{1};
  for (int k = 1; k <= 5; ++k) {
    s.a->accept_next(0);
    EXPECT_EQ(s.acceptor_a.accepts, k);
  }
  EXPECT_EQ(s.open.load(), 0u);
  // The slot is A's: B waits.
  s.b->accept_next(0);
  EXPECT_EQ(s.acceptor_b.accepts, 0);
  s.a->increment_parallel_connections();
  s.a->accept_next(0);
  EXPECT_EQ(s.acceptor_a.accepts, 5);
  s.a->decrement_parallel_connections();
  EXPECT_EQ(s.acceptor_b.wakes, 1);
}

TEST(connection_gate, a_server_is_made_only_with_a_gate_and_one_accept_slot) {
  fake_acceptor acceptor;
  EXPECT_THROW(limiter(&acceptor, two_servers::max_parallel(4), two_servers::one_slot()),
               std::logic_error);
  gate_for_new_servers in_effect{std::make_shared<connection_gate>(4, 1)};
  EXPECT_THROW(limiter(&acceptor, two_servers::max_parallel(4),
                       restinio::connection_count_limits::max_active_accepts_t{2}),
               std::logic_error);
  EXPECT_NO_THROW(limiter(&acceptor, two_servers::max_parallel(4), two_servers::one_slot()));
}
