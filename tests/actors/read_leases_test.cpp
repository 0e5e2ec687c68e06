// Read leases (actors/read_leases.hpp): the owner's book records a grant only
// when its decision grants one, hands each grant to one revocation, and
// forgets expired ones; a replica answers only its job with its key until
// its lease ends; the revoker answers once the holder confirmed, and never
// before the lease of a holder that cannot confirm ran out.

#include "actors/read_leases.hpp"
#include "tests/actors/helpers.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

using namespace analysisd;
using namespace std::chrono_literals;

namespace {

caf::actor silent_holder(caf::actor_system& sys) {
  // Takes revocations and never answers them.
  return sys.spawn([](caf::event_based_actor* self) -> caf::behavior {
    auto held = std::make_shared<std::vector<caf::response_promise>>();
    return {[=](invalidate_atom, const std::vector<std::string>&) {
      held->push_back(self->make_response_promise());
      return caf::delegated<bool>{};
    }};
  });
}

// Sends (revoke_atom, x) to `revoker`; how long the answer took.
template <class T>
std::chrono::steady_clock::duration revoke(caf::actor_system& sys, const caf::actor& revoker,
                                           T x) {
  caf::scoped_actor self{sys};
  auto start = std::chrono::steady_clock::now();
  bool answered = false;
  self->request(revoker, 30s, revoke_atom::value, x)
    .receive([&](bool ok) { answered = ok; }, [&](caf::error&) {});
  EXPECT_TRUE(answered);
  return std::chrono::steady_clock::now() - start;
}

struct revoker_fixture {
  explicit revoker_fixture(caf::actor_system& sys) : leases(std::make_shared<read_leases>()) {
    leases->revoker = spawn_lease_revoker(sys, leases);
  }
  ~revoker_fixture() {
    caf::anon_send_exit(leases->revoker, caf::exit_reason::user_shutdown);
  }
  std::shared_ptr<read_leases> leases;
};

} // namespace

TEST(read_leases, a_grant_is_recorded_only_when_decided_and_kept_until_confirmed) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto holder = silent_holder(sys);
  lease_book book;
  auto none = book.grant("a1", 3, holder, [] { return 0ms; });
  EXPECT_EQ(none.count(), 0);
  EXPECT_FALSE(book.any("a1"));
  auto lease = book.grant("a1", 3, holder, [] { return 500ms; });
  EXPECT_EQ(lease, 500ms);
  EXPECT_TRUE(book.any("a1"));
  EXPECT_FALSE(book.any("a2"));
  auto first = book.pending("a1");
  ASSERT_EQ(first.size(), 1u);
  // The same holder again: one grant, the later end.
  book.grant("a1", 3, holder, [] { return 800ms; });
  auto pending = book.pending("a1");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].holder, holder);
  // The owner waits at least as long as the holder may keep it.
  EXPECT_GE(pending[0].until, lease_clock::now() + 790ms);
  // Being revoked, it still counts: a second change waits for it too.
  EXPECT_TRUE(book.any("a1"));
  // A confirmation of the earlier grant does not forget the later one.
  book.confirm("a1", holder, first[0].until);
  EXPECT_TRUE(book.any("a1"));
  book.confirm("a1", holder, pending[0].until);
  EXPECT_FALSE(book.any("a1"));
  EXPECT_TRUE(book.pending("a1").empty());
  caf::anon_send_exit(holder, caf::exit_reason::user_shutdown);
}

TEST(read_leases, expired_grants_are_neither_pending_nor_kept) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto holder = silent_holder(sys);
  lease_book book;
  book.grant("a1", 0, holder, [] { return 1ms; });
  book.grant("a2", 0, holder, [] { return 60000ms; });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(book.any("a1"));
  EXPECT_TRUE(book.pending("a1").empty());
  EXPECT_EQ(book.sweep(), 1u);
  EXPECT_EQ(book.pending("a2").size(), 1u);
  caf::anon_send_exit(holder, caf::exit_reason::user_shutdown);
}

TEST(read_leases, a_shard_s_grants_are_listed_by_holder) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto h1 = silent_holder(sys);
  auto h2 = silent_holder(sys);
  lease_book book;
  book.grant("a1", 7, h1, [] { return 1000ms; });
  book.grant("a2", 7, h1, [] { return 2000ms; });
  book.grant("a2", 7, h2, [] { return 1000ms; });
  book.grant("b1", 8, h1, [] { return 1000ms; });
  auto held = book.pending_shard(7);
  ASSERT_EQ(held.size(), 2u);
  auto& first = held[0].holder == h1 ? held[0] : held[1];
  auto& second = held[0].holder == h1 ? held[1] : held[0];
  EXPECT_EQ(first.grants.size(), 2u);
  EXPECT_GE(first.until, lease_clock::now() + 1900ms); // the latest of them
  ASSERT_EQ(second.grants.size(), 1u);
  EXPECT_EQ(second.grants[0].first, "a2");
  for (auto& h : held)
    for (auto& [id, until] : h.grants)
      book.confirm(id, h.holder, until);
  EXPECT_FALSE(book.any("a1"));
  EXPECT_FALSE(book.any("a2"));
  EXPECT_TRUE(book.any("b1"));
  EXPECT_TRUE(book.pending_shard(7).empty());
  for (auto& h : {h1, h2})
    caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
}

