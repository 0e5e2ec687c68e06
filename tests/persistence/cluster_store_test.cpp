#include "persistence/cluster_store.hpp"

#include "actors/protocol.hpp"
#include "persistence/recovery.hpp"

#include "tests/persistence/helpers.hpp"
#include "tests/persistence/pg_helpers.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

using namespace analysisd;
using namespace analysisd::test;
using namespace std::chrono_literals;

namespace {

std::uint8_t code(errc e) {
  return static_cast<std::uint8_t>(e);
}

// A `created` entry with its listing document.
journal_entry created_entry(std::uint32_t shard, std::int64_t epoch, const std::string& id,
                            timestamp created_at = 1507066554813000) {
  auto rec = created(id);
  rec.analysis.job_id = "j" + id.substr(1);
  rec.analysis.created_at = created_at;
  auto summary = render_analysis(rec.analysis, false);
  return pg_entry(shard, epoch, 1, std::move(rec), std::move(summary));
}

journal_record acquired(const std::string& id, const std::string& key) {
  journal_record r;
  r.kind = record_kind::job_acquired;
  r.analysis_id = id;
  r.key_hash = sha256(key);
  return r;
}

std::vector<std::string> incarnations(std::size_t n, const std::string& prefix = "inc") {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(prefix + std::to_string(i) + "-" + std::to_string(i * 7919));
  return out;
}

} // namespace

// -- ownership: pure functions ------------------------------------------------------

TEST(cluster_ownership, hashes_are_stable_across_builds) {
  // Pinned: a change here moves every analysis to another shard.
  EXPECT_EQ(stable_hash(""), 0xc3817c016ba4ff30ull);
  EXPECT_EQ(stable_hash("uskrqsxm"), 0x6b5b0e25f7e3659cull);
  EXPECT_EQ(shard_of("uskrqsxm", 256), 156u);
  EXPECT_EQ(rendezvous_owner(3, {"a", "b", "c"}), 0);
  EXPECT_NE(stable_hash("uskrqsxm"), stable_hash("uskrqsxn"));
  EXPECT_EQ(shard_of("uskrqsxm", 256), stable_hash("uskrqsxm") % 256);
  for (int i = 0; i < 1000; ++i)
    EXPECT_LT(shard_of(random_id(), 7), 7u);
  EXPECT_EQ(rendezvous_owner(3, {}), -1);
  EXPECT_EQ(rendezvous_owner(3, {"only"}), 0);
}

TEST(cluster_ownership, analyses_spread_evenly_over_shards) {
  std::vector<int> count(64);
  for (int i = 0; i < 64000; ++i)
    ++count[shard_of(random_id(), 64)];
  for (int c : count) {
    EXPECT_GT(c, 800);
    EXPECT_LT(c, 1200);
  }
}

TEST(cluster_ownership, rendezvous_balances_shards_over_members) {
  for (std::size_t n : {2u, 3u, 4u, 5u, 8u}) {
    auto members = incarnations(n, "node" + std::to_string(n) + "-");
    std::vector<int> owned(n);
    for (std::uint32_t s = 0; s < 1024; ++s)
      ++owned[static_cast<std::size_t>(rendezvous_owner(s, members))];
    double mean = 1024.0 / static_cast<double>(n);
    for (int o : owned) {
      EXPECT_GT(o, mean * 0.75) << n << " members";
      EXPECT_LT(o, mean * 1.25) << n << " members";
    }
  }
}

TEST(cluster_ownership, rendezvous_moves_only_what_a_join_or_leave_must) {
  auto members = incarnations(4);
  auto owner = [](std::uint32_t s, const std::vector<std::string>& m) {
    return m[static_cast<std::size_t>(rendezvous_owner(s, m))];
  };
  // Join: the moved shards all go to the newcomer, about a fifth of them.
  auto joined = members;
  joined.push_back("newcomer-42");
  int moved = 0;
  for (std::uint32_t s = 0; s < 1024; ++s) {
    auto before = owner(s, members);
    auto after = owner(s, joined);
    if (before != after) {
      ++moved;
      EXPECT_EQ(after, "newcomer-42");
    }
  }
  EXPECT_GT(moved, 1024 / 5 * 3 / 4);
  EXPECT_LT(moved, 1024 / 5 * 5 / 4);
  // Leave: only the leaver's shards move; the order of members does not matter.
  auto left = std::vector<std::string>{members[3], members[0], members[2]};
  for (std::uint32_t s = 0; s < 1024; ++s) {
    auto before = owner(s, members);
    auto after = owner(s, left);
    if (before != members[1])
      EXPECT_EQ(before, after);
    else
      EXPECT_NE(after, members[1]);
  }
}

// -- schema and membership ------------------------------------------------------------

TEST(cluster_store, schema_is_created_once_even_by_nodes_starting_together) {
  auto db = fresh_database();
  std::vector<caf::error> errors(4);
  std::vector<std::thread> nodes;
  for (std::size_t i = 0; i < errors.size(); ++i)
    nodes.emplace_back([&, i] {
      cluster_store store{test_pg_options(db)};
      errors[i] = store.ensure_schema();
    });
  for (auto& t : nodes)
    t.join();
  for (auto& err : errors)
    EXPECT_FALSE(err) << context_of(err);
  auto store = open_store(db); // again: nothing to do
  auto versions = store->connection().exec("SELECT version FROM analysisd_schema");
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->rows(), 1);
  EXPECT_EQ(versions->int64(0, 0), cluster_schema_version);
  ASSERT_TRUE(store->connection().exec("UPDATE analysisd_schema SET version = version + 1"));
  auto err = store->ensure_schema();
  EXPECT_EQ(code_of(err), code(errc::io_error));
  EXPECT_NE(context_of(err).find("newer"), std::string::npos) << context_of(err);
}

// Clients' text is any UTF-8: a database of another encoding is refused at
// the start, not when a job first sends what it cannot hold.
TEST(cluster_store, a_database_that_is_not_utf8_is_refused) {
  auto& pg = postgres_process::shared();
  auto name = "latin1_" + std::to_string(::getpid());
  ASSERT_NO_THROW(test::pg_rows(pg.conninfo(), "CREATE DATABASE " + name
                                            + " ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'"
                                              " TEMPLATE template0"));
  cluster_store store{test_pg_options(pg.conninfo(name))};
  auto err = store.ensure_schema();
  ASSERT_TRUE(err);
  EXPECT_EQ(code_of(err), code(errc::io_error));
  EXPECT_NE(context_of(err).find("encoding is LATIN1"), std::string::npos) << context_of(err);
  // Nothing was created.
  EXPECT_TRUE(
    test::pg_rows(pg.conninfo(name), "SELECT 1 FROM pg_tables WHERE tablename = 'journal'").empty());
}

