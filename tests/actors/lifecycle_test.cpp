// The analysis lifecycle (live, removing, gone) and its supervision, with
// the races between messages ordered explicitly: a gated journal holds the
// records a test chooses until the test releases them, so that requests are
// known to arrive while a remove or a finalize waits for its record.
//
// Why not CAF's test_coordinator_fixture: its checks (CAF_CHECK, CAF_FAIL,
// expect) report to caf::test::engine::current_test(), which only CAF's own
// test runner sets (it is null under GoogleTest), and the analysis actor
// hands file I/O to detached actors, which run on their own threads outside
// the deterministic scheduler. The gate gives the same determinism: every
// ordering below follows from FIFO mailboxes, not from timing.

#include "actors/registry_actor.hpp"
#include "tests/actors/helpers.hpp"

#include "persistence/file_store.hpp"
#include "persistence/storage.hpp"
#include "tests/support/server_process.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <set>
#include <vector>

using namespace analysisd;
using namespace analysisd::test;

namespace {

using hold_atom = caf::atom_constant<caf::atom("hold")>;
using held_atom = caf::atom_constant<caf::atom("held")>;
using release_atom = caf::atom_constant<caf::atom("release")>;

constexpr auto lifecycle_timeout = std::chrono::seconds(10);

struct gate_state {
  std::set<int> hold;                                   ///< Record kinds to hold.
  std::vector<caf::response_promise> waiting;           ///< Held appends.
  std::vector<journal_record> held;                     ///< Their records, for the watcher.
  std::vector<caf::response_promise> syncs;             ///< Answered at the release.
  applied_watcher watcher;
  static inline const char* name = "gated-journal";
};

/// A journal that acknowledges every record at once, except the kinds it was
/// told to hold: those wait for a release (true, or the error code given),
/// and `observer` hears (held, kind) when one arrives. As the persistence
/// actor does, it tells its watcher of each durable record before it answers
/// it, and answers a sync once no record is held.
caf::behavior gated_journal(caf::stateful_actor<gate_state>* self, caf::actor observer) {
  // `records`: those the watcher did not append itself.
  auto durable = [self](std::vector<journal_record> records) {
    if (self->state.watcher && !records.empty())
      self->send(self->state.watcher, applied_atom::value, std::move(records));
  };
  return {
    [=](append_atom, journal_record& rec) -> caf::result<bool> {
      auto kind = static_cast<int>(rec.kind);
      bool heard = self->current_sender()
                   != caf::actor_cast<caf::strong_actor_ptr>(self->state.watcher);
      if (self->state.hold.count(kind) == 0) {
        if (heard)
          durable({std::move(rec)});
        return true;
      }
      self->state.waiting.push_back(self->make_response_promise());
      if (heard)
        self->state.held.push_back(std::move(rec));
      self->send(observer, held_atom::value, kind);
      return caf::delegated<bool>{};
    },
    [=](snapshot_atom) { return true; },
    [=](watch_atom, applied_watcher& w) { self->state.watcher = std::move(w); },
    [=](sync_atom) -> caf::result<bool> {
      if (self->state.waiting.empty())
        return true;
      self->state.syncs.push_back(self->make_response_promise());
      return caf::delegated<bool>{};
    },
    [=](hold_atom, int kind) { self->state.hold.insert(kind); },
    [=](release_atom, std::uint8_t code) {
      auto& st = self->state;
      st.hold.clear();
      if (code == 0)
        durable(std::move(st.held));
      st.held.clear();
      for (auto& rp : st.waiting) {
        if (code == 0)
          rp.deliver(true);
        else
          rp.deliver(make_error(static_cast<errc>(code)));
      }
      st.waiting.clear();
      for (auto& rp : st.syncs)
        rp.deliver(true);
      st.syncs.clear();
    },
  };
}

/// A request sent now and answered later: `get()` blocks for its answer.
template <class T>
class pending {
public:
  template <class... Ts>
  pending(caf::actor_system& sys, const registry_actor& registry, Ts&&... xs)
    : self_(std::make_shared<caf::scoped_actor>(sys)) {
    using handle_t = decltype((*self_)->request(registry, lifecycle_timeout, std::forward<Ts>(xs)...));
    auto handle = std::make_shared<handle_t>((*self_)->request(registry, lifecycle_timeout, std::forward<Ts>(xs)...));
    auto self = self_;
    auto what = what_;
    get_ = [self, handle, what] {
      std::pair<T, std::uint8_t> out{T{}, 0};
      handle->receive([&](T& x) { out.first = std::move(x); },
                      [&](caf::error& err) {
                        out.second = code_of(err);
                        if (out.second == 0) {
                          out.second = 0xff;
                          *what = (*self)->system().render(err);
                        }
                      });
      return out;
    };
  }

