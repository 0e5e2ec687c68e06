// http/caller.hpp: requests from threads that are not actors, answered on
// the answering actor's thread.

#include "http/caller.hpp"

#include "actors/protocol.hpp"
#include "tests/actors/helpers.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd;
using namespace analysisd::test;

namespace {

using answer_atom = caf::atom_constant<caf::atom("answer")>;

// Echoes a get of `id` as "doc:<id>", refuses "missing" with not_found, and
// keeps the promise of "later" until told to answer it.
struct echo_state {
  std::vector<caf::typed_response_promise<std::string>> later;
};

caf::behavior echo(caf::stateful_actor<echo_state>* self) {
  return {
    [=](get_atom, const std::string& id) -> caf::result<std::string> {
      if (id == "missing")
        return make_error(errc::not_found);
      if (id == "later") {
        self->state.later.push_back(self->make_response_promise<std::string>());
        return self->state.later.back();
      }
      return "doc:" + id;
    },
    [=](answer_atom) {
      for (auto& rp : self->state.later)
        rp.deliver(std::string{"late"});
      self->state.later.clear();
    },
  };
}

struct call_outcome {
  std::string doc;
  std::uint8_t code = 0; ///< analysisd's code of the error, 0xff for any other error.
  std::string error;
};

// What `c` gets for (get, id) from `dest`, within 10 s.
call_outcome ask(caller& c, const caf::actor& dest, const std::string& id) {
  auto done = std::make_shared<std::promise<call_outcome>>();
  auto got = done->get_future();
  c.request(dest, caf::make_message(get_atom::value, id), [done](caf::message& answer) {
    call_outcome o;
    if (answer.match_elements<std::string>()) {
      o.doc = answer.get_as<std::string>(0);
    } else if (answer.match_elements<caf::error>()) {
      auto& err = answer.get_as<caf::error>(0);
      o.code = code_of(err) == 0 ? 0xff : code_of(err);
      o.error = caf::to_string(err);
    }
    done->set_value(o);
  });
  if (got.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
    return call_outcome{"", 0xfe, "no answer"};
  return got.get();
}

// Has `dest` answer the requests whose callbacks a caller dropped: the
// answers go nowhere (`ran` stays false), and `dest` still serves others.
void answer_late(caf::actor_system& sys, const caf::actor& dest, const bool& ran) {
  caf::scoped_actor self{sys};
  self->send(dest, answer_atom::value);
  caller other{sys};
  EXPECT_EQ(ask(other, dest, "efgh5678").doc, "doc:efgh5678");
  EXPECT_FALSE(ran);
}

} // namespace

TEST(caller, answers_and_errors_reach_the_request_callback) {
  caf::actor_system sys{test_config()};
  caller c{sys};
  auto dest = sys.spawn(echo);
  auto ok = ask(c, dest, "abcd1234");
  EXPECT_EQ(ok.doc, "doc:abcd1234");
  EXPECT_EQ(ok.code, 0);
  auto missing = ask(c, dest, "missing");
  EXPECT_EQ(missing.code, static_cast<std::uint8_t>(errc::not_found));
  EXPECT_EQ(c.pending(), 0u);
  caf::anon_send_exit(dest, caf::exit_reason::user_shutdown);
}

TEST(caller, a_request_to_an_actor_that_is_gone_is_answered_receiver_down) {
  caf::actor_system sys{test_config()};
  caller c{sys};
  auto dest = sys.spawn(echo);
  {
    caf::scoped_actor self{sys};
    self->monitor(dest);
    self->send_exit(dest, caf::exit_reason::kill);
    self->receive([](caf::down_msg&) {});
  }
  auto gone = ask(c, dest, "abcd1234");
  EXPECT_EQ(gone.code, 0xff);
  EXPECT_NE(gone.error.find("request_receiver_down"), std::string::npos) << gone.error;
  EXPECT_EQ(c.pending(), 0u);
}

TEST(caller, threads_asking_at_once_each_get_their_own_answers) {
  caf::actor_system sys{test_config()};
  caller c{sys};
  auto dest = sys.spawn(echo);
  constexpr int threads = 4, requests = 300;
  std::atomic<int> wrong{0}, answered{0};
  std::vector<std::thread> askers;
  for (int t = 0; t < threads; ++t)
    askers.emplace_back([&, t] {
      std::vector<std::shared_ptr<std::promise<void>>> all;
      for (int k = 0; k < requests; ++k) {
        auto id = std::to_string(t) + "-" + std::to_string(k);
        auto done = std::make_shared<std::promise<void>>();
        all.push_back(done);
        c.request(dest, caf::make_message(get_atom::value, id), [&, id, done](caf::message& a) {
          if (!a.match_elements<std::string>() || a.get_as<std::string>(0) != "doc:" + id)
            ++wrong;
          ++answered;
          done->set_value();
        });
      }
      for (auto& done : all)
        done->get_future().wait_for(std::chrono::seconds(10));
    });
  for (auto& a : askers)
    a.join();
  EXPECT_EQ(answered.load(), threads * requests);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(c.pending(), 0u);
  caf::anon_send_exit(dest, caf::exit_reason::user_shutdown);
}

// Its owner (the HTTP context) goes first: what it still held is dropped
// unrun (the handlers' owed_answer then answers 503), and an answer that
// comes afterwards touches nothing of it (ASan would say).
TEST(caller, a_caller_that_goes_drops_its_callbacks_unrun_and_ignores_later_answers) {
  caf::actor_system sys{test_config()};
  auto dest = sys.spawn(echo);
  auto dropped = std::make_shared<bool>(false);
  bool ran = false;
  {
    struct on_drop {
      std::shared_ptr<bool> flag;
      ~on_drop() {
        if (flag)
          *flag = true;
      }
    };
    auto guard = std::make_shared<on_drop>();
    guard->flag = dropped;
    caller c{sys};
    c.request(dest, caf::make_message(get_atom::value, std::string{"later"}),
              [guard, &ran](caf::message&) { ran = true; });
    guard.reset();
    // The request is with `dest` (its promise kept) before the caller goes.
    EXPECT_EQ(ask(c, dest, "abcd1234").doc, "doc:abcd1234");
    EXPECT_EQ(c.pending(), 1u);
    EXPECT_FALSE(*dropped);
  }
  EXPECT_TRUE(*dropped);
  answer_late(sys, dest, ran);
  caf::anon_send_exit(dest, caf::exit_reason::user_shutdown);
}

TEST(caller, an_invalid_destination_is_answered_at_once) {
  caf::actor_system sys{test_config()};
  caller c{sys};
  std::string error;
  c.request(caf::actor{}, caf::make_message(get_atom::value, std::string{"abcd1234"}),
            [&](caf::message& a) {
              if (a.match_elements<caf::error>())
                error = caf::to_string(a.get_as<caf::error>(0));
            });
  EXPECT_NE(error.find("invalid_argument"), std::string::npos) << error;
  EXPECT_EQ(c.pending(), 0u);
}

namespace {

// What owns a caller and is held by the callbacks of its requests, as the
// HTTP context is.
struct owner {
  explicit owner(caf::actor_system& sys) : calls(sys) {
  }
  caller calls;
};

} // namespace

// A callback that holds its caller's owner keeps it alive until close():
// then the owner goes, with the callback unrun.
TEST(caller, close_drops_the_callbacks_that_hold_the_caller) {
  caf::actor_system sys{test_config()};
  auto dest = sys.spawn(echo);
  auto o = std::make_shared<owner>(sys);
  std::weak_ptr<owner> watch = o;
  bool ran = false;
  o->calls.request(dest, caf::make_message(get_atom::value, std::string{"later"}),
                   [o, &ran](caf::message&) { ran = true; });
  auto* calls = &o->calls;
  o.reset();
  EXPECT_FALSE(watch.expired()) << "the callback holds it";
  calls->close();
  EXPECT_TRUE(watch.expired());
  answer_late(sys, dest, ran);
  caf::anon_send_exit(dest, caf::exit_reason::user_shutdown);
}

// The answer's callback held the last reference to the owner: the caller
// goes inside the answer, on the answering actor's thread, and that ends.
TEST(caller, a_caller_can_go_inside_an_answer) {
  caf::actor_system sys{test_config()};
  auto dest = sys.spawn(echo);
  auto o = std::make_shared<owner>(sys);
  std::weak_ptr<owner> watch = o;
  auto done = std::make_shared<std::promise<void>>();
  auto ran = done->get_future();
  o->calls.request(dest, caf::make_message(get_atom::value, std::string{"abcd1234"}),
                   [o, done](caf::message&) mutable {
                     o.reset(); // the last reference: the caller goes now, inside the answer
                     done->set_value();
                   });
  o.reset();
  ASSERT_EQ(ran.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  for (int k = 0; k < 1000 && !watch.expired(); ++k)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE(watch.expired());
  caller other{sys};
  EXPECT_EQ(ask(other, dest, "efgh5678").doc, "doc:efgh5678") << "the answering actor goes on";
  caf::anon_send_exit(dest, caf::exit_reason::user_shutdown);
}
