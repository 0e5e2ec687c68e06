#include "actors/cluster_actor.hpp"

#include "actors/cluster.hpp"
#include "persistence/cluster_store.hpp"

#include "tests/actors/helpers.hpp"
#include "tests/persistence/pg_helpers.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace analysisd;
using namespace analysisd::test;
using namespace std::chrono_literals;

namespace {

using steady = std::chrono::steady_clock;

// What a fake shard host was asked.
struct handoff_log {
  struct entry {
    std::uint32_t shard;
    steady::time_point at;
    /// PostgreSQL still named the asking node as the shard's live holder
    /// when the host was asked (so it had not released it yet).
    bool still_held;
  };
  std::mutex m;
  std::vector<entry> entries;
  /// Set: the host never answers (the promises are kept, unanswered).
  bool silent = false;
  std::vector<caf::typed_response_promise<bool>> unanswered;

  std::vector<entry> snapshot() {
    std::lock_guard<std::mutex> g{m};
    return entries;
  }
  std::multiset<std::uint32_t> shards() {
    std::multiset<std::uint32_t> out;
    for (auto& e : snapshot())
      out.insert(e.shard);
    return out;
  }
};

// A shard host that records every handoff (and, with a database, whether
// the lease was still the node's at that moment) and answers true.
shard_host_actor::behavior_type fake_shard_host(shard_host_actor::pointer self, std::shared_ptr<handoff_log> log,
                                                std::string conninfo, std::string incarnation) {
  std::shared_ptr<cluster_store> store;
  if (!conninfo.empty())
    store = std::make_shared<cluster_store>(test_pg_options(conninfo));
  return {
    [=](handoff_atom, std::uint32_t shard) -> caf::result<bool> {
      bool held = false;
      if (store) {
        auto rows = store->leases();
        EXPECT_TRUE(rows) << context_of(rows.error());
        if (rows)
          for (auto& l : *rows)
            held = held || (l.shard == shard && l.live && l.owner == incarnation);
      }
      std::lock_guard<std::mutex> g{log->m};
      log->entries.push_back({shard, steady::now(), held});
      if (log->silent) {
        log->unanswered.push_back(self->make_response_promise<bool>());
        return log->unanswered.back();
      }
      return true;
    },
  };
}

cluster_options test_options(const std::string& conninfo, const std::string& incarnation,
                             std::uint32_t shards = 64) {
  cluster_options o;
  o.node_name = "node-" + incarnation;
  o.incarnation = incarnation;
  o.http_address = "127.0.0.1:1";
  o.caf_address = "127.0.0.1:2";
  o.pg = test_pg_options(conninfo);
  o.pg.connect_timeout = 1000ms;
  o.pg.call_timeout = 1000ms;
  o.shards = shards;
  o.heartbeat = 100ms;
  o.member_ttl = 1000ms;
  o.lease_ttl = 800ms;
  o.stable_after = 300ms;
  o.max_handoffs = 8;
  o.handoff_timeout = 2000ms;
  o.leave_timeout = 2000ms;
  return o;
}

// Polls `done` every 10 ms until it holds or `limit` passes.
template <class F>
bool eventually(F done, steady::duration limit = 15s) {
  auto until = steady::now() + limit;
  for (;;) {
    if (done())
      return true;
    if (steady::now() > until)
      return false;
    std::this_thread::sleep_for(10ms);
  }
}

// The shards rendezvous gives to `incarnations[who]`.
std::set<std::uint32_t> rendezvous_set(std::uint32_t shards, const std::vector<std::string>& incarnations,
                                       std::size_t who) {
  std::set<std::uint32_t> out;
  for (std::uint32_t s = 0; s < shards; ++s)
    if (rendezvous_owner(s, incarnations) == static_cast<int>(who))
      out.insert(s);
  return out;
}

std::set<std::uint32_t> served(const cluster_view& view) {
  std::set<std::uint32_t> out;
  for (std::uint32_t s = 0; s < view.shards(); ++s)
    if (view.serving(s))
      out.insert(s);
  return out;
}

std::set<std::uint32_t> all_shards(std::uint32_t n) {
  std::set<std::uint32_t> out;
  for (std::uint32_t s = 0; s < n; ++s)
    out.insert(s);
  return out;
}

// True once the view's routes name `incarnations[owner[s]]` for every shard.
bool routes_are(const cluster_view& view, const std::vector<std::string>& expected) {
  auto r = view.routes();
  if (!r || r->owner.size() != expected.size())
    return false;
  for (std::size_t s = 0; s < expected.size(); ++s) {
    auto i = r->owner[s];
    if (i < 0 || static_cast<std::size_t>(i) >= r->members.size()
        || r->members[static_cast<std::size_t>(i)].incarnation != expected[s])
      return false;
  }
  return true;
}

// One node: its view, its host's log, the actors.
struct node {
  std::shared_ptr<cluster_view> view;
  std::shared_ptr<handoff_log> handoffs = std::make_shared<handoff_log>();
  shard_host_actor host;
  caf::actor cluster;
};

// An actor system whose actors are all told to exit at the end of the test.
struct cluster_fixture {
  caf::actor_system sys{test_config()};
  std::vector<caf::actor> to_stop;
  std::vector<shard_host_actor> hosts;