  /// The value and 0, or a default value and the error's analysisd code
  /// (0xff: not an analysisd error, e.g. an actor bounced the request, or
  /// no answer within the timeout; what() says which).
  std::pair<T, std::uint8_t> get() {
    return get_();
  }

  const std::string& what() const {
    return *what_;
  }

private:
  std::shared_ptr<caf::scoped_actor> self_;
  std::shared_ptr<std::string> what_ = std::make_shared<std::string>();
  std::function<std::pair<T, std::uint8_t>()> get_;
};

/// A registry on a temporary directory with the gated journal, and the
/// analysis actors it spawned.
class lifecycle : public ::testing::Test {
protected:
  lifecycle() : sys_(test_config()), self_(sys_), observer_(sys_) {
    files_ = std::make_shared<const file_store>(posix_storage(), dir_.path());
    journal_ = sys_.spawn(gated_journal, caf::actor{observer_});
    spawned_ = std::make_shared<spawned>();
    auto list = spawned_;
    internal_ = sys_.spawn(
      registry_actor_impl, state_map{}, caf::actor_cast<persistence_actor>(journal_), files_,
      std::chrono::milliseconds(0),
      spawn_observer{[list](const std::string&, const analysis_actor& a) {
        std::lock_guard<std::mutex> lock{list->mutex};
        list->actors.push_back(a);
      }},
      std::shared_ptr<read_views>{});
    registry_ = internal_;
  }

  ~lifecycle() override {
    self_->send_exit(registry_, caf::exit_reason::user_shutdown);
    self_->send_exit(journal_, caf::exit_reason::user_shutdown);
  }

  template <class T, class... Ts>
  std::pair<T, std::uint8_t> ask(Ts&&... xs) {
    return pending<T>(sys_, registry_, std::forward<Ts>(xs)...).get();
  }

  /// Creates an analysis and acquires its job: {analysis id, the job's credential}.
  std::pair<std::string, credential> create_acquired() {
    auto [doc, code] = ask<std::string>(create_atom::value, good_create());
    EXPECT_EQ(code, 0);
    auto j = nlohmann::json::parse(doc);
    std::string id = j["id"], job = j["job"]["id"];
    auto [key, code2] = ask<std::string>(acquire_atom::value, job);
    EXPECT_EQ(code2, 0);
    return {id, job_credential(job, key)};
  }

  /// Holds the next records of `kind` in the journal.
  void hold(record_kind kind) {
    self_->send(journal_, hold_atom::value, static_cast<int>(kind));
  }

  /// Waits until the journal holds a record of `kind`.
  void wait_held(record_kind kind) {
    bool got = false;
    observer_->receive([&](held_atom, int k) { got = k == static_cast<int>(kind); },
                       caf::after(lifecycle_timeout) >> [] {});
    ASSERT_TRUE(got) << "the journal got no held record";
  }

  /// A finalize of `id` with `results` whose record the journal holds.
  pending<std::string> held_finalize(const std::string& id, const credential& cred,
                                     const std::string& results) {
    hold(record_kind::finalized);
    pending<std::string> fin{sys_, registry_, finalize_atom::value, cred, id, results};
    wait_held(record_kind::finalized);
    return fin;
  }

  /// Answers the held records: durable (0) or with the error `code`.
  void release(std::uint8_t code = 0) {
    self_->send(journal_, release_atom::value, code);
  }

  std::vector<analysis_actor> actors() {
    std::lock_guard<std::mutex> lock{spawned_->mutex};
    return spawned_->actors;
  }

  struct spawned {
    std::mutex mutex;
    std::vector<analysis_actor> actors;
  };

  temp_dir dir_;
  caf::actor_system sys_;
  caf::scoped_actor self_;
  caf::scoped_actor observer_;
  std::shared_ptr<const file_store> files_;
  caf::actor journal_;
  std::shared_ptr<spawned> spawned_;
  registry_internal_actor internal_;
  registry_actor registry_;
};

} // namespace

