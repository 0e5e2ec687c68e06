// A node's facade (actors/node_facade.hpp) serves a real service to a peer
// node over CAF's middleman: every message type of node_actor_v2 crosses the
// wire both ways, errors keep their code, and the owner's actor system still
// shuts down (no handle of an analysis actor was ever sent to the peer).

#include "actors/node_facade.hpp"
#include "actors/peer_link.hpp"
#include "actors/service.hpp"
#include "metrics/metrics.hpp"
#include "tests/actors/helpers.hpp"
#include "tests/support/server_process.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd;
using namespace analysisd::test;
using namespace std::chrono_literals;

namespace {

// Sends one request through `link`; the answer, or the error's code in `code`.
template <class T, class... Ts>
std::optional<T> ask(caf::actor_system& sys, const node_requests& link, std::uint8_t& code,
                     Ts&&... xs) {
  std::optional<T> result;
  code = 0;
  caf::scoped_actor self{sys};
  self->request(link, 30s, std::forward<Ts>(xs)...)
    .receive([&](T& x) { result = std::move(x); }, [&](caf::error& err) { code = code_of(err); });
  return result;
}

// A node that serves the shard of analysis `id` (epoch 1) under a gone
// registry, so that only its views can answer: `mine` owns the analysis,
// `other` another one; both jobs' credentials and the analysis's view are
// published.
class node_facade_views : public ::testing::Test {
protected:
  node_facade_views() {
    caf::anon_send_exit(gone, caf::exit_reason::user_shutdown);
    cluster->hold(shard, 1, std::chrono::steady_clock::now() + 60s);
    views->jobs.publish(mine.job_id, acquired_job(id, mine.key_hash));
    views->jobs.publish(other.job_id, acquired_job("efgh5678", other.key_hash));
    views->analyses.publish(id, make_analysis_view(R"({"id":"abcd1234"})", mine.job_id, 1));
  }
  caf::actor_system sys{test_config()};
  node_requests gone = caf::actor_cast<node_requests>(sys.spawn([] { return caf::behavior{}; }));
  std::shared_ptr<read_views> views = std::make_shared<read_views>();
  std::shared_ptr<cluster_view> cluster = std::make_shared<cluster_view>(4, "inc-a");
  std::string id = "abcd1234";
  std::uint32_t shard = shard_of(id, 4);
  credential mine = job_credential("job-1", "key-1");
  credential other = job_credential("job-2", "key-2");
};

} // namespace