TEST(cluster_store, heartbeat_lists_the_members_alive_by_postgres_clock) {
  auto db = fresh_database();
  auto a = open_store(db);
  auto b = open_store(db);
  member_info ma{"node-a", "inc-a", "127.0.0.1:9001", "127.0.0.1:4001"};
  member_info mb{"node-b", "inc-b", "127.0.0.1:9002", "127.0.0.1:4002"};
  ASSERT_TRUE(a->heartbeat(ma, 1000ms));
  auto live = b->heartbeat(mb, 1000ms);
  ASSERT_TRUE(live) << context_of(live.error());
  ASSERT_EQ(live->size(), 2u);
  EXPECT_EQ((*live)[0].incarnation, "inc-a");
  EXPECT_EQ((*live)[0].node, "node-a");
  EXPECT_EQ((*live)[0].http_address, "127.0.0.1:9001");
  EXPECT_EQ((*live)[0].caf_address, "127.0.0.1:4001");
  EXPECT_EQ((*live)[1].incarnation, "inc-b");
  // b stops beating; after well over its ttl, a sees itself only.
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(500ms);
    ASSERT_TRUE(a->heartbeat(ma, 1000ms));
  }
  live = a->heartbeat(ma, 1000ms);
  ASSERT_TRUE(live);
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].incarnation, "inc-a");
  auto rows = a->connection().exec("SELECT count(*) FROM members");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->int64(0, 0), 2); // b's row stays a while (ten ttls)...
  ASSERT_TRUE(a->heartbeat(ma, 100ms));
  rows = a->connection().exec("SELECT count(*) FROM members");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->int64(0, 0), 1); // ...and then goes
  // b comes back (a new address), then a leaves.
  mb.http_address = "127.0.0.1:9003";
  ASSERT_TRUE(b->heartbeat(mb, 1000ms));
  ASSERT_FALSE(a->leave("inc-a"));
  live = b->heartbeat(mb, 1000ms);
  ASSERT_TRUE(live);
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].http_address, "127.0.0.1:9003");
}

// -- leases ---------------------------------------------------------------------------

TEST(cluster_store, expired_lease_is_taken_over_with_a_higher_epoch) {
  auto db = fresh_database();
  auto a = open_store(db);
  auto b = open_store(db);
  auto sent = std::chrono::steady_clock::now();
  auto la = a->acquire(7, "inc-a", 1000ms);
  ASSERT_TRUE(la) << context_of(la.error());
  EXPECT_TRUE(la->granted);
  EXPECT_EQ(la->epoch, 1);
  EXPECT_EQ(la->owner, "inc-a");
  EXPECT_GE(la->requested_at, sent);
  EXPECT_GT(la->expires_at, now() - 60'000'000); // PostgreSQL's clock, near ours
  auto lb = b->acquire(7, "inc-b", 1000ms);
  ASSERT_TRUE(lb);
  EXPECT_FALSE(lb->granted);
  EXPECT_EQ(lb->owner, "inc-a");
  EXPECT_EQ(lb->epoch, 1);
  // The holder renews: same epoch, later expiry.
  auto renewed = a->acquire(7, "inc-a", 1000ms);
  ASSERT_TRUE(renewed);
  EXPECT_TRUE(renewed->granted);
  EXPECT_EQ(renewed->epoch, 1);
  EXPECT_GE(renewed->expires_at, la->expires_at);
  std::this_thread::sleep_for(2500ms);
  lb = b->acquire(7, "inc-b", 1000ms);
  ASSERT_TRUE(lb);
  EXPECT_TRUE(lb->granted);
  EXPECT_EQ(lb->epoch, 2);
  auto mine = a->renew_all("inc-a", 1000ms);
  ASSERT_TRUE(mine);
  EXPECT_TRUE(mine->empty());
  auto back = a->acquire(7, "inc-a", 1000ms);
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->granted);
  EXPECT_EQ(back->owner, "inc-b");
  // An orderly handoff: release, and the next owner's epoch is higher.
  auto released = b->release(7, "inc-b", 1);
  ASSERT_TRUE(released);
  EXPECT_FALSE(*released); // not at epoch 1
  released = b->release(7, "inc-b", 2);
  ASSERT_TRUE(released);
  EXPECT_TRUE(*released);
  back = a->acquire(7, "inc-a", 1000ms);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->granted);
  EXPECT_EQ(back->epoch, 3);
}

TEST(cluster_store, renew_all_keeps_every_lease_in_one_round_trip) {
  auto db = fresh_database();
  auto a = open_store(db);
  auto b = open_store(db);
  for (std::uint32_t s = 0; s < 10; ++s)
    ASSERT_TRUE(a->acquire(s, "inc-a", 1500ms)->granted);
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(400ms);
    auto sent = std::chrono::steady_clock::now();
    auto leases = a->renew_all("inc-a", 1500ms);
    ASSERT_TRUE(leases) << context_of(leases.error());
    ASSERT_EQ(leases->size(), 10u);
    for (std::uint32_t s = 0; s < 10; ++s) {
      EXPECT_EQ((*leases)[s].shard, s);
      EXPECT_EQ((*leases)[s].epoch, 1);
      EXPECT_GE((*leases)[s].requested_at, sent);
    }
  }
  // 4 s after the first acquire of a 1.5 s lease: still a's.
  for (std::uint32_t s = 0; s < 10; ++s) {
    auto lb = b->acquire(s, "inc-b", 1500ms);
    ASSERT_TRUE(lb);
    EXPECT_FALSE(lb->granted);
  }
}