TEST_F(lifecycle, requests_that_wait_for_a_remove_get_not_found_once_it_is_done) {
  auto [id, cred] = create_acquired();
  ASSERT_EQ((ask<file_record>(upload_atom::value, cred, id, upload("a.fa")).second), 0);
  hold(record_kind::removed);
  pending<bool> remove{sys_, registry_, remove_atom::value, cred, id};
  wait_held(record_kind::removed);
  // The actor is removing now: these reach it (the registry forwards them
  // before the journal's answer, which comes after the release below).
  pending<std::string> get{sys_, registry_, get_atom::value, cred, id};
  pending<std::string> admin_get{sys_, registry_, get_atom::value, admin_credential(), id};
  pending<file_record> up{sys_, registry_, upload_atom::value, cred, id, upload("b.fa")};
  pending<file_location> down{sys_, registry_, download_atom::value, cred, id, std::uint64_t{1}};
  pending<std::string> fin{sys_, registry_, finalize_atom::value, cred, id, std::string("{}")};
  pending<bool> remove2{sys_, registry_, remove_atom::value, admin_credential(), id};
  pending<std::string> list{sys_, registry_, list_atom::value, list_request{1, 10}};
  release();
  auto [removed, code] = remove.get();
  EXPECT_EQ(code, 0) << remove.what();
  EXPECT_TRUE(removed);
  EXPECT_EQ(get.get().second, e(errc::not_found)) << get.what();
  EXPECT_EQ(admin_get.get().second, e(errc::not_found)) << admin_get.what();
  EXPECT_EQ(up.get().second, e(errc::not_found)) << up.what();
  EXPECT_EQ(down.get().second, e(errc::not_found)) << down.what();
  EXPECT_EQ(fin.get().second, e(errc::not_found)) << fin.what();
  EXPECT_EQ(remove2.get().second, e(errc::not_found)) << remove2.what();
  auto [page, code2] = list.get();
  ASSERT_EQ(code2, 0) << list.what();
  EXPECT_TRUE(nlohmann::json::parse(page)["documents"].empty());
  EXPECT_FALSE(posix_storage().exists(dir_.path() + "/analyses/" + id));
  // And later ones, too.
  EXPECT_EQ((ask<std::string>(get_atom::value, cred, id).second), e(errc::not_found));
  EXPECT_EQ((ask<file_record>(upload_atom::value, cred, id, upload("c.fa")).second),
            e(errc::not_found));
}

TEST_F(lifecycle, a_failed_remove_leaves_the_requests_that_waited_for_it_to_the_live_analysis) {
  auto [id, cred] = create_acquired();
  hold(record_kind::removed);
  pending<bool> remove{sys_, registry_, remove_atom::value, cred, id};
  wait_held(record_kind::removed);
  pending<std::string> get{sys_, registry_, get_atom::value, cred, id};
  pending<file_record> up{sys_, registry_, upload_atom::value, cred, id, upload("b.fa")};
  release(e(errc::storage_full));
  EXPECT_EQ(remove.get().second, e(errc::storage_full));
  auto [doc, code] = get.get();
  ASSERT_EQ(code, 0) << get.what();
  EXPECT_EQ(nlohmann::json::parse(doc)["id"], id);
  auto [rec, code2] = up.get();
  ASSERT_EQ(code2, 0) << up.what();
  EXPECT_EQ(rec.id, 1u);
  // It can be removed now.
  EXPECT_EQ((ask<bool>(remove_atom::value, cred, id).second), 0);
  EXPECT_EQ((ask<std::string>(get_atom::value, cred, id).second), e(errc::not_found));
}

TEST_F(lifecycle, a_finalize_decides_the_remove_and_finalizes_that_wait_for_it) {
  auto [id, cred] = create_acquired();
  auto fin = held_finalize(id, cred, R"({"hits":1})");
  pending<std::string> fin2{sys_, registry_, finalize_atom::value, cred, id,
                            std::string(R"({"hits":2})")};
  pending<bool> remove{sys_, registry_, remove_atom::value, cred, id};
  // Reads are served while the finalize waits for its record.
  auto [doc, code] = ask<std::string>(get_atom::value, cred, id);
  ASSERT_EQ(code, 0);
  EXPECT_EQ(nlohmann::json::parse(doc)["ready"], false);
  EXPECT_EQ((ask<file_location>(download_atom::value, cred, id, std::uint64_t{1}).second),
            e(errc::not_found));
  // The analysis was dormant: the registry records its finalize itself.
  EXPECT_TRUE(actors().empty());
  release();
  auto [done, code2] = fin.get();
  ASSERT_EQ(code2, 0) << fin.what();
  EXPECT_EQ(nlohmann::json::parse(done)["results"]["hits"], 1);
  EXPECT_EQ(fin2.get().second, e(errc::already_finalized)) << fin2.what();
  EXPECT_EQ(remove.get().second, e(errc::analysis_finalized)) << remove.what();
}