TEST(node_facade, a_peer_reaches_the_owners_service_through_it) {
  temp_dir dir;
  node_config owner_cfg;
  node_config peer_cfg;
  std::uint8_t code = 0;
  {
    caf::actor_system owner{owner_cfg};
    service_options opts;
    opts.data_dir = dir.path() + "/data";
    auto svc = start_service(owner, opts);
    ASSERT_TRUE(svc) << owner.render(svc.error());
    auto facade = spawn_node_facade(owner, svc->registry);
    auto port = caf::io::publish(facade, 0, "127.0.0.1");
    ASSERT_TRUE(port) << owner.render(port.error());
    {
      caf::actor_system peer{peer_cfg};
      peer_link_options lo;
      lo.host = "127.0.0.1";
      lo.port = *port;
      auto link = spawn_peer_link(peer, lo);

      auto doc = ask<std::string>(peer, link, code, create_atom::value, good_create("abcd1234"));
      ASSERT_TRUE(doc) << int(code);
      std::string job = nlohmann::json::parse(*doc)["job"]["id"];
      auto key = ask<std::string>(peer, link, code, acquire_atom::value, job);
      ASSERT_TRUE(key) << int(code);
      ask<std::string>(peer, link, code, acquire_atom::value, job);
      EXPECT_EQ(code, e(errc::job_already_acquired));
      auto cred = job_credential(job, *key);

      auto got = ask<std::string>(peer, link, code, get_atom::value, cred, std::string{"abcd1234"});
      ASSERT_TRUE(got) << int(code);
      EXPECT_EQ(nlohmann::json::parse(*got)["id"], "abcd1234");
      ask<std::string>(peer, link, code, get_atom::value, job_credential(job, "wrong"),
                       std::string{"abcd1234"});
      EXPECT_EQ(code, e(errc::unauthorized));
      EXPECT_TRUE(ask<bool>(peer, link, code, authorize_atom::value, cred, std::string{"abcd1234"}));

      // An upload reserved and abandoned, a download of a file that is not there.
      auto reserved = ask<file_record>(peer, link, code, reserve_atom::value, cred,
                                       std::string{"abcd1234"}, upload("reads.fa", ""));
      ASSERT_TRUE(reserved) << int(code);
      EXPECT_EQ(reserved->id, 1u);
      EXPECT_EQ(reserved->name, "reads.fa");
      EXPECT_TRUE(ask<bool>(peer, link, code, abandon_atom::value, cred, std::string{"abcd1234"},
                            *reserved));
      ask<file_location>(peer, link, code, download_atom::value, cred, std::string{"abcd1234"},
                         std::uint64_t{1});
      EXPECT_EQ(code, e(errc::not_found));

      auto final_doc = ask<std::string>(peer, link, code, finalize_atom::value, cred,
                                        std::string{"abcd1234"}, std::string{R"({"hits":[]})"});
      ASSERT_TRUE(final_doc) << int(code);
      EXPECT_EQ(nlohmann::json::parse(*final_doc)["ready"], true);
      ask<bool>(peer, link, code, remove_atom::value, cred, std::string{"abcd1234"});
      EXPECT_EQ(code, e(errc::analysis_finalized));
      EXPECT_TRUE(ask<bool>(peer, link, code, remove_atom::value, admin_credential(),
                            std::string{"abcd1234"}));
      ask<std::string>(peer, link, code, get_atom::value, cred, std::string{"abcd1234"});
      EXPECT_EQ(code, e(errc::not_found));
      caf::anon_send_exit(link, caf::exit_reason::user_shutdown);
    }
    caf::anon_send_exit(facade, caf::exit_reason::user_shutdown);
    EXPECT_FALSE(stop_service(owner, *svc));
  } // ~actor_system returns: nothing of the owner is held by the (gone) peer
}

// A reservation lives as long as the peer that asked for it: when that peer
// goes (its node died, or its connection did) before committing or
// abandoning it, the facade abandons it, so that the name is free again and
// a DELETE of the analysis is not left waiting for an upload nobody will
// finish. (Without it, a DELETE in the kill -9 cluster test waited 5 s.)
TEST(node_facade, the_reservations_of_a_peer_that_went_down_are_abandoned) {
  temp_dir dir;
  node_config owner_cfg;
  node_config peer_cfg;
  std::uint8_t code = 0;
  caf::actor_system owner{owner_cfg};
  service_options opts;
  opts.data_dir = dir.path() + "/data";
  auto svc = start_service(owner, opts);
  ASSERT_TRUE(svc) << owner.render(svc.error());
  auto facade = spawn_node_facade(owner, svc->registry);
  auto port = caf::io::publish(facade, 0, "127.0.0.1");
  ASSERT_TRUE(port) << owner.render(port.error());
  const std::string id = "abcd1234";
  auto doc = ask<std::string>(owner, facade, code, create_atom::value, good_create(id));
  ASSERT_TRUE(doc) << int(code);
  std::string job = nlohmann::json::parse(*doc)["job"]["id"];
  auto key = ask<std::string>(owner, facade, code, acquire_atom::value, job);
  ASSERT_TRUE(key) << int(code);
  auto cred = job_credential(job, *key);
  auto reserve_again = [&](const std::string& name) {
    // The abandon follows the DOWN: a moment later at most.
    for (int i = 0; i < 100; ++i) {
      auto again = ask<file_record>(owner, facade, code, reserve_atom::value, cred, id,
                                    upload(name, ""));
      if (again)
        return true;
      EXPECT_EQ(code, e(errc::file_exists));
      std::this_thread::sleep_for(50ms);
    }
    return false;
  };
  {
    // A peer node reserves a name, then goes without a word.
    caf::actor_system peer{peer_cfg};
    peer_link_options lo;
    lo.host = "127.0.0.1";
    lo.port = *port;
    auto link = spawn_peer_link(peer, lo);
    ASSERT_TRUE(ask<file_record>(peer, link, code, reserve_atom::value, cred, id,
                                 upload("peer.fa", "")))
      << int(code);
    ask<file_record>(peer, link, code, reserve_atom::value, cred, id, upload("peer.fa", ""));
    EXPECT_EQ(code, e(errc::file_exists));
    caf::anon_send_exit(link, caf::exit_reason::kill);
  }
  EXPECT_TRUE(reserve_again("peer.fa"));
  // Here the one that asked is a scoped actor, gone once it has the answer
  // (and so the reservation just made is abandoned in turn).
  ASSERT_TRUE(ask<file_record>(owner, facade, code, reserve_atom::value, cred, id,
                               upload("local.fa", "")));
  EXPECT_TRUE(reserve_again("local.fa"));
  // Nothing is reserved for good: the analysis goes at once.
  EXPECT_TRUE(ask<bool>(owner, facade, code, remove_atom::value, admin_credential(), id))
    << int(code);
  caf::anon_send_exit(facade, caf::exit_reason::user_shutdown);
  EXPECT_FALSE(stop_service(owner, *svc));
}