  ~cluster_fixture() {
    for (auto& a : to_stop)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    for (auto& h : hosts)
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
  }

  /// Starts a node; `host_db`: the database the fake host checks the leases
  /// in ("" for none).
  node start(const cluster_options& opts, const std::string& host_db, bool silent_host = false) {
    node n;
    n.handoffs->silent = silent_host;
    n.view = std::make_shared<cluster_view>(opts.shards, opts.incarnation);
    n.host = sys.spawn<caf::detached>(fake_shard_host, n.handoffs, host_db, opts.incarnation);
    hosts.push_back(n.host);
    n.cluster = spawn_cluster_actor(sys, opts, n.view, n.host);
    to_stop.push_back(n.cluster);
    return n;
  }

  /// Asks `cluster` to leave; its answer (false on an error or no answer).
  bool leave(const caf::actor& cluster) {
    caf::scoped_actor self{sys};
    bool result = false;
    self->request(cluster, 15s, leave_atom::value)
      .receive([&](bool ok) { result = ok; },
               [&](caf::error& err) { ADD_FAILURE() << "leave: " << sys.render(err); });
    return result;
  }
};

std::unique_ptr<cluster_store> open_cluster_store(const std::string& conninfo) {
  auto store = std::make_unique<cluster_store>(test_pg_options(conninfo));
  auto err = store->ensure_schema();
  EXPECT_FALSE(err) << context_of(err);
  return store;
}

} // namespace

// -- the view -------------------------------------------------------------------------

TEST(cluster_view, serves_a_held_shard_until_its_validity_passes) {
  cluster_view v{8, "inc-a"};
  EXPECT_EQ(v.shards(), 8u);
  EXPECT_EQ(v.incarnation(), "inc-a");
  EXPECT_FALSE(v.serving(3));
  EXPECT_FALSE(v.serving(8)); // out of range
  EXPECT_FALSE(v.member());
  EXPECT_EQ(v.routes(), nullptr);
  v.hold(3, 5, steady::now() + 60s);
  EXPECT_EQ(v.serving(3), std::optional<std::int64_t>{5});
  v.hold(3, 6, steady::now() + 60s);
  EXPECT_EQ(v.serving(3), std::optional<std::int64_t>{6});
  v.drop(3);
  EXPECT_FALSE(v.serving(3));
  v.hold(4, 1, steady::now() + 150ms);
  EXPECT_TRUE(v.serving(4));
  EXPECT_TRUE(eventually([&] { return !v.serving(4); }, 5s));
  v.hold(5, 1, steady::now() - 1ms); // validity already past
  EXPECT_FALSE(v.serving(5));
  v.member_until(steady::now() + 60s);
  EXPECT_TRUE(v.member());
  v.member_until(steady::now() - 1ms);
  EXPECT_FALSE(v.member());
  auto r = std::make_shared<cluster_routes>();
  r->owner.assign(8, -1);
  v.publish(r);
  EXPECT_EQ(v.routes(), r);
}

TEST(cluster_view, readers_never_see_a_dropped_shard_or_a_torn_epoch) {
  cluster_view v{4, "inc-a"};
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  // The writer holds epoch e only while the reader may see e or e+1; every
  // even epoch is dropped again at once.
  std::atomic<std::int64_t> epoch{1};
  std::thread writer([&] {
    for (std::int64_t e = 1; e < 20000; ++e) {
      epoch = e;
      v.hold(0, e, steady::now() + 60s);
      v.drop(0);
    }
    stop = true;
  });
  while (!stop) {
    auto low = epoch.load();
    auto s = v.serving(0);
    auto high = epoch.load();
    if (s && (*s < low || *s > high))
      ++bad;
  }
  writer.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_FALSE(v.serving(0));
}

