// request_deadlines (actors/request_deadlines.hpp): a request with no answer
// by its due time fails with request_timeout, about then; an answered one
// never does; an answer after the timeout is dropped; the book is empty once
// every request is settled.

#include "actors/request_deadlines.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd;
using namespace std::chrono_literals;

namespace {

using ask_atom = caf::atom_constant<caf::atom("ask")>;
using answer_atom = caf::atom_constant<caf::atom("answer")>;
using count_atom = caf::atom_constant<caf::atom("count")>;

struct slow_peer_state {
  std::map<int, caf::typed_response_promise<std::string>> owed;
  int next = 0;
};

// Answers "ask" with "pong" after the delay it is given.
caf::behavior slow_peer(caf::stateful_actor<slow_peer_state>* self) {
  return {
    [=](ask_atom, int delay_ms) {
      auto rp = self->make_response_promise<std::string>();
      auto n = self->state.next++;
      self->state.owed.emplace(n, rp);
      self->delayed_send(self, std::chrono::milliseconds(delay_ms), answer_atom::value, n);
      return rp;
    },
    [=](answer_atom, int n) {
      auto i = self->state.owed.find(n);
      i->second.deliver(std::string{"pong"});
      self->state.owed.erase(i);
    },
  };
}

struct asker_state {
  request_deadlines book;
  int answers = 0; // every call of on_ok or on_error
};

// On ("go", peer, delay, due): asks `peer` with request_until, due in
// `due_ms`, and answers with what came ("pong" or the error's text) and how
// long it took. On "count": how many answers its handlers got, and whether
// the book is empty.
caf::behavior asker(caf::stateful_actor<asker_state>* self) {
  return {
    [=](deadline_tick_atom) { on_deadline_tick(self, self->state.book); },
    [=](ask_atom, caf::actor peer, int delay_ms, int due_ms) {
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
        ask_atom::value, delay_ms);
      return rp;
    },
    [=](count_atom) { return std::make_tuple(self->state.answers, self->state.book.empty()); },
  };
}

class request_deadlines_test : public ::testing::Test {
protected:
  std::pair<std::string, std::int64_t> ask(int delay_ms, int due_ms) {
    std::pair<std::string, std::int64_t> out;
    caf::scoped_actor self{sys_};
    self->request(asker_, 30s, ask_atom::value, peer_, delay_ms, due_ms)
      .receive([&](std::string& what, std::int64_t took) { out = {what, took}; },
               [&](caf::error& err) { out = {sys_.render(err), -1}; });
    return out;
  }
  std::pair<int, bool> count() {
    std::pair<int, bool> out{-1, false};
    caf::scoped_actor self{sys_};
    self->request(asker_, 30s, count_atom::value)
      .receive([&](int n, bool empty) { out = {n, empty}; }, [&](caf::error&) {});
    return out;
  }

  caf::actor_system_config cfg_;
  caf::actor_system sys_{cfg_};
  caf::actor peer_ = sys_.spawn(slow_peer);
  caf::actor asker_ = sys_.spawn(asker);
};

} // namespace

TEST_F(request_deadlines_test, an_answer_in_time_is_delivered_and_never_times_out) {
  auto [what, took] = ask(10, 400);
  EXPECT_EQ(what, "pong");
  EXPECT_LT(took, 400);
  // Past its due time: the handlers ran once, nothing is left to expire.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(count(), std::make_pair(1, true));
}

TEST_F(request_deadlines_test, no_answer_by_the_due_time_fails_with_request_timeout) {
  auto [what, took] = ask(3000, 200);
  EXPECT_EQ(what, "timeout");
  EXPECT_GE(took, 200);
  // At most a tick late; the bound allows for a loaded (sanitized) machine.
  EXPECT_LT(took, 1500);
  // The answer that comes afterwards is dropped: the handlers ran once.
  std::this_thread::sleep_for(3000ms);
  EXPECT_EQ(count(), std::make_pair(1, true));
}

TEST_F(request_deadlines_test, requests_due_at_different_times_each_end_at_their_own) {
  // Several at once (the tick is armed once), due in turn; the slow peer
  // answers, after 600 ms, those due late enough.
  const int due_ms[] = {200, 1400, 1800, 2200};
  std::vector<std::thread> askers;
  std::vector<std::pair<std::string, std::int64_t>> out(4);
  for (int i = 0; i < 4; ++i)
    askers.emplace_back([&, i] { out[i] = ask(600, due_ms[i]); });
  for (auto& t : askers)
    t.join();
  EXPECT_EQ(out[0].first, "timeout");
  EXPECT_EQ(out[1].first, "pong");
  EXPECT_EQ(out[2].first, "pong");
  EXPECT_EQ(out[3].first, "pong");
  EXPECT_EQ(count(), std::make_pair(4, true));
}