// A get or authorize of an analysis this node serves is answered from its
// published views, without a message to the registry (here one that is
// gone, so that only the views can answer); one the views cannot decide,
// or of a shard the node does not serve, goes to the registry.
TEST_F(node_facade_views, reads_of_served_shards_are_answered_from_the_views) {
  auto facade = spawn_node_facade(sys, gone, views, cluster);
  // The answer, or the error's code.
  auto call = [&](auto... xs) {
    std::uint8_t code = 0;
    auto answer = ask<std::string>(sys, facade, code, xs...);
    return std::make_pair(answer, code);
  };
  auto allowed = [&](const credential& c) {
    std::uint8_t code = 0;
    auto answer = ask<bool>(sys, facade, code, authorize_atom::value, c, id);
    return std::make_pair(answer, code);
  };
  EXPECT_EQ(call(get_atom::value, mine, id).first, std::optional<std::string>{R"({"id":"abcd1234"})"});
  EXPECT_EQ(call(get_atom::value, admin_credential(), id).first,
            std::optional<std::string>{R"({"id":"abcd1234"})"});
  EXPECT_EQ(allowed(mine).first, std::optional<bool>{true});
  EXPECT_EQ(call(get_atom::value, other, id).second, e(errc::forbidden));
  EXPECT_EQ(allowed(other).second, e(errc::forbidden));
  // Undecided by the views (a wrong key, a shard not served): the registry's
  // turn, and it is gone.
  EXPECT_FALSE(call(get_atom::value, job_credential("job-1", "wrong"), id).first);
  // The shard served again under another epoch: the view is left over from
  // the lease lost meanwhile, and decides nothing.
  cluster->hold(shard, 2, std::chrono::steady_clock::now() + 60s);
  EXPECT_FALSE(call(get_atom::value, mine, id).first);
  cluster->hold(shard, 1, std::chrono::steady_clock::now() + 60s);
  EXPECT_TRUE(call(get_atom::value, mine, id).first);
  cluster->drop(shard);
  EXPECT_FALSE(call(get_atom::value, mine, id).first);
  caf::anon_send_exit(facade, caf::exit_reason::user_shutdown);
}