// -- decisions ------------------------------------------------------------------------

TEST(cluster_plan, takes_its_rendezvous_shards_and_hands_off_only_when_stable_and_rate_limited) {
  std::vector<std::string> incs{"inc-a", "inc-b"};
  auto mine = rendezvous_set(64, incs, 0);
  auto theirs = rendezvous_set(64, incs, 1);
  ASSERT_GT(mine.size(), 4u);
  ASSERT_GT(theirs.size(), 4u);
  // Nothing held: take every shard of mine, hand nothing off.
  auto p = plan_cluster_round(64, incs, "inc-a", {}, {}, true, 2);
  EXPECT_EQ(std::set<std::uint32_t>(p.acquire.begin(), p.acquire.end()), mine);
  EXPECT_TRUE(p.hand_off.empty());
  // Everything held: nothing to take; two of theirs handed off when stable.
  std::map<std::uint32_t, std::int64_t> held;
  for (std::uint32_t s = 0; s < 64; ++s)
    held[s] = 1;
  p = plan_cluster_round(64, incs, "inc-a", held, {}, false, 2);
  EXPECT_TRUE(p.acquire.empty());
  EXPECT_TRUE(p.hand_off.empty()); // membership not stable yet
  p = plan_cluster_round(64, incs, "inc-a", held, {}, true, 2);
  ASSERT_EQ(p.hand_off.size(), 2u);
  EXPECT_TRUE(theirs.count(p.hand_off[0]) && theirs.count(p.hand_off[1]));
  // Shards being handed off are neither handed off again nor taken.
  std::set<std::uint32_t> going(p.hand_off.begin(), p.hand_off.end());
  auto q = plan_cluster_round(64, incs, "inc-a", held, going, true, 100);
  EXPECT_EQ(q.hand_off.size(), theirs.size() - 2);
  for (auto s : q.hand_off)
    EXPECT_EQ(going.count(s), 0u);
  // No members known: nothing at all.
  p = plan_cluster_round(64, {}, "inc-a", held, {}, true, 2);
  EXPECT_TRUE(p.acquire.empty());
  EXPECT_TRUE(p.hand_off.empty());
}

TEST(cluster_plan, routes_name_the_live_holder_if_it_is_a_member_else_the_rendezvous_owner) {
  std::vector<member_info> members{{"b", "inc-b", "", ""}, {"a", "inc-a", "", ""}};
  std::vector<std::string> incs{"inc-a", "inc-b"};
  auto a_shard = *rendezvous_set(16, incs, 0).begin();
  auto b_shard = *rendezvous_set(16, incs, 1).begin();
  std::vector<lease_holder> leases{
    {a_shard, "inc-b", 3, true},     // a live lease of b on a's shard: b
    {b_shard, "inc-gone", 2, true},  // a holder that is no member: the rendezvous owner
  };
  auto r = make_cluster_routes(16, members, leases);
  ASSERT_EQ(r.members.size(), 2u);
  EXPECT_EQ(r.members[0].incarnation, "inc-a"); // ordered by incarnation
  ASSERT_EQ(r.owner.size(), 16u);
  EXPECT_EQ(r.owner[a_shard], 1);
  EXPECT_EQ(r.owner[b_shard], 1);
  leases[0].live = false; // expired: back to the rendezvous owner
  r = make_cluster_routes(16, members, leases);
  EXPECT_EQ(r.owner[a_shard], 0);
  r = make_cluster_routes(16, {}, leases);
  EXPECT_EQ(r.owner[a_shard], -1);
}

// -- the actor against PostgreSQL --------------------------------------------------------

