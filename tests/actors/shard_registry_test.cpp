// The shard registry and the router of cluster mode on one node, against a
// private PostgreSQL: what it serves, what it refuses, the fence of a lost
// lease, handoffs, and the router's local path and retries. (Several nodes:
// tests/e2e, ANALYSISD_TEST_CLUSTER and e2e_cluster.)

#include "actors/cluster_router.hpp"
#include "actors/pg_journal.hpp"
#include "actors/shard_registry.hpp"

#include "persistence/storage.hpp"
#include "tests/actors/fake_peer.hpp"
#include "tests/actors/helpers.hpp"
#include "tests/persistence/pg_helpers.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd;
using namespace analysisd::test;
using namespace std::chrono_literals;

namespace {

constexpr std::uint32_t sr_shards = 8;
// No answer within this long is a hang (every PostgreSQL call is bounded far below).
constexpr auto sr_patience = std::chrono::seconds(60);

// One node's storage actors, shard registry and router over a fresh
// database, with leases taken by hand (no cluster actor): the test decides
// what the view says.
struct sr_node {
  std::string db = fresh_database();
  cluster_store store{test_pg_options(db)};
  std::unique_ptr<node_config> peer_config; ///< With the middleman: routes may name peers.
  caf::actor_system sys;
  temp_dir dir;
  std::shared_ptr<const file_store> files = std::make_shared<file_store>(posix_storage(), dir.path());
  std::shared_ptr<cluster_view> view = std::make_shared<cluster_view>(sr_shards, "inc-a");
  std::shared_ptr<read_views> views = std::make_shared<read_views>();
  pg_journal_actor journal;
  pg_reader_actor readers;
  shard_registry_actor reg;
  registry_actor router;

  explicit sr_node(std::chrono::milliseconds retry_window = 4000ms, bool peers = false,
                   const std::function<void(cluster_router_options&)>& tune = {})
    : peer_config(peers ? std::make_unique<node_config>() : nullptr),
      sys(peers ? static_cast<caf::actor_system_config&>(*peer_config) : test_config()) {
    EXPECT_FALSE(store.ensure_schema());
    journal = spawn_pg_journal(sys, test_pg_options(db), "inc-a");
    readers = spawn_pg_readers(sys, test_pg_options(db), 2);
    reg = spawn_registry();
    cluster_router_options ro;
    ro.cluster = view;
    ro.local = reg;
    ro.readers = readers;
    ro.files = files;
    ro.retry_window = retry_window;
    if (tune)
      tune(ro);
    router = spawn_cluster_router(sys, ro);
  }

  shard_registry_actor spawn_registry(
    const std::function<void(shard_registry_options&)>& tune = {}) {
    shard_registry_options o;
    o.cluster = view;
    o.journal = journal;
    o.readers = readers;
    o.files = files;
    o.views = views;
    o.node_name = "node-a";
    o.handoff_timeout = 2000ms;
    if (tune)
      tune(o);
    return spawn_shard_registry(sys, o);
  }

  ~sr_node() {
    for (caf::actor a : {caf::actor_cast<caf::actor>(router), caf::actor_cast<caf::actor>(reg),
                         caf::actor_cast<caf::actor>(readers), caf::actor_cast<caf::actor>(journal)})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }

  // Takes every shard's lease in PostgreSQL and says so in the view.
  void hold_all() {
    for (std::uint32_t s = 0; s < sr_shards; ++s)
      hold(s, "inc-a");
  }

  std::int64_t hold(std::uint32_t shard, const std::string& incarnation) {
    auto lease = store.acquire(shard, incarnation, 60s);
    EXPECT_TRUE(lease && lease->granted);
    if (incarnation == "inc-a")
      view->hold(shard, lease->epoch, std::chrono::steady_clock::now() + 60s);
    return lease->epoch;
  }