TEST_F(lifecycle, a_failed_dormant_finalize_leaves_it_unfinalized_for_the_requests_that_waited) {
  auto [id, cred] = create_acquired();
  auto fin = held_finalize(id, cred, R"({"hits":1})");
  pending<std::string> fin2{sys_, registry_, finalize_atom::value, cred, id,
                            std::string(R"({"hits":2})")};
  pending<file_record> up{sys_, registry_, upload_atom::value, cred, id, upload("b.fa")};
  // The registry records the first finalize; the others wait for it, in
  // the registry, not in an actor.
  EXPECT_TRUE(actors().empty());
  release(e(errc::storage_full));
  EXPECT_EQ(fin.get().second, e(errc::storage_full)) << fin.what();
  auto [done, code] = fin2.get();
  ASSERT_EQ(code, 0) << fin2.what();
  EXPECT_EQ(nlohmann::json::parse(done)["results"]["hits"], 2);
  EXPECT_EQ(up.get().second, 0) << up.what();
  auto [doc, code2] = ask<std::string>(get_atom::value, cred, id);
  ASSERT_EQ(code2, 0);
  auto j = nlohmann::json::parse(doc);
  EXPECT_EQ(j["results"]["hits"], 2);
  EXPECT_EQ(j["files"].size(), 1u);
  EXPECT_EQ(actors().size(), 1u) << "the waiting requests went to one actor";
}

TEST_F(lifecycle, a_remove_decides_the_finalize_that_waits_for_it) {
  auto [id, cred] = create_acquired();
  hold(record_kind::removed);
  pending<bool> remove{sys_, registry_, remove_atom::value, cred, id};
  wait_held(record_kind::removed);
  pending<std::string> fin{sys_, registry_, finalize_atom::value, cred, id, std::string("{}")};
  release();
  EXPECT_EQ(remove.get().second, 0) << remove.what();
  EXPECT_EQ(fin.get().second, e(errc::not_found)) << fin.what();
}

TEST_F(lifecycle, a_killed_actor_answers_its_requests_at_once_and_its_analysis_is_served_again) {
  auto [id, cred] = create_acquired();
  ASSERT_EQ((ask<file_record>(upload_atom::value, cred, id, upload("a.fa")).second), 0);
  ASSERT_EQ(actors().size(), 1u);
  auto fin = held_finalize(id, cred, R"({"hits":7})");
  // The actor holds the finalize's promise when it dies.
  self_->send_exit(actors().front(), caf::exit_reason::kill);
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(fin.get().second, e(errc::unavailable)) << fin.what();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  // Its record is still with the journal: a request now waits for its fate.
  pending<std::string> get{sys_, registry_, get_atom::value, cred, id};
  release();
  auto [doc, code] = get.get();
  ASSERT_EQ(code, 0) << get.what();
  auto j = nlohmann::json::parse(doc);
  EXPECT_EQ(j["ready"], true) << "the durable finalize is served";
  EXPECT_EQ(j["results"]["hits"], 7);
  ASSERT_EQ(j["files"].size(), 1u);
  EXPECT_EQ(actors().size(), 2u) << "a fresh actor serves it";
  // Writes go on where the dead actor left them.
  auto [rec, code2] = ask<file_record>(upload_atom::value, cred, id, upload("b.fa"));
  ASSERT_EQ(code2, 0);
  EXPECT_EQ(rec.id, 2u);
  EXPECT_EQ((ask<std::string>(finalize_atom::value, cred, id, std::string("{}")).second),
            e(errc::already_finalized));
}

TEST_F(lifecycle, a_killed_actor_whose_record_failed_is_served_again_without_it) {
  auto [id, cred] = create_acquired();
  ASSERT_EQ((ask<std::string>(get_atom::value, cred, id).second), 0);
  hold(record_kind::removed);
  pending<bool> remove{sys_, registry_, remove_atom::value, cred, id};
  wait_held(record_kind::removed);
  pending<std::string> get{sys_, registry_, get_atom::value, cred, id};
  self_->send_exit(actors().front(), caf::exit_reason::kill);
  EXPECT_EQ(remove.get().second, e(errc::unavailable)) << remove.what();
  // The get was delegated to the actor and held back in its mailbox while
  // removing: it is bounced at once (request_receiver_down, 503 over HTTP).
  EXPECT_EQ(get.get().second, 0xff) << get.what();
  EXPECT_NE(get.what().find("request_receiver_down"), std::string::npos) << get.what();
  release(e(errc::storage_full));
  auto [doc, code] = ask<std::string>(get_atom::value, cred, id);
  ASSERT_EQ(code, 0);
  EXPECT_EQ(nlohmann::json::parse(doc)["id"], id);
  EXPECT_EQ((ask<bool>(remove_atom::value, cred, id).second), 0);
  EXPECT_EQ((ask<std::string>(get_atom::value, cred, id).second), e(errc::not_found));
}