TEST(cluster_actor, one_node_takes_every_shard_and_leaves_cleanly) {
  auto db = fresh_database();
  cluster_fixture f;
  auto opts = test_options(db, "inc-solo");
  auto started = steady::now();
  auto a = f.start(opts, db);
  ASSERT_TRUE(eventually([&] { return served(*a.view) == all_shards(opts.shards); }))
    << served(*a.view).size() << " shards served";
  std::cerr << "one node serves every shard after " << seconds_since(started) << " s" << std::endl;
  EXPECT_TRUE(a.view->member());
  for (std::uint32_t s = 0; s < opts.shards; ++s)
    EXPECT_GE(a.view->serving(s).value_or(0), 1);
  ASSERT_TRUE(eventually([&] {
    return routes_are(*a.view, std::vector<std::string>(opts.shards, "inc-solo"));
  }));
  auto routes = a.view->routes();
  ASSERT_EQ(routes->members.size(), 1u);
  EXPECT_EQ(routes->members[0].node, "node-inc-solo");
  EXPECT_EQ(routes->members[0].http_address, "127.0.0.1:1");
  // It keeps them across many renewals (well past the lease ttl).
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(served(*a.view), all_shards(opts.shards));
  EXPECT_TRUE(a.handoffs->snapshot().empty()); // nothing to hand off alone
  // Leave: every shard handed off through the host, then released.
  EXPECT_TRUE(f.leave(a.cluster));
  EXPECT_TRUE(served(*a.view).empty());
  EXPECT_FALSE(a.view->member());
  auto handed = a.handoffs->snapshot();
  EXPECT_EQ(handed.size(), opts.shards);
  for (auto& h : handed)
    EXPECT_TRUE(h.still_held) << "shard " << h.shard << " released before its handoff";
  auto store = open_cluster_store(db);
  auto leases = store->leases();
  ASSERT_TRUE(leases);
  EXPECT_EQ(leases->size(), opts.shards);
  for (auto& l : *leases)
    EXPECT_FALSE(l.live) << "shard " << l.shard;
  auto rows = store->connection().exec("SELECT count(*) FROM members");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->int64(0, 0), 0);
}

TEST(cluster_actor, two_nodes_split_by_rendezvous_and_never_serve_a_shard_twice) {
  auto db = fresh_database();
  cluster_fixture f;
  auto oa = test_options(db, "inc-a");
  auto ob = test_options(db, "inc-b");
  std::vector<std::string> incs{"inc-a", "inc-b"};
  auto a_set = rendezvous_set(oa.shards, incs, 0);
  auto b_set = rendezvous_set(oa.shards, incs, 1);
  ASSERT_FALSE(a_set.empty());
  ASSERT_FALSE(b_set.empty());
  auto a = f.start(oa, db);
  ASSERT_TRUE(eventually([&] { return served(*a.view) == all_shards(oa.shards); }));
  // Sample both views all through b's arrival. A shard counts as served by
  // both only if a served it at one epoch before and after b was seen
  // serving it (the reads are not one atomic snapshot).
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> samples{0};
  std::mutex bad_m;
  std::vector<std::string> bad;
  auto b_view = std::make_shared<cluster_view>(ob.shards, ob.incarnation);
  std::thread sampler([&] {
    while (!stop) {
      for (std::uint32_t s = 0; s < oa.shards; ++s) {
        auto a1 = a.view->serving(s);
        auto b1 = b_view->serving(s);
        auto a2 = a.view->serving(s);
        auto b2 = b_view->serving(s);
        if ((a1 && a2 && *a1 == *a2 && b1) || (b1 && b2 && *b1 == *b2 && a2)) {
          std::lock_guard<std::mutex> g{bad_m};
          bad.push_back("shard " + std::to_string(s) + " a@" + std::to_string(a1.value_or(0)) + " b@"
                        + std::to_string(b1.value_or(0)));
        }
      }
      ++samples;
    }
  });
  // b, with the view the sampler reads.
  node b;
  b.view = b_view;
  b.host = f.sys.spawn<caf::detached>(fake_shard_host, b.handoffs, db, ob.incarnation);
  f.hosts.push_back(b.host);
  b.cluster = spawn_cluster_actor(f.sys, ob, b.view, b.host);
  f.to_stop.push_back(b.cluster);
  auto joined = steady::now();
  bool split = eventually([&] { return served(*a.view) == a_set && served(*b.view) == b_set; }, 20s);
  std::cerr << "two nodes split the shards after " << seconds_since(joined) << " s" << std::endl;
  // Keep sampling a while once stable.
  std::this_thread::sleep_for(500ms);
  stop = true;
  sampler.join();
  ASSERT_TRUE(split) << "a serves " << served(*a.view).size() << " (wants " << a_set.size()
                     << "), b serves " << served(*b.view).size() << " (wants " << b_set.size() << ")";
  EXPECT_GT(samples.load(), 100u);
  EXPECT_TRUE(bad.empty()) << bad.size() << " double-served samples, first: " << bad.front();
  EXPECT_EQ(served(*a.view), a_set);
  EXPECT_EQ(served(*b.view), b_set);
  // a handed off exactly b's shards, each while PostgreSQL still named a as
  // its holder (before the release); b handed off nothing.
  auto handed = a.handoffs->snapshot();
  EXPECT_EQ(a.handoffs->shards(), std::multiset<std::uint32_t>(b_set.begin(), b_set.end()));
  for (auto& h : handed)
    EXPECT_TRUE(h.still_held) << "shard " << h.shard << " released before its handoff";
  EXPECT_TRUE(b.handoffs->snapshot().empty());
  // b took them at higher epochs; both route every shard to its owner.
  for (auto s : b_set)
    EXPECT_GE(b.view->serving(s).value_or(0), 2);
  std::vector<std::string> owners;
  for (std::uint32_t s = 0; s < oa.shards; ++s)
    owners.push_back(b_set.count(s) ? "inc-b" : "inc-a");
  EXPECT_TRUE(eventually([&] { return routes_are(*a.view, owners) && routes_are(*b.view, owners); }));
}

