// request_deadlines (actors/request_deadlines.hpp): a request with no answer
// by its due time fails with request_timeout, never sooner; an answered one
// leaves nothing to time out; an answer after the timeout is dropped; the
// book is empty once every request is settled.

#include "actors/request_deadlines.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd;
using namespace std::chrono_literals;

namespace {

using ask_atom = caf::atom_constant<caf::atom("ask")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using count_atom = caf::atom_constant<caf::atom("count")>;

// Holds every "ask" until "release", which answers them all with "pong" (and
// answers the releaser with how many). Answers leave in the order they are
// released, before the releaser's own answer.
using held_answers = std::vector<caf::typed_response_promise<std::string>>;

caf::behavior held_peer(caf::stateful_actor<held_answers>* self) {
  return {
    [=](ask_atom) {
      auto rp = self->make_response_promise<std::string>();
      self->state.push_back(rp);
      return rp;
    },
    [=](release_atom) {
      auto held = std::move(self->state);
      self->state.clear();
      for (auto& rp : held)
        rp.deliver(std::string{"pong"});
      return static_cast<int>(held.size());
    },
  };
}

struct asker_state {
  request_deadlines book;
  int answers = 0; // every call of on_ok or on_error
};

// On ("ask", peer, due): asks `peer` with request_until, due in `due_ms`, and
// answers with what came ("pong", "timeout" or the error's text) and how long
// it took. On "count": how many answers its handlers got, and whether the
// book is empty.
caf::behavior asker(caf::stateful_actor<asker_state>* self) {
  return {
    [=](deadline_tick_atom) { on_deadline_tick(self, self->state.book); },
    [=](ask_atom, caf::actor peer, int due_ms) {
      auto rp = self->make_response_promise<std::string, std::int64_t>();
      auto start = request_deadlines::clock::now();
      auto took = [start] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                 request_deadlines::clock::now() - start)
          .count();
      };
      request_until<std::string>(
        self, self->state.book, start + std::chrono::milliseconds(due_ms), peer,
        [=](std::string& x) mutable {
          ++self->state.answers;
          rp.deliver(x, took());
        },
        [=](caf::error& err) mutable {
          ++self->state.answers;
          rp.deliver(err == caf::sec::request_timeout ? std::string{"timeout"}
                                                       : self->system().render(err),
                     took());
        },
        ask_atom::value);
      return rp;
    },
    [=](count_atom) { return std::make_tuple(self->state.answers, self->state.book.empty()); },
  };
}

// Timing: no bound here depends on how fast the machine is (the sanitized
// suites run in parallel on 2 cores), except that a timeout never comes
// before its due time.
class request_deadlines_test : public ::testing::Test {
protected:
  std::pair<std::string, std::int64_t> ask(int due_ms) {
    std::pair<std::string, std::int64_t> out;
    caf::scoped_actor self{sys_};
    self->request(asker_, 120s, ask_atom::value, peer_, due_ms)
      .receive([&](std::string& what, std::int64_t took) { out = {what, took}; },
               [&](caf::error& err) { out = {sys_.render(err), -1}; });
    return out;
  }
  // Releases the held asks; their answers reach the asker before anything
  // asked of it after this returns.
  int release() {
    int n = -1;
    caf::scoped_actor self{sys_};
    self->request(peer_, 120s, release_atom::value).receive([&](int x) { n = x; }, [&](caf::error&) {});
    return n;
  }
  std::pair<int, bool> count() {
    std::pair<int, bool> out{-1, false};
    caf::scoped_actor self{sys_};
    self->request(asker_, 120s, count_atom::value)
      .receive([&](int n, bool empty) { out = {n, empty}; }, [&](caf::error&) {});
    return out;
  }

  caf::actor_system_config cfg_;
  caf::actor_system sys_{cfg_};
  caf::actor peer_ = sys_.spawn(held_peer);
  caf::actor asker_ = sys_.spawn(asker);
};

} // namespace

TEST_F(request_deadlines_test, an_answer_in_time_is_delivered_and_leaves_nothing_to_expire) {
  std::pair<std::string, std::int64_t> out;
  std::thread asking{[&] { out = ask(600'000); }};
  while (release() == 0) // until the ask is held
    std::this_thread::sleep_for(10ms);
  asking.join();
  EXPECT_EQ(out.first, "pong");
  // The handlers ran once, and nothing is left that could time out later.
  EXPECT_EQ(count(), std::make_pair(1, true));
}

TEST_F(request_deadlines_test, no_answer_by_the_due_time_fails_with_request_timeout) {
  auto [what, took] = ask(200);
  EXPECT_EQ(what, "timeout");
  EXPECT_GE(took, 200);
  // The answer that comes afterwards is dropped: the handlers ran once.
  EXPECT_EQ(release(), 1);
  EXPECT_EQ(count(), std::make_pair(1, true));
}

TEST_F(request_deadlines_test, requests_due_at_different_times_each_end_at_their_own) {
  // Four at once (one tick is armed for all): three time out, each no
  // sooner than it was due; the fourth, due much later, gets its answer.
  const int due_ms[] = {200, 400, 800, 600'000};
  std::vector<std::pair<std::string, std::int64_t>> out(4);
  std::vector<std::thread> askers;
  for (int i = 0; i < 4; ++i)
    askers.emplace_back([&, i] { out[i] = ask(due_ms[i]); });
  for (int i = 0; i < 3; ++i)
    askers[i].join();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(out[i].first, "timeout") << i;
    EXPECT_GE(out[i].second, due_ms[i]) << i;
  }
  // All four are held by then, or the last one soon.
  for (int released = 0; released < 4; released += release())
    std::this_thread::sleep_for(10ms);
  askers[3].join();
  EXPECT_EQ(out[3].first, "pong");
  EXPECT_EQ(count(), std::make_pair(4, true));
}
