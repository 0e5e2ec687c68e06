#include "actors/pg_journal.hpp"

#include "persistence/model.hpp"
#include "tests/actors/helpers.hpp"
#include "tests/persistence/helpers.hpp"
#include "tests/persistence/pg_helpers.hpp"
#include "tests/support/server_process.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace analysisd;
using namespace analysisd::test;
using namespace std::chrono_literals;

namespace {

// No answer within this long means a hang (every call is bounded far below).
constexpr auto pgj_patience = std::chrono::seconds(60);

// `created` of analysis `id` (job "j" + id without its first letter).
journal_entry pgj_created(std::uint32_t shard, std::int64_t epoch, const std::string& id) {
  auto rec = created(id);
  rec.analysis.job_id = "j" + id.substr(1);
  auto summary = render_analysis(rec.analysis, false);
  return pg_entry(shard, epoch, 1, std::move(rec), std::move(summary));
}

journal_record pgj_acquired(const std::string& id, const std::string& key) {
  journal_record r;
  r.kind = record_kind::job_acquired;
  r.analysis_id = id;
  r.key_hash = sha256(key);
  return r;
}

std::string pgj_id(int n) {
  auto s = std::to_string(n);
  return "a" + std::string(7 - s.size(), '0') + s;
}

// Appends and waits: the error (none: committed).
caf::error pgj_append(caf::scoped_actor& self, const pg_journal_actor& journal, journal_entry e) {
  caf::error out;
  self->request(journal, pgj_patience, append_atom::value, std::move(e))
    .receive([](bool) {}, [&](caf::error& err) { out = std::move(err); });
  return out;
}

// Holds shard `shard`'s lease row FOR UPDATE until release(): the journal's
// fence (FOR SHARE) waits behind it, so entries pile up into the next batch.
struct pgj_lease_lock {
  pg_connection conn;
  pgj_lease_lock(const std::string& conninfo, std::uint32_t shard)
    : conn(test_pg_options(conninfo)) {
    EXPECT_FALSE(conn.connect());
    EXPECT_TRUE(conn.exec("BEGIN"));
    pg_params p;
    p.integer(shard);
    auto r = conn.exec("SELECT 1 FROM shard_leases WHERE shard = $1::integer FOR UPDATE", p);
    EXPECT_TRUE(r && r->rows() == 1);
  }
  void release() {
    EXPECT_TRUE(conn.exec("COMMIT"));
  }
};

// Options whose lock and statement timeouts outlast a test's lease lock.
pg_options pgj_patient_options(const std::string& conninfo) {
  auto opts = test_pg_options(conninfo);
  opts.call_timeout = 20s;
  return opts;
}

void pgj_wait_for(const std::function<bool()>& done) {
  auto until = std::chrono::steady_clock::now() + pgj_patience;
  while (!done() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(done());
}

} // namespace

// The first entry's transaction waits behind a lock; the 600 entries sent
// meanwhile go into the next transactions, at most pg_journal_batch_cap each.
TEST(pg_journal, entries_arriving_during_a_transaction_form_the_next_batch) {
  auto db = fresh_database();
  auto store = open_store(db);
  ASSERT_TRUE(store->acquire(0, "inc-a", 120s)->granted);
  caf::actor_system sys{test_config()};
  auto stats = std::make_shared<pg_journal_stats>();
  auto journal = spawn_pg_journal(sys, pgj_patient_options(db), "inc-a", stats);
  {
    caf::scoped_actor self{sys};
    pgj_lease_lock lock{db, 0};
    auto first = self->request(journal, pgj_patience, append_atom::value, pgj_created(0, 1, pgj_id(0)));
    pgj_wait_for([&] { return stats->batches.load() == 1; });
    std::vector<decltype(first)> rest;
    for (int i = 1; i <= 600; ++i)
      rest.push_back(self->request(journal, pgj_patience, append_atom::value, pgj_created(0, 1, pgj_id(i))));
    // Every request is in the journal's mailbox before the first batch can
    // commit (its answer comes after them).
    lock.release();
    int committed = 0;
    first.receive([&](bool) { ++committed; }, [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
    for (auto& h : rest)
      h.receive([&](bool) { ++committed; }, [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
    EXPECT_EQ(committed, 601);
  }
  EXPECT_EQ(stats->entries.load(), 601u);
  EXPECT_EQ(stats->batches.load(), 3u); // 1, then 512 (the cap), then 88
  EXPECT_EQ(stats->transactions.load(), 3u);
  auto page = store->list(1, 1);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 601u);
  caf::anon_send_exit(journal, caf::exit_reason::user_shutdown);
}

// One entry of a batch is under a lease this node does not hold: it gets the
// fence error and is not written; the entries of other analyses commit in a
// second transaction.
TEST(pg_journal, a_fenced_entry_fails_alone_and_the_rest_of_its_batch_commits) {
  auto db = fresh_database();
  auto store = open_store(db);
  auto other = open_store(db);
  ASSERT_TRUE(store->acquire(1, "inc-a", 120s)->granted);
  ASSERT_TRUE(other->acquire(2, "inc-b", 120s)->granted);
  caf::actor_system sys{test_config()};
  auto stats = std::make_shared<pg_journal_stats>();
  auto journal = spawn_pg_journal(sys, pgj_patient_options(db), "inc-a", stats);
  {
    caf::scoped_actor self{sys};
    pgj_lease_lock lock{db, 1};
    auto first = self->request(journal, pgj_patience, append_atom::value, pgj_created(1, 1, pgj_id(0)));
    pgj_wait_for([&] { return stats->batches.load() == 1; });
    auto ok1 = self->request(journal, pgj_patience, append_atom::value, pgj_created(1, 1, pgj_id(1)));
    auto stale = self->request(journal, pgj_patience, append_atom::value, pgj_created(2, 1, pgj_id(2)));
    // A later record of the fenced analysis is not written either.
    auto stale2 = self->request(journal, pgj_patience, append_atom::value,
                                pg_entry(2, 1, 2, finalized(pgj_id(2), "{}")));
    auto ok2 = self->request(journal, pgj_patience, append_atom::value,
                             pg_entry(1, 1, 2, finalized(pgj_id(1), "{\"x\":1}")));
    lock.release();
    first.receive([](bool) {}, [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
    ok1.receive([](bool) {}, [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
    ok2.receive([](bool) {}, [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
    stale.receive([](bool) { ADD_FAILURE() << "a fenced entry was acknowledged"; },
                  [&](caf::error& err) {
                    EXPECT_TRUE(is_fenced(err)) << sys.render(err);
                    EXPECT_EQ(fenced_shards(err), std::vector<std::uint32_t>{2});
                  });
    stale2.receive([](bool) { ADD_FAILURE() << "a fenced entry was acknowledged"; },
                   [&](caf::error& err) { EXPECT_EQ(code_of(err), e(errc::unavailable)); });
  }
  EXPECT_EQ(stats->batches.load(), 2u);
  EXPECT_EQ(stats->transactions.load(), 3u); // 1; then 4 refused; then the 2 unaffected
  EXPECT_EQ(stats->retries.load(), 1u);
  auto loaded = store->load_analysis(pgj_id(1));
  ASSERT_TRUE(loaded) << context_of(loaded.error());
  EXPECT_EQ(loaded->state.results, "{\"x\":1}");
  EXPECT_EQ(code_of(store->load_records(pgj_id(2)).error()), e(errc::not_found));
  caf::anon_send_exit(journal, caf::exit_reason::user_shutdown);
}

// A lease handed to a second node: the first node's journal writes at its
// old epoch and at the new one, and both are refused.
TEST(pg_journal, a_stale_epoch_is_refused_after_another_node_took_the_shard) {
  auto db = fresh_database();
  auto a = open_store(db);
  auto b = open_store(db);
  auto la = a->acquire(3, "inc-a", 120s);
  ASSERT_TRUE(la && la->granted);
  caf::actor_system sys{test_config()};
  auto journal = spawn_pg_journal(sys, test_pg_options(db), "inc-a");
  caf::scoped_actor self{sys};
  ASSERT_FALSE(pgj_append(self, journal, pgj_created(3, la->epoch, pgj_id(1))));
  ASSERT_TRUE(*a->release(3, "inc-a", la->epoch));
  auto lb = b->acquire(3, "inc-b", 120s);
  ASSERT_TRUE(lb && lb->granted);
  ASSERT_EQ(lb->epoch, la->epoch + 1);
  auto err = pgj_append(self, journal, pg_entry(3, la->epoch, 2, finalized(pgj_id(1), "{}")));
  EXPECT_TRUE(is_fenced(err)) << sys.render(err);
  err = pgj_append(self, journal, pg_entry(3, lb->epoch, 2, finalized(pgj_id(1), "{}")));
  EXPECT_TRUE(is_fenced(err)) << sys.render(err);
  auto loaded = b->load_analysis(pgj_id(1));
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->records, 1u);
  EXPECT_FALSE(loaded->state.ready);
  caf::anon_send_exit(journal, caf::exit_reason::user_shutdown);
}

// Acquisition in cluster mode is one journal append: the second fails.
TEST(pg_journal, a_second_job_acquired_is_refused) {
  auto db = fresh_database();
  auto store = open_store(db);
  ASSERT_TRUE(store->acquire(4, "inc-a", 120s)->granted);
  caf::actor_system sys{test_config()};
  auto journal = spawn_pg_journal(sys, test_pg_options(db), "inc-a");
  caf::scoped_actor self{sys};
  ASSERT_FALSE(pgj_append(self, journal, pgj_created(4, 1, pgj_id(1))));
  ASSERT_FALSE(pgj_append(self, journal, pg_entry(4, 1, 2, pgj_acquired(pgj_id(1), "key-1"))));
  auto err = pgj_append(self, journal, pg_entry(4, 1, 3, pgj_acquired(pgj_id(1), "key-2")));
  EXPECT_EQ(code_of(err), e(errc::job_already_acquired)) << sys.render(err);
  EXPECT_NE(context_of(err).find("j0000001"), std::string::npos) << context_of(err);
  auto job = store->job("j0000001");
  ASSERT_TRUE(job);
  EXPECT_TRUE(job->acquired);
  EXPECT_EQ(job->key_hash, sha256("key-1"));
  auto loaded = store->load_analysis(pgj_id(1));
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->records, 2u);
  caf::anon_send_exit(journal, caf::exit_reason::user_shutdown);
}

// A PostgreSQL that stopped answering (frozen, then killed) gives
// unavailable, not a hang; after it is back, appends commit again.
TEST(pg_journal, a_stopped_postgres_gives_unavailable_not_a_hang) {
  postgres_process pg;
  auto store = open_store(pg.conninfo());
  ASSERT_TRUE(store->acquire(0, "inc-a", 120s)->granted);
  caf::actor_system sys{test_config()};
  auto opts = test_pg_options(pg.conninfo());
  opts.call_timeout = 1000ms;
  opts.connect_timeout = 1000ms;
  auto journal = spawn_pg_journal(sys, opts, "inc-a");
  caf::scoped_actor self{sys};
  ASSERT_FALSE(pgj_append(self, journal, pgj_created(0, 1, pgj_id(1))));
  pg.pause();
  auto err = pgj_append(self, journal, pgj_created(0, 1, pgj_id(2)));
  EXPECT_EQ(code_of(err), e(errc::unavailable)) << sys.render(err);
  EXPECT_FALSE(is_fenced(err));
  err = pgj_append(self, journal, pgj_created(0, 1, pgj_id(3))); // reconnecting
  EXPECT_EQ(code_of(err), e(errc::unavailable)) << sys.render(err);
  pg.resume();
  err = pgj_append(self, journal, pgj_created(0, 1, pgj_id(4)));
  EXPECT_FALSE(err) << sys.render(err);
  pg.kill();
  err = pgj_append(self, journal, pgj_created(0, 1, pgj_id(5)));
  EXPECT_EQ(code_of(err), e(errc::unavailable)) << sys.render(err);
  caf::anon_send_exit(journal, caf::exit_reason::user_shutdown);
}

TEST(pg_journal, readers_load_list_and_reserve_what_the_journal_wrote) {
  auto db = fresh_database();
  auto store = open_store(db);
  ASSERT_TRUE(store->acquire(5, "inc-a", 120s)->granted);
  caf::actor_system sys{test_config()};
  auto journal = spawn_pg_journal(sys, test_pg_options(db), "inc-a");
  auto readers = spawn_pg_readers(sys, test_pg_options(db), 2, 60s);
  caf::scoped_actor self{sys};
  auto c = pgj_created(5, 1, pgj_id(1));
  auto a = c.record.analysis;
  ASSERT_FALSE(pgj_append(self, journal, std::move(c)));
  a.ready = true;
  ASSERT_FALSE(pgj_append(self, journal, pg_entry(5, 1, 2, finalized(pgj_id(1), "{\"hits\":[]}"),
                                                   render_analysis(a, false))));
  self->request(readers, pgj_patience, load_atom::value, pgj_id(1))
    .receive(
      [&](loaded_analysis& l) {
        EXPECT_TRUE(l.state.ready);
        EXPECT_EQ(l.state.results, "{\"hits\":[]}");
        EXPECT_EQ(l.next_seq, 3u);
      },
      [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  self->request(readers, pgj_patience, load_atom::value, std::string{"zzzzzzzz"})
    .receive([](loaded_analysis&) { ADD_FAILURE() << "loaded a missing analysis"; },
             [&](caf::error& err) { EXPECT_EQ(code_of(err), e(errc::not_found)); });
  self->request(readers, pgj_patience, list_atom::value, list_request{1, 25})
    .receive(
      [&](analysis_page& p) {
        EXPECT_EQ(p.total, 1u);
        ASSERT_EQ(p.summaries.size(), 1u);
        EXPECT_EQ(p.summaries[0], render_analysis(a, false));
      },
      [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  self->request(readers, pgj_patience, list_atom::value, list_request{0, 25})
    .receive([](analysis_page&) { ADD_FAILURE() << "page 0 was listed"; },
             [&](caf::error& err) { EXPECT_EQ(code_of(err), e(errc::invalid_query)); });
  self->request(readers, pgj_patience, job_atom::value, std::string{"j0000001"})
    .receive(
      [&](job_info& j) {
        EXPECT_EQ(j.analysis_id, pgj_id(1));
        EXPECT_FALSE(j.acquired);
      },
      [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  // Reserve, a second owner's reservation of the same id, abandon, reserve
  // again once the janitor is done with it.
  auto reserve = [&](const std::string& node) {
    caf::error out;
    self->request(readers, pgj_patience, reserve_atom::value, file_reservation{pgj_id(1), 1, "x.fa", node})
      .receive([](bool) {}, [&](caf::error& err) { out = std::move(err); });
    return out;
  };
  EXPECT_FALSE(reserve("node-a"));
  EXPECT_TRUE(is_fenced(reserve("node-b")));
  self->request(readers, pgj_patience, abandon_atom::value, pgj_id(1), std::uint64_t{1})
    .receive([](bool) {}, [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  // Abandoned, it is the janitor's: its writer may have left bytes under its
  // id, so the id is not given again until they are deleted.
  auto expired = store->expired_reservations(10);
  ASSERT_TRUE(expired) << context_of(expired.error());
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ((*expired)[0].file_id, 1u);
  EXPECT_GE(store->load_analysis(pgj_id(1))->state.next_file_id, 2u);
  EXPECT_TRUE(is_fenced(reserve("node-b")));
  ASSERT_FALSE(store->drop_reservation(pgj_id(1), 1)); // the janitor's last step
  EXPECT_FALSE(reserve("node-b"));
  caf::anon_send_exit(journal, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(readers, caf::exit_reason::user_shutdown);
}

// An upload whose reservation expired loses its bytes (temporary and final
// file); a committed upload keeps them.
TEST(pg_journal, janitor_deletes_the_bytes_of_expired_reservations_only) {
  auto db = fresh_database();
  auto store = open_store(db);
  ASSERT_TRUE(store->acquire(6, "inc-a", 120s)->granted);
  temp_dir dir;
  auto files = std::make_shared<file_store>(posix_storage(), dir.path());
  caf::actor_system sys{test_config()};
  auto journal = spawn_pg_journal(sys, test_pg_options(db), "inc-a");
  auto readers = spawn_pg_readers(sys, test_pg_options(db), 1, 1000ms);
  auto janitor = spawn_blob_janitor(sys, test_pg_options(db), files, std::chrono::hours(1));
  caf::scoped_actor self{sys};
  auto id = pgj_id(1);
  ASSERT_FALSE(pgj_append(self, journal, pgj_created(6, 1, id)));
  auto abandoned = file_added(id, 1, "lost.fa").file;
  auto kept = file_added(id, 2, "kept.fa").file;
  // The readers reserve for 1 s; the committed upload's reservation is long.
  self->request(readers, pgj_patience, reserve_atom::value,
                file_reservation{id, abandoned.id, abandoned.name, "node-a"})
    .receive([](bool) {}, [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  ASSERT_FALSE(store->reserve_file({id, kept.id, kept.name, "node-a"}, 120s));
  // A reservation that names no path of the store is dropped all the same.
  self->request(readers, pgj_patience, reserve_atom::value,
                file_reservation{"../" + id, 1, "lost.fa", "node-a"})
    .receive([](bool) {}, [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  ASSERT_FALSE(files->write(id, abandoned, "bytes", 5));
  ASSERT_FALSE(files->write(id, kept, "bytes", 5));
  std::unique_ptr<writable_file> partial; // a second upload of file 1 in flight
  ASSERT_FALSE(files->begin_upload(id, abandoned, partial));
  partial.reset();
  auto partial_path = files->analysis_dir(id) + "/.1.partial";
  ASSERT_TRUE(posix_storage().exists(partial_path));
  ASSERT_FALSE(pgj_append(self, journal, pg_entry(6, 1, 2, file_added(id, 2, "kept.fa"))));
  std::this_thread::sleep_for(1500ms); // file 1's reservation expires (PostgreSQL's clock)
  self->request(janitor, pgj_patience, janitor_round_atom::value)
    .receive([](std::uint64_t n) { EXPECT_EQ(n, 2u); },
             [&](caf::error& err) { ADD_FAILURE() << sys.render(err); });
  EXPECT_FALSE(posix_storage().exists(files->file_path(id, abandoned)));
  EXPECT_FALSE(posix_storage().exists(partial_path));
  EXPECT_TRUE(posix_storage().exists(files->file_path(id, kept)));
  auto rows = store->connection().exec("SELECT count(*) FROM file_reservations");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->int64(0, 0), 0);
  EXPECT_EQ(store->load_analysis(id)->state.files.size(), 1u);
  caf::anon_send_exit(journal, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(readers, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(janitor, caf::exit_reason::user_shutdown);
}