TEST(cluster_store, leases_name_every_holder_and_whether_it_is_live) {
  auto db = fresh_database();
  auto a = open_store(db);
  auto b = open_store(db);
  auto none = a->leases();
  ASSERT_TRUE(none) << context_of(none.error());
  EXPECT_TRUE(none->empty()); // no shard taken yet: no rows
  ASSERT_TRUE(a->acquire(1, "inc-a", 60'000ms)->granted);
  ASSERT_TRUE(a->acquire(2, "inc-a", 60'000ms)->granted);
  ASSERT_TRUE(b->acquire(5, "inc-b", 60'000ms)->granted);
  ASSERT_TRUE(b->acquire(9, "inc-b", 300ms)->granted);
  ASSERT_TRUE(*a->release(2, "inc-a", 1));
  std::this_thread::sleep_for(600ms); // shard 9's lease expires
  auto rows = b->leases();
  ASSERT_TRUE(rows) << context_of(rows.error());
  ASSERT_EQ(rows->size(), 4u);
  auto& r = *rows;
  EXPECT_EQ(r[0].shard, 1u);
  EXPECT_EQ(r[0].owner, "inc-a");
  EXPECT_EQ(r[0].epoch, 1);
  EXPECT_TRUE(r[0].live);
  EXPECT_EQ(r[1].shard, 2u); // released
  EXPECT_EQ(r[1].owner, "");
  EXPECT_FALSE(r[1].live);
  EXPECT_EQ(r[2].shard, 5u);
  EXPECT_EQ(r[2].owner, "inc-b");
  EXPECT_TRUE(r[2].live);
  EXPECT_EQ(r[3].shard, 9u); // expired: still named, not live
  EXPECT_EQ(r[3].owner, "inc-b");
  EXPECT_FALSE(r[3].live);
  // The next owner of the expired one has a higher epoch.
  auto taken = a->acquire(9, "inc-a", 60'000ms);
  ASSERT_TRUE(taken);
  EXPECT_TRUE(taken->granted);
  rows = a->leases();
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[3].owner, "inc-a");
  EXPECT_EQ((*rows)[3].epoch, 2);
  EXPECT_TRUE((*rows)[3].live);
}

TEST(cluster_store, release_all_gives_up_only_this_incarnations_leases) {
  auto db = fresh_database();
  auto a = open_store(db);
  auto b = open_store(db);
  for (std::uint32_t s = 0; s < 6; ++s)
    ASSERT_TRUE(a->acquire(s, "inc-a", 60'000ms)->granted);
  ASSERT_TRUE(b->acquire(6, "inc-b", 60'000ms)->granted);
  auto n = a->release_all("inc-a");
  ASSERT_TRUE(n) << context_of(n.error());
  EXPECT_EQ(*n, 6u);
  auto mine = a->renew_all("inc-a", 60'000ms);
  ASSERT_TRUE(mine);
  EXPECT_TRUE(mine->empty());
  // Free at once for another incarnation, at a higher epoch; b's lease stays.
  auto taken = b->acquire(3, "inc-b", 60'000ms);
  ASSERT_TRUE(taken);
  EXPECT_TRUE(taken->granted);
  EXPECT_EQ(taken->epoch, 2);
  auto theirs = b->renew_all("inc-b", 60'000ms);
  ASSERT_TRUE(theirs);
  EXPECT_EQ(theirs->size(), 2u);
  n = a->release_all("inc-a");
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0u);
}

TEST(cluster_store, of_incarnations_racing_for_a_shard_exactly_one_wins) {
  auto db = fresh_database();
  open_store(db);
  constexpr int racers = 6;
  constexpr std::uint32_t shards = 20;
  std::vector<std::unique_ptr<cluster_store>> stores;
  for (int i = 0; i < racers; ++i) {
    stores.push_back(std::make_unique<cluster_store>(test_pg_options(db)));
    ASSERT_FALSE(stores.back()->connection().connect());
  }
  std::vector<std::vector<shard_lease>> got(racers);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < racers; ++i)
    threads.emplace_back([&, i] {
      ++ready;
      while (ready < racers) {
      }
      for (std::uint32_t s = 0; s < shards; ++s) {
        auto l = stores[static_cast<std::size_t>(i)]->acquire(s, "racer-" + std::to_string(i), 10s);
        if (l)
          got[static_cast<std::size_t>(i)].push_back(*l);
      }
    });
  for (auto& t : threads)
    t.join();
  for (std::uint32_t s = 0; s < shards; ++s) {
    std::set<std::string> winners;
    std::set<std::string> seen_owners;
    for (int i = 0; i < racers; ++i) {
      ASSERT_EQ(got[static_cast<std::size_t>(i)].size(), shards);
      auto& l = got[static_cast<std::size_t>(i)][s];
      if (l.granted)
        winners.insert("racer-" + std::to_string(i));
      seen_owners.insert(l.owner);
      EXPECT_EQ(l.epoch, 1);
    }
    ASSERT_EQ(winners.size(), 1u) << "shard " << s;
    EXPECT_EQ(seen_owners, winners) << "shard " << s; // the losers name the winner
  }
}

// -- the journal and its fence ------------------------------------------------------------

// The interleaving of issue 11: the old owner's lease expires, a new owner
// takes the shard, and the old owner's batch fails on the fence, writing
// nothing.
TEST(cluster_store, stale_owner_batch_is_fenced_and_writes_nothing) {
  auto db = fresh_database();
  auto old_owner = open_store(db);
  auto new_owner = open_store(db);
  auto s = shard_of("aaaaaaaa", 16);
  auto la = old_owner->acquire(s, "inc-old", 1000ms);
  ASSERT_TRUE(la && la->granted);
  ASSERT_FALSE(old_owner->append_batch("inc-old", {created_entry(s, la->epoch, "aaaaaaaa")}));
  std::this_thread::sleep_for(2500ms);
  auto lb = new_owner->acquire(s, "inc-new", 10s);
  ASSERT_TRUE(lb && lb->granted);
  EXPECT_EQ(lb->epoch, la->epoch + 1);
  auto err = old_owner->append_batch(
    "inc-old", {pg_entry(s, la->epoch, 2, finalized("aaaaaaaa", "{\"old\":1}"))});
  ASSERT_TRUE(is_fenced(err)) << context_of(err);
  EXPECT_EQ(code_of(err), code(errc::unavailable));
  EXPECT_EQ(fenced_shards(err), std::vector<std::uint32_t>{s});
  auto loaded = new_owner->load_analysis("aaaaaaaa");
  ASSERT_TRUE(loaded) << context_of(loaded.error());
  EXPECT_EQ(loaded->records, 1u);
  EXPECT_EQ(loaded->next_seq, 2u);
  EXPECT_FALSE(loaded->state.ready);
  // The new owner writes seq 2; the old one, even under the new epoch it
  // does not hold, cannot.
  EXPECT_FALSE(new_owner->append_batch(
    "inc-new", {pg_entry(s, lb->epoch, 2, finalized("aaaaaaaa", "{\"new\":1}"))}));
  EXPECT_TRUE(is_fenced(old_owner->append_batch(
    "inc-old", {pg_entry(s, lb->epoch, 3, finalized("aaaaaaaa", "{\"old\":2}"))})));
  loaded = new_owner->load_analysis("aaaaaaaa");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->state.results, "{\"new\":1}");
}

// A batch in flight holds its leases FOR SHARE: a takeover of an expired
// lease waits for its commit, so the new owner loads what it wrote.
TEST(cluster_store, takeover_waits_for_the_batch_in_flight) {
  auto db = fresh_database();
  auto a = open_store(db);
  auto b = open_store(db);
  auto la = a->acquire(3, "inc-a", 1000ms);
  ASSERT_TRUE(la && la->granted);
  auto& conn = a->connection();
  std::atomic<bool> committing{false};
  std::atomic<bool> b_done_before_commit{false};
  caf::expected<shard_lease> lb = make_error(errc::unavailable, "not run");
  std::thread taker;
  auto err = conn.transaction([&]() -> caf::error {
    pg_params p;
    p.text("{3}").text("inc-a");
    // append_batch's fence, held open across the lease's expiry.
    auto held = conn.exec("SELECT shard, epoch FROM shard_leases WHERE shard = ANY($1::integer[])"
                          " AND owner = $2 AND expires_at > clock_timestamp()"
                          " ORDER BY shard FOR SHARE",
                          p);
    EXPECT_TRUE(held && held->rows() == 1);
    std::this_thread::sleep_for(1500ms); // the lease expires meanwhile
    taker = std::thread([&] {
      lb = b->acquire(3, "inc-b", 10s);
      b_done_before_commit = !committing;
    });
    std::this_thread::sleep_for(1000ms);
    committing = true;
    return {};
  });
  taker.join();
  ASSERT_FALSE(err) << context_of(err);
  EXPECT_FALSE(b_done_before_commit);
  ASSERT_TRUE(lb) << context_of(lb.error());
  EXPECT_TRUE(lb->granted);
  EXPECT_EQ(lb->epoch, 2);
}

TEST(cluster_store, one_stale_shard_fails_the_whole_batch) {
  auto db = fresh_database();
  auto store = open_store(db);
  auto other = open_store(db);
  ASSERT_TRUE(store->acquire(1, "inc-a", 10s)->granted);
  ASSERT_TRUE(other->acquire(2, "inc-b", 10s)->granted);
  auto err = store->append_batch("inc-a", {created_entry(1, 1, "aaaaaaa1"),
                                           created_entry(2, 1, "aaaaaaa2"),
                                           created_entry(13, 1, "aaaaaaa3")}); // never acquired
  ASSERT_TRUE(is_fenced(err)) << context_of(err);
  EXPECT_EQ(fenced_shards(err), (std::vector<std::uint32_t>{2, 13}));
  // A shard under two epochs in one batch is stale too.
  err = store->append_batch("inc-a", {created_entry(1, 1, "aaaaaaa1"),
                                      pg_entry(1, 2, 2, finalized("aaaaaaa1", "{}"))});
  EXPECT_EQ(fenced_shards(err), std::vector<std::uint32_t>{1});
  EXPECT_EQ(code_of(store->load_records("aaaaaaa1").error()), code(errc::not_found));
  auto page = store->list(1, 25);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 0u);
  EXPECT_EQ(code_of(store->job("jaaaaaa1").error()), code(errc::not_found));
}

TEST(cluster_store, same_seq_twice_fails_on_the_key_and_writes_nothing) {
  auto db = fresh_database();
  auto store = open_store(db);
  ASSERT_TRUE(store->acquire(1, "inc-a", 10s)->granted);
  ASSERT_FALSE(store->append_batch("inc-a", {created_entry(1, 1, "aaaaaaa1")}));
  // A second writer (one that did not load the analysis) reuses seq 1.
  auto err = store->append_batch("inc-a", {created_entry(1, 1, "aaaaaaa2"),
                                           pg_entry(1, 1, 1, finalized("aaaaaaa1", "{}"))});
  ASSERT_TRUE(is_fenced(err)) << context_of(err);
  EXPECT_TRUE(fenced_shards(err).empty());
  EXPECT_EQ(code_of(store->load_records("aaaaaaa2").error()), code(errc::not_found));
  auto loaded = store->load_analysis("aaaaaaa1");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->records, 1u);
  EXPECT_FALSE(loaded->state.ready);
  // A `created` for an id that exists is a second writer too.
  err = store->append_batch("inc-a", {created_entry(1, 1, "aaaaaaa1")});
  EXPECT_TRUE(is_fenced(err)) << context_of(err);
}

TEST(cluster_store, every_record_kind_round_trips_and_rebuilds_the_analysis) {
  auto db = fresh_database();
  auto store = open_store(db);
  ASSERT_TRUE(store->acquire(5, "inc-a", 10s)->granted);
  auto first = created("aaaaaaa1");
  auto& a = first.analysis;
  a.user_handle = "Ian";
  a.reference = {"d19exr83", "Plant Viruses", "genome"};
  a.ml = "{\"id\":3,\"name\":\"model\"}";
  a.subtractions.push_back({"sub2sub2", "Another \xe2\x9c\x93"});
  journal_record acquired;
  acquired.kind = record_kind::job_acquired;
  acquired.analysis_id = "aaaaaaa1";
  acquired.key_hash = sha256("key");
  std::vector<journal_record> records{first, acquired, file_added("aaaaaaa1", 1, "results.fa"),
                                      file_added("aaaaaaa1", 2, "other\n.csv"),
                                      finalized("aaaaaaa1", "{\"hits\":[1,2]}")};
  ASSERT_FALSE(store->reserve_file({"aaaaaaa1", 1, "results.fa", "node-a"}, 60s));
  ASSERT_FALSE(store->reserve_file({"aaaaaaa1", 2, "other\n.csv", "node-a"}, 60s));
  std::vector<journal_entry> batch;
  for (std::size_t i = 0; i < records.size(); ++i)
    batch.push_back(pg_entry(5, 1, i + 1, records[i]));
  batch[0].summary = render_analysis(a, false);
  ASSERT_FALSE(store->append_batch("inc-a", batch));
  // A second analysis, removed in a later batch.
  auto second = created_entry(5, 1, "aaaaaaa2");
  ASSERT_FALSE(store->append_batch("inc-a", {second}));
  ASSERT_FALSE(store->append_batch("inc-a", {pg_entry(5, 1, 2, removed("aaaaaaa2"))}));

  auto loaded_records = store->load_records("aaaaaaa1");
  ASSERT_TRUE(loaded_records) << context_of(loaded_records.error());
  ASSERT_EQ(loaded_records->size(), records.size());
  for (std::size_t i = 0; i < records.size(); ++i)
    EXPECT_EQ(encode_record((*loaded_records)[i]), encode_record(records[i])) << i;
  // The state is what replaying the same records locally gives.
  state_map expected;
  for (auto rec : records)
    ASSERT_TRUE(apply(expected, std::move(rec)));
  auto loaded = store->load_analysis("aaaaaaa1");
  ASSERT_TRUE(loaded) << context_of(loaded.error());
  EXPECT_EQ(loaded->records, 5u);
  EXPECT_EQ(loaded->next_seq, 6u);
  EXPECT_EQ(encode_state(loaded->state), encode_state(expected["aaaaaaa1"]));
  EXPECT_TRUE(loaded->state.job_acquired);
  EXPECT_TRUE(loaded->state.ready);
  EXPECT_EQ(loaded->state.next_file_id, 3u);
  EXPECT_EQ(render_analysis(loaded->state), render_analysis(expected["aaaaaaa1"]));
  auto gone = store->load_analysis("aaaaaaa2");
  ASSERT_TRUE(gone);
  EXPECT_TRUE(gone->state.removed);
  EXPECT_EQ(gone->state.job_id, second.record.analysis.job_id);
  // The listing: the removed analysis is out of it.
  auto page = store->list(1, 25);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 1u);
  ASSERT_EQ(page->summaries.size(), 1u);
  EXPECT_EQ(page->summaries[0], render_analysis(a, false));
  EXPECT_EQ(code_of(store->load_analysis("zzzzzzzz").error()), code(errc::not_found));
}

TEST(cluster_store, records_that_do_not_fit_are_refused_at_load) {
  auto db = fresh_database();
  auto store = open_store(db);
  ASSERT_TRUE(store->acquire(5, "inc-a", 10s)->granted);
  // A finalize with no `created` before it.
  ASSERT_FALSE(store->append_batch("inc-a", {pg_entry(5, 1, 1, finalized("aaaaaaa1", "{}"))}));
  auto loaded = store->load_analysis("aaaaaaa1");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(code_of(loaded.error()), code(errc::io_error));
  // A gap in the sequence (append_batch refuses to make one, see
  // a_record_after_a_gap_is_refused; a row deleted by hand makes one).
  ASSERT_FALSE(store->append_batch("inc-a", {created_entry(5, 1, "aaaaaaa2"),
                                             pg_entry(5, 1, 2, acquired("aaaaaaa2", "k")),
                                             pg_entry(5, 1, 3, finalized("aaaaaaa2", "{}"))}));
  ASSERT_TRUE(store->connection().exec("DELETE FROM journal WHERE analysis_id = 'aaaaaaa2' AND seq = 2"));
  auto records = store->load_records("aaaaaaa2");
  ASSERT_FALSE(records);
  EXPECT_NE(context_of(records.error()).find("out of sequence"), std::string::npos);
}

// -- jobs and the listing -------------------------------------------------------------------

TEST(cluster_store, a_job_is_acquired_once_under_concurrency) {
  auto db = fresh_database();
  auto owner = open_store(db);
  ASSERT_TRUE(owner->acquire(0, "inc-a", 10s)->granted);
  ASSERT_FALSE(owner->append_batch("inc-a", {created_entry(0, 1, "aaaaaaa1")}));
  auto before = owner->job("jaaaaaa1");
  ASSERT_TRUE(before) << context_of(before.error());
  EXPECT_EQ(before->analysis_id, "aaaaaaa1");
  EXPECT_FALSE(before->acquired);
  EXPECT_EQ(before->key_hash, "");
  // Writers that each append a job_acquired (different seqs, so that the
  // key of the record does not decide: the job's key, or the gap a later
  // seq leaves while seq 2 is not written, does).
  constexpr int nodes = 8;
  std::vector<caf::error> results(static_cast<std::size_t>(nodes));
  std::vector<std::vector<std::size_t>> refused(static_cast<std::size_t>(nodes));
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < nodes; ++i)
    threads.emplace_back([&, i] {
      cluster_store store{test_pg_options(db)};
      auto err = store.connection().connect();
      ++ready;
      while (ready < nodes) {
      }
      auto k = static_cast<std::size_t>(i);
      results[k] = err ? err
                       : store.append_batch("inc-a",
                                            {pg_entry(0, 1, 2 + k, acquired("aaaaaaa1", "key-" + std::to_string(i)))},
                                            &refused[k]);
    });
  for (auto& t : threads)
    t.join();
  int won = -1;
  for (int i = 0; i < nodes; ++i) {
    auto& r = results[static_cast<std::size_t>(i)];
    if (!r) {
      EXPECT_EQ(won, -1);
      won = i;
    } else {
      if (is_fenced(r)) {
        EXPECT_NE(context_of(r).find("do not follow"), std::string::npos) << context_of(r);
      } else {
        EXPECT_EQ(code_of(r), code(errc::job_already_acquired)) << context_of(r);
        EXPECT_NE(context_of(r).find("job jaaaaaa1 of analysis aaaaaaa1"), std::string::npos)
          << context_of(r);
      }
      EXPECT_EQ(refused[static_cast<std::size_t>(i)], std::vector<std::size_t>{0});
    }
  }
  ASSERT_NE(won, -1);
  auto after = owner->job("jaaaaaa1");
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->acquired);
  EXPECT_EQ(after->key_hash, sha256("key-" + std::to_string(won)));
  // Only the winner's record was written.
  auto records = owner->connection().exec("SELECT seq FROM journal WHERE analysis_id = 'aaaaaaa1'"
                                          " ORDER BY seq");
  ASSERT_TRUE(records);
  ASSERT_EQ(records->rows(), 2);
  EXPECT_EQ(records->int64(1, 0), 2 + won);
}

// Job and analysis ids come from clients (credentials, paths): one that is
// not UTF-8 text names nothing, and is never sent to PostgreSQL, which
// would refuse it, or (a NUL cuts a text parameter) look up its prefix.
TEST(cluster_store, lookups_by_ids_that_are_not_utf8_text_find_nothing) {
  auto db = fresh_database();
  auto store = open_store(db);
  ASSERT_TRUE(store->acquire(0, "inc-a", 10s)->granted);
  ASSERT_FALSE(store->append_batch("inc-a", {created_entry(0, 1, "aaaaaaa1")}));
  ASSERT_TRUE(store->job("jaaaaaa1"));
  ASSERT_TRUE(store->load_analysis("aaaaaaa1"));
  // Each bad id of a job, and the same bytes after an analysis's id.
  for (auto bad : {std::string{"\xff\xfe"}, std::string{"\xc3\x28"}, std::string{"\0x", 2},
                   std::string{"\xed\xa0\x80"}}) {
    SCOPED_TRACE(bad);
    auto before = store->connection().round_trips();
    auto job = store->job("jaaaaaa1" + bad);
    ASSERT_FALSE(job);
    EXPECT_EQ(code_of(job.error()), code(errc::not_found)) << context_of(job.error());
    auto loaded = store->load_analysis("aaaaaaa1" + bad);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(code_of(loaded.error()), code(errc::not_found)) << context_of(loaded.error());
    auto records = store->load_records("aaaaaaa1" + bad);
    ASSERT_FALSE(records);
    EXPECT_EQ(code_of(records.error()), code(errc::not_found)) << context_of(records.error());
    EXPECT_EQ(store->connection().round_trips(), before) << "asked PostgreSQL";
  }
  // The connection is still good.
  EXPECT_TRUE(store->job("jaaaaaa1"));
}

// The key is stored with the record, in the same transaction: a batch that
// acquires a job acquired already writes nothing, not even its other entries.
TEST(cluster_store, job_acquired_of_an_acquired_job_fails_the_whole_batch) {
  auto db = fresh_database();
  auto store = open_store(db);
  ASSERT_TRUE(store->acquire(0, "inc-a", 10s)->granted);
  // Created and acquired in one batch.
  ASSERT_FALSE(store->append_batch("inc-a", {created_entry(0, 1, "aaaaaaa1"),
                                             pg_entry(0, 1, 2, acquired("aaaaaaa1", "key-1"))}));
  EXPECT_EQ(store->job("jaaaaaa1")->key_hash, sha256("key-1"));
  std::vector<std::size_t> refused;
  auto err = store->append_batch("inc-a", {created_entry(0, 1, "aaaaaaa2"),
                                           pg_entry(0, 1, 3, acquired("aaaaaaa1", "key-2"))},
                                 &refused);
  EXPECT_EQ(code_of(err), code(errc::job_already_acquired)) << context_of(err);
  EXPECT_NE(context_of(err).find("jaaaaaa1"), std::string::npos) << context_of(err);
  EXPECT_EQ(refused, std::vector<std::size_t>{1});
  EXPECT_EQ(store->job("jaaaaaa1")->key_hash, sha256("key-1"));
  EXPECT_EQ(code_of(store->load_records("aaaaaaa2").error()), code(errc::not_found));
  EXPECT_EQ(store->load_records("aaaaaaa1")->size(), 2u);
  // Twice in one batch: the second is refused, and the first not written.
  ASSERT_FALSE(store->append_batch("inc-a", {created_entry(0, 1, "aaaaaaa3")}));
  err = store->append_batch("inc-a", {pg_entry(0, 1, 2, acquired("aaaaaaa3", "key-3")),
                                      pg_entry(0, 1, 3, acquired("aaaaaaa3", "key-4"))},
                            &refused);
  EXPECT_EQ(code_of(err), code(errc::job_already_acquired)) << context_of(err);
  EXPECT_EQ(refused, std::vector<std::size_t>{1});
  EXPECT_FALSE(store->job("jaaaaaa3")->acquired);
  // An analysis nobody created has no job.
  err = store->append_batch("inc-a", {pg_entry(0, 1, 1, acquired("nosuchan", "k"))}, &refused);
  EXPECT_EQ(code_of(err), code(errc::not_found)) << context_of(err);
  EXPECT_EQ(refused, std::vector<std::size_t>{0});
  EXPECT_EQ(code_of(store->load_records("nosuchan").error()), code(errc::not_found));
}

// Refusals name the entries that caused them, so that a caller may write
// the others again; errors about the whole batch name none.
TEST(cluster_store, refused_entries_are_named) {
  auto db = fresh_database();
  auto store = open_store(db);
  auto other = open_store(db);
  ASSERT_TRUE(store->acquire(1, "inc-a", 10s)->granted);
  ASSERT_TRUE(other->acquire(2, "inc-b", 10s)->granted);
  std::vector<std::size_t> refused;
  auto err = store->append_batch("inc-a", {created_entry(1, 1, "aaaaaaa1"),
                                           created_entry(2, 1, "aaaaaaa2"),
                                           pg_entry(2, 1, 2, finalized("aaaaaaa2", "{}")),
                                           created_entry(1, 1, "aaaaaaa3")},
                                 &refused);
  ASSERT_TRUE(is_fenced(err));
  EXPECT_EQ(refused, (std::vector<std::size_t>{1, 2}));
  // The others, again: they commit.
  ASSERT_FALSE(store->append_batch("inc-a", {created_entry(1, 1, "aaaaaaa1"),
                                             created_entry(1, 1, "aaaaaaa3")},
                                   &refused));
  EXPECT_TRUE(refused.empty());
  // A key another writer holds.
  err = store->append_batch("inc-a", {created_entry(1, 1, "aaaaaaa4"),
                                      pg_entry(1, 1, 1, finalized("aaaaaaa3", "{}"))},
                            &refused);
  ASSERT_TRUE(is_fenced(err)) << context_of(err);
  EXPECT_NE(context_of(err).find("records aaaaaaa3/1"), std::string::npos) << context_of(err);
  EXPECT_EQ(refused, std::vector<std::size_t>{1});
  // Reservations: every missing one is named.
  ASSERT_FALSE(store->reserve_file({"aaaaaaa1", 2, "b.fa", "node-a"}, 60s));
  err = store->append_batch("inc-a", {pg_entry(1, 1, 2, file_added("aaaaaaa1", 1, "a.fa")),
                                      pg_entry(1, 1, 3, file_added("aaaaaaa1", 2, "b.fa")),
                                      pg_entry(1, 1, 2, file_added("aaaaaaa3", 9, "c.fa"))},
                            &refused);
  EXPECT_EQ(code_of(err), code(errc::not_found));
  EXPECT_EQ(refused, (std::vector<std::size_t>{0, 2}));
  EXPECT_EQ(store->load_records("aaaaaaa1")->size(), 1u);
}

// A record after one that was never written is refused: an analysis's
// records have no gaps, whatever its writer sent after a failure.
TEST(cluster_store, a_record_after_a_gap_is_refused) {
  auto db = fresh_database();
  auto store = open_store(db);
  ASSERT_TRUE(store->acquire(1, "inc-a", 10s)->granted);
  ASSERT_FALSE(store->append_batch("inc-a", {created_entry(1, 1, "aaaaaaa1")}));
  std::vector<std::size_t> refused;
  // seq 3 without 2; seq 2 and 3 of another analysis in one batch are fine.
  auto err = store->append_batch("inc-a", {pg_entry(1, 1, 3, finalized("aaaaaaa1", "{}")),
                                           created_entry(1, 1, "aaaaaaa2"),
                                           pg_entry(1, 1, 2, acquired("aaaaaaa2", "k")),
                                           pg_entry(1, 1, 3, finalized("aaaaaaa2", "{}"))},
                                 &refused);
  ASSERT_TRUE(is_fenced(err)) << context_of(err);
  EXPECT_NE(context_of(err).find("records aaaaaaa1/3 do not follow"), std::string::npos)
    << context_of(err);
  EXPECT_EQ(refused, std::vector<std::size_t>{0});
  EXPECT_EQ(store->load_records("aaaaaaa1")->size(), 1u);
  EXPECT_EQ(code_of(store->load_records("aaaaaaa2").error()), code(errc::not_found));
  ASSERT_FALSE(store->append_batch("inc-a", {created_entry(1, 1, "aaaaaaa2"),
                                             pg_entry(1, 1, 2, acquired("aaaaaaa2", "k")),
                                             pg_entry(1, 1, 3, finalized("aaaaaaa2", "{}"))}));
  ASSERT_FALSE(store->append_batch("inc-a", {pg_entry(1, 1, 2, finalized("aaaaaaa1", "{}"))}));
  EXPECT_EQ(store->load_records("aaaaaaa1")->size(), 2u);
}

// Every batch costs two round trips: one pipeline and the COMMIT. Loading
// an analysis costs one.
TEST(cluster_store, a_batch_takes_two_round_trips_and_a_load_one) {
  auto db = fresh_database();
  auto store = open_store(db);
  ASSERT_TRUE(store->acquire(0, "inc-a", 10s)->granted);
  ASSERT_TRUE(store->reserve_file({"aaaaaaa1", 1, "x.fa", "node-a"}, 60s) == caf::error{});
  auto before = store->connection().round_trips();
  ASSERT_FALSE(store->append_batch("inc-a", {created_entry(0, 1, "aaaaaaa1"),
                                             pg_entry(0, 1, 2, acquired("aaaaaaa1", "k")),
                                             pg_entry(0, 1, 3, file_added("aaaaaaa1", 1, "x.fa")),
                                             pg_entry(0, 1, 4, finalized("aaaaaaa1", "{}"), "{}")}));
  EXPECT_EQ(store->connection().round_trips() - before, 2u);
  // A load reads the records and the reservations together; an id reserved
  // and not committed (by an earlier owner, say) is not issued again.
  ASSERT_TRUE(store->reserve_file({"aaaaaaa1", 7, "y.fa", "node-b"}, 60s) == caf::error{});
  before = store->connection().round_trips();
  auto loaded = store->load_analysis("aaaaaaa1");
  EXPECT_EQ(store->connection().round_trips() - before, 1u);
  ASSERT_TRUE(loaded) << context_of(loaded.error());
  EXPECT_TRUE(loaded->state.job_acquired);
  EXPECT_EQ(loaded->state.files.size(), 1u);
  EXPECT_EQ(loaded->state.next_file_id, 8u);
  EXPECT_EQ(store->job("jaaaaaa1")->key_hash, sha256("k"));
  before = store->connection().round_trips();
  ASSERT_FALSE(store->append_batch("inc-a", {pg_entry(0, 1, 5, removed("aaaaaaa1"))}));
  EXPECT_EQ(store->connection().round_trips() - before, 2u);
  EXPECT_TRUE(store->load_analysis("aaaaaaa1")->state.removed);
}

TEST(cluster_store, listing_pages_newest_first_with_current_documents) {
  auto db = fresh_database();
  auto store = open_store(db);
  ASSERT_TRUE(store->acquire(0, "inc-a", 10s)->granted);
  ASSERT_TRUE(store->acquire(1, "inc-a", 10s)->granted);
  std::vector<journal_entry> batch;
  for (int i = 0; i < 5; ++i) // created_at 1..5; two shards in one batch
    batch.push_back(created_entry(static_cast<std::uint32_t>(i % 2), 1,
                                  "aaaaaaa" + std::to_string(i), 1000 + i));
  ASSERT_FALSE(store->append_batch("inc-a", batch));
  // aaaaaaa3 is finalized (its listing document changes), aaaaaaa4 removed.
  auto a3 = batch[3].record.analysis;
  a3.ready = true;
  ASSERT_FALSE(store->append_batch(
    "inc-a", {pg_entry(1, 1, 2, finalized("aaaaaaa3", "{}"), render_analysis(a3, false)),
              pg_entry(0, 1, 2, removed("aaaaaaa4"))}));
  auto p1 = store->list(1, 2);
  ASSERT_TRUE(p1) << context_of(p1.error());
  EXPECT_EQ(p1->total, 4u);
  ASSERT_EQ(p1->summaries.size(), 2u);
  EXPECT_EQ(p1->summaries[0], render_analysis(a3, false));
  EXPECT_EQ(p1->summaries[1], batch[2].summary);
  auto p2 = store->list(2, 2);
  ASSERT_TRUE(p2);
  ASSERT_EQ(p2->summaries.size(), 2u);
  EXPECT_EQ(p2->summaries[0], batch[1].summary);
  EXPECT_EQ(p2->summaries[1], batch[0].summary);
  auto past = store->list(3, 2);
  ASSERT_TRUE(past);
  EXPECT_TRUE(past->summaries.empty());
  EXPECT_EQ(past->total, 4u);
  auto absurd = store->list(~std::uint64_t{0}, ~std::uint64_t{0});
  ASSERT_TRUE(absurd) << context_of(absurd.error());
  EXPECT_TRUE(absurd->summaries.empty());
  EXPECT_EQ(absurd->total, 4u);
}

// -- file reservations ---------------------------------------------------------------------

TEST(cluster_store, expired_reservations_go_to_the_janitor_and_cannot_be_committed) {
  auto db = fresh_database();
  auto store = open_store(db);
  ASSERT_TRUE(store->acquire(0, "inc-a", 30s)->granted);
  ASSERT_FALSE(store->append_batch("inc-a", {created_entry(0, 1, "aaaaaaa1")}));
  ASSERT_FALSE(store->reserve_file({"aaaaaaa1", 1, "short.fa", "node-a"}, 1000ms));
  ASSERT_FALSE(store->reserve_file({"aaaaaaa1", 2, "long.fa", "node-b"}, 1000ms));
  // The same id twice: two owners.
  EXPECT_TRUE(is_fenced(store->reserve_file({"aaaaaaa1", 2, "again.fa", "node-c"}, 60s)));
  auto none = store->expired_reservations(10);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto extended = store->extend_reservation("aaaaaaa1", 2, 60s);
  ASSERT_TRUE(extended);
  EXPECT_TRUE(*extended);
  std::this_thread::sleep_for(2500ms);
  auto expired = store->expired_reservations(10);
  ASSERT_TRUE(expired) << context_of(expired.error());
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ((*expired)[0].analysis_id, "aaaaaaa1");
  EXPECT_EQ((*expired)[0].file_id, 1u);
  EXPECT_EQ((*expired)[0].name, "short.fa");
  EXPECT_EQ((*expired)[0].node, "node-a");
  extended = store->extend_reservation("aaaaaaa1", 1, 60s);
  ASSERT_TRUE(extended);
  EXPECT_FALSE(*extended); // too late: the janitor's now
  // Committing the expired one fails the batch; the live one commits.
  auto err = store->append_batch("inc-a", {pg_entry(0, 1, 2, file_added("aaaaaaa1", 2, "long.fa")),
                                           pg_entry(0, 1, 3, file_added("aaaaaaa1", 1, "short.fa"))});
  EXPECT_EQ(code_of(err), code(errc::not_found));
  EXPECT_NE(context_of(err).find("reservation aaaaaaa1/1"), std::string::npos) << context_of(err);
  EXPECT_EQ(store->load_records("aaaaaaa1")->size(), 1u);
  ASSERT_FALSE(store->append_batch("inc-a", {pg_entry(0, 1, 2, file_added("aaaaaaa1", 2, "long.fa"))}));
  EXPECT_EQ(store->load_analysis("aaaaaaa1")->state.files.size(), 1u);
  // The janitor deleted the bytes of file 1, and forgets it.
  ASSERT_FALSE(store->drop_reservation("aaaaaaa1", 1));
  ASSERT_FALSE(store->drop_reservation("aaaaaaa1", 1));
  auto rows = store->connection().exec("SELECT count(*) FROM file_reservations");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->int64(0, 0), 0); // file 2's went with its commit
  // An abandoned upload's reservation expires at once: the janitor's, not
  // committable, and its id stays issued until the janitor drops it.
  ASSERT_FALSE(store->reserve_file({"aaaaaaa1", 3, "cut.fa", "node-b"}, 60s));
  ASSERT_FALSE(store->expire_reservation("aaaaaaa1", 3));
  ASSERT_FALSE(store->expire_reservation("aaaaaaa1", 3)); // expired already: no error
  expired = store->expired_reservations(10);
  ASSERT_TRUE(expired);
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ((*expired)[0].file_id, 3u);
  EXPECT_EQ(store->load_analysis("aaaaaaa1")->state.next_file_id, 4u);
  err = store->append_batch("inc-a", {pg_entry(0, 1, 3, file_added("aaaaaaa1", 3, "cut.fa"))});
  EXPECT_EQ(code_of(err), code(errc::not_found));
}

// -- PostgreSQL gone ----------------------------------------------------------------------

// Every call to a PostgreSQL that stopped answering ends within the call
// timeout, unacknowledged; the store reconnects once it is back.
TEST(cluster_store, calls_to_a_frozen_postgres_end_within_the_timeout) {
  postgres_process pg;
  auto store = open_store(pg.conninfo());
  member_info me{"node-a", "inc-a", "h", "c"};
  ASSERT_TRUE(store->heartbeat(me, 5s));
  ASSERT_TRUE(store->acquire(0, "inc-a", 30s)->granted);
  pg.pause();
  auto started = std::chrono::steady_clock::now();
  auto err = store->append_batch("inc-a", {created_entry(0, 1, "aaaaaaa1")});
  EXPECT_EQ(code_of(err), code(errc::unavailable)) << context_of(err);
  EXPECT_FALSE(is_fenced(err));
  EXPECT_LT(seconds_since(started), 8.0);
  started = std::chrono::steady_clock::now();
  auto live = store->heartbeat(me, 5s); // reconnecting: the connect timeout
  ASSERT_FALSE(live);
  EXPECT_EQ(code_of(live.error()), code(errc::unavailable));
  EXPECT_LT(seconds_since(started), 7.0);
  started = std::chrono::steady_clock::now();
  auto renewed = store->renew_all("inc-a", 30s);
  ASSERT_FALSE(renewed);
  EXPECT_LT(seconds_since(started), 7.0);
  pg.resume();
  live = store->heartbeat(me, 5s);
  ASSERT_TRUE(live) << context_of(live.error());
  EXPECT_EQ(live->size(), 1u);
  ASSERT_FALSE(store->append_batch("inc-a", {created_entry(0, 1, "aaaaaaa1")}));
  pg.kill();
  started = std::chrono::steady_clock::now();
  renewed = store->renew_all("inc-a", 30s);
  ASSERT_FALSE(renewed);
  EXPECT_EQ(code_of(renewed.error()), code(errc::unavailable));
  EXPECT_LT(seconds_since(started), 2.0);
}

// -- cost of a batch -------------------------------------------------------------------------

// Not a check: prints what an append_batch of 1 and of 64 records costs
// against the private server (round trips dominate on a real network).
TEST(cluster_store, append_batch_cost_is_printed) {
  auto db = fresh_database();
  auto store = open_store(db);
  ASSERT_TRUE(store->acquire(0, "inc-a", 60s)->granted);
  int next = 0;
  auto id = [&] {
    auto s = std::to_string(next++);
    return "b" + std::string(7 - s.size(), '0') + s;
  };
  for (std::size_t size : {1u, 64u}) {
    int batches = size == 1 ? 300 : 40;
    auto started = std::chrono::steady_clock::now();
    auto trips = store->connection().round_trips();
    for (int b = 0; b < batches; ++b) {
      std::vector<journal_entry> batch;
      for (std::size_t i = 0; i < size; ++i) {
        // Half new analyses (journal, listing, jobs), half finalizes of them (journal, listing).
        auto c = created_entry(0, 1, id());
        if (i % 2 == 1) {
          auto& prev = batch.back();
          auto a = prev.record.analysis;
          a.ready = true;
          batch.push_back(pg_entry(0, 1, 2, finalized(a.id, "{\"hits\":[]}"), render_analysis(a, false)));
          continue;
        }
        batch.push_back(std::move(c));
      }
      auto err = store->append_batch("inc-a", batch);
      ASSERT_FALSE(err) << context_of(err);
    }
    auto s = seconds_since(started);
    std::cerr << "append_batch of " << size << " records: " << (s * 1000.0 / batches)
              << " ms per batch (" << batches << " batches), "
              << static_cast<double>(store->connection().round_trips() - trips) / batches
              << " round trips per batch" << std::endl;
  }
}