  // Asks `dest`: the answer, or the error.
  template <class R, class Dest, class... Ts>
  caf::expected<R> ask(const Dest& dest, Ts&&... xs) {
    caf::scoped_actor self{sys};
    caf::expected<R> out{caf::error{}};
    self->request(dest, sr_patience, std::forward<Ts>(xs)...)
      .receive([&](R& x) { out = std::move(x); }, [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  // Creates an analysis through `dest` and acquires its job: {id, job credential}.
  template <class Dest>
  std::pair<std::string, credential> create_acquired(const Dest& dest, const std::string& id = {}) {
    caf::expected<std::string> doc = ask<std::string>(dest, create_atom::value, good_create(id));
    EXPECT_TRUE(doc) << (doc ? "" : to_string(doc.error()));
    if (!doc)
      return {};
    nlohmann::json json = nlohmann::json::parse(*doc);
    caf::expected<std::string> key
      = ask<std::string>(dest, acquire_atom::value, json["job"]["id"].get<std::string>());
    EXPECT_TRUE(key) << (key ? "" : to_string(key.error()));
    return {json["id"].get<std::string>(),
            job_credential(json["job"]["id"].get<std::string>(), key ? *key : "")};
  }
};

// Routes that give every shard to one member, `incarnation` at `caf_address`.
std::shared_ptr<cluster_routes> routes_naming(const std::string& incarnation,
                                              const std::string& caf_address) {
  auto r = std::make_shared<cluster_routes>();
  r->members.push_back(member_info{"node-x", incarnation, "", caf_address});
  r->owner.assign(sr_shards, 0);
  return r;
}

// Names `peer` the owner of every shard of `n` and waits until it answers a
// finalize (the first connection to a process that just started may take a
// while); the answer, or the last error.
caf::expected<std::string> reach_peer(sr_node& n, analysisd::test::fake_peer& peer,
                                      const credential& cred) {
  n.view->publish(routes_naming("inc-peer", "127.0.0.1:" + std::to_string(peer.port())));
  caf::expected<std::string> answered{caf::error{}};
  for (int attempt = 0; attempt < 20 && !answered; ++attempt)
    answered = n.ask<std::string>(n.router, finalize_atom::value, cred, std::string{"x"},
                                  std::string{"{}"});
  return answered;
}

// An id whose shard is `shard`.
std::string id_in_shard(std::uint32_t shard) {
  for (;;) {
    auto id = random_id();
    if (shard_of(id, sr_shards) == shard)
      return id;
  }
}

} // namespace

TEST(shard_registry, serves_its_shards_from_postgresql_and_a_new_registry_loads_them) {
  sr_node n;
  n.hold_all();
  auto [id, cred] = n.create_acquired(n.reg, id_in_shard(3));
  auto doc = n.ask<std::string>(n.reg, get_atom::value, cred, id);
  ASSERT_TRUE(doc) << to_string(doc.error());
  EXPECT_EQ(nlohmann::json::parse(*doc)["job"]["state"], "running");
  auto final_doc = n.ask<std::string>(n.reg, finalize_atom::value, cred, id,
                                      std::string{R"({"hits":[1]})"});
  ASSERT_TRUE(final_doc) << to_string(final_doc.error());
  EXPECT_EQ(code_of(n.ask<std::string>(n.reg, finalize_atom::value, cred, id, std::string{"{}"})
                      .error()),
            e(errc::already_finalized));
  // Another registry (a node that takes the shard over) loads it whole.
  auto other = n.spawn_registry();
  auto again = n.ask<std::string>(other, get_atom::value, cred, id);
  ASSERT_TRUE(again) << to_string(again.error());
  EXPECT_EQ(*again, *final_doc);
  // Authentication first, then the analysis, then the job's right to it.
  auto wrong = job_credential(cred.job_id, "not the key");
  EXPECT_EQ(code_of(n.ask<std::string>(other, get_atom::value, wrong, id).error()),
            e(errc::unauthorized));
  EXPECT_EQ(code_of(n.ask<std::string>(other, get_atom::value, cred, id_in_shard(3)).error()),
            e(errc::not_found));
  auto [id2, cred2] = n.create_acquired(n.reg, id_in_shard(3));
  EXPECT_EQ(code_of(n.ask<std::string>(other, get_atom::value, cred2, id).error()),
            e(errc::forbidden));
  // A job is acquired once; an id is created once.
  EXPECT_EQ(code_of(n.ask<std::string>(n.reg, acquire_atom::value, cred.job_id).error()),
            e(errc::job_already_acquired));
  EXPECT_EQ(code_of(n.ask<std::string>(other, create_atom::value, good_create(id)).error()),
            e(errc::analysis_exists));
  caf::anon_send_exit(other, caf::exit_reason::user_shutdown);
}

TEST(shard_registry, refuses_the_shards_it_does_not_serve_as_not_owner) {
  sr_node n;
  n.hold(1, "inc-a");
  auto [id, cred] = n.create_acquired(n.reg, id_in_shard(1));
  auto elsewhere = id_in_shard(2);
  auto created = n.ask<std::string>(n.reg, create_atom::value, good_create(elsewhere));
  ASSERT_FALSE(created);
  EXPECT_TRUE(is_not_owner(created.error())) << to_string(created.error());
  // A shard that stops being served (its lease lapsed) is refused at once.
  n.view->drop(1);
  auto got = n.ask<std::string>(n.reg, get_atom::value, cred, id);
  ASSERT_FALSE(got);
  EXPECT_TRUE(is_not_owner(got.error())) << to_string(got.error());
}

// The fence: another incarnation took the shard while this registry's actor
// ran under the old epoch. Its write is refused, nothing is recorded, and
// once the shard is back the analysis is loaded again and writable.
TEST(shard_registry, a_write_under_a_lost_lease_is_fenced_and_the_analysis_loaded_again) {
  sr_node n;
  n.hold_all();
  auto id = id_in_shard(5);
  auto [_, cred] = n.create_acquired(n.reg, id);
  ASSERT_TRUE(n.ask<std::string>(n.reg, get_atom::value, cred, id));
  ASSERT_TRUE(n.store.connection().exec(
    "UPDATE shard_leases SET expires_at = clock_timestamp() - interval '1 second' WHERE shard = 5"));
  auto epoch_b = n.hold(5, "inc-b");
  auto fenced = n.ask<std::string>(n.reg, finalize_atom::value, cred, id, std::string{"{}"});
  ASSERT_FALSE(fenced);
  // Its actor is dropped before it can answer: 503 to the client.
  EXPECT_EQ(code_of(fenced.error()), e(errc::unavailable)) << to_string(fenced.error());
  auto records = n.store.load_records(id);
  ASSERT_TRUE(records);
  EXPECT_EQ(records->size(), 2u); // created, job_acquired
  // inc-b gives it back; inc-a takes it at a higher epoch.
  ASSERT_TRUE(*n.store.release(5, "inc-b", epoch_b));
  EXPECT_GT(n.hold(5, "inc-a"), epoch_b);
  auto finalized = n.ask<std::string>(n.reg, finalize_atom::value, cred, id, std::string{"{}"});
  ASSERT_TRUE(finalized) << to_string(finalized.error());
  EXPECT_EQ(n.store.load_records(id)->size(), 3u);
}

TEST(shard_registry, concurrent_finalizes_of_one_analysis_have_one_winner) {
  sr_node n;
  n.hold_all();
  auto [id, cred] = n.create_acquired(n.reg, id_in_shard(0));
  caf::scoped_actor self{n.sys};
  constexpr int tries = 8;
  for (int i = 0; i < tries; ++i)
    self->send(n.reg, finalize_atom::value, cred, id, std::string{"{\"n\":" + std::to_string(i) + "}"});
  int won = 0, conflicts = 0;
  for (int i = 0; i < tries; ++i)
    self->receive([&](std::string&) { ++won; },
                  [&](caf::error& err) {
                    EXPECT_EQ(code_of(err), e(errc::already_finalized)) << to_string(err);
                    ++conflicts;
                  },
                  caf::after(sr_patience) >> [] { ADD_FAILURE() << "no answer"; });
  EXPECT_EQ(won, 1);
  EXPECT_EQ(conflicts, tries - 1);
}

TEST(shard_registry, a_handoff_retires_the_shards_actors_then_refuses_them) {
  sr_node n;
  n.hold_all();
  auto [id, cred] = n.create_acquired(n.reg, id_in_shard(6));
  auto [other_id, other_cred] = n.create_acquired(n.reg, id_in_shard(7));
  ASSERT_TRUE(n.ask<std::string>(n.reg, get_atom::value, cred, id));
  ASSERT_TRUE(n.ask<std::string>(n.reg, get_atom::value, other_cred, other_id));
  n.view->drop(6);
  auto handed = n.ask<bool>(n.reg, handoff_atom::value, std::uint32_t{6});
  ASSERT_TRUE(handed) << to_string(handed.error());
  caf::scoped_actor self{n.sys};
  std::uint64_t live = 99;
  self->request(n.reg, sr_patience, stats_atom::value)
    .receive([&](std::uint64_t l, std::uint64_t) { live = l; }, [](caf::error&) {});
  EXPECT_EQ(live, 1u); // shard 7's actor stays
  EXPECT_TRUE(is_not_owner(n.ask<std::string>(n.reg, get_atom::value, cred, id).error()));
  EXPECT_TRUE(n.ask<std::string>(n.reg, get_atom::value, other_cred, other_id));
}

namespace {

// The registry's {live actors, dormant analyses}.
std::pair<std::uint64_t, std::uint64_t> counts(sr_node& n, const shard_registry_actor& reg) {
  std::pair<std::uint64_t, std::uint64_t> out{99, 99};
  caf::scoped_actor self{n.sys};
  self->request(reg, sr_patience, stats_atom::value)
    .receive([&](std::uint64_t live, std::uint64_t dormant) { out = {live, dormant}; },
             [](caf::error&) {});
  return out;
}

// Waits (up to 10 s) until the registry's actors have all retired.
bool all_retired(sr_node& n, const shard_registry_actor& reg) {
  for (int i = 0; i < 500; ++i) {
    if (counts(n, reg).first == 0)
      return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// A registry whose actors retire after 50 ms (`dormant_bytes` as given),
// stopped when it goes out of scope, even when a test ends early.
struct quick_registry {
  shard_registry_actor reg;
  quick_registry(sr_node& n, std::size_t dormant_bytes)
    : reg(n.spawn_registry([=](shard_registry_options& o) {
        o.actor_idle = 50ms;
        o.dormant_bytes = dormant_bytes;
      })) {}
  ~quick_registry() { caf::anon_send_exit(reg, caf::exit_reason::user_shutdown); }
};

} // namespace

// A retired actor's analysis stays dormant while the shard is served at the
// same epoch: the next request spawns its actor from that state, and
// PostgreSQL is not asked (here the journal's rows are deleted behind the
// registry's back, which a load would see); its writes go on at the next seq.
TEST(shard_registry, a_retired_analysis_is_served_again_without_a_load_while_its_lease_holds) {
  sr_node n;
  n.hold_all();
  quick_registry q{n, std::size_t{1} << 20};
  auto reg = q.reg;
  auto [id, cred] = n.create_acquired(reg, id_in_shard(4));
  ASSERT_TRUE(n.ask<std::string>(reg, get_atom::value, cred, id));
  ASSERT_TRUE(all_retired(n, reg));
  EXPECT_EQ(counts(n, reg).second, 1u);
  ASSERT_TRUE(n.store.connection().exec("DELETE FROM journal WHERE analysis_id = '" + id + "'"));
  auto doc = n.ask<std::string>(reg, get_atom::value, cred, id);
  ASSERT_TRUE(doc) << to_string(doc.error());
  EXPECT_EQ(nlohmann::json::parse(*doc)["job"]["state"], "running");
  EXPECT_EQ(counts(n, reg), std::make_pair(std::uint64_t{1}, std::uint64_t{0}));
  // Another analysis, retired, then finalized from its dormant state: its
  // record follows the two before it (a wrong seq would be fenced).
  auto [id2, cred2] = n.create_acquired(reg, id_in_shard(4));
  ASSERT_TRUE(all_retired(n, reg));
  ASSERT_TRUE(n.ask<std::string>(reg, finalize_atom::value, cred2, id2, std::string{"{}"}));
  auto seqs = n.store.connection().exec("SELECT max(seq), count(*) FROM journal WHERE analysis_id = '"
                                        + id2 + "'");
  ASSERT_TRUE(seqs);
  EXPECT_EQ(seqs->int64(0, 0), 3);
  EXPECT_EQ(seqs->int64(0, 1), 3);
  // A create of its id meets it as dormant too.
  ASSERT_TRUE(all_retired(n, reg));
  EXPECT_EQ(code_of(n.ask<std::string>(reg, create_atom::value, good_create(id2)).error()),
            e(errc::analysis_exists));
  // With no room for dormant analyses, a retired one is loaded again: rows
  // deleted behind its back are then missed.
  auto [id3, cred3] = n.create_acquired(reg, id_in_shard(4));
  quick_registry bare{n, 0};
  ASSERT_TRUE(n.ask<std::string>(bare.reg, get_atom::value, cred3, id3));
  ASSERT_TRUE(all_retired(n, bare.reg));
  EXPECT_EQ(counts(n, bare.reg).second, 0u);
  ASSERT_TRUE(n.store.connection().exec("DELETE FROM journal WHERE analysis_id = '" + id3 + "'"));
  EXPECT_EQ(code_of(n.ask<std::string>(bare.reg, get_atom::value, cred3, id3).error()),
            e(errc::not_found));
}

// A dormant analysis whose shard's lease lapsed meanwhile is not trusted:
// another incarnation may have written it, and here one did.
TEST(shard_registry, a_dormant_analysis_of_a_lapsed_lease_is_loaded_again) {
  sr_node n;
  n.hold_all();
  quick_registry q{n, std::size_t{1} << 20};
  auto reg = q.reg;
  auto id = id_in_shard(5);
  auto [_, cred] = n.create_acquired(reg, id);
  ASSERT_TRUE(n.ask<std::string>(reg, get_atom::value, cred, id));
  ASSERT_TRUE(all_retired(n, reg));
  ASSERT_EQ(counts(n, reg).second, 1u);
  // inc-b takes the lapsed lease, finalizes the analysis and gives it back;
  // inc-a takes it again at a higher epoch.
  ASSERT_TRUE(n.store.connection().exec(
    "UPDATE shard_leases SET expires_at = clock_timestamp() - interval '1 second' WHERE shard = 5"));
  auto epoch_b = n.hold(5, "inc-b");
  journal_entry entry;
  entry.shard = 5;
  entry.epoch = epoch_b;
  entry.seq = 3;
  entry.record.kind = record_kind::finalized;
  entry.record.analysis_id = id;
  entry.record.results = R"({"by":"inc-b"})";
  entry.record.at = now();
  ASSERT_FALSE(n.store.append_batch("inc-b", {entry}));
  ASSERT_TRUE(*n.store.release(5, "inc-b", epoch_b));
  EXPECT_GT(n.hold(5, "inc-a"), epoch_b);
  auto doc = n.ask<std::string>(reg, get_atom::value, cred, id);
  ASSERT_TRUE(doc) << to_string(doc.error());
  auto json = nlohmann::json::parse(*doc);
  EXPECT_EQ(json["ready"], true);
  EXPECT_EQ(json["results"]["by"], "inc-b");
  EXPECT_EQ(code_of(n.ask<std::string>(reg, finalize_atom::value, cred, id, std::string{"{}"}).error()),
            e(errc::already_finalized));
}

TEST(cluster_router, routes_to_this_node_lists_from_postgresql_and_writes_uploads_itself) {
  sr_node n;
  n.hold_all();
  auto [id, cred] = n.create_acquired(n.router, {});
  ASSERT_FALSE(id.empty());
  auto file = n.ask<file_record>(n.router, upload_atom::value, cred, id, upload("a.fa", ">a\nAC\n"));
  ASSERT_TRUE(file) << to_string(file.error());
  std::string bytes;
  EXPECT_FALSE(posix_storage().read_all(n.files->file_path(id, *file), bytes));
  EXPECT_EQ(bytes, ">a\nAC\n");
  auto page = n.ask<std::string>(n.router, list_atom::value, list_request{1, 10});
  ASSERT_TRUE(page) << to_string(page.error());
  auto json = nlohmann::json::parse(*page);
  ASSERT_EQ(json["documents"].size(), 1u);
  EXPECT_EQ(json["documents"][0]["files"].size(), 1u);
  EXPECT_EQ(code_of(n.ask<std::string>(n.router, list_atom::value, list_request{0, 10}).error()),
            e(errc::invalid_query));
}

TEST(cluster_router, a_shard_nobody_serves_is_retried_then_unavailable) {
  sr_node n{1000ms};
  auto start = std::chrono::steady_clock::now();
  auto created = n.ask<std::string>(n.router, create_atom::value, good_create(id_in_shard(2)));
  ASSERT_FALSE(created);
  EXPECT_EQ(code_of(created.error()), e(errc::unavailable)) << to_string(created.error());
  EXPECT_GE(seconds_since(start), 1.0);
  // Served meanwhile: a retry finds it.
  auto id = id_in_shard(4);
  std::thread take([&] {
    std::this_thread::sleep_for(200ms);
    n.hold(4, "inc-a");
  });
  auto later = n.ask<std::string>(n.router, create_atom::value, good_create(id));
  take.join();
  EXPECT_TRUE(later) << to_string(later.error());
}

// A reservation entitles only the actor that made it: an owner that took
// the analysis over (another registry here) or an actor loaded again after
// a lost lease cannot commit it. The commit fails as unavailable (503: the
// bytes are not stored, the upload can be sent again), never as not found.
TEST(shard_registry, a_reservation_made_by_an_earlier_owner_cannot_be_committed) {
  sr_node n;
  n.hold_all();
  auto id = id_in_shard(2);
  auto [_, cred] = n.create_acquired(n.reg, id);
  auto query = upload("a.fa");
  query.bytes = {};
  auto reserved = n.ask<file_record>(n.reg, reserve_atom::value, cred, id, query);
  ASSERT_TRUE(reserved) << to_string(reserved.error());
  auto other = n.spawn_registry();
  auto elsewhere = n.ask<file_record>(other, commit_atom::value, cred, id, *reserved);
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(code_of(elsewhere.error()), e(errc::unavailable)) << to_string(elsewhere.error());
  caf::anon_send_exit(other, caf::exit_reason::user_shutdown);
  // The lease lapses and comes back at a higher epoch: the analysis is
  // loaded again, and the new actor holds no reservation.
  ASSERT_TRUE(n.store.connection().exec(
    "UPDATE shard_leases SET expires_at = clock_timestamp() - interval '1 second' WHERE shard = 2"));
  n.hold(2, "inc-a");
  ASSERT_TRUE(n.ask<std::string>(n.reg, get_atom::value, cred, id));
  auto reloaded = n.ask<file_record>(n.reg, commit_atom::value, cred, id, *reserved);
  ASSERT_FALSE(reloaded);
  EXPECT_EQ(code_of(reloaded.error()), e(errc::unavailable)) << to_string(reloaded.error());
  // What the new actor reserves it commits, under a new id: ids reserved
  // by an earlier owner are not reused.
  auto again = n.ask<file_record>(n.reg, reserve_atom::value, cred, id, query);
  ASSERT_TRUE(again) << to_string(again.error());
  EXPECT_GT(again->id, reserved->id);
  auto committed = n.ask<file_record>(n.reg, commit_atom::value, cred, id, *again);
  EXPECT_TRUE(committed) << to_string(committed.error());
}

// The view names an owner that cannot be reached (a node that left: its
// port is closed). A read, and a write too (it never left this node), waits
// for the next view, which names the new owner, instead of failing.
TEST(cluster_router, a_request_for_an_owner_that_cannot_be_reached_waits_for_the_next_view) {
  sr_node n{4000ms, true};
  n.hold_all();
  auto id = id_in_shard(3);
  auto [_, cred] = n.create_acquired(n.router, id);
  auto closed_port = free_port(); // nobody listens there
  n.view->drop(3);
  n.view->publish(routes_naming("inc-gone", "127.0.0.1:" + std::to_string(closed_port)));
  auto back = [&] {
    std::this_thread::sleep_for(500ms);
    auto leases = n.store.leases();
    ASSERT_TRUE(leases);
    for (auto& lease : *leases)
      if (lease.shard == 3)
        n.view->hold(3, lease.epoch, std::chrono::steady_clock::now() + 60s);
    n.view->publish(routes_naming("inc-a", "127.0.0.1:1"));
  };
  std::thread t1{back};
  auto got = n.ask<std::string>(n.router, get_atom::value, cred, id);
  t1.join();
  EXPECT_TRUE(got) << to_string(got.error());
  n.view->drop(3);
  n.view->publish(routes_naming("inc-gone", "127.0.0.1:" + std::to_string(closed_port)));
  std::thread t2{back};
  auto finalized = n.ask<std::string>(n.router, finalize_atom::value, cred, id, std::string{"{}"});
  t2.join();
  EXPECT_TRUE(finalized) << to_string(finalized.error());
}

// An owner that takes the connection but never answers (a stopped process):
// the router answers `unavailable` once `answer_within` has passed, a read
// and a write alike, not after the peer link's far longer timeout.
TEST(cluster_router, an_owner_that_never_answers_is_answered_unavailable_in_bounded_time) {
  sr_node n{500ms, true, [](cluster_router_options& o) {
              o.answer_within = 1500ms;
              o.peer_timeout = 60s;
            }};
  analysisd::test::fake_peer peer{"node"};
  auto cred = job_credential("j1", "k1");
  auto answered = reach_peer(n, peer, cred);
  ASSERT_TRUE(answered) << to_string(answered.error());
  EXPECT_EQ(*answered, "final:{}");
  // It answers every get but this one.
  auto start = std::chrono::steady_clock::now();
  auto got = n.ask<std::string>(n.router, get_atom::value, cred, std::string{"hang"});
  ASSERT_FALSE(got);
  EXPECT_EQ(code_of(got.error()), e(errc::unavailable)) << to_string(got.error());
  EXPECT_GE(seconds_since(start), 1.4);
  EXPECT_LT(seconds_since(start), 10.0);
  // Stopped, it answers nothing.
  peer.stop();
  start = std::chrono::steady_clock::now();
  auto finalized = n.ask<std::string>(n.router, finalize_atom::value, cred, std::string{"x"},
                                      std::string{"{}"});
  ASSERT_FALSE(finalized);
  EXPECT_EQ(code_of(finalized.error()), e(errc::unavailable)) << to_string(finalized.error());
  EXPECT_GE(seconds_since(start), 1.4);
  EXPECT_LT(seconds_since(start), 10.0);
}

// A reserve leaves for a peer only with `reserve_lead` left of the time the
// request may take: the owner abandons a reservation it answers later than
// half of that, so one it hands out arrives while this node still waits
// (else nobody would know its file id, and the name would stay reserved).
// Here that time is shorter than the lead: the reserve is refused at once,
// not sent, while a finalize reaches the same peer.
TEST(cluster_router, a_reserve_leaves_for_a_peer_only_with_time_to_spare) {
  sr_node n{500ms, true, [](cluster_router_options& o) {
              o.answer_within = 1500ms;
              o.reserve_lead = 2000ms;
            }};
  analysisd::test::fake_peer peer{"node"};
  auto cred = job_credential("j1", "k1");
  auto answered = reach_peer(n, peer, cred);
  ASSERT_TRUE(answered) << to_string(answered.error());
  auto start = std::chrono::steady_clock::now();
  auto reserved = n.ask<file_record>(n.router, reserve_atom::value, cred, std::string{"x"},
                                     upload("reads.fa", ""));
  ASSERT_FALSE(reserved);
  EXPECT_EQ(code_of(reserved.error()), e(errc::unavailable)) << to_string(reserved.error());
  EXPECT_LT(seconds_since(start), 1.0);
}