TEST(cluster_actor, handoffs_are_rate_limited_per_round) {
  auto db = fresh_database();
  cluster_fixture f;
  auto oa = test_options(db, "inc-a");
  auto ob = test_options(db, "inc-b");
  oa.max_handoffs = 2;
  std::vector<std::string> incs{"inc-a", "inc-b"};
  auto b_set = rendezvous_set(oa.shards, incs, 1);
  ASSERT_GE(b_set.size(), 10u);
  auto a = f.start(oa, db);
  ASSERT_TRUE(eventually([&] { return served(*a.view) == all_shards(oa.shards); }));
  auto b = f.start(ob, db);
  ASSERT_TRUE(eventually([&] { return served(*b.view) == b_set; }, 30s))
    << "b serves " << served(*b.view).size() << " of " << b_set.size();
  auto handed = a.handoffs->snapshot();
  ASSERT_EQ(handed.size(), b_set.size());
  // Rounds start at least one heartbeat apart, and a round asks for at most
  // 2 handoffs: any window shorter than a heartbeat holds requests of two
  // rounds at most (4), and N handoffs take ceil(N/2) rounds, the first and
  // the last at least (ceil(N/2) - 2) heartbeats apart. Without the limit all
  // would come within one round.
  std::size_t most = 0;
  for (std::size_t i = 0; i < handed.size(); ++i) {
    std::size_t in_window = 0;
    for (std::size_t j = i; j < handed.size() && handed[j].at - handed[i].at < 50ms; ++j)
      ++in_window;
    most = std::max(most, in_window);
  }
  EXPECT_LE(most, 4u);
  auto rounds = static_cast<int>((handed.size() + 1) / 2);
  auto span = handed.back().at - handed.front().at;
  EXPECT_GE(span, (rounds - 2) * oa.heartbeat - 100ms)
    << handed.size() << " handoffs within "
    << std::chrono::duration_cast<std::chrono::milliseconds>(span).count() << " ms";
  std::cerr << handed.size() << " handoffs, at most " << most << " within 50 ms, over "
            << std::chrono::duration_cast<std::chrono::milliseconds>(span).count() << " ms"
            << std::endl;
}

TEST(cluster_actor, a_handoff_the_host_never_answers_still_releases_after_the_timeout) {
  auto db = fresh_database();
  cluster_fixture f;
  auto oa = test_options(db, "inc-a");
  auto ob = test_options(db, "inc-b");
  oa.handoff_timeout = 300ms;
  std::vector<std::string> incs{"inc-a", "inc-b"};
  auto a_set = rendezvous_set(oa.shards, incs, 0);
  auto b_set = rendezvous_set(oa.shards, incs, 1);
  auto a = f.start(oa, db, true);
  ASSERT_TRUE(eventually([&] { return served(*a.view) == all_shards(oa.shards); }));
  auto b = f.start(ob, db);
  ASSERT_TRUE(eventually([&] { return served(*a.view) == a_set && served(*b.view) == b_set; }, 20s));
  EXPECT_EQ(a.handoffs->shards(), std::multiset<std::uint32_t>(b_set.begin(), b_set.end()));
}