TEST_F(lifecycle, a_killed_actor_whose_remove_was_recorded_stays_removed) {
  auto [id, cred] = create_acquired();
  ASSERT_EQ((ask<file_record>(upload_atom::value, cred, id, upload("a.fa")).second), 0);
  hold(record_kind::removed);
  pending<bool> remove{sys_, registry_, remove_atom::value, cred, id};
  wait_held(record_kind::removed);
  self_->send_exit(actors().front(), caf::exit_reason::kill);
  EXPECT_EQ(remove.get().second, e(errc::unavailable)) << remove.what();
  release();
  EXPECT_EQ((ask<std::string>(get_atom::value, cred, id).second), e(errc::not_found));
  auto [page, code] = ask<std::string>(list_atom::value, list_request{1, 10});
  ASSERT_EQ(code, 0);
  EXPECT_TRUE(nlohmann::json::parse(page)["documents"].empty());
}

// An upload whose bytes the caller writes (HTTP streams them) holds its
// reservation across a remove: the remove waits for it, and once recorded,
// the upload's commit or abandon ends it (not_found for the commit) and the
// remove is answered.
TEST_F(lifecycle, a_remove_waits_for_reserved_uploads_which_then_end_with_not_found) {
  for (bool commit : {true, false}) {
    SCOPED_TRACE(commit ? "commit" : "abandon");
    auto [id, cred] = create_acquired();
    auto query = upload("streamed.fa");
    query.bytes = {};
    auto [file, code] = ask<file_record>(reserve_atom::value, cred, id, query);
    ASSERT_EQ(code, 0);
    EXPECT_EQ((ask<file_record>(reserve_atom::value, cred, id, query).second),
              e(errc::file_exists)) << "the name is reserved";
    hold(record_kind::removed);
    pending<bool> remove{sys_, registry_, remove_atom::value, cred, id};
    wait_held(record_kind::removed);
    release();
    // Lets the actor apply the recorded removal before the commit or abandon
    // arrives: the order in which a reservation once outlived its remove
    // (the removal resets the state the check used). Either order must pass.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (commit) {
      std::unique_ptr<writable_file> out;
      ASSERT_FALSE(files_->begin_upload(id, file, out));
      ASSERT_FALSE(out->append("ACGT", 4));
      ASSERT_FALSE(files_->finish_upload(id, file, out));
      file.size = 4;
      EXPECT_EQ((ask<file_record>(commit_atom::value, cred, id, file).second),
                e(errc::not_found));
    } else {
      EXPECT_EQ((ask<bool>(abandon_atom::value, cred, id, file).second), 0);
    }
    auto [removed, rcode] = remove.get();
    EXPECT_EQ(rcode, 0) << remove.what();
    EXPECT_TRUE(removed);
    EXPECT_FALSE(posix_storage().exists(dir_.path() + "/analyses/" + id));
  }
}

TEST_F(lifecycle, a_committed_reservation_is_recorded_and_an_abandoned_one_frees_its_name) {
  auto [id, cred] = create_acquired();
  auto query = upload("x.fa");
  query.bytes = {};
  auto [first, code] = ask<file_record>(reserve_atom::value, cred, id, query);
  ASSERT_EQ(code, 0);
  EXPECT_EQ((ask<bool>(abandon_atom::value, cred, id, first).second), 0);
  auto [second, code2] = ask<file_record>(reserve_atom::value, cred, id, query);
  ASSERT_EQ(code2, 0) << "the abandoned name is free";
  EXPECT_EQ(second.id, first.id + 1) << "file ids are never reused";
  std::unique_ptr<writable_file> out;
  ASSERT_FALSE(files_->begin_upload(id, second, out));
  ASSERT_FALSE(out->append(">x\n", 3));
  ASSERT_FALSE(files_->finish_upload(id, second, out));
  second.size = 3;
  auto [recorded, code3] = ask<file_record>(commit_atom::value, cred, id, second);
  ASSERT_EQ(code3, 0);
  EXPECT_EQ(recorded.size, 3u);
  auto [doc, code4] = ask<std::string>(get_atom::value, cred, id);
  ASSERT_EQ(code4, 0);
  EXPECT_EQ(nlohmann::json::parse(doc)["files"].size(), 1u);
  // A commit of what is not reserved (any more) is refused.
  EXPECT_EQ((ask<file_record>(commit_atom::value, cred, id, second).second), e(errc::not_found));
}