TEST(read_leases, a_replica_answers_only_its_job_with_its_key_until_its_lease_ends) {
  read_leases leases;
  auto owner = job_credential("job1", "key1");
  replica r;
  r.view = make_analysis_view(R"({"id":"a1"})", "job1");
  r.key_hash = owner.key_hash;
  r.until = lease_clock::now() + 200ms;
  leases.replicas.publish("a1", r);
  auto read = read_from_replicas(leases, owner, "a1");
  ASSERT_TRUE(read);
  ASSERT_TRUE(read->document);
  EXPECT_EQ(*read->document, R"({"id":"a1"})");
  EXPECT_EQ(read->etag, document_etag(R"({"id":"a1"})"));
  // Its etag named: no document.
  auto etag = read->etag;
  auto not_modified = read_from_replicas(leases, owner, "a1",
                                         [&](const std::string& e) { return e == etag; });
  ASSERT_TRUE(not_modified);
  EXPECT_FALSE(not_modified->document);
  // Anyone else goes to the owner: a wrong key, another job, an operator,
  // another analysis.
  EXPECT_FALSE(read_from_replicas(leases, job_credential("job1", "key2"), "a1"));
  EXPECT_FALSE(read_from_replicas(leases, job_credential("job2", "key1"), "a1"));
  EXPECT_FALSE(read_from_replicas(leases, admin_credential(), "a1"));
  EXPECT_FALSE(read_from_replicas(leases, owner, "a2"));
  std::this_thread::sleep_for(250ms);
  EXPECT_FALSE(read_from_replicas(leases, owner, "a1")) << "the lease ended";
}

TEST(read_leases, the_revoker_answers_once_the_holder_confirmed) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  revoker_fixture f{sys};
  auto seen = std::make_shared<std::vector<std::string>>();
  auto holder = sys.spawn([seen](caf::event_based_actor*) -> caf::behavior {
    return {[seen](invalidate_atom, const std::vector<std::string>& ids) {
      seen->insert(seen->end(), ids.begin(), ids.end());
      return true;
    }};
  });
  f.leases->granted.grant("a1", 1, holder, [] { return 60000ms; });
  auto took = revoke(sys, f.leases->revoker, std::string{"a1"});
  EXPECT_LT(took, 30s); // answered by the holder, not by the lease's end
  EXPECT_EQ(*seen, std::vector<std::string>{"a1"});
  EXPECT_FALSE(f.leases->granted.any("a1"));
  // A shard: each holder once, with all its analyses of the shard.
  f.leases->granted.grant("b1", 2, holder, [] { return 60000ms; });
  f.leases->granted.grant("b2", 2, holder, [] { return 60000ms; });
  revoke(sys, f.leases->revoker, std::uint32_t{2});
  EXPECT_EQ(seen->size(), 3u);
  // Nothing granted: answered at once.
  revoke(sys, f.leases->revoker, std::string{"zz"});
  caf::anon_send_exit(holder, caf::exit_reason::user_shutdown);
}

TEST(read_leases, a_holder_that_cannot_confirm_is_waited_out_never_less) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  revoker_fixture f{sys};
  auto silent = silent_holder(sys);
  auto gone = silent_holder(sys);
  caf::anon_send_exit(gone, caf::exit_reason::kill);
  std::this_thread::sleep_for(50ms);
  for (auto& holder : {silent, gone}) {
    auto granted_at = lease_clock::now();
    f.leases->granted.grant("a1", 1, holder, [] { return 300ms; });
    revoke(sys, f.leases->revoker, std::string{"a1"});
    // Not before the holder's replica ended (a correctness bound, not a
    // speed one: how much later depends on the machine).
    EXPECT_GE(lease_clock::now() - granted_at, 300ms);
  }
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
}

// A second change made while the first one's revocation waits for a holder
// waits for it too: the grant stays in the book until it is confirmed.
TEST(read_leases, a_revocation_under_way_holds_back_the_next_change_too) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  revoker_fixture f{sys};
  auto silent = silent_holder(sys);
  auto granted_at = lease_clock::now();
  f.leases->granted.grant("a1", 1, silent, [] { return 400ms; });
  std::thread first{[&] { revoke(sys, f.leases->revoker, std::string{"a1"}); }};
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(f.leases->granted.any("a1"));
  revoke(sys, f.leases->revoker, std::string{"a1"});
  EXPECT_GE(lease_clock::now() - granted_at, 400ms);
  first.join();
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
}