TEST(cluster_actor, after_a_leave_the_other_node_takes_every_shard) {
  auto db = fresh_database();
  cluster_fixture f;
  auto oa = test_options(db, "inc-a");
  auto ob = test_options(db, "inc-b");
  std::vector<std::string> incs{"inc-a", "inc-b"};
  auto a_set = rendezvous_set(oa.shards, incs, 0);
  auto b_set = rendezvous_set(oa.shards, incs, 1);
  auto a = f.start(oa, db);
  auto b = f.start(ob, db);
  ASSERT_TRUE(eventually([&] { return served(*a.view) == a_set && served(*b.view) == b_set; }, 20s));
  auto before = a.handoffs->snapshot().size();
  // (b may have handed a's shards over to a if it heartbeat first.)
  auto b_before = b.handoffs->snapshot().size();
  auto left = steady::now();
  EXPECT_TRUE(f.leave(a.cluster));
  EXPECT_LT(seconds_since(left), 5.0);
  EXPECT_TRUE(served(*a.view).empty());
  EXPECT_FALSE(a.view->member());
  auto handed = a.handoffs->snapshot();
  std::multiset<std::uint32_t> at_leave;
  for (auto i = before; i < handed.size(); ++i) {
    at_leave.insert(handed[i].shard);
    EXPECT_TRUE(handed[i].still_held) << "shard " << handed[i].shard;
  }
  EXPECT_EQ(at_leave, std::multiset<std::uint32_t>(a_set.begin(), a_set.end()));
  // The leases were released and the member row deleted: b takes everything
  // within a few rounds (no lease or member ttl to wait for).
  ASSERT_TRUE(eventually([&] { return served(*b.view) == all_shards(ob.shards); }, 10s));
  std::cerr << "b serves every shard " << seconds_since(left) << " s after a's leave began"
            << std::endl;
  EXPECT_TRUE(eventually([&] {
    auto r = b.view->routes();
    return r && r->members.size() == 1
           && routes_are(*b.view, std::vector<std::string>(ob.shards, "inc-b"));
  }));
  EXPECT_EQ(b.handoffs->snapshot().size(), b_before); // b hands nothing off
}

TEST(cluster_actor, without_postgres_a_node_stops_serving_within_the_lease_ttl) {
  postgres_process pg;
  auto db = pg.create_database();
  cluster_fixture f;
  auto opts = test_options(db, "inc-a", 32);
  auto a = f.start(opts, ""); // the host does not read PostgreSQL
  ASSERT_TRUE(eventually([&] { return served(*a.view) == all_shards(opts.shards); }));
  ASSERT_TRUE(a.view->member());
  auto killed = steady::now();
  pg.kill();
  // The last renewal was sent before the kill: nothing is served past
  // kill + lease_ttl (and the membership lapses after member_ttl).
  ASSERT_TRUE(eventually([&] { return served(*a.view).empty(); }, 10s));
  EXPECT_LE(steady::now() - killed, opts.lease_ttl + 1000ms);
  std::cerr << "stopped serving " << seconds_since(killed) << " s after PostgreSQL died"
            << std::endl;
  ASSERT_TRUE(eventually([&] { return !a.view->member(); }, 10s));
  EXPECT_LE(steady::now() - killed, opts.member_ttl + 1000ms);
  EXPECT_TRUE(a.handoffs->snapshot().empty()); // nothing was known lost yet
  // Back: the node finds its leases expired, tells the host, and takes them again.
  auto restarting = steady::now();
  pg.restart();
  std::cerr << "PostgreSQL restarted in " << seconds_since(restarting) << " s" << std::endl;
  ASSERT_TRUE(eventually([&] { return served(*a.view) == all_shards(opts.shards); }, 20s));
  std::cerr << "serving again " << seconds_since(restarting) << " s after the restart began"
            << std::endl;
  EXPECT_TRUE(eventually([&] { return a.view->member(); }, 5s));
  for (std::uint32_t s = 0; s < opts.shards; ++s)
    EXPECT_GE(a.view->serving(s).value_or(0), 2);
  EXPECT_EQ(a.handoffs->shards().size(), opts.shards);
}