// A get that asks for a read lease gets one when the views answer it for
// the job that owns the analysis, recorded in the book for the asker, for
// at most the configured lease and never past the node's mandate for the
// shard; an operator, another job or a view that decides nothing gets none.
TEST_F(node_facade_views, a_read_lease_is_granted_only_to_the_owning_job_within_the_mandate) {
  auto leases = std::make_shared<read_leases>();
  leases->lease = 1000ms;
  auto facade = spawn_node_facade(sys, gone, views, cluster, leases);
  caf::scoped_actor asker{sys};
  auto lease_get = [&](const credential& c) {
    std::optional<lease_grant_reply> reply;
    std::uint8_t code = 0;
    asker->request(facade, 30s, get_atom::value, lease_atom::value, c, id)
      .receive([&](lease_grant_reply& r) { reply = r; }, [&](caf::error& err) { code = code_of(err); });
    return std::make_pair(reply, code);
  };
  auto granted = lease_get(mine);
  ASSERT_TRUE(granted.first);
  EXPECT_EQ(granted.first->document, R"({"id":"abcd1234"})");
  EXPECT_EQ(granted.first->lease_ms, 1000u);
  auto pending = leases->granted.pending(id);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].holder, caf::actor_cast<caf::actor>(asker));
  leases->granted.confirm(id, pending[0].holder, pending[0].until);
  EXPECT_EQ(lease_get(other).second, e(errc::forbidden));
  EXPECT_FALSE(leases->granted.any(id));
  // Near the end of the mandate: only what is left of it, less a margin.
  cluster->hold(shard, 1, std::chrono::steady_clock::now() + 500ms);
  auto short_one = lease_get(mine);
  ASSERT_TRUE(short_one.first);
  EXPECT_GT(short_one.first->lease_ms, 0u);
  EXPECT_LT(short_one.first->lease_ms, 500u);
  pending = leases->granted.pending(id);
  ASSERT_EQ(pending.size(), 1u);
  leases->granted.confirm(id, pending[0].holder, pending[0].until);
  // A shard not served: the registry's turn (gone here), and no lease.
  cluster->drop(shard);
  EXPECT_FALSE(lease_get(mine).first);
  EXPECT_FALSE(leases->granted.any(id));
  caf::anon_send_exit(facade, caf::exit_reason::user_shutdown);
}

// An owner too slow to answer a reserve within `reserve_within` may answer a
// peer that has stopped waiting: that peer would never learn the file id,
// and the name would stay reserved while the peer lives. The facade answers
// `unavailable` instead and abandons the reservation itself; a reserve
// answered in time is handed out as usual.
TEST(node_facade, a_reservation_answered_too_late_is_abandoned_not_handed_out) {
  caf::actor_system sys{test_config()};
  // A registry that reserves "slow.fa" only after 400 ms, and notes abandons.
  auto abandoned = std::make_shared<std::vector<std::string>>();
  auto mutex = std::make_shared<std::mutex>();
  auto slow = sys.spawn<caf::detached>([=]() -> caf::behavior {
    return {
      [=](reserve_atom, const credential&, const std::string&, const upload_request& req) {
        if (req.name == "slow.fa")
          std::this_thread::sleep_for(400ms);
        file_record f;
        f.id = req.name == "slow.fa" ? 7 : 8;
        f.name = req.name;
        return f;
      },
      [=](abandon_atom, const credential&, const std::string&, const file_record& f) {
        std::lock_guard<std::mutex> lock{*mutex};
        abandoned->push_back(f.name + "#" + std::to_string(f.id));
        return true;
      },
    };
  });
  auto before = metrics().cluster_reservations_abandoned.load();
  auto facade = spawn_node_facade(sys, caf::actor_cast<node_requests>(slow), nullptr, nullptr, nullptr,
                                  100ms);
  auto cred = job_credential("job-1", "key-1");
  // One asker for both, alive until the end: one that goes abandons what
  // it holds (the test above).
  caf::scoped_actor asker{sys};
  auto reserve = [&](const std::string& name) {
    caf::expected<file_record> out{caf::error{}};
    asker
      ->request(facade, 30s, reserve_atom::value, cred, std::string{"abcd1234"}, upload(name, ""))
      .receive([&](file_record& f) { out = std::move(f); },
               [&](caf::error& err) { out = std::move(err); });
    return out;
  };
  auto late = reserve("slow.fa");
  ASSERT_FALSE(late);
  EXPECT_EQ(code_of(late.error()), e(errc::unavailable));
  auto in_time = reserve("fast.fa");
  ASSERT_TRUE(in_time) << to_string(in_time.error());
  EXPECT_EQ(in_time->id, 8u);
  // The abandon was sent before the answer, to an actor that serves in order.
  std::vector<std::string> seen;
  for (int i = 0; i < 100 && seen.empty(); ++i) {
    std::this_thread::sleep_for(20ms);
    std::lock_guard<std::mutex> lock{*mutex};
    seen = *abandoned;
  }
  EXPECT_EQ(seen, std::vector<std::string>{"slow.fa#7"});
  EXPECT_EQ(metrics().cluster_reservations_abandoned.load(), before + 1);
  caf::anon_send_exit(facade, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(slow, caf::exit_reason::user_shutdown);
}