TEST(cluster_actor, with_postgres_frozen_a_node_stops_serving_within_the_lease_ttl) {
  postgres_process pg;
  auto db = pg.create_database();
  cluster_fixture f;
  auto opts = test_options(db, "inc-a", 32);
  auto a = f.start(opts, "");
  ASSERT_TRUE(eventually([&] { return served(*a.view) == all_shards(opts.shards); }));
  auto frozen = steady::now();
  pg.pause(); // calls hang now, until their timeout
  ASSERT_TRUE(eventually([&] { return served(*a.view).empty(); }, 10s));
  EXPECT_LE(steady::now() - frozen, opts.lease_ttl + 1000ms);
  std::cerr << "stopped serving " << seconds_since(frozen) << " s after PostgreSQL froze"
            << std::endl;
  ASSERT_TRUE(eventually([&] { return !a.view->member(); }, 10s));
  EXPECT_LE(steady::now() - frozen, opts.member_ttl + 1000ms);
  pg.resume();
  ASSERT_TRUE(eventually([&] { return served(*a.view) == all_shards(opts.shards); }, 20s));
  // (The heartbeat that hung through the freeze answers too late to count:
  // validity runs from when it was sent. The next one counts.)
  EXPECT_TRUE(eventually([&] { return a.view->member(); }, 5s));
}

TEST(cluster_actor, ends_at_an_exit_message_with_its_next_round_pending) {
  auto db = fresh_database();
  cluster_fixture f;
  auto opts = test_options(db, "inc-a", 16);
  opts.heartbeat = 5000ms; // the next round stays pending all along
  opts.lease_ttl = 15000ms;
  auto a = f.start(opts, db);
  ASSERT_TRUE(eventually([&] { return served(*a.view) == all_shards(opts.shards); }));
  caf::scoped_actor self{f.sys};
  self->monitor(a.cluster);
  auto sent = steady::now();
  self->send_exit(a.cluster, caf::exit_reason::user_shutdown);
  bool down = false;
  self->receive([&](caf::down_msg& m) { down = m.source == a.cluster.address(); },
                caf::after(std::chrono::seconds(10)) >> [] {});
  EXPECT_TRUE(down);
  EXPECT_LT(seconds_since(sent), 2.0);
  // Gone without a leave: its leases stay in PostgreSQL until they expire,
  // and nobody hands anything off.
  EXPECT_TRUE(a.handoffs->snapshot().empty());
  auto leases = open_cluster_store(db)->leases();
  ASSERT_TRUE(leases);
  ASSERT_EQ(leases->size(), opts.shards);
  for (auto& l : *leases)
    EXPECT_TRUE(l.live && l.owner == "inc-a") << "shard " << l.shard;
}

TEST(cluster_actor, a_node_whose_lease_was_taken_drops_the_shard_and_its_host_retires_it) {
  auto db = fresh_database();
  cluster_fixture f;
  auto opts = test_options(db, "inc-a", 16);
  auto a = f.start(opts, db);
  ASSERT_TRUE(eventually([&] { return served(*a.view) == all_shards(opts.shards); }));
  auto epoch = *a.view->serving(3);
  // Another incarnation takes shard 3 behind a's back: its lease expires and
  // the intruder acquires it, in one transaction, so that a cannot take it
  // back in between.
  auto store = open_cluster_store(db);
  caf::expected<shard_lease> taken{shard_lease{}};
  auto err = store->connection().transaction([&]() -> caf::error {
    pg_params p;
    p.integer(3);
    auto r = store->connection().exec(
      "UPDATE shard_leases SET expires_at = clock_timestamp() WHERE shard = $1::integer", p);
    if (!r)
      return std::move(r.error());
    taken = store->acquire(3, "inc-intruder", 60'000ms);
    return taken ? caf::error{} : taken.error();
  });
  ASSERT_FALSE(err) << context_of(err);
  ASSERT_TRUE(taken->granted);
  EXPECT_EQ(taken->epoch, epoch + 1);
  ASSERT_TRUE(eventually([&] { return !a.view->serving(3); }, 5s));
  ASSERT_TRUE(eventually([&] { return a.handoffs->shards().count(3) == 1; }, 5s));
  // It does not come back while the intruder holds it; the others stay.
  std::this_thread::sleep_for(1000ms);
  EXPECT_FALSE(a.view->serving(3));
  auto rest = all_shards(opts.shards);
  rest.erase(3);
  EXPECT_EQ(served(*a.view), rest);
  EXPECT_EQ(a.handoffs->shards(), std::multiset<std::uint32_t>{3});
}
